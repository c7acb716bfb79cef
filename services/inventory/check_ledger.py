"""`python -m services.inventory check-ledger [--sku CODE]`: the VerifyLedger check from the
command line (ops, CI after load tests). Prints JSON; exit code 0 when consistent, 1 when not."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from services.common.clock import utc_now
from services.common.config import Settings, SettingsError, load_settings
from services.common.db import create_engine
from services.inventory.db.unit_of_work import InventoryDatabase
from services.inventory.service.ledger import Verification, verify_ledger


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.inventory check-ledger")
    parser.add_argument("--sku", default="", help="check one SKU only")
    parser.add_argument("--max", type=int, default=100, help="discrepancies to list at most")
    args = parser.parse_args(argv)
    try:
        settings = load_settings("inventory")
    except SettingsError as exc:
        print(f"inventory: {exc}", file=sys.stderr)
        return 2
    result = asyncio.run(_check(settings.database_url, args.sku, args.max))
    print(json.dumps(_report(result), indent=2))
    return 0 if result.consistent else 1


async def _check(url: str, sku_code: str, limit: int) -> Verification:
    engine = create_engine(Settings("inventory", url, db_pool_size=1, db_max_overflow=0))
    try:
        return await verify_ledger(InventoryDatabase(engine), sku_code, limit, utc_now())
    finally:
        await engine.dispose()


def _report(result: Verification) -> dict[str, object]:
    return {
        "consistent": result.consistent,
        "entries_checked": result.entries_checked,
        "skus_checked": result.skus_checked,
        "discrepancies": [
            {
                "check": d.check,
                "sku_code": d.sku_code,
                "warehouse_code": d.warehouse_code,
                "expected": int(d.expected),
                "actual": int(d.actual),
                "currency_code": d.currency_code,
            }
            for d in result.discrepancies
        ],
        "check_time": result.checked_at.isoformat(),
    }
