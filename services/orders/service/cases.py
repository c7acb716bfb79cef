"""Logistics exceptions, complaints, ratings and invoices: one unit of work each."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from services.common.errors import AlreadyExists, NotFound
from services.orders.domain.complaints import (
    Complaint,
    ComplaintKind,
    ComplaintStatus,
    open_complaint,
)
from services.orders.domain.customer_reviews import CustomerReview, record_review
from services.orders.domain.invoice import InvoiceRequest, request_invoice
from services.orders.domain.logistics import (
    ExceptionKind,
    LogisticsException,
    Resolution,
    open_logistics_exception,
)
from services.orders.domain.order import Order
from services.orders.service import events
from services.orders.service.context import OrdersContext, caller, default_handler

T = TypeVar("T")


def _reused(what: str, identifier: str) -> AlreadyExists:
    return AlreadyExists(
        f"{what} {identifier} already exists with other content; use a new id",
        reason="ID_REUSED",
        metadata={"id": identifier},
    )


# ---------------------------------------------------------------------------- exceptions


async def open_exception(
    ctx: OrdersContext,
    order_id: str,
    exception_id: str,
    kind: ExceptionKind,
    description: str,
    tracking_number: str | None,
    handled_by: str,
) -> LogisticsException:
    async with ctx.db.unit_of_work() as uow:
        order = await uow.orders.get(order_id)
        case = open_logistics_exception(
            exception_id,
            order,
            kind,
            description,
            now=ctx.clock(),
            actor=caller(),
            tracking_number=tracking_number,
        )
        handler = default_handler(handled_by)
        if handler:
            case.assign_handler(handler)
        if not await uow.cases.insert_exception(case):
            stored = await uow.cases.exception(exception_id)
            if (stored.order_id, stored.kind, stored.description) != (
                case.order_id,
                case.kind,
                case.description,
            ):
                raise _reused("logistics exception", exception_id)
            return stored
        await uow.commit()
        return case


async def _change_exception(
    ctx: OrdersContext,
    exception_id: str,
    change: Callable[[LogisticsException, datetime, str], bool],
    publish: Callable[[Order, LogisticsException], events.Event] | None = None,
) -> LogisticsException:
    async with ctx.db.unit_of_work() as uow:
        case = await uow.cases.exception(exception_id, for_update=True)
        if change(case, ctx.clock(), caller()):
            await uow.cases.update_exception(case)
            if publish is not None:
                order = await uow.orders.get(case.order_id)
                uow.publish(*publish(order, case))
            await uow.commit()
        return case


async def start_exception(ctx: OrdersContext, exception_id: str) -> LogisticsException:
    return await _change_exception(ctx, exception_id, lambda c, now, who: c.start_work(now, who))


async def notify_customer(ctx: OrdersContext, exception_id: str) -> LogisticsException:
    return await _change_exception(
        ctx,
        exception_id,
        lambda c, now, who: c.record_customer_notified(now, who),
        events.customer_notified,
    )


async def resolve_exception(
    ctx: OrdersContext, exception_id: str, resolution: Resolution, note: str
) -> LogisticsException:
    return await _change_exception(
        ctx,
        exception_id,
        lambda c, now, who: c.resolve(resolution, note, now, who),
        events.exception_resolved,
    )


# ---------------------------------------------------------------------------- complaints


async def open_new_complaint(
    ctx: OrdersContext,
    complaint_id: str,
    kind: ComplaintKind,
    description: str,
    order_id: str | None,
    handled_by: str,
) -> Complaint:
    async with ctx.db.unit_of_work() as uow:
        if order_id:
            await uow.orders.get(order_id)  # NotFound for an unknown order
        case = open_complaint(
            complaint_id, kind, description, now=ctx.clock(), actor=caller(), order_id=order_id
        )
        handler = default_handler(handled_by)
        if handler:
            case.assign_handler(handler)
        if not await uow.cases.insert_complaint(case):
            stored = await uow.cases.complaint(complaint_id)
            if (stored.kind, stored.description, stored.order_id) != (
                case.kind,
                case.description,
                case.order_id,
            ):
                raise _reused("complaint", complaint_id)
            return stored
        uow.publish(*events.complaint_opened(case))
        await uow.commit()
        return case


async def change_complaint(
    ctx: OrdersContext,
    complaint_id: str,
    change: Callable[[Complaint, datetime, str], bool],
) -> Complaint:
    async with ctx.db.unit_of_work() as uow:
        case = await uow.cases.complaint(complaint_id, for_update=True)
        before = case.status
        if change(case, ctx.clock(), caller()):
            await uow.cases.update_complaint(case)
            ended = (ComplaintStatus.RESOLVED, ComplaintStatus.CLOSED)
            if case.status is not before and case.status in ended:
                uow.publish(*events.complaint_ended(case))
            await uow.commit()
        return case


def assign_complaint(employee_code: str) -> Callable[[Complaint, datetime, str], bool]:
    def change(case: Complaint, now: datetime, who: str) -> bool:
        if case.handled_by == employee_code:
            return False
        case.assign_handler(employee_code)
        return True

    return change


# ---------------------------------------------------------------------------- ratings


async def rate_order(
    ctx: OrdersContext, order_id: str, rating: int, comment: str
) -> tuple[CustomerReview, str | None]:
    async with ctx.db.unit_of_work() as uow:
        order = await uow.orders.get(order_id)
        existing = await uow.cases.rating(order_id)
        review = record_review(order, rating, comment, ctx.clock(), existing)
        if existing is None and await uow.cases.insert_rating(review):
            uow.publish(*events.order_rated(order, review))
            await uow.commit()
        return review, order.handled_by


async def get_rating(ctx: OrdersContext, order_id: str) -> tuple[CustomerReview, str | None]:
    async with ctx.db.unit_of_work() as uow:
        order = await uow.orders.get(order_id)
        review = await uow.cases.rating(order_id)
    if review is None:
        raise NotFound(f"order {order_id} has no rating yet", reason="RATING_NOT_FOUND")
    return review, order.handled_by


# ---------------------------------------------------------------------------- invoices


async def invoice(
    ctx: OrdersContext, order_id: str, invoice_id: str, title: str, tax_id: str
) -> InvoiceRequest:
    async with ctx.db.unit_of_work() as uow:
        order = await uow.orders.get(order_id, for_update=True)
        stored = await uow.cases.invoice(invoice_id)
        if stored is not None:
            same = (stored.order_id, stored.title, stored.tax_id) == (
                order_id,
                title.strip(),
                tax_id.strip().upper(),
            )
            if not same:
                raise _reused("invoice", invoice_id)
            return stored
        refunds = await uow.after_sales.refunds_of(order_id)
        request = request_invoice(
            order, title=title, tax_id=tax_id, refunds=refunds, now=ctx.clock(), actor=caller()
        )
        await uow.cases.insert_invoice(invoice_id, request)
        await uow.commit()
        return request


async def invoices(ctx: OrdersContext, order_id: str) -> list[tuple[str, InvoiceRequest]]:
    async with ctx.db.unit_of_work() as uow:
        await uow.orders.get(order_id)
        return await uow.cases.invoices_of(order_id)
