from services.common.migrations import run_env
from services.performance.db.tables import metadata

run_env(metadata)
