"""Events for the orders feed, built from what changed in an aggregate (no customer contact data).

`order_events` compares an order with the snapshot it was loaded from, so every use case publishes
the same events for the same change: OrderPlaced when an order leaves PENDING (with the status it
settled in), a milestone event per business status (confirmed, backordered, cancelled, shipped,
delivered), PaymentReceived when the payment is recorded, OrderStatusChanged for warehouse steps.
Nothing is published while an order is PENDING: an order inventory refuses (unknown SKU) is
removed again, and must leave no trace in the feed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from google.protobuf.message import Message
from storeops.orders.v1 import events_pb2 as ev

from services.common.money import Money
from services.common.proto_convert import to_money, to_timestamp
from services.orders.db.order_rows import Snapshot
from services.orders.domain.after_sales import AfterSalesRequest, AfterSalesStatus
from services.orders.domain.complaints import Complaint
from services.orders.domain.customer_reviews import CustomerReview
from services.orders.domain.logistics import LogisticsException
from services.orders.domain.order import Order
from services.orders.domain.refunds import Refund
from services.orders.domain.shipping import Shipment
from services.orders.domain.status import OrderStatus
from services.orders.domain.waves import WavePolicy, assign_wave, shipped_on_time

Event = tuple[str, Message]
_S = OrderStatus
_STEP_STATUSES = frozenset(
    {_S.REVIEWED, _S.PICKED, _S.VERIFIED, _S.PACKED, _S.WEIGHED, _S.PARTIALLY_SHIPPED}
)


def _status(value: OrderStatus) -> str:
    return value.value


def facts(order: Order) -> ev.OrderFacts:
    return ev.OrderFacts(
        order_id=order.order_id,
        channel=order.channel.value,
        external_order_id=order.external_order_id,
        total=to_money(order.total),
        handled_by=order.handled_by or "",
        place_time=to_timestamp(order.placed_at),
        paid=order.paid,
    )


def event_lines(order: Order, quantities: Iterable[tuple[int, int]]) -> list[ev.EventLine]:
    lines = []
    for line_no, qty in quantities:
        line = order.line(line_no)
        lines.append(
            ev.EventLine(
                sku_code=line.sku_code,
                quantity=qty,
                unit_price=to_money(line.unit_price),
                line_no=line_no,
                amount=to_money(line.unit_price.times(qty)),
            )
        )
    return lines


def _all_lines(order: Order) -> list[ev.EventLine]:
    return event_lines(order, ((line.line_no, line.quantity) for line in order.lines))


def _value(order: Order, quantities: Iterable[tuple[int, int]]) -> Money:
    total = Money.zero(order.currency_code)
    for line_no, qty in quantities:
        total = total + order.line(line_no).unit_price.times(qty)
    return total


def _last_change(order: Order) -> tuple[datetime, str]:
    entry = order.history[-1]
    return entry.at, entry.actor


def order_events(
    order: Order,
    before: Snapshot,
    waves: WavePolicy,
    *,
    short_skus: Sequence[str] = (),
) -> list[Event]:
    """The events for everything that changed since `before`."""
    key = order.order_id
    out: list[Event] = []
    at, actor = _last_change(order)
    if order.status is _S.PENDING:
        return out  # nothing is announced before the order settles (it may yet be refused)
    if before.status is _S.PENDING:
        out.append((key, placed(order)))
        if order.paid:  # paid at intake, or recorded while it was pending
            paid_by = "channel" if before.paid else actor
            out.append((key, payment(order, order.paid_at or order.placed_at, paid_by)))
    elif order.paid and not before.paid:
        out.append((key, payment(order, order.paid_at or at, actor)))
    if order.status is not before.status:
        out.extend((key, e) for e in _milestone(order, before, waves, short_skus, at, actor))
    for shipment in order.shipments[before.shipments_len :]:
        out.append((key, shipped(order, shipment, waves)))
    return out


def _milestone(
    order: Order,
    before: Snapshot,
    waves: WavePolicy,
    short_skus: Sequence[str],
    at: datetime,
    actor: str,
) -> list[Message]:
    status = order.status
    if status is _S.CONFIRMED:
        reference = order.wave_reference_time()
        return [
            ev.OrderConfirmed(
                order=facts(order),
                confirm_time=to_timestamp(order.confirmed_at or at),
                after_backorder=before.status is _S.BACKORDERED,
                wave_deadline=to_timestamp(assign_wave(reference, waves).deadline)
                if reference
                else None,
            )
        ]
    if status is _S.BACKORDERED:
        lines = [
            line for line in _all_lines(order) if not short_skus or line.sku_code in short_skus
        ]
        return [
            ev.OrderBackordered(
                order_id=order.order_id,
                lines=lines,
                order=facts(order),
                backorder_time=to_timestamp(at),
            )
        ]
    if status is _S.CANCELLED:
        return [
            ev.OrderCancelled(
                order=facts(order),
                cancel_time=to_timestamp(at),
                reason=order.cancel_reason,
                previous_status=_status(before.status),
                actor=actor,
            )
        ]
    if status is _S.DELIVERED:
        return [
            ev.OrderDelivered(
                order=facts(order), deliver_time=to_timestamp(order.delivered_at or at)
            )
        ]
    if status in _STEP_STATUSES:
        return [
            ev.OrderStatusChanged(
                order_id=order.order_id,
                status=_status(status),
                previous_status=_status(before.status),
                handled_by=order.handled_by or "",
                total=to_money(order.total),
                channel=order.channel.value,
                change_time=to_timestamp(at),
                actor=actor,
            )
        ]
    return []  # SHIPPED: one OrderShipped per parcel (below)


def placed(order: Order) -> ev.OrderPlaced:
    return ev.OrderPlaced(
        order_id=order.order_id,
        channel=order.channel.value,
        lines=_all_lines(order),
        total=to_money(order.total),
        paid=order.paid,
        handled_by=order.handled_by or "",
        place_time=to_timestamp(order.placed_at),
        external_order_id=order.external_order_id,
        status=_status(order.status),
        paid_time=to_timestamp(order.paid_at),
    )


def payment(order: Order, at: datetime, actor: str) -> ev.PaymentReceived:
    return ev.PaymentReceived(
        order=facts(order), amount=to_money(order.total), payment_time=to_timestamp(at), actor=actor
    )


def shipped(order: Order, shipment: Shipment, waves: WavePolicy) -> ev.OrderShipped:
    complete = shipment is order.shipments[-1] and order.status in (_S.SHIPPED, _S.DELIVERED)
    reference = order.wave_reference_time()
    wave = assign_wave(reference, waves) if reference else None
    message = ev.OrderShipped(
        order=facts(order),
        ship_time=to_timestamp(shipment.shipped_at),
        shipment_no=shipment.shipment_no,
        carrier=shipment.carrier,
        tracking_number=shipment.tracking_number,
        lines=event_lines(order, shipment.quantities),
        amount=to_money(_value(order, shipment.quantities)),
        complete=complete,
        wave_deadline=to_timestamp(wave.deadline) if wave else None,
        shipped_by=shipment.shipped_by,
    )
    if complete and wave is not None:
        message.on_time = shipped_on_time(wave, shipment.shipped_at)
    return message


# ---------------------------------------------------------------------------- after-sales


def _kind(request: AfterSalesRequest) -> str:
    return request.kind.value


def _reason(request: AfterSalesRequest) -> str:
    return request.reason.value


def after_sales_opened(order: Order, request: AfterSalesRequest) -> Event:
    return request.request_id, ev.AfterSalesOpened(
        request_id=request.request_id,
        order=facts(order),
        kind=_kind(request),
        reason=_reason(request),
        open_time=to_timestamp(request.opened_at),
        handled_by=request.handled_by or "",
    )


def return_received(order: Order, request: AfterSalesRequest, at: datetime) -> Event:
    received = [(ln, qty) for ln, qty in request.received if qty]
    return request.request_id, ev.ReturnReceived(
        request_id=request.request_id,
        order=facts(order),
        kind=_kind(request),
        reason=_reason(request),
        lines=event_lines(order, received),
        amount=to_money(_value(order, received)),
        receive_time=to_timestamp(at),
        handled_by=request.handled_by or "",
        received_by=request.received_by or "",
    )


def return_resolved(order: Order, request: AfterSalesRequest, at: datetime) -> Event:
    received = [(ln, qty) for ln, qty in request.received if qty]
    message = ev.ReturnResolved(
        request_id=request.request_id,
        order=facts(order),
        kind=_kind(request),
        reason=_reason(request),
        outcome=request.status.value,
        resolve_time=to_timestamp(at),
        handled_by=request.handled_by or "",
        lines=event_lines(order, received),
        rejection_reason=request.rejection_reason,
        open_time=to_timestamp(request.opened_at),
    )
    if request.status is AfterSalesStatus.REFUNDED and request.refund is not None:
        message.refund_amount.CopyFrom(to_money(request.refund.total))
    return request.request_id, message


def refund_issued(order: Order, refund: Refund, handled_by: str | None) -> Event:
    lines = [
        ev.EventLine(
            sku_code=order.line(ln.line_no).sku_code,
            quantity=ln.quantity,
            unit_price=to_money(order.line(ln.line_no).unit_price),
            line_no=ln.line_no,
            amount=to_money(ln.amount),
        )
        for ln in refund.lines
    ]
    return refund.refund_id, ev.RefundIssued(
        refund_id=refund.refund_id,
        order=facts(order),
        amount=to_money(refund.total),
        reason=refund.reason,
        refund_time=to_timestamp(refund.refunded_at),
        source=refund.source,
        handled_by=handled_by or "",
        lines=lines,
        refunded_by=refund.refunded_by,
    )


# ---------------------------------------------------------------------------- cases


def customer_notified(order: Order, case: LogisticsException) -> Event:
    return case.exception_id, ev.LogisticsCustomerNotified(
        exception_id=case.exception_id,
        order=facts(order),
        kind=case.kind.value,
        tracking_number=case.tracking_number,
        notify_time=to_timestamp(case.customer_notified_at),
        handled_by=case.handled_by or "",
    )


def exception_resolved(order: Order, case: LogisticsException) -> Event:
    return case.exception_id, ev.LogisticsExceptionResolved(
        exception_id=case.exception_id,
        order=facts(order),
        kind=case.kind.value,
        resolution=case.resolution.value if case.resolution else None,
        open_time=to_timestamp(case.opened_at),
        resolve_time=to_timestamp(case.resolved_at),
        handled_by=case.handled_by or "",
    )


def complaint_opened(case: Complaint) -> Event:
    return case.complaint_id, ev.ComplaintOpened(
        complaint_id=case.complaint_id,
        order_id=case.order_id or "",
        kind=case.kind.value,
        open_time=to_timestamp(case.opened_at),
        handled_by=case.handled_by or "",
    )


def complaint_ended(case: Complaint) -> Event:
    return case.complaint_id, ev.ComplaintEnded(
        complaint_id=case.complaint_id,
        order_id=case.order_id or "",
        kind=case.kind.value,
        status=case.status.value,
        open_time=to_timestamp(case.opened_at),
        end_time=to_timestamp(case.ended_at),
        handled_by=case.handled_by or "",
    )


def order_rated(order: Order, review: CustomerReview) -> Event:
    return order.order_id, ev.OrderRated(
        order=facts(order),
        rating=review.rating,
        positive=review.is_positive(),
        rate_time=to_timestamp(review.reviewed_at),
    )
