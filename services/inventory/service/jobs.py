"""Background jobs of the inventory service: release expired reservations and holds.

Small batches taken with FOR UPDATE SKIP LOCKED, so several service processes can run the job at
once without waiting on each other, and a batch never holds many rows locked for long.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from services.inventory.db.unit_of_work import InventoryDatabase
from services.inventory.service.loans import expire_due_holds
from services.inventory.service.reservations import expire_due_reservations
from services.inventory.settings import InventorySettings

log = logging.getLogger("storeops.inventory.jobs")


async def release_expired_once(
    db: InventoryDatabase, settings: InventorySettings, now: datetime
) -> tuple[int, int]:
    """Release every reservation and hold due at `now`; (reservations, holds) released."""
    batch = settings.expiry_batch_size
    reservations = holds = 0
    while True:
        done = await expire_due_reservations(db, now, batch)
        reservations += done
        if done < batch:
            break
    while True:
        done = await expire_due_holds(db, now, settings, batch)
        holds += done
        if done < batch:
            break
    return reservations, holds


def expiry_job(
    db: InventoryDatabase, settings: InventorySettings, clock: Callable[[], datetime]
) -> Callable[[], Awaitable[None]]:
    """The job `Wiring.background` runs until shutdown."""

    async def run() -> None:
        while True:
            reservations, holds = await release_expired_once(db, settings, clock())
            if reservations or holds:
                log.info("released expired", extra={"reservations": reservations, "holds": holds})
            await asyncio.sleep(settings.expiry_interval_seconds)

    run.__qualname__ = "inventory.expiry_job"
    return run
