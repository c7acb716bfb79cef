"""The stock saga with inventory (ARCHITECTURE.md "Cross-service consistency").

An order owes inventory at most one call at a time (`Order.pending_inventory_step`): reserve,
release or commit, always under the order's reservation id, so repeating a call never reserves
twice. `run_step` makes the call; `record_answer` records what inventory said with the domain's
`record_*` methods (which absorb stale and duplicate answers) and saves it with a single
conditional statement: only if the order still has the version the answer was applied to. If
anything changed meanwhile, the order is reloaded and the answer applied again, so no answer
overwrites a concurrent change. An unsettled answer (inventory unreachable) changes nothing: the
step stays pending and the reconciler asks again later. No row lock is ever held across a call.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from services.common.errors import Aborted, FailedPrecondition
from services.orders.db.order_rows import Snapshot
from services.orders.domain.order import Order
from services.orders.domain.order_record import SYSTEM_ACTOR, InventoryCall, InventoryStep
from services.orders.domain.status import ACTION_RULES, OrderAction, SagaState
from services.orders.service.context import OrdersContext
from services.orders.service.events import order_events
from services.orders.service.inventory import Answer, Outcome

log = logging.getLogger(__name__)

Apply = Callable[[Order, datetime], bool]
MAX_APPLY_ATTEMPTS = 5


async def settle(
    ctx: OrdersContext,
    order: Order,
    snapshot: Snapshot,
    apply: Apply,
    *,
    short_skus: Sequence[str] = (),
) -> Order:
    """Apply a change to the order and save it with its events, retrying on concurrent changes."""
    for _ in range(MAX_APPLY_ATTEMPTS):
        now = ctx.clock()
        saga_before = order.saga
        try:
            changed = apply(order, now)
        except FailedPrecondition as refusal:
            # The answer does not belong to the order's current step (it moved on meanwhile).
            log.info("answer not applied to order %s: %s", order.order_id, refusal)
            return order
        if not changed:
            return order
        released = saga_before is SagaState.RELEASE_PENDING and order.saga is SagaState.RELEASED
        async with ctx.db.statements() as store:
            saved = await store.save(
                order,
                snapshot,
                now,
                events=order_events(order, snapshot, ctx.settings.waves, short_skus=short_skus),
                saga_due_at=step_due_at(ctx, order, saga_before, now),
                wake_skus=[sku for sku, _ in order.reservation_lines()] if released else (),
            )
            if saved:
                if released:
                    ctx.backorder_wakeup.set()
                return order
            order = await store.get(order.order_id)
        snapshot = Snapshot.of(order)
    raise Aborted(
        f"order {order.order_id} kept changing while an inventory answer was recorded; retry",
        reason="CONCURRENT_CHANGE",
    )


def step_due_at(
    ctx: OrdersContext, order: Order, saga_before: SagaState, now: datetime
) -> datetime | None:
    """When the reconciler may take up a saga step that just changed (None: unchanged).

    The caller that changed it makes the call itself first; the grace keeps the reconciler from
    racing it. A release in doubt is retried once the late-reservation window has passed.
    """
    if order.saga is saga_before:
        return None
    due = now + timedelta(seconds=ctx.settings.reserve_grace)
    if order.saga is SagaState.RELEASE_PENDING and order.release_in_doubt_until is not None:
        return max(due, order.release_in_doubt_until)
    return due


async def call_inventory(
    ctx: OrdersContext, step: InventoryStep, timeout: float | None = None
) -> Answer:
    if step.call is InventoryCall.RESERVE:
        return await ctx.inventory.reserve(step.reservation_id, step.lines, timeout)
    if step.call is InventoryCall.RELEASE:
        return await ctx.inventory.release(step.reservation_id, timeout)
    return await ctx.inventory.commit(step.reservation_id, timeout)


async def run_step(
    ctx: OrdersContext, order: Order, snapshot: Snapshot, timeout: float | None = None
) -> Order:
    """Make the inventory call the order owes (if any) and record the answer."""
    step = order.pending_inventory_step()
    if step is None:
        return order
    answer = await call_inventory(ctx, step, timeout)
    return await record_answer(ctx, order, snapshot, step, answer)


def _refusal_cancel(ctx: OrdersContext, answer: Answer) -> Apply:
    def apply(order: Order, now: datetime) -> bool:
        if order.saga is not SagaState.RESERVE_PENDING:
            return False
        if order.status not in ACTION_RULES[OrderAction.CANCEL].allowed_from:
            return False
        reason = f"inventory refused the reservation: {answer.message}"[:500]
        return order.cancel(reason, now, SYSTEM_ACTOR, ctx.settings.late_reserve)

    return apply


async def record_answer(
    ctx: OrdersContext, order: Order, snapshot: Snapshot, step: InventoryStep, answer: Answer
) -> Order:
    """Record inventory's answer to `step` (see the module docstring)."""
    if not answer.settled:
        log.info(
            "inventory step pending",
            extra={"order_id": order.order_id, "call": step.call.value, "why": answer.message},
        )
        return order
    if step.call is InventoryCall.RESERVE:
        if answer.holds_stock:
            return await settle(ctx, order, snapshot, lambda o, now: o.record_reserved(now))
        if answer.outcome is Outcome.SHORT:

            def backorder(o: Order, now: datetime) -> bool:
                return o.record_backordered(now)

            return await settle(ctx, order, snapshot, backorder, short_skus=answer.skus)
        if answer.outcome is Outcome.DONE:
            log.error(
                "reservation %s is %s while the order still reserves; left pending",
                step.reservation_id,
                answer.state,
            )
            return order
        # Unknown SKU or another refusal retrying cannot fix: the order cannot be served.
        return await settle(ctx, order, snapshot, _refusal_cancel(ctx, answer))
    if step.call is InventoryCall.RELEASE:
        if answer.outcome in (Outcome.DONE, Outcome.NOT_FOUND):
            order = await settle(
                ctx,
                order,
                snapshot,
                lambda o, now: o.saga is SagaState.RELEASE_PENDING and o.record_released(now),
            )
            if order.saga is SagaState.RELEASE_PENDING and order.release_in_doubt_until:
                async with ctx.db.statements() as store:
                    await store.defer(
                        order.order_id,
                        SagaState.RELEASE_PENDING.value,
                        order.release_in_doubt_until,
                    )
            return order
        log.error("release of %s refused: %s", step.reservation_id, answer.message)
        return order
    if answer.outcome is Outcome.DONE:
        return await settle(
            ctx,
            order,
            snapshot,
            lambda o, now: o.saga is SagaState.COMMIT_PENDING and o.record_committed(now),
        )
    log.error("commit of %s refused: %s", step.reservation_id, answer.message)
    return order
