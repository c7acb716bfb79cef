"""The stock saga on real PostgreSQL against a stand-in inventory over gRPC: every crash point is
finished by the reconciler with no double reservation and no leaked reservation."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from uuid import uuid4

import pytest
import sqlalchemy as sa

from services.common.errors import AlreadyExists, FailedPrecondition, NotFound
from services.orders.db.order_rows import Snapshot
from services.orders.domain.customer import Customer
from services.orders.domain.intake import Channel, LineInput, parse_intake
from services.orders.domain.order import Order
from services.orders.domain.status import OrderStatus, SagaState
from services.orders.service import order_actions
from services.orders.service.context import OrdersContext
from services.orders.service.placing import PlaceOrder, place_order
from services.orders.service.reconciler import Reconciler
from tests.integration.orders.conftest import Clock
from tests.integration.orders.stand_in_inventory import RunningStandIn

pytestmark = pytest.mark.integration

CUSTOMER = Customer("李雷", "+86 138-0013-8000", "杭州市西湖区龙井路 1 号")


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid4().hex[:8]}"


def command(external_id: str, lines: list[tuple[str, int]], *, paid: bool = True) -> PlaceOrder:
    return PlaceOrder(
        channel="TMALL",
        external_order_id=external_id,
        customer=CUSTOMER,
        lines=[LineInput(sku, qty, 1_990, "CNY") for sku, qty in lines],
        paid=paid,
    )


async def load(ctx: OrdersContext, order_id: str) -> Order:
    async with ctx.db.statements() as store:
        return await store.get(order_id)


async def event_types(ctx: OrdersContext, key: str) -> list[str]:
    async with ctx.db.engine.connect() as connection:
        rows = await connection.execute(
            sa.text("SELECT type FROM outbox_events WHERE key = :key ORDER BY tx_id, id"),
            {"key": key},
        )
        return [row.type.rsplit(".", 1)[-1] for row in rows]


async def reconcile(ctx: OrdersContext, clock: Clock, seconds: float = 60) -> None:
    clock.advance(seconds)
    while await Reconciler(ctx).run_once():
        pass


async def test_reserved_order_is_confirmed_with_its_events(
    ctx: OrdersContext, stand_in: RunningStandIn
) -> None:
    sku = unique("TEA")
    stand_in.inventory.stock(sku, 5)
    order = await place_order(ctx, command(unique("TM"), [(sku, 2)]))
    assert (order.status, order.saga) == (OrderStatus.CONFIRMED, SagaState.RESERVED)
    assert stand_in.inventory.reservations[f"ord-{order.order_id}"].lines == {sku: 2}
    assert stand_in.inventory.available(sku) == 3
    stored = await load(ctx, order.order_id)
    assert (stored.status, stored.saga) == (OrderStatus.CONFIRMED, SagaState.RESERVED)
    assert [h.to_status for h in stored.history] == [OrderStatus.PENDING, OrderStatus.CONFIRMED]
    assert await event_types(ctx, order.order_id) == [
        "OrderPlaced",
        "PaymentReceived",
        "OrderConfirmed",
    ]


async def test_short_stock_backorders_and_reserves_nothing(
    ctx: OrdersContext, stand_in: RunningStandIn
) -> None:
    sku = unique("TEA")
    stand_in.inventory.stock(sku, 1)
    order = await place_order(ctx, command(unique("TM"), [(sku, 2)]))
    assert (order.status, order.saga) == (OrderStatus.BACKORDERED, SagaState.BACKORDERED)
    assert stand_in.inventory.available(sku) == 1
    assert f"ord-{order.order_id}" not in stand_in.inventory.reservations
    assert await event_types(ctx, order.order_id) == [
        "OrderPlaced",
        "PaymentReceived",
        "OrderBackordered",
    ]


async def test_unknown_sku_leaves_no_order_and_no_event(
    ctx: OrdersContext, stand_in: RunningStandIn
) -> None:
    known, unknown, external = unique("TEA"), unique("NOPE"), unique("TM")
    stand_in.inventory.stock(known, 5)
    with pytest.raises(NotFound) as refused:
        await place_order(ctx, command(external, [(known, 1), (unknown, 1)]))
    assert unknown in refused.value.message
    async with ctx.db.statements() as store:
        assert await store.find_by_external(Channel.TMALL, external) is None
    async with ctx.db.engine.connect() as connection:
        leftovers = await connection.scalar(
            sa.text("SELECT count(*) FROM order_lines WHERE sku_code = :sku"), {"sku": known}
        )
    assert leftovers == 0
    assert stand_in.inventory.available(known) == 5


async def test_inventory_down_keeps_the_order_pending_until_the_reconciler_reserves(
    ctx: OrdersContext, stand_in: RunningStandIn, clock: Clock
) -> None:
    sku = unique("TEA")
    stand_in.inventory.stock(sku, 5)
    stand_in.inventory.down = True
    order = await place_order(ctx, command(unique("TM"), [(sku, 2)]))
    assert (order.status, order.saga) == (OrderStatus.PENDING, SagaState.RESERVE_PENDING)
    assert await event_types(ctx, order.order_id) == []  # nothing announced before it settles
    await reconcile(ctx, clock)  # still down: stays pending, retried later with backoff
    assert (await load(ctx, order.order_id)).status is OrderStatus.PENDING
    stand_in.inventory.down = False
    await reconcile(ctx, clock)
    assert (await load(ctx, order.order_id)).status is OrderStatus.CONFIRMED
    assert stand_in.inventory.calls["reservations_created"] == 1
    assert stand_in.inventory.available(sku) == 3


async def test_lost_reservation_answer_is_finished_without_reserving_twice(
    ctx: OrdersContext, stand_in: RunningStandIn, clock: Clock
) -> None:
    sku = unique("TEA")
    stand_in.inventory.stock(sku, 5)
    stand_in.inventory.lose_answer.add("ReserveStock")
    order = await place_order(ctx, command(unique("TM"), [(sku, 2)]))
    assert order.status is OrderStatus.PENDING  # reserved in inventory, answer never arrived
    stand_in.inventory.lose_answer.clear()
    await reconcile(ctx, clock)
    assert (await load(ctx, order.order_id)).status is OrderStatus.CONFIRMED
    assert stand_in.inventory.calls["reservations_created"] == 1
    assert stand_in.inventory.reserved[sku] == 2


async def test_crash_after_reserving_before_recording_is_finished_by_the_reconciler(
    ctx: OrdersContext, stand_in: RunningStandIn, clock: Clock
) -> None:
    """Step 1 (store) and step 2 (reserve) done, step 3 (record) never ran: a crash between."""
    sku = unique("TEA")
    stand_in.inventory.stock(sku, 5)
    intake = parse_intake(
        channel="OWN_SHOP",
        external_order_id=unique("OS"),
        customer=CUSTOMER,
        lines=[LineInput(sku, 3, 500, "CNY")],
        paid=True,
    )
    order = Order.place(uuid4().hex, intake, clock())
    async with ctx.db.statements() as store:
        assert await store.insert_placed(order, clock())
    step = order.pending_inventory_step()
    assert step is not None
    answer = await ctx.inventory.reserve(step.reservation_id, step.lines)
    assert answer.holds_stock
    await reconcile(ctx, clock)
    stored = await load(ctx, order.order_id)
    assert (stored.status, stored.saga) == (OrderStatus.CONFIRMED, SagaState.RESERVED)
    assert stand_in.inventory.calls["reservations_created"] == 1
    assert stand_in.inventory.reserved[sku] == 3


async def test_crash_after_storing_before_reserving_is_finished_by_the_reconciler(
    ctx: OrdersContext, stand_in: RunningStandIn, clock: Clock
) -> None:
    sku = unique("TEA")
    stand_in.inventory.stock(sku, 5)
    intake = parse_intake(
        channel="AMAZON",
        external_order_id=unique("AZ"),
        customer=CUSTOMER,
        lines=[LineInput(sku, 1, 500, "USD")],
        paid=True,
    )
    order = Order.place(uuid4().hex, intake, clock())
    async with ctx.db.statements() as store:
        assert await store.insert_placed(order, clock() + timedelta(seconds=5))
    clock.advance(1)  # within the grace: the request that stored it is still expected to reserve
    assert await Reconciler(ctx).run_once() == 0
    await reconcile(ctx, clock)
    assert (await load(ctx, order.order_id)).status is OrderStatus.CONFIRMED
    assert stand_in.inventory.reserved[sku] == 1


async def test_twenty_concurrent_identical_orders_make_one_order_and_one_reservation(
    ctx: OrdersContext, stand_in: RunningStandIn
) -> None:
    sku, external = unique("TEA"), unique("TM")
    stand_in.inventory.stock(sku, 100)
    results = await asyncio.gather(
        *(place_order(ctx, command(external, [(sku, 4)])) for _ in range(20))
    )
    assert len({o.order_id for o in results}) == 1
    async with ctx.db.engine.connect() as connection:
        count = await connection.scalar(
            sa.text("SELECT count(*) FROM orders WHERE external_order_id = :e"), {"e": external}
        )
    assert count == 1
    assert stand_in.inventory.calls["reservations_created"] == 1
    assert stand_in.inventory.reserved[sku] == 4
    assert (await load(ctx, results[0].order_id)).status is OrderStatus.CONFIRMED
    assert (await event_types(ctx, results[0].order_id)).count("OrderConfirmed") == 1


async def test_same_key_with_a_different_payload_is_already_exists(
    ctx: OrdersContext, stand_in: RunningStandIn
) -> None:
    sku, external = unique("TEA"), unique("TM")
    stand_in.inventory.stock(sku, 10)
    first = await place_order(ctx, command(external, [(sku, 1)]))
    again = await place_order(ctx, command(external, [(sku, 1)]))
    assert again.order_id == first.order_id
    with pytest.raises(AlreadyExists):
        await place_order(ctx, command(external, [(sku, 2)]))
    assert stand_in.inventory.reserved[sku] == 1


async def test_cancel_while_inventory_is_down_releases_later(
    ctx: OrdersContext, stand_in: RunningStandIn, clock: Clock
) -> None:
    sku = unique("TEA")
    stand_in.inventory.stock(sku, 5)
    order = await place_order(ctx, command(unique("TM"), [(sku, 2)]))
    stand_in.inventory.down = True
    cancelled = await order_actions.cancel_order(ctx, order.order_id, "customer changed mind")
    assert (cancelled.status, cancelled.saga) == (
        OrderStatus.CANCELLED,
        SagaState.RELEASE_PENDING,
    )
    assert stand_in.inventory.reserved[sku] == 2
    stand_in.inventory.down = False
    await reconcile(ctx, clock)
    assert (await load(ctx, order.order_id)).saga is SagaState.RELEASED
    assert stand_in.inventory.reserved[sku] == 0


async def test_reservation_landing_after_the_cancel_is_released_too(
    ctx: OrdersContext, stand_in: RunningStandIn, clock: Clock
) -> None:
    """Cancel while the reserve is in flight: the release finds nothing, the reserve lands after
    it; the release is repeated after the late-reservation window, so nothing leaks."""
    sku = unique("TEA")
    stand_in.inventory.stock(sku, 5)
    intake = parse_intake(
        channel="TMALL",
        external_order_id=unique("TM"),
        customer=CUSTOMER,
        lines=[LineInput(sku, 2, 500, "CNY")],
        paid=True,
    )
    order = Order.place(uuid4().hex, intake, clock())
    async with ctx.db.statements() as store:
        await store.insert_placed(order, clock())
    cancelled = await order_actions.cancel_order(ctx, order.order_id, "duplicate")
    assert cancelled.saga is SagaState.RELEASE_PENDING  # released nothing, but in doubt
    step = Order.place(order.order_id, intake, clock()).pending_inventory_step()
    assert step is not None
    assert (await ctx.inventory.reserve(step.reservation_id, step.lines)).holds_stock  # late
    assert stand_in.inventory.reserved[sku] == 2
    await reconcile(ctx, clock, seconds=10)  # inside the window: released, still in doubt
    assert (await load(ctx, order.order_id)).saga is SagaState.RELEASE_PENDING
    await reconcile(ctx, clock, seconds=60)
    assert (await load(ctx, order.order_id)).saga is SagaState.RELEASED
    assert stand_in.inventory.reserved[sku] == 0


async def test_ship_while_inventory_is_down_commits_later(
    ctx: OrdersContext, stand_in: RunningStandIn, clock: Clock
) -> None:
    sku = unique("TEA")
    stand_in.inventory.stock(sku, 5)
    order = await place_order(ctx, command(unique("TM"), [(sku, 2)]))
    stand_in.inventory.down = True
    shipped = await order_actions.ship_order(ctx, order.order_id, "SF", "SF1234567890", 800)
    assert (shipped.status, shipped.saga) == (OrderStatus.SHIPPED, SagaState.COMMIT_PENDING)
    stand_in.inventory.down = False
    await reconcile(ctx, clock)
    assert (await load(ctx, order.order_id)).saga is SagaState.COMMITTED
    assert (stand_in.inventory.on_hand[sku], stand_in.inventory.reserved[sku]) == (3, 0)


async def test_ship_of_a_cancelled_order_is_refused_and_changes_nothing(
    ctx: OrdersContext, stand_in: RunningStandIn
) -> None:
    sku = unique("TEA")
    stand_in.inventory.stock(sku, 5)
    order = await place_order(ctx, command(unique("TM"), [(sku, 1)]))
    await order_actions.cancel_order(ctx, order.order_id, "")
    before = await load(ctx, order.order_id)
    with pytest.raises(FailedPrecondition):
        await order_actions.ship_order(ctx, order.order_id, "SF", "SF1234567890", 800)
    after = await load(ctx, order.order_id)
    assert Snapshot.of(after) == Snapshot.of(before)


async def test_unknown_sku_found_after_the_order_was_accepted_cancels_it_with_the_reason(
    ctx: OrdersContext, stand_in: RunningStandIn, clock: Clock
) -> None:
    stand_in.inventory.down = True
    order = await place_order(ctx, command(unique("TM"), [(unique("GONE"), 1)]))
    assert order.status is OrderStatus.PENDING  # accepted while inventory could not be asked
    stand_in.inventory.down = False
    await reconcile(ctx, clock)
    stored = await load(ctx, order.order_id)
    assert stored.status is OrderStatus.CANCELLED
    assert "does not exist" in stored.cancel_reason
    assert await event_types(ctx, order.order_id) == [
        "OrderPlaced",
        "PaymentReceived",
        "OrderCancelled",
    ]
