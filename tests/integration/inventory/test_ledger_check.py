"""VerifyLedger and `python -m services.inventory check-ledger` find books that drift from the
ledger (tampered on purpose here, in a database of its own) and pass when they agree."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from services.inventory.db import tables as t
from services.inventory.db.unit_of_work import InventoryDatabase
from services.inventory.service.ledger import verify_ledger
from tests.integration.inventory import helpers as h
from tests.support.postgres import TestServer

ROOT = Path(__file__).resolve().parents[3]


def _check_ledger(url: str) -> tuple[int, dict]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STOREOPS_")}
    env["STOREOPS_INVENTORY_DATABASE_URL"] = url
    done = subprocess.run(
        [sys.executable, "-m", "services.inventory", "check-ledger"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return done.returncode, json.loads(done.stdout)


async def test_drifted_books_are_reported_and_consistent_ones_pass(pg_server: TestServer, settings):
    url = pg_server.database("inventory")
    engine = create_async_engine(url)
    db = InventoryDatabase(engine)
    try:
        wh = await h.warehouse(db)
        code = await h.sku(db, cost=100)
        await h.receive(db, settings, wh, {code: 10})
        code_ok, report = _check_ledger(url)
        assert (code_ok, report["consistent"], report["discrepancies"]) == (0, True, [])
        async with engine.begin() as connection:
            await connection.execute(
                sa.update(t.warehouse_stock)
                .where(t.warehouse_stock.c.sku_code == code)
                .values(on_hand=12)
            )
        result = await verify_ledger(db, "", 100, h.now())
        checks = {(d.check, d.expected, d.actual) for d in result.discrepancies}
        assert ("WAREHOUSE_ON_HAND", 10, 12) in checks
        assert ("LOTS", 12, 10) in checks
        assert ("SELLABLE_ON_HAND", 12, 10) in checks
        code_bad, report = _check_ledger(url)
        assert code_bad == 1
        assert report["consistent"] is False
    finally:
        await engine.dispose()
