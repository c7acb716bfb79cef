"""Orders feed → orders (shop, handler, amount, units, shipping), payments collected, refunds,
after-sales cases, complaints and ratings.

Every order event carries `OrderFacts`, so an order row exists from whichever event comes first;
`OrderPlaced` adds the units. One payment per order (the feed's PaymentReceived is "the order
total", also emitted for orders paid at intake): keyed by order id, PaymentReceived's amount and
time win over OrderPlaced's `paid_time`. Refunds count on the day they were issued and are
attributed to the order's handler (the sale they reduce); after-sales cases and complaints to the
employee handling them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import sqlalchemy as sa
from google.protobuf.message import Message
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection
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

_orders = tables.order_facts


async def _order(
    connection: AsyncConnection,
    context: EventContext,
    facts: oe.OrderFacts,
    units: int | None = None,
) -> None:
    """Create the order row if this is the first event about it (units known from OrderPlaced)."""
    if not facts.order_id:
        raise MalformedEvent("no order id")
    placed_at = instant(facts.place_time, facts.HasField("place_time"), context.occurred_at)
    total, currency = money(facts.total, "total")
    values = {
        "shop": orders_pb.Channel.Name(facts.channel),
        "handled_by": facts.handled_by,
        "placed_at": placed_at,
        "placed_on": local_day(placed_at, context.tz),
        "total_minor": total,
        "total_currency": currency,
        "units": units or 0,
        "ship_due_at": ship_due(placed_at, context.tz, context.ship_cutoff),
    }
    statement = pg_insert(_orders).values(order_id=facts.order_id, **values)
    if units is not None:
        statement = statement.on_conflict_do_update(
            index_elements=["order_id"], set_={"units": units}
        )
    else:
        statement = statement.on_conflict_do_nothing()
    await connection.execute(statement)


async def _payment(
    connection: AsyncConnection,
    context: EventContext,
    order_id: str,
    amount: int,
    currency: str,
    at: datetime,
    replace: bool,
) -> None:
    values = {
        "order_id": order_id,
        "amount_minor": amount,
        "amount_currency": currency,
        "collected_at": at,
        "collected_on": local_day(at, context.tz),
    }
    statement = pg_insert(tables.payment_facts).values(payment_key=order_id, **values)
    await connection.execute(
        statement.on_conflict_do_update(index_elements=["payment_key"], set_=values)
        if replace
        else statement.on_conflict_do_nothing()
    )


def _where(order_id: str) -> sa.ColumnElement[bool]:
    return _orders.c.order_id == order_id


async def order_placed(
    connection: AsyncConnection, message: Message, context: EventContext
) -> None:
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
    await _order(connection, context, facts, units=sum(line.quantity for line in message.lines))
    if message.status == orders_pb.Order.CANCELLED:
        await connection.execute(
            _orders.update()
            .where(_where(message.order_id), _orders.c.cancelled_at.is_(None))
            .values(cancelled_at=context.occurred_at)
        )
    if message.paid:
        total, currency = money(message.total, "total")
        paid_at = instant(
            message.paid_time,
            message.HasField("paid_time"),
            instant(message.place_time, message.HasField("place_time"), context.occurred_at),
        )
        await _payment(
            connection, context, message.order_id, total, currency, paid_at, replace=False
        )


async def payment_received(
    connection: AsyncConnection, message: Message, context: EventContext
) -> None:
    assert isinstance(message, oe.PaymentReceived)
    await _order(connection, context, message.order)
    amount, currency = money(
        message.amount if message.HasField("amount") else message.order.total, "amount"
    )
    at = instant(message.payment_time, message.HasField("payment_time"), context.occurred_at)
    await _payment(connection, context, message.order.order_id, amount, currency, at, replace=True)


async def order_cancelled(
    connection: AsyncConnection, message: Message, context: EventContext
) -> None:
    assert isinstance(message, oe.OrderCancelled)
    await _order(connection, context, message.order)
    at = instant(message.cancel_time, message.HasField("cancel_time"), context.occurred_at)
    await connection.execute(
        _orders.update()
        .where(_where(message.order.order_id), _orders.c.cancelled_at.is_(None))
        .values(cancelled_at=at)
    )


async def order_shipped(
    connection: AsyncConnection, message: Message, context: EventContext
) -> None:
    """The order counts as shipped when its last parcel leaves (`complete`)."""
    assert isinstance(message, oe.OrderShipped)
    await _order(connection, context, message.order)
    if not message.complete:
        return
    at = instant(message.ship_time, message.HasField("ship_time"), context.occurred_at)
    await connection.execute(
        _orders.update()
        .where(_where(message.order.order_id), _orders.c.shipped_at.is_(None))
        .values(
            shipped_at=at,
            shipped_on=local_day(at, context.tz),
            on_time=message.on_time if message.HasField("on_time") else None,
        )
    )


async def order_delivered(
    connection: AsyncConnection, message: Message, context: EventContext
) -> None:
    assert isinstance(message, oe.OrderDelivered)
    await _order(connection, context, message.order)
    at = instant(message.deliver_time, message.HasField("deliver_time"), context.occurred_at)
    await connection.execute(
        _orders.update()
        .where(_where(message.order.order_id), _orders.c.delivered_at.is_(None))
        .values(delivered_at=at)
    )


async def refund_issued(
    connection: AsyncConnection, message: Message, context: EventContext
) -> None:
    assert isinstance(message, oe.RefundIssued)
    await _order(connection, context, message.order)
    if not message.refund_id:
        raise MalformedEvent("no refund id")
    amount, currency = money(message.amount, "amount")
    at = instant(message.refund_time, message.HasField("refund_time"), context.occurred_at)
    await connection.execute(
        pg_insert(tables.refund_facts)
        .values(
            refund_key=message.refund_id,
            order_id=message.order.order_id,
            amount_minor=amount,
            amount_currency=currency,
            refunded_at=at,
            refunded_on=local_day(at, context.tz),
        )
        .on_conflict_do_nothing()
    )


async def _case_opened(
    connection: AsyncConnection,
    context: EventContext,
    case_id: str,
    order_id: str,
    kind: str,
    handled_by: str,
    opened: datetime,
) -> None:
    if not case_id:
        raise MalformedEvent("no case id")
    await connection.execute(
        pg_insert(tables.after_sales_facts)
        .values(
            case_id=case_id,
            order_id=order_id,
            kind=kind,
            handled_by=handled_by,
            opened_on=local_day(opened, context.tz),
        )
        .on_conflict_do_nothing()
    )


async def _case_ended(
    connection: AsyncConnection,
    context: EventContext,
    case_id: str,
    order_id: str,
    kind: str,
    handled_by: str,
    opened: datetime,
    ended: datetime,
    outcome: str,
) -> None:
    await _case_opened(connection, context, case_id, order_id, kind, handled_by, opened)
    cases = tables.after_sales_facts
    await connection.execute(
        cases.update()
        .where(cases.c.case_id == case_id)
        .values(resolved_on=local_day(ended, context.tz), outcome=outcome)
    )


async def after_sales_opened(
    connection: AsyncConnection, message: Message, context: EventContext
) -> None:
    assert isinstance(message, oe.AfterSalesOpened)
    await _order(connection, context, message.order)
    opened = instant(message.open_time, message.HasField("open_time"), context.occurred_at)
    await _case_opened(
        connection,
        context,
        message.request_id,
        message.order.order_id,
        "AFTER_SALES",
        message.handled_by,
        opened,
    )


async def return_resolved(
    connection: AsyncConnection, message: Message, context: EventContext
) -> None:
    assert isinstance(message, oe.ReturnResolved)
    await _order(connection, context, message.order)
    ended = instant(message.resolve_time, message.HasField("resolve_time"), context.occurred_at)
    opened = instant(message.open_time, message.HasField("open_time"), ended)
    await _case_ended(
        connection,
        context,
        message.request_id,
        message.order.order_id,
        "AFTER_SALES",
        message.handled_by,
        opened,
        ended,
        af.AfterSalesRequest.Status.Name(message.outcome),
    )


async def complaint_opened(
    connection: AsyncConnection, message: Message, context: EventContext
) -> None:
    assert isinstance(message, oe.ComplaintOpened)
    opened = instant(message.open_time, message.HasField("open_time"), context.occurred_at)
    await _case_opened(
        connection,
        context,
        message.complaint_id,
        message.order_id,
        "COMPLAINT",
        message.handled_by,
        opened,
    )


async def complaint_ended(
    connection: AsyncConnection, message: Message, context: EventContext
) -> None:
    assert isinstance(message, oe.ComplaintEnded)
    ended = instant(message.end_time, message.HasField("end_time"), context.occurred_at)
    opened = instant(message.open_time, message.HasField("open_time"), ended)
    await _case_ended(
        connection,
        context,
        message.complaint_id,
        message.order_id,
        "COMPLAINT",
        message.handled_by,
        opened,
        ended,
        cs.Complaint.Status.Name(message.status),
    )


async def order_rated(connection: AsyncConnection, message: Message, context: EventContext) -> None:
    assert isinstance(message, oe.OrderRated)
    await _order(connection, context, message.order)
    at = instant(message.rate_time, message.HasField("rate_time"), context.occurred_at)
    values = {
        "rating": message.rating,
        "positive": message.positive,
        "reviewed_on": local_day(at, context.tz),
    }
    await connection.execute(
        pg_insert(tables.review_facts)
        .values(order_id=message.order.order_id, **values)
        .on_conflict_do_update(index_elements=["order_id"], set_=values)
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
