from services.common.cli import run_service
from services.inventory.wiring import MIGRATIONS, wire

run_service("inventory", wire, MIGRATIONS)
