"""`python -m services.inventory [serve|migrate|check-migrations|check-ledger]`."""

import sys

from services.common.cli import run_service
from services.inventory.check_ledger import main as check_ledger
from services.inventory.wiring import MIGRATIONS, wire

if len(sys.argv) > 1 and sys.argv[1] == "check-ledger":
    sys.exit(check_ledger(sys.argv[2:]))
run_service("inventory", wire, MIGRATIONS)
