"""Backorders are confirmed automatically, oldest first, when inventory reports new stock."""

from __future__ import annotations

from uuid import uuid4

import pytest

from services.common.feeds import FeedConsumer
from services.orders.db import tables
from services.orders.domain.status import OrderStatus, SagaState
from services.orders.service import order_actions
from services.orders.service.backorders import BackorderAllocator, wakeup_applier
from services.orders.service.context import OrdersContext
from services.orders.service.placing import place_order
from services.orders.service.reconciler import Reconciler
from tests.integration.orders.conftest import Clock
from tests.integration.orders.stand_in_inventory import RunningStandIn
from tests.integration.orders.test_saga import command, load, unique

pytestmark = pytest.mark.integration


async def follow_feed(ctx: OrdersContext, feed: str) -> None:
    consumer = FeedConsumer(
        feed, ctx.db.engine, tables.feed_cursors, ctx.inventory.events, wakeup_applier(ctx)
    )
    while await consumer.run_once():
        pass


async def test_stock_arrival_confirms_backorders_oldest_first(
    ctx: OrdersContext, stand_in: RunningStandIn, clock: Clock
) -> None:
    sku, feed = unique("TEA"), f"inventory-{uuid4().hex[:8]}"
    stand_in.inventory.stock(sku, 0)
    placed = []
    for qty in (2, 1, 2):
        placed.append(await place_order(ctx, command(unique("TM"), [(sku, qty)])))
        clock.advance(1)
    assert {o.status for o in placed} == {OrderStatus.BACKORDERED}
    oldest, middle, youngest = (o.order_id for o in placed)

    stand_in.inventory.stock(sku, 3)  # a receipt completes: StockReceived on the feed
    await follow_feed(ctx, feed)
    confirmed = await BackorderAllocator(ctx).run_once()

    assert confirmed == [oldest, middle]  # the youngest (2 units) does not fit what is left
    first, second = await load(ctx, oldest), await load(ctx, middle)
    assert first.confirmed_at is not None
    assert second.confirmed_at is not None
    assert first.confirmed_at <= second.confirmed_at
    assert (await load(ctx, youngest)).status is OrderStatus.BACKORDERED
    assert stand_in.inventory.available(sku) == 0

    stand_in.inventory.stock(sku, 2)
    await follow_feed(ctx, feed)
    assert await BackorderAllocator(ctx).run_once() == [youngest]
    assert stand_in.inventory.calls["reservations_created"] == 3


async def test_stock_released_by_our_own_cancel_confirms_the_next_backorder(
    ctx: OrdersContext, stand_in: RunningStandIn, clock: Clock
) -> None:
    sku = unique("TEA")
    stand_in.inventory.stock(sku, 2)
    holder = await place_order(ctx, command(unique("TM"), [(sku, 2)]))
    waiting = await place_order(ctx, command(unique("TM"), [(sku, 2)]))
    assert (holder.status, waiting.status) == (OrderStatus.CONFIRMED, OrderStatus.BACKORDERED)
    await order_actions.cancel_order(ctx, holder.order_id, "customer cancelled")
    assert ctx.backorder_wakeup.is_set()  # the release woke the allocator at once
    assert await BackorderAllocator(ctx).run_once() == [waiting.order_id]
    assert (await load(ctx, waiting.order_id)).status is OrderStatus.CONFIRMED


async def test_a_refused_retry_leaves_the_order_backordered_and_retryable(
    ctx: OrdersContext, stand_in: RunningStandIn, clock: Clock
) -> None:
    sku = unique("TEA")
    stand_in.inventory.stock(sku, 0)
    order = await place_order(ctx, command(unique("TM"), [(sku, 3)]))
    stand_in.inventory.stock(sku, 2)  # not enough: the sweep plans nothing, reserves nothing
    assert await BackorderAllocator(ctx).run_once(sweep=True) == []
    stored = await load(ctx, order.order_id)
    assert (stored.status, stored.saga) == (OrderStatus.BACKORDERED, SagaState.BACKORDERED)
    stand_in.inventory.stock(sku, 1)
    assert await BackorderAllocator(ctx).run_once(sweep=True) == [order.order_id]


async def test_a_retry_that_inventory_cannot_answer_is_finished_by_the_reconciler(
    ctx: OrdersContext, stand_in: RunningStandIn, clock: Clock
) -> None:
    sku = unique("TEA")
    stand_in.inventory.stock(sku, 0)
    order = await place_order(ctx, command(unique("TM"), [(sku, 1)]))
    stand_in.inventory.stock(sku, 1)
    stand_in.inventory.lose_answer.add("ReserveStock")
    assert await BackorderAllocator(ctx).run_once(sweep=True) == []
    stored = await load(ctx, order.order_id)
    assert (stored.status, stored.saga) == (OrderStatus.BACKORDERED, SagaState.RESERVE_PENDING)
    stand_in.inventory.lose_answer.clear()
    clock.advance(60)
    await Reconciler(ctx).run_once()
    assert (await load(ctx, order.order_id)).status is OrderStatus.CONFIRMED
    assert stand_in.inventory.calls["reservations_created"] == 1
