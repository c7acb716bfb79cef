from services.common.cli import run_service
from services.orders.wiring import MIGRATIONS, wire

run_service("orders", wire, MIGRATIONS)
