from services.common.cli import run_service
from services.people.wiring import MIGRATIONS, wire

run_service("people", wire, MIGRATIONS)
