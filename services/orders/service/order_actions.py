"""What people do to an order after intake: pay, attribute, change address or carrier, review,
pick, verify, pack, weigh, ship (whole or split), confirm delivery, cancel.

Each is one unit of work: lock the order row, apply the domain method, save what changed with its
events, commit. A release (cancel) or commit (last parcel shipped) owed to inventory is then
attempted after the commit, with no lock held; if inventory does not answer, the order keeps its
new status with a pending step and the reconciler finishes it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TypeVar

from services.orders.db.order_rows import Snapshot
from services.orders.domain.order import Order
from services.orders.domain.status import SagaState
from services.orders.domain.verification import VerificationResult
from services.orders.service import saga
from services.orders.service.context import OrdersContext, caller
from services.orders.service.events import order_events

T = TypeVar("T")
Action = Callable[[Order, datetime, str], T]


async def change_order(ctx: OrdersContext, order_id: str, action: Action[T]) -> tuple[Order, T]:
    """Apply `action` to the locked order, save and publish, then settle any step owed."""
    async with ctx.db.unit_of_work() as uow:
        order = await uow.orders.get(order_id, for_update=True)
        snapshot = Snapshot.of(order)
        now = ctx.clock()
        result = action(order, now, caller())
        if order.version != snapshot.version:
            due = saga.step_due_at(ctx, order, snapshot.saga, now)
            await uow.orders.save(order, snapshot, now, saga_due_at=due)
            for key, event in order_events(order, snapshot, ctx.settings.waves):
                uow.publish(key, event)
            await uow.commit()
    if order.saga is not snapshot.saga and order.saga in (
        SagaState.RELEASE_PENDING,
        SagaState.COMMIT_PENDING,
    ):
        order = await saga.run_step(ctx, order, Snapshot.of(order))
    return order, result


async def cancel_order(ctx: OrdersContext, order_id: str, reason: str) -> Order:
    window = ctx.settings.late_reserve
    order, _ = await change_order(
        ctx, order_id, lambda o, now, who: o.cancel(reason, now, who, window)
    )
    return order


async def ship_order(
    ctx: OrdersContext,
    order_id: str,
    carrier: str,
    tracking_number: str,
    weight_grams: int | None,
) -> Order:
    policy = ctx.settings.shipping
    order, _ = await change_order(
        ctx,
        order_id,
        lambda o, now, who: o.ship(
            carrier, tracking_number, now=now, actor=who, weight_grams=weight_grams, policy=policy
        ),
    )
    return order


async def ship_parcel(
    ctx: OrdersContext,
    order_id: str,
    quantities: Mapping[int, int],
    carrier: str,
    tracking_number: str,
    weight_grams: int | None,
    address: str | None,
) -> Order:
    policy = ctx.settings.shipping
    order, _ = await change_order(
        ctx,
        order_id,
        lambda o, now, who: o.ship_parcel(
            quantities,
            carrier,
            tracking_number,
            now=now,
            actor=who,
            weight_grams=weight_grams,
            address=address,
            policy=policy,
        ),
    )
    return order


async def mark_paid(ctx: OrdersContext, order_id: str) -> Order:
    order, _ = await change_order(ctx, order_id, lambda o, now, who: o.mark_paid(now, who))
    return order


async def assign_handler(ctx: OrdersContext, order_id: str, employee_code: str) -> Order:
    def assign(order: Order, now: datetime, who: str) -> None:
        if order.handled_by != employee_code:
            order.assign_handler(employee_code)

    order, _ = await change_order(ctx, order_id, assign)
    return order


async def change_address(ctx: OrdersContext, order_id: str, address: str) -> Order:
    order, _ = await change_order(
        ctx, order_id, lambda o, now, who: o.change_address(address, now, who)
    )
    return order


async def change_carrier(ctx: OrdersContext, order_id: str, carrier: str) -> Order:
    order, _ = await change_order(
        ctx, order_id, lambda o, now, who: o.change_carrier(carrier, now, who)
    )
    return order


async def review_order(ctx: OrdersContext, order_id: str, notes_checked: bool) -> Order:
    order, _ = await change_order(
        ctx, order_id, lambda o, now, who: o.review(now, who, notes_checked=notes_checked)
    )
    return order


async def pick_order(ctx: OrdersContext, order_id: str) -> Order:
    order, _ = await change_order(ctx, order_id, lambda o, now, who: o.pick(now, who))
    return order


async def verify_order(
    ctx: OrdersContext, order_id: str, scanned: Mapping[str, int], label_reference: str | None
) -> tuple[Order, VerificationResult]:
    return await change_order(
        ctx, order_id, lambda o, now, who: o.verify(scanned, now, who, label_reference)
    )


async def pack_order(ctx: OrdersContext, order_id: str) -> Order:
    order, _ = await change_order(ctx, order_id, lambda o, now, who: o.pack(now, who))
    return order


async def weigh_order(ctx: OrdersContext, order_id: str, weight_grams: int) -> Order:
    policy = ctx.settings.shipping
    order, _ = await change_order(
        ctx, order_id, lambda o, now, who: o.weigh(weight_grams, now, who, policy)
    )
    return order


async def confirm_delivery(ctx: OrdersContext, order_id: str) -> Order:
    order, _ = await change_order(ctx, order_id, lambda o, now, who: o.confirm_delivery(now, who))
    return order
