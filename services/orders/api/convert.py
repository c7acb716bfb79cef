"""Domain objects → protobuf resources (and the few request parts that need translating)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from storeops.orders.v1 import after_sales_pb2 as asp
from storeops.orders.v1 import cases_pb2, fulfilment_pb2, resources_pb2

from services.common.proto_convert import to_money, to_timestamp
from services.orders.db.after_sales_store import LoadedRequest
from services.orders.domain.complaints import Complaint
from services.orders.domain.customer_reviews import CustomerReview
from services.orders.domain.fulfilment import OrderPickList, PickItem
from services.orders.domain.history import HistoryEntry
from services.orders.domain.invoice import InvoiceRequest
from services.orders.domain.logistics import LogisticsException
from services.orders.domain.order import Order
from services.orders.domain.refunds import Refund
from services.orders.domain.review_batch import ReviewBatchResult
from services.orders.domain.shipping import Shipment
from services.orders.domain.verification import VerificationResult
from services.orders.domain.waves import WavePolicy, assign_wave, wave_outcome
from services.orders.service.fulfilment import StoredBatch, WaveReport

MASKED = "***"


def history(entries: Sequence[HistoryEntry]) -> list[resources_pb2.StatusChange]:  # type: ignore[type-arg]
    return [
        resources_pb2.StatusChange(
            from_status=e.from_status.value if e.from_status else "",
            to_status=e.to_status.value,
            time=to_timestamp(e.at),
            actor=e.actor,
            note=e.note,
        )
        for e in entries
    ]


def _shipment(order: Order, parcel: Shipment, reveal: bool) -> resources_pb2.Shipment:
    return resources_pb2.Shipment(
        carrier=parcel.carrier,
        tracking_number=parcel.tracking_number,
        weight_grams=parcel.weight_grams or 0,
        ship_time=to_timestamp(parcel.shipped_at),
        shipment_no=parcel.shipment_no,
        lines=[
            resources_pb2.ShipmentLine(line_no=ln, sku_code=order.line(ln).sku_code, quantity=qty)
            for ln, qty in parcel.quantities
        ],
        address=parcel.address if reveal else MASKED,
        shipped_by=parcel.shipped_by,
    )


def order(value: Order, *, reveal: bool, waves: WavePolicy, now: datetime) -> resources_pb2.Order:
    """The Order resource; phone and address masked unless `reveal`."""
    customer = value.customer
    message = resources_pb2.Order(
        order_id=value.order_id,
        channel=value.channel.value,
        external_order_id=value.external_order_id,
        status=value.status.value,
        customer=resources_pb2.Customer(
            name=customer.name,
            phone=customer.phone if reveal else customer.masked_phone,
            address=customer.address if reveal else MASKED,
        ),
        lines=[
            resources_pb2.OrderLine(
                sku_code=line.sku_code,
                quantity=line.quantity,
                unit_price=to_money(line.unit_price),
                line_total=to_money(line.line_total),
                line_no=line.line_no,
            )
            for line in value.lines
        ],
        total=to_money(value.total),
        paid=value.paid,
        buyer_message=value.buyer_message,
        service_note=value.service_note,
        reservation_id=value.reservation_id,
        history=history(value.history),
        handled_by=value.handled_by or "",
        create_time=to_timestamp(value.placed_at),
        update_time=to_timestamp(value.history[-1].at if value.history else value.placed_at),
        shipments=[_shipment(value, s, reveal) for s in value.shipments],
        stock_step=value.saga.value,
        paid_time=to_timestamp(value.paid_at),
        confirm_time=to_timestamp(value.confirmed_at),
        deliver_time=to_timestamp(value.delivered_at),
        carrier=value.carrier or "",
        weight_grams=value.weight_grams or 0,
        cancel_reason=value.cancel_reason,
        needs_person_review=value.needs_person_review,
        contact_masked=not reveal,
    )
    if value.shipments:
        message.shipment.CopyFrom(_shipment(value, value.shipments[-1], reveal))
    reference = value.wave_reference_time()
    if reference is not None:
        wave = assign_wave(reference, waves)
        message.wave.CopyFrom(
            resources_pb2.WaveAssignment(
                wave_id=wave.wave_id,
                wave_date=wave.day.isoformat(),
                number=wave.number,
                deadline=to_timestamp(wave.deadline),
            )
        )
        last = value.shipments[-1].shipped_at if value.status.value in _DONE else None
        outcome = wave_outcome(wave, last, now)
        if outcome is not None and value.status.value != "CANCELLED":
            message.wave.on_time = outcome
    return message


_DONE = ("SHIPPED", "DELIVERED")


# ---------------------------------------------------------------------------- fulfilment


def review_batch(batch: StoredBatch) -> fulfilment_pb2.ReviewBatch:
    return fulfilment_pb2.ReviewBatch(
        batch_id=batch.batch_id,
        decisions=_decisions(batch.result),
        created_by=batch.created_by,
        create_time=to_timestamp(batch.created_at),
    )


def _decisions(result: ReviewBatchResult) -> list[fulfilment_pb2.ReviewDecision]:
    return [
        fulfilment_pb2.ReviewDecision(
            order_id=d.order_id,
            outcome=d.outcome.value,
            findings=[f.value for f in d.findings],
        )
        for d in result.decisions
    ]


def _items(items: Sequence[PickItem]) -> list[fulfilment_pb2.PickItem]:
    return [
        fulfilment_pb2.PickItem(sku_code=i.sku_code, bin_code=i.bin_code or "", quantity=i.quantity)
        for i in items
    ]


def order_pick_list(pick: OrderPickList) -> fulfilment_pb2.PickList:
    return fulfilment_pb2.PickList(
        items=_items(pick.items),
        orders=[fulfilment_pb2.OrderPickList(order_id=pick.order_id, items=_items(pick.items))],
        total_units=sum(i.quantity for i in pick.items),
    )


def batch_pick_list(
    batch_id: str, items: Sequence[PickItem], orders: Sequence[OrderPickList], skipped: list[str]
) -> fulfilment_pb2.PickList:
    return fulfilment_pb2.PickList(
        batch_id=batch_id,
        items=_items(items),
        orders=[
            fulfilment_pb2.OrderPickList(order_id=o.order_id, items=_items(o.items)) for o in orders
        ],
        skipped_order_ids=skipped,
        total_units=sum(i.quantity for i in items),
    )


def verification(
    result: VerificationResult, order_message: resources_pb2.Order
) -> fulfilment_pb2.Verification:
    return fulfilment_pb2.Verification(
        order_id=result.order_id,
        passed=result.passed,
        discrepancies=[
            fulfilment_pb2.Discrepancy(
                kind=d.kind.value,
                sku_code=d.sku_code,
                expected=d.expected,
                scanned=d.scanned,
                description=d.describe(),
            )
            for d in result.discrepancies
        ],
        order=order_message,
    )


def wave(report: WaveReport, *, with_orders: bool) -> fulfilment_pb2.Wave:
    decided = report.decided
    message = fulfilment_pb2.Wave(
        wave_id=report.wave.wave_id,
        wave_date=report.wave.day.isoformat(),
        number=report.wave.number,
        deadline=to_timestamp(report.wave.deadline),
        order_count=len(report.orders),
        shipped_count=report.shipped,
        on_time_count=report.on_time,
        on_time_rate=f"{report.on_time / decided:.4f}" if decided else "",
    )
    if with_orders:
        for o in report.orders:
            entry = message.orders.add(
                order_id=o.order_id,
                status=o.status.value,
                printable_time=to_timestamp(o.printable_at),
                ship_time=to_timestamp(o.shipped_at),
            )
            if o.on_time is not None:
                entry.on_time = o.on_time
    return message


# ---------------------------------------------------------------------------- after-sales


def refund(value: Refund, handled_by: str | None = None) -> asp.Refund:
    return asp.Refund(
        refund_id=value.refund_id,
        order_id=value.order_id,
        lines=[
            asp.RefundLine(line_no=ln.line_no, quantity=ln.quantity, amount=to_money(ln.amount))
            for ln in value.lines
        ],
        total=to_money(value.total),
        reason=value.reason,
        refund_time=to_timestamp(value.refunded_at),
        refunded_by=value.refunded_by,
        source=value.source,
        handled_by=handled_by or "",
    )


def after_sales(loaded: LoadedRequest, skus: dict[int, str]) -> asp.AfterSalesRequest:
    r = loaded.request
    message = asp.AfterSalesRequest(
        request_id=r.request_id,
        order_id=r.order_id,
        kind=r.kind.value,
        reason=r.reason.value,
        status=r.status.value,
        requested=[
            asp.AfterSalesLine(line_no=ln, quantity=q, sku_code=skus.get(ln, ""))
            for ln, q in r.requested
        ],
        received=[
            asp.AfterSalesLine(line_no=ln, quantity=q, sku_code=skus.get(ln, ""))
            for ln, q in r.received
        ],
        description=r.description,
        opened_by=r.opened_by,
        received_by=r.received_by or "",
        approved_by=r.approved_by or "",
        rejection_reason=r.rejection_reason,
        handled_by=r.handled_by or "",
        stock_return_step=loaded.steps.stock_return_step,
        replacement_step=loaded.steps.replacement_step,
        history=history(r.history),
        create_time=to_timestamp(r.opened_at),
        update_time=to_timestamp(r.history[-1].at if r.history else r.opened_at),
    )
    if r.verdict is not None:
        message.inspection.CopyFrom(
            asp.QcInspection(
                verdict=r.verdict.value,
                dispositions=[
                    asp.Disposition(line_no=ln, sellable=d.sellable, defective=d.defective)
                    for ln, d in r.dispositions
                ],
                inspected_by=r.inspected_by or "",
                note=_inspection_note(r.history),
            )
        )
    if r.refund is not None:
        message.refund.CopyFrom(refund(r.refund, r.handled_by))
    if r.replacement is not None:
        message.replacement.CopyFrom(
            asp.Replacement(
                items=[asp.ReplacementItem(sku_code=s, quantity=q) for s, q in r.replacement.items],
                carrier=r.replacement.carrier,
                tracking_number=r.replacement.tracking_number,
                ship_time=to_timestamp(r.replacement.shipped_at),
                shipped_by=r.replacement.shipped_by,
                remark=r.replacement.remark,
            )
        )
    return message


def _inspection_note(entries: Sequence[HistoryEntry]) -> str:  # type: ignore[type-arg]
    for entry in entries:
        if entry.from_status is not None and entry.from_status.value == "GOODS_RECEIVED":
            return entry.note
    return ""


# ---------------------------------------------------------------------------- cases


def logistics_exception(case: LogisticsException) -> cases_pb2.LogisticsException:
    return cases_pb2.LogisticsException(
        exception_id=case.exception_id,
        order_id=case.order_id,
        kind=case.kind.value,
        tracking_number=case.tracking_number,
        description=case.description,
        status=case.status.value,
        customer_notify_time=to_timestamp(case.customer_notified_at),
        resolution=case.resolution.value if case.resolution else None,
        resolution_note=case.resolution_note,
        resolve_time=to_timestamp(case.resolved_at),
        handled_by=case.handled_by or "",
        history=history(case.history),
        create_time=to_timestamp(case.opened_at),
    )


def complaint(case: Complaint) -> cases_pb2.Complaint:
    return cases_pb2.Complaint(
        complaint_id=case.complaint_id,
        kind=case.kind.value,
        description=case.description,
        order_id=case.order_id or "",
        status=case.status.value,
        resolution=case.resolution,
        end_time=to_timestamp(case.ended_at),
        handled_by=case.handled_by or "",
        history=history(case.history),
        create_time=to_timestamp(case.opened_at),
    )


def rating(review: CustomerReview, handled_by: str | None) -> cases_pb2.OrderRating:
    return cases_pb2.OrderRating(
        order_id=review.order_id,
        rating=review.rating,
        comment=review.comment,
        positive=review.is_positive(),
        rate_time=to_timestamp(review.reviewed_at),
        handled_by=handled_by or "",
    )


def invoice(invoice_id: str, value: InvoiceRequest) -> cases_pb2.Invoice:
    return cases_pb2.Invoice(
        invoice_id=invoice_id,
        order_id=value.order_id,
        title=value.title,
        tax_id=value.tax_id,
        amount=to_money(value.amount),
        request_time=to_timestamp(value.requested_at),
        requested_by=value.requested_by,
    )
