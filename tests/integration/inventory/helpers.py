"""Building blocks of the inventory integration tests: unique ids, catalogue, stock via receipts."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from google.protobuf import symbol_database
from storeops.inventory.v1 import events_pb2  # noqa: F401 - registers the event types

from services.common.money import Money
from services.inventory.db import tables
from services.inventory.db.unit_of_work import InventoryDatabase
from services.inventory.domain.catalogue import Sku, Warehouse, WarehouseKind
from services.inventory.domain.receipts import InspectionResult
from services.inventory.domain.stock_lines import SkuQuantity
from services.inventory.service import catalogue, receiving
from services.inventory.service.caller import SYSTEM, Caller
from services.inventory.service.ledger import verify_ledger
from services.inventory.settings import InventorySettings

CLERK = Caller("E-CLERK", SYSTEM.roles)


def uid(prefix: str = "T") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def now() -> datetime:
    return datetime.now(UTC)


async def warehouse(
    db: InventoryDatabase, kind: WarehouseKind = WarehouseKind.SELLABLE, code: str | None = None
) -> str:
    code = code or uid("WH")
    await catalogue.create_warehouse(db, Warehouse(code, f"Warehouse {code}", kind))
    return code


async def sku(
    db: InventoryDatabase, cost: int = 1000, code: str | None = None, **extra: object
) -> str:
    code = code or uid("SKU")
    await catalogue.upsert_sku(
        db,
        Sku(code, "STYLE-1", "black", "M", f"Product {code}", Money(cost, "CNY"), **extra),  # type: ignore[arg-type]
    )
    return code


async def receive(
    db: InventoryDatabase,
    settings: InventorySettings,
    warehouse_code: str,
    lines: dict[str, int],
    receipt_id: str | None = None,
) -> str:
    """A clean receipt: created, first sample all good, completed."""
    receipt_id = receipt_id or uid("RC")
    stored = await receiving.create_receipt(
        db,
        receiving.CreateReceipt(
            receipt_id,
            warehouse_code,
            "Factory Ltd",
            tuple(SkuQuantity(s, q) for s, q in lines.items()),
        ),
        CLERK,
        now(),
    )
    await receiving.record_inspection(
        db,
        receipt_id,
        [InspectionResult(x.sku_code, x.sample_size, 0) for x in stored.receipt.lines],
        CLERK,
        now(),
        settings,
    )
    await receiving.complete_receipt(db, receipt_id, CLERK, now(), settings)
    return receipt_id


async def events_of(db: InventoryDatabase, type_name: str, key: str) -> list[Any]:
    """Decoded events of one type and key from the outbox, oldest first."""
    table = tables.outbox_events
    async with db.engine.connect() as connection:
        rows = await connection.execute(
            sa.select(table.c.payload)
            .where(table.c.type == type_name, table.c.key == key)
            .order_by(table.c.id)
        )
        payloads = [row.payload for row in rows]
    message = symbol_database.Default().GetSymbol(type_name)
    return [message.FromString(payload) for payload in payloads]


async def assert_books_consistent(db: InventoryDatabase, sku_code: str = "") -> None:
    result = await verify_ledger(db, sku_code, 100, now())
    assert result.consistent, result.discrepancies
