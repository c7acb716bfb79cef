from services.orders.db.tables import metadata

from services.common.migrations import run_env

run_env(metadata)
