"""PlaceOrder, the load-tested hot path: store first, then reserve, then record the answer.

Round trips for a new order: one statement stores the order (lines and first history entry in the
same CTE, ON CONFLICT on the channel's order id), one gRPC call reserves under "ord-<order_id>",
one statement records the answer with its history entries and events. No row lock is held across
the call. A retry of the same order (same channel, external id and payload) finds the stored
order and, while it is still PENDING, drives its reservation too — harmless, because inventory is
idempotent on the reservation id and the answer is recorded only once (conditional save).

Answers: reserved → CONFIRMED; short → BACKORDERED (OrderBackordered tells purchasing); unknown
SKU → the order is deleted again and the caller gets NOT_FOUND (no event was ever emitted: events
are written only with the first settled status); inventory unreachable → the PENDING order is the
answer and the reconciler finishes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from services.common.context import remaining_seconds
from services.common.errors import Aborted, FailedPrecondition, NotFound
from services.common.ids import new_id
from services.orders.db.order_rows import Snapshot
from services.orders.domain.customer import Customer
from services.orders.domain.intake import LineInput, ensure_same_payload, parse_intake
from services.orders.domain.order import Order
from services.orders.domain.status import OrderStatus, SagaState
from services.orders.service import saga
from services.orders.service.context import OrdersContext, caller, default_handler
from services.orders.service.inventory import Outcome

# Time kept back from the caller's deadline to record inventory's answer.
RECORD_MARGIN_SECONDS = 0.25
MIN_CALL_SECONDS = 0.05


@dataclass(frozen=True)
class PlaceOrder:
    """A PlaceOrder request as plain values."""

    channel: str
    external_order_id: str
    customer: Customer
    lines: Sequence[LineInput]
    paid: bool
    buyer_message: str = ""
    service_note: str = ""
    handled_by: str = ""


async def place_order(ctx: OrdersContext, command: PlaceOrder) -> Order:
    intake = parse_intake(
        channel=command.channel,
        external_order_id=command.external_order_id,
        customer=command.customer,
        lines=command.lines,
        paid=command.paid,
        buyer_message=command.buyer_message,
        service_note=command.service_note,
    )
    handler = default_handler(command.handled_by)
    grace = timedelta(seconds=ctx.settings.reserve_grace)
    for _ in range(3):
        now = ctx.clock()
        order = Order.place(new_id(), intake, now, caller(), handler)
        async with ctx.db.statements() as store:
            if await store.insert_placed(order, now + grace):
                break
            existing = await store.find_by_external(intake.channel, intake.external_order_id)
        if existing is not None:
            ensure_same_payload(existing.order_id, existing.payload_fingerprint, intake)
            order = existing
            break
        # The order that held the key was just refused by inventory and removed: try again.
    else:
        raise Aborted("the order was being placed concurrently; retry", reason="CONCURRENT_PLACE")
    if order.status is not OrderStatus.PENDING or order.saga is not SagaState.RESERVE_PENDING:
        return order
    return await _reserve(ctx, order)


async def _reserve(ctx: OrdersContext, order: Order) -> Order:
    snapshot = Snapshot.of(order)
    step = order.pending_inventory_step()
    assert step is not None
    timeout = remaining_seconds(ctx.settings.inventory_timeout) - RECORD_MARGIN_SECONDS
    if timeout < MIN_CALL_SECONDS:
        return order  # no time left to ask: the reconciler reserves
    answer = await saga.call_inventory(ctx, step, timeout)
    if answer.outcome in (Outcome.UNKNOWN_SKU, Outcome.NOT_FOUND, Outcome.REFUSED):
        async with ctx.db.statements() as store:
            await store.delete_unsettled(order)
        skus = ", ".join(answer.skus) or "a SKU of the order"
        if answer.outcome is Outcome.REFUSED:
            raise FailedPrecondition(
                f"inventory refused to reserve the order's stock, so it was not taken: "
                f"{answer.message}",
                reason="RESERVATION_REFUSED",
            )
        raise NotFound(
            f"unknown SKU ({skus}): inventory does not know it, so the order was not taken — "
            f"check the SKU codes ({answer.message})",
            reason="SKU_NOT_FOUND",
            metadata={"sku_codes": ",".join(answer.skus)},
        )
    return await saga.record_answer(ctx, order, snapshot, step, answer)
