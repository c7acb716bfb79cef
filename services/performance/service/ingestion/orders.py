"""Orders feed → orders (shop, handler, amount, units, shipping), payments collected, refunds,
after-sales cases, complaints and ratings.

Every order event carries `OrderFacts`, so an order row exists from whichever event comes first;
`OrderPlaced` adds the units. One payment per order (the feed's PaymentReceived is "the order
total", also emitted for orders paid at intake): keyed by order id, PaymentReceived's amount and
time win over OrderPlaced's `paid_time`. Refunds count on the day they were issued and are
attributed to the order's handler (the sale they reduce); after-sales cases and complaints to the
employee handling them.

The handlers add rows to the slots below, written once per page in this order (`page.Slot`): the
order upserts first (an order's row exists before any update of it), then the updates, which set
only their own columns and only while still unset, so the first event to set them wins whatever
else the page holds, exactly as if each event's statements ran in turn.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import sqlalchemy as sa
from google.protobuf.message import Message
from sqlalchemy.dialects.postgresql import insert as pg_insert
from storeops.orders.v1 import after_sales_pb2 as af
from storeops.orders.v1 import cases_pb2 as cs
from storeops.orders.v1 import events_pb2 as oe
from storeops.orders.v1 import resources_pb2 as orders_pb

from services.performance.db import tables
from services.performance.service.ingestion import EventContext, Handler
from services.performance.service.ingestion.convert import (
    MalformedEvent,
    instant,
    local_day,
    money,
    ship_due,
)
from services.performance.service.ingestion.page import PageWriter, Slot

_orders = tables.order_facts
_payments = tables.payment_facts
_cases = tables.after_sales_facts
_reviews = tables.review_facts

_insert_order = pg_insert(_orders)
# The order's row from the first event about it; OrderPlaced (b_set_units) sets its units.
ORDERS = Slot(
    "order_facts",
    _insert_order.on_conflict_do_update(
        index_elements=[_orders.c.order_id],
        set_={"units": _insert_order.excluded.units},
        where=sa.bindparam("b_set_units", type_=sa.Boolean),
    ),
)


def _set_once(*columns: str) -> Slot:
    """An update of an order's `columns` that only the first event setting them makes."""
    return Slot(
        f"order_facts.{columns[0]}",
        _orders.update()
        .where(_orders.c.order_id == sa.bindparam("b_order_id"), _orders.c[columns[0]].is_(None))
        .values({column: sa.bindparam(f"b_{column}") for column in columns}),
    )


CANCELLED = _set_once("cancelled_at")
SHIPPED = _set_once("shipped_at", "shipped_on", "on_time")
DELIVERED = _set_once("delivered_at")

_insert_payment = pg_insert(_payments)
# One payment per order: PaymentReceived (b_replace) replaces what OrderPlaced recorded.
PAYMENTS = Slot(
    "payment_facts",
    _insert_payment.on_conflict_do_update(
        index_elements=[_payments.c.payment_key],
        set_={
            column: _insert_payment.excluded[column]
            for column in (
                "order_id",
                "amount_minor",
                "amount_currency",
                "collected_at",
                "collected_on",
            )
        },
        where=sa.bindparam("b_replace", type_=sa.Boolean),
    ),
)
REFUNDS = Slot("refund_facts", pg_insert(tables.refund_facts).on_conflict_do_nothing())
CASES = Slot("after_sales_facts", pg_insert(_cases).on_conflict_do_nothing())
CASE_ENDS = Slot(
    "after_sales_facts.resolved_on",
    _cases.update()
    .where(_cases.c.case_id == sa.bindparam("b_case_id"))
    .values(resolved_on=sa.bindparam("b_resolved_on"), outcome=sa.bindparam("b_outcome")),
)
_insert_review = pg_insert(_reviews)
REVIEWS = Slot(
    "review_facts",
    _insert_review.on_conflict_do_update(
        index_elements=[_reviews.c.order_id],
        set_={
            column: _insert_review.excluded[column]
            for column in ("rating", "positive", "reviewed_on")
        },
    ),
)


def _order(
    page: PageWriter,
    context: EventContext,
    facts: oe.OrderFacts,
    units: int | None = None,
) -> None:
    """Create the order row if this is the first event about it (units known from OrderPlaced)."""
    if not facts.order_id:
        raise MalformedEvent("no order id")
    placed_at = instant(facts.place_time, facts.HasField("place_time"), context.occurred_at)
    total, currency = money(facts.total, "total")
    page.add(
        ORDERS,
        {
            "order_id": facts.order_id,
            "shop": orders_pb.Channel.Name(facts.channel),
            "handled_by": facts.handled_by,
            "placed_at": placed_at,
            "placed_on": local_day(placed_at, context.tz),
            "total_minor": total,
            "total_currency": currency,
            "units": units or 0,
            "ship_due_at": ship_due(placed_at, context.tz, context.ship_cutoff),
            "b_set_units": units is not None,
        },
    )


def _payment(
    page: PageWriter,
    context: EventContext,
    order_id: str,
    amount: int,
    currency: str,
    at: datetime,
    replace: bool,
) -> None:
    page.add(
        PAYMENTS,
        {
            "payment_key": order_id,
            "order_id": order_id,
            "amount_minor": amount,
            "amount_currency": currency,
            "collected_at": at,
            "collected_on": local_day(at, context.tz),
            "b_replace": replace,
        },
    )


async def order_placed(page: PageWriter, message: Message, context: EventContext) -> None:
    assert isinstance(message, oe.OrderPlaced)
    facts = oe.OrderFacts(
        order_id=message.order_id,
        channel=message.channel,
        external_order_id=message.external_order_id,
        total=message.total,
        handled_by=message.handled_by,
        paid=message.paid,
    )
    if message.HasField("place_time"):
        facts.place_time.CopyFrom(message.place_time)
    _order(page, context, facts, units=sum(line.quantity for line in message.lines))
    if message.status == orders_pb.Order.CANCELLED:
        page.add(CANCELLED, {"b_order_id": message.order_id, "b_cancelled_at": context.occurred_at})
    if message.paid:
        total, currency = money(message.total, "total")
        paid_at = instant(
            message.paid_time,
            message.HasField("paid_time"),
            instant(message.place_time, message.HasField("place_time"), context.occurred_at),
        )
        _payment(page, context, message.order_id, total, currency, paid_at, replace=False)


async def payment_received(page: PageWriter, message: Message, context: EventContext) -> None:
    assert isinstance(message, oe.PaymentReceived)
    _order(page, context, message.order)
    amount, currency = money(
        message.amount if message.HasField("amount") else message.order.total, "amount"
    )
    at = instant(message.payment_time, message.HasField("payment_time"), context.occurred_at)
    _payment(page, context, message.order.order_id, amount, currency, at, replace=True)


async def order_cancelled(page: PageWriter, message: Message, context: EventContext) -> None:
    assert isinstance(message, oe.OrderCancelled)
    _order(page, context, message.order)
    at = instant(message.cancel_time, message.HasField("cancel_time"), context.occurred_at)
    page.add(CANCELLED, {"b_order_id": message.order.order_id, "b_cancelled_at": at})


async def order_shipped(page: PageWriter, message: Message, context: EventContext) -> None:
    """The order counts as shipped when its last parcel leaves (`complete`)."""
    assert isinstance(message, oe.OrderShipped)
    _order(page, context, message.order)
    if not message.complete:
        return
    at = instant(message.ship_time, message.HasField("ship_time"), context.occurred_at)
    page.add(
        SHIPPED,
        {
            "b_order_id": message.order.order_id,
            "b_shipped_at": at,
            "b_shipped_on": local_day(at, context.tz),
            "b_on_time": message.on_time if message.HasField("on_time") else None,
        },
    )


async def order_delivered(page: PageWriter, message: Message, context: EventContext) -> None:
    assert isinstance(message, oe.OrderDelivered)
    _order(page, context, message.order)
    at = instant(message.deliver_time, message.HasField("deliver_time"), context.occurred_at)
    page.add(DELIVERED, {"b_order_id": message.order.order_id, "b_delivered_at": at})


async def refund_issued(page: PageWriter, message: Message, context: EventContext) -> None:
    assert isinstance(message, oe.RefundIssued)
    _order(page, context, message.order)
    if not message.refund_id:
        raise MalformedEvent("no refund id")
    amount, currency = money(message.amount, "amount")
    at = instant(message.refund_time, message.HasField("refund_time"), context.occurred_at)
    page.add(
        REFUNDS,
        {
            "refund_key": message.refund_id,
            "order_id": message.order.order_id,
            "amount_minor": amount,
            "amount_currency": currency,
            "refunded_at": at,
            "refunded_on": local_day(at, context.tz),
        },
    )


def _case_opened(
    page: PageWriter,
    context: EventContext,
    case_id: str,
    order_id: str,
    kind: str,
    handled_by: str,
    opened: datetime,
) -> None:
    if not case_id:
        raise MalformedEvent("no case id")
    page.add(
        CASES,
        {
            "case_id": case_id,
            "order_id": order_id,
            "kind": kind,
            "handled_by": handled_by,
            "opened_on": local_day(opened, context.tz),
        },
    )


def _case_ended(
    page: PageWriter,
    context: EventContext,
    case_id: str,
    order_id: str,
    kind: str,
    handled_by: str,
    opened: datetime,
    ended: datetime,
    outcome: str,
) -> None:
    _case_opened(page, context, case_id, order_id, kind, handled_by, opened)
    page.add(
        CASE_ENDS,
        {"b_case_id": case_id, "b_resolved_on": local_day(ended, context.tz), "b_outcome": outcome},
    )


async def after_sales_opened(page: PageWriter, message: Message, context: EventContext) -> None:
    assert isinstance(message, oe.AfterSalesOpened)
    _order(page, context, message.order)
    opened = instant(message.open_time, message.HasField("open_time"), context.occurred_at)
    _case_opened(
        page,
        context,
        message.request_id,
        message.order.order_id,
        "AFTER_SALES",
        message.handled_by,
        opened,
    )


async def return_resolved(page: PageWriter, message: Message, context: EventContext) -> None:
    assert isinstance(message, oe.ReturnResolved)
    _order(page, context, message.order)
    ended = instant(message.resolve_time, message.HasField("resolve_time"), context.occurred_at)
    opened = instant(message.open_time, message.HasField("open_time"), ended)
    _case_ended(
        page,
        context,
        message.request_id,
        message.order.order_id,
        "AFTER_SALES",
        message.handled_by,
        opened,
        ended,
        af.AfterSalesRequest.Status.Name(message.outcome),
    )


async def complaint_opened(page: PageWriter, message: Message, context: EventContext) -> None:
    assert isinstance(message, oe.ComplaintOpened)
    opened = instant(message.open_time, message.HasField("open_time"), context.occurred_at)
    _case_opened(
        page,
        context,
        message.complaint_id,
        message.order_id,
        "COMPLAINT",
        message.handled_by,
        opened,
    )


async def complaint_ended(page: PageWriter, message: Message, context: EventContext) -> None:
    assert isinstance(message, oe.ComplaintEnded)
    ended = instant(message.end_time, message.HasField("end_time"), context.occurred_at)
    opened = instant(message.open_time, message.HasField("open_time"), ended)
    _case_ended(
        page,
        context,
        message.complaint_id,
        message.order_id,
        "COMPLAINT",
        message.handled_by,
        opened,
        ended,
        cs.Complaint.Status.Name(message.status),
    )


async def order_rated(page: PageWriter, message: Message, context: EventContext) -> None:
    assert isinstance(message, oe.OrderRated)
    _order(page, context, message.order)
    at = instant(message.rate_time, message.HasField("rate_time"), context.occurred_at)
    page.add(
        REVIEWS,
        {
            "order_id": message.order.order_id,
            "rating": message.rating,
            "positive": message.positive,
            "reviewed_on": local_day(at, context.tz),
        },
    )


HANDLERS: Mapping[str, Handler] = {
    oe.OrderPlaced.DESCRIPTOR.full_name: order_placed,
    oe.PaymentReceived.DESCRIPTOR.full_name: payment_received,
    oe.OrderCancelled.DESCRIPTOR.full_name: order_cancelled,
    oe.OrderShipped.DESCRIPTOR.full_name: order_shipped,
    oe.OrderDelivered.DESCRIPTOR.full_name: order_delivered,
    oe.RefundIssued.DESCRIPTOR.full_name: refund_issued,
    oe.AfterSalesOpened.DESCRIPTOR.full_name: after_sales_opened,
    oe.ReturnResolved.DESCRIPTOR.full_name: return_resolved,
    oe.ComplaintOpened.DESCRIPTOR.full_name: complaint_opened,
    oe.ComplaintEnded.DESCRIPTOR.full_name: complaint_ended,
    oe.OrderRated.DESCRIPTOR.full_name: order_rated,
}
