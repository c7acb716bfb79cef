"""The low-stock watch: SKUs whose available units fell below their reorder point (1 when none
is set) get one StockLow event, until they are back at or above it.

Level-triggered by a job rather than edge-triggered inside ReserveStock, so the reservation hot
path stays a single statement; a SKU is reported within `low_stock_watch_seconds`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

import sqlalchemy as sa
from storeops.inventory.v1 import events_pb2 as ev

from services.inventory.db.unit_of_work import InventoryDatabase
from services.inventory.settings import InventorySettings

log = logging.getLogger(__name__)

_NEWLY_LOW = sa.text(
    """
    UPDATE sku_availability SET low_alerted_at = :now
    WHERE low_alerted_at IS NULL AND on_hand - reserved < coalesce(reorder_point, 1)
    RETURNING sku_code, on_hand - reserved AS available, coalesce(reorder_point, 1) AS threshold
    """
)
_RECOVERED = sa.text(
    """
    UPDATE sku_availability SET low_alerted_at = NULL
    WHERE low_alerted_at IS NOT NULL AND on_hand - reserved >= coalesce(reorder_point, 1)
    """
)


async def watch_low_stock_once(db: InventoryDatabase, now: datetime) -> int:
    """Publish StockLow for SKUs newly below threshold; re-arm recovered ones. Returns count."""
    async with db.unit_of_work() as uow:
        await uow.connection.execute(_RECOVERED)
        low = (await uow.connection.execute(_NEWLY_LOW, {"now": now})).all()
        for row in low:
            uow.publish(
                row.sku_code,
                ev.StockLow(
                    sku_code=row.sku_code, available=row.available, threshold=row.threshold
                ),
            )
        await uow.commit()
    return len(low)


def low_stock_job(
    db: InventoryDatabase, settings: InventorySettings, clock: Callable[[], datetime]
) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        while True:
            found = await watch_low_stock_once(db, clock())
            if found:
                log.info("low stock", extra={"skus": found})
            await asyncio.sleep(settings.low_stock_watch_seconds)

    run.__qualname__ = "inventory.low_stock_watch"
    return run
