"""Backorders: confirmed automatically, oldest first, when stock arrives (CONTRACT.md).

* The inventory feed is followed with `FeedConsumer` (feed "inventory"). Its apply step only
  records which SKUs got stock — a wake-up row, in the consumer's own transaction, no network call.
  Stock counts as arrived for: goods received, customer returns booked as sellable, releases,
  positive adjustments and moves. (A refused reservation emits StockShort, deliberately not a
  wake-up: it would make the allocator chase its own refusals.)
* The allocator (background job) reads the wake-ups, takes the BACKORDERED orders containing those
  SKUs oldest first, asks inventory what is available, plans with the domain's backorder policy and
  reserves each planned order in turn under its own "ord-<order_id>" (a refused reservation leaves
  nothing in inventory, so the id can be tried again later). One allocator runs at a time across
  replicas (a PostgreSQL advisory lock), so "oldest first" holds.
* A slow sweep of all backorders runs as a fallback, and this service's own releases wake the
  allocator at once (`OrdersContext.backorder_wakeup`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection
from storeops.common.v1 import events_pb2
from storeops.inventory.v1 import events_pb2 as inv_events

from services.orders.db.order_rows import Snapshot
from services.orders.db.order_store import OrderStore
from services.orders.domain.backorder import backorder_candidates, plan_backorder_allocation
from services.orders.domain.order import Order
from services.orders.service import saga
from services.orders.service.context import OrdersContext

log = logging.getLogger(__name__)

FEED_NAME = "inventory"
_LOCK_KEY = 0x0D5B_AC0D  # advisory lock id of the allocator (any constant unique in the database)


def arrived_sku(event: events_pb2.Event) -> str | None:
    """The SKU whose available stock may have grown, if the event says so."""
    name = event.type.rsplit(".", 1)[-1]
    payload = event.payload.value
    if name == "StockReceived":
        return inv_events.StockReceived.FromString(payload).sku_code or None
    if name == "StockReturned":
        returned = inv_events.StockReturned.FromString(payload)
        return returned.sku_code if returned.sellable else None
    if name == "StockReleased":
        return inv_events.StockReleased.FromString(payload).sku_code or None
    if name == "StockAdjusted":
        adjusted = inv_events.StockAdjusted.FromString(payload)
        return adjusted.sku_code if adjusted.quantity_delta > 0 else None
    if name == "StockMoved":
        return inv_events.StockMoved.FromString(payload).sku_code or None
    return None


def wakeup_applier(ctx: OrdersContext):  # type: ignore[no-untyped-def]
    """The FeedConsumer apply step: a wake-up row per SKU that got stock."""

    async def apply(connection: AsyncConnection, event: events_pb2.Event) -> None:
        sku = arrived_sku(event)
        if sku:
            await OrderStore(connection).wake([sku], ctx.clock())

    return apply


class BackorderAllocator:
    """Background job: `run` loops forever; `run_once` does one pass (tests call it directly)."""

    def __init__(self, ctx: OrdersContext) -> None:
        self._ctx = ctx

    async def run(self) -> None:
        settings = self._ctx.settings
        loop = asyncio.get_running_loop()
        next_sweep = loop.time() + settings.backorder_sweep
        while True:
            sweep = loop.time() >= next_sweep
            try:
                await self.run_once(sweep=sweep)
            except Exception:
                log.exception("backorder allocation failed")
            if sweep:
                next_sweep = loop.time() + settings.backorder_sweep
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._ctx.backorder_wakeup.wait(), settings.backorder_poll)
            self._ctx.backorder_wakeup.clear()

    async def run_once(self, *, sweep: bool = False) -> list[str]:
        """Try the backorders woken by new stock (all of them when `sweep`); returns the order ids
        that were confirmed, in the order they were reserved."""
        async with self._exclusive() as store:
            if store is None:
                return []  # another replica is allocating
            seen = await store.wakeups()
            skus = sorted({sku for sku, _ in seen})
            confirmed: list[str] = []
            if skus or sweep:
                ids = await store.backordered(
                    None if sweep else skus, self._ctx.settings.backorder_batch
                )
                if ids:
                    confirmed = await self._allocate(store, ids)
            if seen:
                await store.forget_wakeups(seen)
            return confirmed

    @contextlib.asynccontextmanager
    async def _exclusive(self) -> AsyncIterator[OrderStore | None]:
        # A session-level advisory lock on an autocommit connection: no transaction and no row
        # lock stay open while inventory is called.
        engine = self._ctx.db.engine.execution_options(isolation_level="AUTOCOMMIT")
        async with engine.connect() as connection:
            locked = await connection.scalar(
                sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": _LOCK_KEY}
            )
            if not locked:
                yield None
                return
            try:
                yield OrderStore(connection)
            finally:
                try:
                    await connection.execute(
                        sa.text("SELECT pg_advisory_unlock(:key)"), {"key": _LOCK_KEY}
                    )
                except BaseException:
                    # Cancelled mid-statement (shutdown) or a broken connection: closing the
                    # session releases its lock, and the original exception (often the
                    # CancelledError of shutdown) must be the one that propagates.
                    with contextlib.suppress(BaseException):
                        await connection.invalidate()

    async def _allocate(self, store: OrderStore, ids: list[str]) -> list[str]:
        by_id = await store.get_many(ids)
        orders = [by_id[i] for i in ids if i in by_id]
        candidates = backorder_candidates(orders)
        skus = sorted({sku for c in candidates for sku, _ in c.needs})
        available = await self._ctx.inventory.available(skus)
        if available is None:
            return []  # inventory cannot say: the next wake-up or sweep tries again
        plan = plan_backorder_allocation(candidates, available, self._ctx.settings.backorder)
        confirmed = []
        for order_id in plan.to_try:
            order = await self._try(store, by_id[order_id])
            if order.saga.value == "RESERVED":
                confirmed.append(order_id)
        return confirmed

    async def _try(self, store: OrderStore, order: Order) -> Order:
        ctx = self._ctx
        snapshot = Snapshot.of(order)
        now = ctx.clock()
        if not order.begin_reservation_retry(now):
            return order
        # Mark the attempt first: a cancel meanwhile then knows a reservation may be in flight.
        due = saga.step_due_at(ctx, order, snapshot.saga, now)
        if not await store.save(order, snapshot, now, saga_due_at=due):
            return order  # changed meanwhile (cancelled?): leave it
        return await saga.run_step(ctx, order, Snapshot.of(order))
