from services.common.cli import run_service
from services.performance.wiring import MIGRATIONS, wire

run_service("performance", wire, MIGRATIONS)
