"""Review batches, pick lists and waves on real PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from uuid import uuid4

import pytest

from services.common.errors import AlreadyExists, InvalidArgument
from services.orders.domain.review_batch import ReviewFinding, ReviewOutcome
from services.orders.domain.status import OrderStatus
from services.orders.domain.waves import assign_wave
from services.orders.service import fulfilment, order_actions
from services.orders.service.context import OrdersContext
from services.orders.service.placing import place_order
from tests.integration.orders.conftest import Clock
from tests.integration.orders.stand_in_inventory import RunningStandIn
from tests.integration.orders.test_saga import command, load, unique

pytestmark = pytest.mark.integration


async def test_review_batch_passes_paid_orders_and_flags_notes_for_a_person(
    ctx: OrdersContext, stand_in: RunningStandIn
) -> None:
    sku = unique("TEA")
    stand_in.inventory.stock(sku, 10)
    plain = await place_order(ctx, command(unique("TM"), [(sku, 1)]))
    noted = await place_order(
        ctx, replace(command(unique("TM"), [(sku, 1)]), buyer_message="please gift-wrap")
    )
    unpaid = await place_order(ctx, command(unique("TM"), [(sku, 1)], paid=False))
    batch_id = unique("RB")
    ids = [plain.order_id, noted.order_id, unpaid.order_id]
    batch = await fulfilment.create_review_batch(ctx, batch_id, ids)
    decisions = {d.order_id: d for d in batch.result.decisions}
    assert decisions[plain.order_id].outcome is ReviewOutcome.PASSED
    assert decisions[noted.order_id].outcome is ReviewOutcome.NEEDS_PERSON
    assert decisions[noted.order_id].findings == (ReviewFinding.BUYER_MESSAGE,)
    assert decisions[unpaid.order_id].findings == (ReviewFinding.NOT_PAID,)
    assert (await load(ctx, plain.order_id)).status is OrderStatus.REVIEWED
    assert (await load(ctx, noted.order_id)).status is OrderStatus.CONFIRMED

    again = await fulfilment.create_review_batch(ctx, batch_id, ids)
    assert again.result == batch.result
    with pytest.raises(AlreadyExists):
        await fulfilment.create_review_batch(ctx, batch_id, ids[:1])

    reviewed = await order_actions.review_order(ctx, noted.order_id, notes_checked=True)
    assert reviewed.status is OrderStatus.REVIEWED
    picks, skipped = await fulfilment.batch_pick_list(ctx, batch_id)
    assert picks is not None
    assert [(i.sku_code, i.quantity) for i in picks.items] == [(sku, 2)]
    assert skipped == [unpaid.order_id]


async def test_a_batch_holds_at_most_two_hundred_orders(ctx: OrdersContext) -> None:
    with pytest.raises(InvalidArgument):
        await fulfilment.create_review_batch(ctx, unique("RB"), [uuid4().hex for _ in range(201)])


async def test_wave_report_lists_the_order_and_whether_it_left_on_time(
    ctx: OrdersContext, stand_in: RunningStandIn, clock: Clock
) -> None:
    sku = unique("TEA")
    stand_in.inventory.stock(sku, 5)
    order = await place_order(ctx, command(unique("TM"), [(sku, 1)]))
    wave = assign_wave(clock(), ctx.settings.waves)
    report = await fulfilment.get_wave(ctx, wave.wave_id)
    entry = next(o for o in report.orders if o.order_id == order.order_id)
    assert entry.on_time is None  # still in the warehouse before the cut-off
    await order_actions.ship_order(ctx, order.order_id, "SF", unique("SF"), 500)
    report = await fulfilment.get_wave(ctx, wave.wave_id)
    entry = next(o for o in report.orders if o.order_id == order.order_id)
    assert entry.on_time is True
    assert report.on_time >= 1
