from services.common.migrations import run_env
from services.inventory.db.tables import metadata

run_env(metadata)
