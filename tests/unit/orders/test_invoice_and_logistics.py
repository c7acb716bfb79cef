"""Invoice requests and logistics exceptions (delay, loss, damage)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import pytest

from services.common.errors import FailedPrecondition, InvalidArgument
from services.common.money import Money
from services.orders.domain.invoice import InvoiceRequest, request_invoice
from services.orders.domain.logistics import (
    ExceptionKind,
    ExceptionStatus,
    LogisticsException,
    LogisticsPolicy,
    Resolution,
    open_logistics_exception,
)
from services.orders.domain.order import Order
from services.orders.domain.refunds import Refund, build_refund

from .factories import CLERK, T0, TRACKING, confirmed_order, delivered_order, shipped_order

NOW = T0 + timedelta(days=3)
USCC = "91330100MA27XXXX1A"


def invoice(
    order: Order,
    title: str = "杭州某某科技有限公司",
    tax_id: str = USCC,
    refunds: Sequence[Refund] = (),
) -> InvoiceRequest:
    return request_invoice(order, title=title, tax_id=tax_id, refunds=refunds, now=NOW, actor=CLERK)


# ------------------------------------------------------------------------------ invoices
def test_invoice_amount_is_the_order_total_without_refunds() -> None:
    request = invoice(delivered_order())
    assert request.amount == Money(29_100, "CNY")
    assert (request.title, request.tax_id) == ("杭州某某科技有限公司", USCC)


def test_invoice_amount_deducts_refunds() -> None:
    order = delivered_order()
    refund = build_refund(
        order, {2: Money(3_500, "CNY")}, [], refund_id="RF-1", reason="r", now=NOW, actor=CLERK
    )
    assert invoice(order, refunds=[refund]).amount == Money(25_600, "CNY")


def test_fully_refunded_order_has_nothing_to_invoice() -> None:
    order = delivered_order()
    refund = build_refund(
        order,
        {1: Money(25_600, "CNY"), 2: Money(3_500, "CNY")},
        [],
        refund_id="RF-1",
        reason="r",
        now=NOW,
        actor=CLERK,
    )
    with pytest.raises(FailedPrecondition) as err:
        invoice(order, refunds=[refund])
    assert err.value.reason == "NOTHING_TO_INVOICE"


def test_personal_invoice_needs_no_tax_id_and_tax_ids_are_upper_cased() -> None:
    assert invoice(confirmed_order(), title="张三", tax_id="").tax_id == ""
    assert invoice(confirmed_order(), tax_id=USCC.lower()).tax_id == USCC


@pytest.mark.parametrize("tax_id", ["12345678901234", "1" * 21, "91330100-MA27XXXX"])
def test_malformed_tax_ids_are_rejected(tax_id: str) -> None:
    with pytest.raises(InvalidArgument) as err:
        invoice(confirmed_order(), tax_id=tax_id)
    assert err.value.violations[0].field == "tax_id"


@pytest.mark.parametrize("tax_id", ["1" * 15, "1" * 20])
def test_tax_ids_of_15_to_20_characters_are_accepted(tax_id: str) -> None:
    assert invoice(confirmed_order(), tax_id=tax_id).tax_id == tax_id


def test_invoice_title_is_required_and_limited_to_100_characters() -> None:
    with pytest.raises(InvalidArgument):
        invoice(confirmed_order(), title=" ")
    assert invoice(confirmed_order(), title="x" * 100)
    with pytest.raises(InvalidArgument):
        invoice(confirmed_order(), title="x" * 101)


def test_unpaid_or_cancelled_orders_cannot_be_invoiced() -> None:
    with pytest.raises(FailedPrecondition) as err:
        invoice(confirmed_order(paid=False))
    assert err.value.reason == "ORDER_NOT_INVOICEABLE"
    cancelled = confirmed_order()
    cancelled.cancel("", NOW, CLERK)
    with pytest.raises(FailedPrecondition):
        invoice(cancelled)


# ------------------------------------------------------------------------------ logistics
def open_case(
    order: Order | None = None, kind: ExceptionKind = ExceptionKind.DELAY
) -> LogisticsException:
    return open_logistics_exception(
        "X-1", order or shipped_order(), kind, "no scan for 3 days", now=NOW, actor=CLERK
    )


def test_exception_opens_on_the_last_parcel_by_default() -> None:
    case = open_case()
    assert (case.status, case.tracking_number, case.order_id) == (
        ExceptionStatus.OPEN,
        TRACKING,
        "O-1",
    )


def test_exception_on_a_named_parcel_must_be_one_of_the_orders_parcels() -> None:
    order = shipped_order()
    with pytest.raises(FailedPrecondition) as err:
        open_logistics_exception(
            "X-1",
            order,
            ExceptionKind.LOSS,
            "lost",
            now=NOW,
            actor=CLERK,
            tracking_number="SF0000000000",
        )
    assert err.value.reason == "UNKNOWN_TRACKING_NUMBER"


def test_exception_needs_a_parcel_that_left() -> None:
    with pytest.raises(FailedPrecondition) as err:
        open_case(confirmed_order())
    assert err.value.reason == "ORDER_NOT_SHIPPED"


def test_damage_can_be_reported_after_delivery() -> None:
    assert open_case(delivered_order(), ExceptionKind.DAMAGE).kind is ExceptionKind.DAMAGE


def test_exception_is_resolved_after_work_and_customer_notification() -> None:
    case = open_case()
    assert case.start_work(NOW, CLERK)
    assert case.start_work(NOW, CLERK) is False
    assert case.record_customer_notified(NOW, CLERK)
    assert case.record_customer_notified(NOW, CLERK) is False
    assert case.resolve(Resolution.DELIVERED_LATE, "arrived day 5", NOW, CLERK)
    assert (case.status, case.resolution, case.resolved_at) == (
        ExceptionStatus.RESOLVED,
        Resolution.DELIVERED_LATE,
        NOW,
    )
    assert [h.to_status for h in case.history] == [
        ExceptionStatus.OPEN,
        ExceptionStatus.IN_PROGRESS,
        ExceptionStatus.IN_PROGRESS,
        ExceptionStatus.RESOLVED,
    ]


def test_resolving_before_telling_the_customer_is_refused() -> None:
    case = open_case()
    case.start_work(NOW, CLERK)
    with pytest.raises(FailedPrecondition) as err:
        case.resolve(Resolution.RESHIPPED, "", NOW, CLERK)
    assert err.value.reason == "CUSTOMER_NOT_NOTIFIED"
    relaxed = LogisticsPolicy(require_customer_notified=False)
    assert case.resolve(Resolution.RESHIPPED, "", NOW, CLERK, relaxed)


def test_resolving_straight_from_open_is_refused() -> None:
    case = open_case()
    case.record_customer_notified(NOW, CLERK)
    with pytest.raises(FailedPrecondition) as err:
        case.resolve(Resolution.REFUNDED, "", NOW, CLERK)
    assert err.value.reason == "ILLEGAL_EXCEPTION_TRANSITION"


def test_damaged_parcel_cannot_be_resolved_as_delivered_late() -> None:
    case = open_case(kind=ExceptionKind.DAMAGE)
    case.start_work(NOW, CLERK)
    case.record_customer_notified(NOW, CLERK)
    with pytest.raises(FailedPrecondition) as err:
        case.resolve(Resolution.DELIVERED_LATE, "", NOW, CLERK)
    assert err.value.reason == "RESOLUTION_NOT_ALLOWED"


def test_resolving_again_is_a_no_op_and_another_resolution_is_refused() -> None:
    case = open_case(kind=ExceptionKind.LOSS)
    case.start_work(NOW, CLERK)
    case.record_customer_notified(NOW, CLERK)
    case.resolve(Resolution.RESHIPPED, "new parcel SF2", NOW, CLERK)
    assert case.resolve(Resolution.RESHIPPED, "new parcel SF2", NOW, CLERK) is False
    with pytest.raises(FailedPrecondition):
        case.resolve(Resolution.REFUNDED, "", NOW, CLERK)


def test_exception_is_attributed_to_its_handler() -> None:
    case = open_case()
    case.assign_handler("E7001")
    assert case.handled_by == "E7001"
