from services.common.migrations import run_env
from services.orders.db.tables import metadata

run_env(metadata)
