"""Review batches (审单), pick lists (配货单) and shipping waves (发货批次)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from services.common.errors import AlreadyExists, InvalidArgument, NotFound
from services.orders.db.order_rows import Snapshot
from services.orders.domain.fulfilment import (
    PICKABLE_STATUSES,
    BatchPickList,
    OrderPickList,
    pick_list_for_batch,
    pick_list_for_order,
)
from services.orders.domain.order import Order
from services.orders.domain.review_batch import (
    ReviewBatchResult,
    ReviewOutcome,
    check_batch_size,
    decide_review_batch,
)
from services.orders.domain.status import OrderStatus
from services.orders.domain.waves import (
    Wave,
    assign_wave,
    parse_wave_id,
    wave_outcome,
    wave_window,
    waves_of_day,
)
from services.orders.service.context import OrdersContext, caller
from services.orders.service.events import order_events

_AFTER_REVIEW = PICKABLE_STATUSES - {OrderStatus.CONFIRMED, OrderStatus.PARTIALLY_SHIPPED}


@dataclass(frozen=True)
class StoredBatch:
    batch_id: str
    order_ids: tuple[str, ...]
    result: ReviewBatchResult
    created_by: str
    created_at: datetime


async def create_review_batch(
    ctx: OrdersContext, batch_id: str, order_ids: list[str]
) -> StoredBatch:
    """Decide every order of the batch and mark those that pass REVIEWED, in one transaction.

    The same batch id with the same orders returns the stored batch; with others, ALREADY_EXISTS.
    """
    policy = ctx.settings.review
    check_batch_size(order_ids, policy.max_orders, "order_ids")
    async with ctx.db.unit_of_work() as uow:
        stored = await uow.cases.review_batch(batch_id)
        if stored is not None:
            return _same_batch(batch_id, order_ids, stored)
        # Locked in id order so two batches sharing orders cannot deadlock.
        orders: dict[str, Order] = {}
        for order_id in sorted(order_ids):
            orders[order_id] = await uow.orders.get(order_id, for_update=True)
        ordered = [orders[i] for i in order_ids]
        result = decide_review_batch(ordered, policy)
        now, who = ctx.clock(), caller()
        for order_id in result.passed_ids:
            order = orders[order_id]
            snapshot = Snapshot.of(order)
            order.review(now, who)
            await uow.orders.save(order, snapshot, now)
            for key, event in order_events(order, snapshot, ctx.settings.waves):
                uow.publish(key, event)
        if not await uow.cases.insert_review_batch(batch_id, order_ids, result, who, now):
            raise AlreadyExists(f"review batch {batch_id} was just created; retry to read it")
        await uow.commit()
    return StoredBatch(batch_id, tuple(order_ids), result, who, now)


def _same_batch(
    batch_id: str,
    order_ids: list[str],
    stored: tuple[tuple[str, ...], ReviewBatchResult, str, datetime],
) -> StoredBatch:
    ids, result, by, at = stored
    if list(ids) != order_ids:
        raise AlreadyExists(
            f"review batch {batch_id} already exists with other orders; use a new batch id",
            reason="REVIEW_BATCH_ID_REUSED",
        )
    return StoredBatch(batch_id, ids, result, by, at)


async def get_review_batch(ctx: OrdersContext, batch_id: str) -> StoredBatch:
    async with ctx.db.unit_of_work() as uow:
        stored = await uow.cases.review_batch(batch_id)
    if stored is None:
        raise NotFound(f"review batch {batch_id} does not exist", reason="REVIEW_BATCH_NOT_FOUND")
    ids, result, by, at = stored
    return StoredBatch(batch_id, ids, result, by, at)


async def order_pick_list(ctx: OrdersContext, order_id: str) -> OrderPickList:
    async with ctx.db.statements() as store:
        order = await store.get(order_id)
    return pick_list_for_order(order)


async def batch_pick_list(
    ctx: OrdersContext, batch_id: str
) -> tuple[BatchPickList | None, list[str]]:
    """The batch list of the batch's reviewed orders still to pick, and the ids skipped."""
    batch = await get_review_batch(ctx, batch_id)
    reviewed = [
        d.order_id
        for d in batch.result.decisions
        if d.outcome in (ReviewOutcome.PASSED, ReviewOutcome.NEEDS_PERSON)
    ]
    async with ctx.db.statements() as store:
        orders = await store.get_many(reviewed)
    # Picked after review (seed 003 篇3 4.2: the clerk hands the reviewed batch's slips over).
    pickable = [orders[i] for i in reviewed if i in orders and orders[i].status in _AFTER_REVIEW]
    skipped = [i for i in batch.order_ids if i not in {o.order_id for o in pickable}]
    if not pickable:
        return None, skipped
    return pick_list_for_batch(pickable, max_orders=ctx.settings.review.max_orders), skipped


# ---------------------------------------------------------------------------- waves


@dataclass(frozen=True)
class WaveOrder:
    order_id: str
    status: OrderStatus
    printable_at: datetime
    shipped_at: datetime | None
    on_time: bool | None


@dataclass(frozen=True)
class WaveReport:
    wave: Wave
    orders: list[WaveOrder]

    @property
    def shipped(self) -> int:
        return sum(1 for o in self.orders if o.shipped_at is not None)

    @property
    def on_time(self) -> int:
        return sum(1 for o in self.orders if o.on_time)

    @property
    def decided(self) -> int:
        return sum(1 for o in self.orders if o.on_time is not None)


_WAVE_ORDERS = sa.text(
    "SELECT order_id, status, printable_at, shipped_at FROM orders "
    "WHERE printable_at >= :start AND printable_at < :end AND status <> 'CANCELLED' "
    "ORDER BY printable_at, order_id"
)


async def wave_report(ctx: OrdersContext, wave: Wave) -> WaveReport:
    """The orders whose printable time falls in the wave's window, and how each fared."""
    policy = ctx.settings.waves
    start, end = wave_window(wave, policy)
    now = ctx.clock()
    async with ctx.db.unit_of_work() as uow:
        rows = list(await uow.connection.execute(_WAVE_ORDERS, {"start": start, "end": end}))
    orders = []
    for row in rows:
        if assign_wave(row.printable_at, policy) != wave:
            continue  # defensive: the window and the assignment must agree
        orders.append(
            WaveOrder(
                row.order_id,
                OrderStatus(row.status),
                row.printable_at,
                row.shipped_at,
                wave_outcome(wave, row.shipped_at, now),
            )
        )
    return WaveReport(wave, orders)


async def get_wave(ctx: OrdersContext, wave_id: str) -> WaveReport:
    return await wave_report(ctx, parse_wave_id(wave_id, ctx.settings.waves))


async def waves_of(ctx: OrdersContext, wave_date: str) -> list[WaveReport]:
    try:
        day = date.fromisoformat(wave_date)
    except ValueError:
        raise InvalidArgument.for_field("wave_date", "must be a date (YYYY-MM-DD)") from None
    return [await wave_report(ctx, w) for w in waves_of_day(day, ctx.settings.waves)]
