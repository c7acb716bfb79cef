from services.common.migrations import run_env
from services.people.db.tables import metadata

run_env(metadata)
