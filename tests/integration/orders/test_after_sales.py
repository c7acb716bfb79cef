"""After-sales on real PostgreSQL: returned goods booked into inventory once, refunds as money with
their reason, exchanges ship a replacement whose stock is reserved and committed."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from services.common.errors import AlreadyExists, FailedPrecondition
from services.common.money import Money
from services.orders.domain.after_sales import AfterSalesStatus, QcVerdict
from services.orders.domain.after_sales_rules import AfterSalesKind, ReturnReason
from services.orders.domain.order import Order
from services.orders.domain.returned_goods import UnitDisposition
from services.orders.service import after_sales, order_actions
from services.orders.service.context import OrdersContext
from services.orders.service.placing import place_order
from services.orders.service.reconciler import Reconciler
from tests.integration.orders.conftest import Clock, acting_as
from tests.integration.orders.stand_in_inventory import RunningStandIn
from tests.integration.orders.test_saga import command, event_types, unique

pytestmark = pytest.mark.integration

CS, KEEPER, QC, STATS = "E3001", "E4001", "E5001", "E6001"


async def shipped_order(ctx: OrdersContext, stand_in: RunningStandIn, sku: str, qty: int) -> Order:
    stand_in.inventory.stock(sku, 10)
    order = await place_order(ctx, command(unique("TM"), [(sku, qty)]))
    return await order_actions.ship_order(ctx, order.order_id, "SF", unique("SF"), 900)


async def open_return(
    ctx: OrdersContext,
    order: Order,
    qty: int,
    kind: AfterSalesKind = AfterSalesKind.RETURN,
    reason: ReturnReason = ReturnReason.QUALITY_PROBLEM,
) -> str:
    request_id = unique("RMA")
    with acting_as(CS):
        await after_sales.open_request(
            ctx, after_sales.OpenRequest(order.order_id, request_id, kind, reason, {1: qty})
        )
    return request_id


async def receive_and_inspect(
    ctx: OrdersContext, request_id: str, sellable: int, defective: int
) -> None:
    with acting_as(KEEPER):
        await after_sales.receive_goods(ctx, request_id, {1: sellable + defective})
    with acting_as(QC):
        await after_sales.inspect_goods(
            ctx,
            request_id,
            QcVerdict.RETURNABLE,
            {1: UnitDisposition(sellable, defective)},
            "seam split",
        )


async def test_quality_return_books_goods_back_and_refunds_the_units(
    ctx: OrdersContext, stand_in: RunningStandIn
) -> None:
    sku = unique("TEA")
    order = await shipped_order(ctx, stand_in, sku, 3)
    request_id = await open_return(ctx, order, 2)
    await receive_and_inspect(ctx, request_id, sellable=1, defective=1)
    with acting_as(STATS):
        approved = await after_sales.approve(ctx, request_id)
    assert approved.steps.stock_return_step == "RETURNED"
    assert stand_in.inventory.returns[f"ret-{request_id}"] == [(sku, 1, True), (sku, 1, False)]
    with acting_as(CS):
        refunded = await after_sales.refund(ctx, request_id, unique("RF"), "quality problem")
    assert refunded.request.status is AfterSalesStatus.REFUNDED
    assert refunded.request.refund is not None
    assert refunded.request.refund.total == Money(2 * 1_990, "CNY")
    assert refunded.request.handled_by == CS
    assert await event_types(ctx, request_id) == [
        "AfterSalesOpened",
        "ReturnReceived",
        "ReturnResolved",
    ]


async def test_goods_are_booked_by_the_reconciler_when_inventory_was_down(
    ctx: OrdersContext, stand_in: RunningStandIn, clock: Clock
) -> None:
    sku = unique("TEA")
    order = await shipped_order(ctx, stand_in, sku, 1)
    request_id = await open_return(ctx, order, 1)
    await receive_and_inspect(ctx, request_id, sellable=1, defective=0)
    stand_in.inventory.down = True
    with acting_as(STATS):
        approved = await after_sales.approve(ctx, request_id)
    assert approved.steps.stock_return_step == "RETURN_PENDING"
    stand_in.inventory.down = False
    clock.advance(60)
    await Reconciler(ctx).run_once()
    loaded = await after_sales._reload(ctx, request_id)
    assert loaded.steps.stock_return_step == "RETURNED"
    assert loaded.request.goods_booked_at is not None
    assert stand_in.inventory.calls["ReturnStock"] == 2  # the failed try, then once booked


async def test_exchange_ships_a_replacement_whose_stock_is_reserved_and_committed(
    ctx: OrdersContext, stand_in: RunningStandIn
) -> None:
    sku = unique("TEA")
    order = await shipped_order(ctx, stand_in, sku, 1)
    request_id = await open_return(ctx, order, 1, AfterSalesKind.EXCHANGE, ReturnReason.WRONG_SPEC)
    await receive_and_inspect(ctx, request_id, sellable=1, defective=0)
    with acting_as(STATS):
        await after_sales.approve(ctx, request_id)
    on_hand = stand_in.inventory.on_hand[sku]
    with acting_as(KEEPER):
        shipped = await after_sales.ship_replacement(ctx, request_id, "SF", "SF0000000001", None)
    assert shipped.request.status is AfterSalesStatus.REPLACEMENT_SHIPPED
    assert shipped.request.replacement is not None
    assert shipped.request.replacement.remark == "EXCHANGE"
    assert shipped.steps.replacement_step == "COMMITTED"
    assert stand_in.inventory.reservations[f"exc-{request_id}"].state == "COMMITTED"
    assert stand_in.inventory.on_hand[sku] == on_hand - 1


async def test_replacement_without_stock_is_refused_and_nothing_is_recorded(
    ctx: OrdersContext, stand_in: RunningStandIn
) -> None:
    sku = unique("TEA")
    order = await shipped_order(ctx, stand_in, sku, 1)
    request_id = await open_return(ctx, order, 1, AfterSalesKind.EXCHANGE, ReturnReason.WRONG_SPEC)
    await receive_and_inspect(ctx, request_id, sellable=0, defective=1)
    with acting_as(STATS):
        await after_sales.approve(ctx, request_id)
    stand_in.inventory.reserved[sku] = stand_in.inventory.on_hand[sku]  # everything held
    with acting_as(KEEPER), pytest.raises(FailedPrecondition) as refused:
        await after_sales.ship_replacement(ctx, request_id, "SF", "SF0000000002", None)
    assert refused.value.reason == "REPLACEMENT_OUT_OF_STOCK"
    loaded = await after_sales._reload(ctx, request_id)
    assert (loaded.request.status, loaded.steps.replacement_step) == (
        AfterSalesStatus.APPROVED,
        "",
    )


async def test_customer_damage_is_refused_with_a_message(
    ctx: OrdersContext, stand_in: RunningStandIn
) -> None:
    order = await shipped_order(ctx, stand_in, unique("TEA"), 1)
    with pytest.raises(FailedPrecondition) as refused:
        await open_return(ctx, order, 1, reason=ReturnReason.CUSTOMER_DAMAGE)
    assert "damage caused by the customer is not accepted" in refused.value.message
    request_id = await open_return(ctx, order, 1)
    with acting_as(KEEPER):
        await after_sales.receive_goods(ctx, request_id, {1: 1})
    with acting_as(QC):
        rejected = await after_sales.inspect_goods(
            ctx, request_id, QcVerdict.CUSTOMER_DAMAGE, {}, "crushed box, water damage"
        )
    assert rejected.request.status is AfterSalesStatus.REJECTED
    assert "customer" in rejected.request.rejection_reason
    assert not stand_in.inventory.returns  # nothing goes back to stock


async def test_returning_more_than_shipped_is_refused_and_changes_nothing(
    ctx: OrdersContext, stand_in: RunningStandIn
) -> None:
    order = await shipped_order(ctx, stand_in, unique("TEA"), 2)
    with pytest.raises(FailedPrecondition) as refused:
        await open_return(ctx, order, 3)
    assert refused.value.reason == "RETURN_QUANTITY_EXCEEDS_SHIPPED"
    async with ctx.db.engine.connect() as connection:
        count = await connection.scalar(
            sa.text("SELECT count(*) FROM after_sales_requests WHERE order_id = :o"),
            {"o": order.order_id},
        )
    assert count == 0


async def test_a_request_id_reused_for_other_content_is_already_exists(
    ctx: OrdersContext, stand_in: RunningStandIn
) -> None:
    order = await shipped_order(ctx, stand_in, unique("TEA"), 2)
    request_id = unique("RMA")
    first = after_sales.OpenRequest(
        order.order_id, request_id, AfterSalesKind.RETURN, ReturnReason.WRONG_COLOR, {1: 1}
    )
    with acting_as(CS):
        opened = await after_sales.open_request(ctx, first)
        again = await after_sales.open_request(ctx, first)
        assert again.request.request_id == opened.request.request_id
        with pytest.raises(AlreadyExists):
            await after_sales.open_request(
                ctx,
                after_sales.OpenRequest(
                    order.order_id,
                    request_id,
                    AfterSalesKind.RETURN,
                    ReturnReason.WRONG_COLOR,
                    {1: 2},
                ),
            )
