"""After-sales use cases: open, receive, inspect, approve, refund, ship a replacement, reject.

Two steps owe inventory a call, and both follow the saga pattern (intent stored first, call made
with no lock held, answer recorded; the reconciler finishes whatever is left):

* Approval of returned goods → ReturnStock under "ret-<request_id>" (idempotent in inventory):
  sellable units back to stock, the rest to defective stock, as QC classed them.
* An exchange's replacement → ReserveStock then CommitReservation under "exc-<request_id>". The
  intent (items, carrier, tracking number) is stored before reserving; reserved → the replacement
  is recorded as shipped (marked EXCHANGE) and the stock committed; short → the intent is dropped
  and the caller is told (a refused reservation leaves nothing behind, so the id can be reused).
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from services.common.errors import AlreadyExists, FailedPrecondition, NotFound
from services.common.money import Money
from services.orders.db.after_sales_store import LoadedRequest
from services.orders.db.unit_of_work import OrdersUnitOfWork
from services.orders.domain.after_sales import (
    AfterSalesRequest,
    AfterSalesStatus,
    QcVerdict,
    open_after_sales,
)
from services.orders.domain.after_sales_rules import AfterSalesKind, ReturnReason
from services.orders.domain.intake import replacement_reservation_id, return_stock_id
from services.orders.domain.order import Order
from services.orders.domain.refunds import Refund, build_refund
from services.orders.domain.returned_goods import UnitDisposition
from services.orders.service import events
from services.orders.service.context import OrdersContext, caller, default_handler
from services.orders.service.inventory import Outcome, ReturnedUnits

log = logging.getLogger(__name__)

T = TypeVar("T")
RETURN_PENDING, RETURNED = "RETURN_PENDING", "RETURNED"
RESERVE_PENDING, COMMIT_PENDING, COMMITTED = "RESERVE_PENDING", "COMMIT_PENDING", "COMMITTED"
_ENDED = frozenset(
    {
        AfterSalesStatus.REFUNDED,
        AfterSalesStatus.REPLACEMENT_SHIPPED,
        AfterSalesStatus.REJECTED,
        AfterSalesStatus.CANCELLED,
    }
)


@dataclass(frozen=True)
class OpenRequest:
    """An OpenAfterSales request as plain values."""

    order_id: str
    request_id: str
    kind: AfterSalesKind
    reason: ReturnReason
    quantities: Mapping[int, int]
    description: str = ""
    handled_by: str = ""


async def open_request(ctx: OrdersContext, command: OpenRequest) -> LoadedRequest:
    async with ctx.db.unit_of_work() as uow:
        # The order's row lock serialises requests against the same shipped units.
        order = await uow.orders.get(command.order_id, for_update=True)
        try:
            existing = await uow.after_sales.get(command.request_id)
        except NotFound:
            existing = None
        if existing is not None:
            _ensure_same_request(existing.request, command)
            return existing
        now = ctx.clock()
        request = open_after_sales(
            command.request_id,
            order,
            kind=command.kind,
            reason=command.reason,
            quantities=command.quantities,
            other_requests=await uow.after_sales.for_order(order.order_id),
            now=now,
            actor=caller(),
            description=command.description,
            policy=ctx.settings.after_sales,
        )
        handler = default_handler(command.handled_by)
        if handler:
            request.assign_handler(handler)
        await uow.after_sales.insert(request, now)
        uow.publish(*events.after_sales_opened(order, request))
        await uow.commit()
        return await _reload(ctx, request.request_id)


def _ensure_same_request(request: AfterSalesRequest, command: OpenRequest) -> None:
    same = (
        request.order_id == command.order_id
        and request.kind is command.kind
        and request.reason is command.reason
        and dict(request.requested) == dict(command.quantities)
    )
    if not same:
        raise AlreadyExists(
            f"after-sales request {request.request_id} already exists with other content; use a "
            "new request id",
            reason="AFTER_SALES_ID_REUSED",
            metadata={"request_id": request.request_id},
        )


async def _reload(ctx: OrdersContext, request_id: str) -> LoadedRequest:
    async with ctx.db.unit_of_work() as uow:
        return await uow.after_sales.get(request_id)


Change = Callable[[OrdersUnitOfWork, LoadedRequest, Order, datetime, str], T]


async def _change(
    ctx: OrdersContext,
    request_id: str,
    change: Change[T],
    *,
    lock_order: bool = False,
    step_due: bool = False,
) -> tuple[LoadedRequest, Order, T]:
    """Lock the request (and its order when money is involved), apply, save, publish, commit."""
    async with ctx.db.unit_of_work() as uow:
        loaded = await uow.after_sales.get(request_id, for_update=True)
        order = await uow.orders.get(loaded.request.order_id, for_update=lock_order)
        now = ctx.clock()
        version, steps = loaded.request.version, copy.deepcopy(loaded.steps)
        result = change(uow, loaded, order, now, caller())
        if loaded.request.version != version or loaded.steps != steps:
            due = now + timedelta(seconds=ctx.settings.reserve_grace) if step_due else None
            if loaded.request.version == version:
                loaded.request.version += 1  # a step changed: still a new version
            await uow.after_sales.update(loaded, now, step_due_at=due)
            await uow.commit()
            loaded.version = loaded.request.version
    return loaded, order, result


def _publish_resolution(
    uow: OrdersUnitOfWork, order: Order, request: AfterSalesRequest, before: AfterSalesStatus
) -> None:
    if request.status is not before and request.status in _ENDED:
        uow.publish(*events.return_resolved(order, request, request.history[-1].at))


async def receive_goods(
    ctx: OrdersContext, request_id: str, counts: Mapping[int, int]
) -> LoadedRequest:
    def change(
        uow: OrdersUnitOfWork, loaded: LoadedRequest, order: Order, now: datetime, who: str
    ) -> None:
        if loaded.request.record_goods_received(counts, now, who):
            uow.publish(*events.return_received(order, loaded.request, now))

    loaded, _, _ = await _change(ctx, request_id, change)
    return loaded


async def inspect_goods(
    ctx: OrdersContext,
    request_id: str,
    verdict: QcVerdict,
    dispositions: Mapping[int, UnitDisposition],
    note: str,
) -> LoadedRequest:
    def change(
        uow: OrdersUnitOfWork, loaded: LoadedRequest, order: Order, now: datetime, who: str
    ) -> None:
        before = loaded.request.status
        loaded.request.inspect(verdict, dispositions, now, who, note)
        _publish_resolution(uow, order, loaded.request, before)

    loaded, _, _ = await _change(ctx, request_id, change)
    return loaded


async def approve(ctx: OrdersContext, request_id: str) -> LoadedRequest:
    policy = ctx.settings.after_sales

    def change(
        uow: OrdersUnitOfWork, loaded: LoadedRequest, order: Order, now: datetime, who: str
    ) -> None:
        loaded.request.approve(now, who, policy)
        if loaded.request.goods_to_book(order) and not loaded.steps.stock_return_step:
            loaded.steps.stock_return_step = RETURN_PENDING

    loaded, _, _ = await _change(ctx, request_id, change, step_due=True)
    if loaded.steps.stock_return_step == RETURN_PENDING:
        loaded = await book_returned_goods(ctx, request_id)
    return loaded


async def book_returned_goods(ctx: OrdersContext, request_id: str) -> LoadedRequest:
    """ReturnStock for the approved request's goods; recorded once inventory has booked them."""
    loaded = await _reload(ctx, request_id)
    async with ctx.db.statements() as store:
        order = await store.get(loaded.request.order_id)
    goods = loaded.request.goods_to_book(order)
    units = [
        ReturnedUnits(g.sku_code, qty, sellable)
        for g in goods
        for qty, sellable in ((g.to_stock, True), (g.to_defective, False))
        if qty
    ]
    if units:
        request = loaded.request
        answer = await ctx.inventory.return_stock(
            return_stock_id(request_id),
            units,
            reservation_id=order.reservation_id,
            reason=f"{request.kind.value} {request.reason.value} ({request_id})",
            warehouse_code=ctx.settings.return_warehouse,
        )
        if answer.outcome is not Outcome.DONE:
            log.warning("returned goods of %s not booked yet: %s", request_id, answer.message)
            return loaded

    def booked(
        uow: OrdersUnitOfWork, loaded: LoadedRequest, order: Order, now: datetime, who: str
    ) -> None:
        if loaded.steps.stock_return_step == RETURN_PENDING:
            loaded.request.record_goods_booked(now)
            loaded.steps.stock_return_step = RETURNED

    loaded, _, _ = await _change(ctx, request_id, booked)
    return loaded


async def refund(ctx: OrdersContext, request_id: str, refund_id: str, reason: str) -> LoadedRequest:
    async with ctx.db.unit_of_work() as uow:
        loaded = await uow.after_sales.get(request_id, for_update=True)
        order = await uow.orders.get(loaded.request.order_id, for_update=True)
        request = loaded.request
        if request.refund is not None and request.refund.refund_id == refund_id:
            return loaded
        if await uow.after_sales.refund(refund_id) is not None:
            raise _refund_id_taken(refund_id)
        previous = await uow.after_sales.refunds_of(order.order_id)
        now, before = ctx.clock(), request.status
        booked = request.pay_refund(
            order, previous, refund_id=refund_id, reason=reason, now=now, actor=caller()
        )
        handler = request.handled_by or order.handled_by
        if not await uow.after_sales.insert_refund(booked, handler):
            raise _refund_id_taken(refund_id)
        await uow.after_sales.update(loaded, now)
        uow.publish(*events.refund_issued(order, booked, handler))
        _publish_resolution(uow, order, request, before)
        await uow.commit()
    return await _reload(ctx, request_id)


async def ship_replacement(
    ctx: OrdersContext,
    request_id: str,
    carrier: str,
    tracking_number: str,
    items: Mapping[str, int] | None,
) -> LoadedRequest:
    """Record the intent, reserve the replacement's stock, then record it as shipped."""
    policy = ctx.settings.shipping

    def intend(
        uow: OrdersUnitOfWork, loaded: LoadedRequest, order: Order, now: datetime, who: str
    ) -> bool:
        request = loaded.request
        if request.replacement is not None and request.replacement.tracking_number == (
            tracking_number.strip()
        ):
            return False  # shipped already: a retry
        trial = copy.deepcopy(request)  # validates every rule without changing the request
        trial.ship_replacement(
            order, carrier, tracking_number, now=now, actor=who, items=items, policy=policy
        )
        assert trial.replacement is not None
        intent = {
            "items": [list(i) for i in trial.replacement.items],
            "carrier": trial.replacement.carrier,
            "tracking_number": trial.replacement.tracking_number,
            "actor": who,
        }
        steps = loaded.steps
        if steps.replacement_step == RESERVE_PENDING and steps.replacement_intent != intent:
            raise FailedPrecondition(
                f"a replacement for request {request_id} is being recorded with other details; "
                "retry it unchanged or wait until it is finished",
                reason="REPLACEMENT_IN_PROGRESS",
            )
        steps.replacement_step, steps.replacement_intent = RESERVE_PENDING, intent
        return True

    loaded, _, pending = await _change(ctx, request_id, intend, step_due=True)
    if not pending:
        return loaded
    return await finish_replacement(ctx, request_id, raise_refusal=True)


async def finish_replacement(
    ctx: OrdersContext, request_id: str, *, raise_refusal: bool = False
) -> LoadedRequest:
    """Reserve (if still pending) and commit the replacement's stock."""
    loaded = await _reload(ctx, request_id)
    steps = loaded.steps
    if steps.replacement_step == RESERVE_PENDING and steps.replacement_intent:
        intent = steps.replacement_intent
        lines = [(str(sku), int(qty)) for sku, qty in intent["items"]]
        answer = await ctx.inventory.reserve(replacement_reservation_id(request_id), lines)
        if not answer.settled:
            return loaded
        if not answer.holds_stock:
            await _drop_intent(ctx, request_id)
            if raise_refusal:
                _raise_refusal(answer.outcome, answer.message, answer.skus)
            log.warning("replacement of %s dropped: %s", request_id, answer.message)
            return await _reload(ctx, request_id)
        loaded = await _record_replacement(ctx, request_id)
    if loaded.steps.replacement_step == COMMIT_PENDING:
        answer = await ctx.inventory.commit(replacement_reservation_id(request_id))
        if answer.outcome is Outcome.DONE:

            def committed(
                uow: OrdersUnitOfWork, loaded: LoadedRequest, order: Order, now: datetime, w: str
            ) -> None:
                if loaded.steps.replacement_step == COMMIT_PENDING:
                    loaded.steps.replacement_step = COMMITTED

            loaded, _, _ = await _change(ctx, request_id, committed)
    return loaded


def _raise_refusal(outcome: Outcome, message: str, skus: tuple[str, ...]) -> None:
    if outcome is Outcome.SHORT:
        raise FailedPrecondition(
            f"not enough stock to ship the replacement; nothing was shipped ({message})",
            reason="REPLACEMENT_OUT_OF_STOCK",
            metadata={"short_skus": ",".join(skus)},
        )
    if outcome in (Outcome.UNKNOWN_SKU, Outcome.NOT_FOUND):
        raise NotFound(f"unknown SKU for the replacement ({message})", reason="SKU_NOT_FOUND")
    raise FailedPrecondition(
        f"inventory refused the replacement's stock ({message})", reason="RESERVATION_REFUSED"
    )


async def _drop_intent(ctx: OrdersContext, request_id: str) -> None:
    def drop(
        uow: OrdersUnitOfWork, loaded: LoadedRequest, order: Order, now: datetime, who: str
    ) -> None:
        if loaded.steps.replacement_step == RESERVE_PENDING:
            loaded.steps.replacement_step, loaded.steps.replacement_intent = "", None

    await _change(ctx, request_id, drop)


async def _record_replacement(ctx: OrdersContext, request_id: str) -> LoadedRequest:
    policy = ctx.settings.shipping

    def record(
        uow: OrdersUnitOfWork, loaded: LoadedRequest, order: Order, now: datetime, who: str
    ) -> None:
        steps, request = loaded.steps, loaded.request
        if steps.replacement_step != RESERVE_PENDING or not steps.replacement_intent:
            return
        intent = steps.replacement_intent
        before = request.status
        request.ship_replacement(
            order,
            intent["carrier"],
            intent["tracking_number"],
            now=now,
            actor=intent["actor"],
            items={str(sku): int(qty) for sku, qty in intent["items"]},
            policy=policy,
        )
        steps.replacement_step, steps.replacement_intent = COMMIT_PENDING, None
        _publish_resolution(uow, order, request, before)

    loaded, _, _ = await _change(ctx, request_id, record, step_due=True)
    return loaded


async def reject(ctx: OrdersContext, request_id: str, reason: str) -> LoadedRequest:
    def change(
        uow: OrdersUnitOfWork, loaded: LoadedRequest, order: Order, now: datetime, who: str
    ) -> None:
        before = loaded.request.status
        loaded.request.reject(reason, now, who)
        _publish_resolution(uow, order, loaded.request, before)

    loaded, _, _ = await _change(ctx, request_id, change)
    return loaded


async def cancel(ctx: OrdersContext, request_id: str) -> LoadedRequest:
    def change(
        uow: OrdersUnitOfWork, loaded: LoadedRequest, order: Order, now: datetime, who: str
    ) -> None:
        before = loaded.request.status
        loaded.request.cancel(now, who)
        _publish_resolution(uow, order, loaded.request, before)

    loaded, _, _ = await _change(ctx, request_id, change)
    return loaded


async def assign_handler(ctx: OrdersContext, request_id: str, employee_code: str) -> LoadedRequest:
    def change(
        uow: OrdersUnitOfWork, loaded: LoadedRequest, order: Order, now: datetime, who: str
    ) -> None:
        if loaded.request.handled_by != employee_code:
            loaded.request.assign_handler(employee_code)

    loaded, _, _ = await _change(ctx, request_id, change)
    return loaded


async def run_request_steps(ctx: OrdersContext, request_id: str) -> None:
    """The reconciler's work on one request: book its goods, finish its replacement."""
    loaded = await _reload(ctx, request_id)
    if loaded.steps.stock_return_step == RETURN_PENDING:
        await book_returned_goods(ctx, request_id)
    if loaded.steps.replacement_step in (RESERVE_PENDING, COMMIT_PENDING):
        await finish_replacement(ctx, request_id)


# ---------------------------------------------------------------------------- refunds


async def issue_refund(
    ctx: OrdersContext,
    order_id: str,
    refund_id: str,
    amounts: Mapping[int, Money],
    reason: str,
    source: str,
) -> Refund:
    """A refund outside after-sales (compensation); never beyond what was paid minus refunds."""
    async with ctx.db.unit_of_work() as uow:
        order = await uow.orders.get(order_id, for_update=True)
        taken = await uow.after_sales.refund(refund_id)
        wanted = dict(amounts)
        if taken is not None:
            same = (
                taken.order_id == order_id
                and {ln.line_no: ln.amount for ln in taken.lines} == wanted
            )
            if same:
                return taken
            raise _refund_id_taken(refund_id)
        previous = await uow.after_sales.refunds_of(order_id)
        booked = build_refund(
            order,
            wanted,
            previous,
            refund_id=refund_id,
            reason=reason,
            now=ctx.clock(),
            actor=caller(),
            source=source,
        )
        if not await uow.after_sales.insert_refund(booked, order.handled_by):
            raise _refund_id_taken(refund_id)
        uow.publish(*events.refund_issued(order, booked, order.handled_by))
        await uow.commit()
        return booked


async def list_refunds(ctx: OrdersContext, order_id: str) -> list[Refund]:
    async with ctx.db.unit_of_work() as uow:
        await uow.orders.get(order_id)
        return await uow.after_sales.refunds_of(order_id)


def _refund_id_taken(refund_id: str) -> AlreadyExists:
    return AlreadyExists(
        f"refund id {refund_id} is already used with other content; use a new refund id",
        reason="REFUND_ID_REUSED",
        metadata={"refund_id": refund_id},
    )
