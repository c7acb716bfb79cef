"""After-sales: returns, exchanges and refunds from opening to money or replacement parcel."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.common.errors import FailedPrecondition, InvalidArgument
from services.common.money import Money
from services.orders.domain.after_sales import (
    AfterSalesRequest,
    AfterSalesStatus,
    QcVerdict,
    open_after_sales,
)
from services.orders.domain.after_sales_rules import (
    AfterSalesKind,
    AfterSalesPolicy,
    ReturnReason,
)
from services.orders.domain.order import Order
from services.orders.domain.refunds import build_refund
from services.orders.domain.returned_goods import EXCHANGE_REMARK, ReturnedGoods, UnitDisposition

from .factories import CLERK, T0, TRACKING, confirmed_order, delivered_order, shipped_order

CS, KEEPER, QC, STATS = "E3001", "E4001", "E5001", "E6001"
DELIVERED_AT = T0 + timedelta(days=2)  # see factories.delivered_order
NOW = DELIVERED_AT + timedelta(days=1)


def open_request(
    order: Order,
    quantities: dict[int, int] | None = None,
    *,
    kind: AfterSalesKind = AfterSalesKind.RETURN,
    reason: ReturnReason = ReturnReason.QUALITY_PROBLEM,
    others: tuple[AfterSalesRequest, ...] = (),
    request_id: str = "R-1",
    now: object = None,
    policy: AfterSalesPolicy | None = None,
) -> AfterSalesRequest:
    return open_after_sales(
        request_id,
        order,
        kind=kind,
        reason=reason,
        quantities=quantities or {1: 1},
        other_requests=others,
        now=now or NOW,  # type: ignore[arg-type]
        actor=CS,
        policy=policy,
    )


def inspected(order: Order, request: AfterSalesRequest, sellable: int = 1) -> None:
    request.record_goods_received(dict(request.requested), NOW, KEEPER)
    received = dict(request.received)
    splits = {
        ln: UnitDisposition(min(sellable, qty), qty - min(sellable, qty))
        for ln, qty in received.items()
    }
    request.inspect(QcVerdict.RETURNABLE, splits, NOW, QC)


# ------------------------------------------------------------------------------ opening
@pytest.mark.parametrize(
    "reason", [ReturnReason.QUALITY_PROBLEM, ReturnReason.WRONG_SPEC, ReturnReason.WRONG_COLOR]
)
def test_seed_reasons_are_accepted(reason: ReturnReason) -> None:
    request = open_request(delivered_order(), reason=reason)
    assert request.status is AfterSalesStatus.OPENED
    assert request.requested == ((1, 1),)
    assert request.history[0].to_status is AfterSalesStatus.OPENED


@pytest.mark.parametrize("kind", list(AfterSalesKind))
def test_customer_damage_is_refused_for_every_kind(kind: AfterSalesKind) -> None:
    with pytest.raises(FailedPrecondition) as err:
        open_request(delivered_order(), kind=kind, reason=ReturnReason.CUSTOMER_DAMAGE)
    assert err.value.reason == "RETURN_REASON_NOT_ACCEPTED"
    assert "damage caused by the customer is not accepted" in err.value.message


def test_other_reasons_follow_the_policy() -> None:
    with pytest.raises(FailedPrecondition) as err:
        open_request(delivered_order(), reason=ReturnReason.OTHER)
    assert err.value.reason == "RETURN_REASON_NOT_ACCEPTED"
    assert "QUALITY_PROBLEM, WRONG_SPEC, WRONG_COLOR, NO_REASON" in err.value.message
    lenient = AfterSalesPolicy(
        accepted_reasons=frozenset(ReturnReason) - {ReturnReason.CUSTOMER_DAMAGE}
    )
    assert open_request(delivered_order(), reason=ReturnReason.OTHER, policy=lenient)


def test_a_policy_can_never_accept_customer_damage() -> None:
    with pytest.raises(ValueError, match="never accepted"):
        AfterSalesPolicy(accepted_reasons=frozenset({ReturnReason.CUSTOMER_DAMAGE}))


def test_no_reason_return_is_accepted_up_to_exactly_seven_days_after_delivery() -> None:
    order = delivered_order()
    deadline = DELIVERED_AT + timedelta(days=7)
    assert open_request(order, reason=ReturnReason.NO_REASON, now=deadline)
    with pytest.raises(FailedPrecondition) as err:
        open_request(order, reason=ReturnReason.NO_REASON, now=deadline + timedelta(microseconds=1))
    assert err.value.reason == "RETURN_WINDOW_EXPIRED"


def test_no_reason_window_is_thirty_days_on_amazon() -> None:
    order = delivered_order(channel="AMAZON")
    assert open_request(order, reason=ReturnReason.NO_REASON, now=DELIVERED_AT + timedelta(days=30))


def test_no_reason_window_counts_from_shipping_when_no_delivery_was_recorded() -> None:
    order = shipped_order()
    shipped_at = order.shipments[-1].shipped_at
    with pytest.raises(FailedPrecondition):
        open_request(order, reason=ReturnReason.NO_REASON, now=shipped_at + timedelta(days=8))


def test_quality_problems_have_no_window() -> None:
    assert open_request(delivered_order(), now=DELIVERED_AT + timedelta(days=90))


def test_requests_need_a_shipped_order() -> None:
    with pytest.raises(FailedPrecondition) as err:
        open_request(confirmed_order())
    assert err.value.reason == "ORDER_NOT_SHIPPED"


def test_only_shipped_units_of_a_split_order_can_be_claimed() -> None:
    order = confirmed_order()
    order.ship_parcel({1: 1}, "SF", TRACKING, now=T0, actor=CLERK, weight_grams=300)
    assert open_request(order, {1: 1})
    with pytest.raises(FailedPrecondition) as err:
        open_request(order, {2: 1})
    assert err.value.reason == "RETURN_QUANTITY_EXCEEDS_SHIPPED"


def test_a_line_can_be_claimed_up_to_exactly_what_was_shipped() -> None:
    order = delivered_order()  # line 1: 2 units
    assert open_request(order, {1: 2})
    with pytest.raises(FailedPrecondition) as err:
        open_request(order, {1: 3})
    assert "line 1 (TEA-LJ-250): 3 asked, 2 claimable" in err.value.message


def test_earlier_requests_reduce_what_can_be_claimed() -> None:
    order = delivered_order()
    first = open_request(order, {1: 1}, request_id="R-1")
    assert open_request(order, {1: 1}, others=(first,), request_id="R-2")
    with pytest.raises(FailedPrecondition):
        open_request(order, {1: 2}, others=(first,), request_id="R-2")


def test_rejected_and_cancelled_requests_claim_nothing() -> None:
    order = delivered_order()
    rejected = open_request(order, {1: 2}, request_id="R-1")
    rejected.reject("photos show no defect", NOW, CS)
    cancelled = open_request(order, {1: 2}, request_id="R-2")
    cancelled.cancel(NOW, CS)
    assert open_request(order, {1: 2}, others=(rejected, cancelled), request_id="R-3")


def test_fewer_units_received_than_requested_frees_the_rest() -> None:
    order = delivered_order()
    first = open_request(order, {1: 2})
    first.record_goods_received({1: 1}, NOW, KEEPER)
    assert first.claimed_quantities() == {1: 1}
    assert open_request(order, {1: 1}, others=(first,), request_id="R-2")


@pytest.mark.parametrize("quantities", [{}, {9: 1}, {1: 0}, {1: -2}])
def test_malformed_request_lines_are_invalid_argument(quantities: dict[int, int]) -> None:
    with pytest.raises(InvalidArgument):
        open_after_sales(
            "R-1",
            delivered_order(),
            kind=AfterSalesKind.RETURN,
            reason=ReturnReason.QUALITY_PROBLEM,
            quantities=quantities,
            other_requests=(),
            now=NOW,
            actor=CS,
        )


def test_requests_of_another_order_are_a_programming_error() -> None:
    stranger = open_request(delivered_order("O-2"))
    with pytest.raises(ValueError, match="not for order O-1"):
        open_request(delivered_order("O-1"), others=(stranger,), request_id="R-9")


# ------------------------------------------------------------------------------ return flow
def test_return_flow_ends_in_a_refund_of_unit_price_times_units_returned() -> None:
    order = delivered_order()  # line 1: 2 × 128.00
    request = open_request(order, {1: 2})
    assert request.record_goods_received({1: 2}, NOW, KEEPER)
    assert request.received_by == KEEPER
    assert request.inspect(
        QcVerdict.RETURNABLE, {1: UnitDisposition(sellable=1, defective=1)}, NOW, QC
    )
    assert request.approve(NOW, STATS)
    refund = request.pay_refund(
        order, [], refund_id="RF-1", reason="quality problem confirmed", now=NOW, actor=STATS
    )
    assert request.status is AfterSalesStatus.REFUNDED
    assert refund.total == Money(25_600, "CNY")
    assert [(ln.line_no, ln.quantity, ln.amount) for ln in refund.lines] == [
        (1, 2, Money(25_600, "CNY"))
    ]
    assert (refund.order_id, refund.source, refund.reason) == (
        "O-1",
        "R-1",
        "quality problem confirmed",
    )
    assert [h.to_status for h in request.history] == [
        AfterSalesStatus.OPENED,
        AfterSalesStatus.GOODS_RECEIVED,
        AfterSalesStatus.INSPECTED,
        AfterSalesStatus.APPROVED,
        AfterSalesStatus.REFUNDED,
    ]


def test_refund_pays_for_units_received_not_units_requested() -> None:
    order = delivered_order()
    request = open_request(order, {1: 2})
    request.record_goods_received({1: 1}, NOW, KEEPER)
    request.inspect(QcVerdict.RETURNABLE, {1: UnitDisposition(1, 0)}, NOW, QC)
    request.approve(NOW, STATS)
    refund = request.pay_refund(order, [], refund_id="RF-1", reason="r", now=NOW, actor=STATS)
    assert refund.total == Money(12_800, "CNY")


def test_returned_goods_go_to_stock_or_to_defective_stock_per_sku() -> None:
    order = delivered_order()
    request = open_request(order, {1: 2, 2: 1})
    request.record_goods_received({1: 2, 2: 1}, NOW, KEEPER)
    request.inspect(
        QcVerdict.RETURNABLE, {1: UnitDisposition(1, 1), 2: UnitDisposition(0, 1)}, NOW, QC
    )
    assert request.goods_disposition(order) == (
        ReturnedGoods("CUP-E", to_stock=0, to_defective=1),
        ReturnedGoods("TEA-LJ-250", to_stock=1, to_defective=1),
    )


def test_counting_more_than_requested_is_refused() -> None:
    request = open_request(delivered_order(), {1: 1})
    with pytest.raises(InvalidArgument) as err:
        request.record_goods_received({1: 2}, NOW, KEEPER)
    assert "open another request" in err.value.message


@pytest.mark.parametrize("counts", [{1: 0}, {}, {2: 1}, {1: -1}])
def test_goods_received_needs_units_of_requested_lines(counts: dict[int, int]) -> None:
    with pytest.raises(InvalidArgument):
        open_request(delivered_order(), {1: 1}).record_goods_received(counts, NOW, KEEPER)


def test_counting_again_with_the_same_count_is_a_no_op() -> None:
    request = open_request(delivered_order(), {1: 1})
    request.record_goods_received({1: 1}, NOW, KEEPER)
    assert request.record_goods_received({1: 1}, NOW, KEEPER) is False


def test_qc_finding_customer_damage_rejects_the_return() -> None:
    order = delivered_order()
    request = open_request(order, {1: 1})
    request.record_goods_received({1: 1}, NOW, KEEPER)
    assert request.inspect(QcVerdict.CUSTOMER_DAMAGE, {}, NOW, QC)
    assert request.status is AfterSalesStatus.REJECTED
    assert "customer" in request.rejection_reason
    assert request.goods_disposition(order) == ()
    assert request.claimed_quantities() == {}
    with pytest.raises(FailedPrecondition):
        request.approve(NOW, STATS)


def test_every_received_unit_must_be_classed_sellable_or_defective() -> None:
    request = open_request(delivered_order(), {1: 2})
    request.record_goods_received({1: 2}, NOW, KEEPER)
    bad_splits: list[dict[int, UnitDisposition]] = [
        {1: UnitDisposition(1, 0)},
        {},
        {1: UnitDisposition(2, 1)},
        {2: UnitDisposition(1, 0)},
    ]
    for splits in bad_splits:
        with pytest.raises(InvalidArgument):
            request.inspect(QcVerdict.RETURNABLE, splits, NOW, QC)
    assert request.status is AfterSalesStatus.GOODS_RECEIVED


def test_inspecting_or_approving_again_is_a_no_op() -> None:
    order = delivered_order()
    request = open_request(order)
    inspected(order, request)
    assert request.inspect(QcVerdict.RETURNABLE, {1: UnitDisposition(1, 0)}, NOW, QC) is False
    assert request.approve(NOW, STATS) is True
    assert request.approve(NOW, STATS) is False


def test_negative_dispositions_are_refused() -> None:
    request = open_request(delivered_order(), {1: 1})
    request.record_goods_received({1: 1}, NOW, KEEPER)
    with pytest.raises(InvalidArgument):
        request.inspect(QcVerdict.RETURNABLE, {1: UnitDisposition(2, -1)}, NOW, QC)


def test_the_qc_inspector_cannot_also_approve() -> None:
    order = delivered_order()
    request = open_request(order)
    inspected(order, request)
    with pytest.raises(FailedPrecondition) as err:
        request.approve(NOW, QC)
    assert err.value.reason == "APPROVER_IS_INSPECTOR"
    assert request.approve(NOW, QC, AfterSalesPolicy(require_separate_approver=False))


def test_approval_before_inspection_is_refused() -> None:
    request = open_request(delivered_order())
    with pytest.raises(FailedPrecondition) as err:
        request.approve(NOW, STATS)
    assert err.value.reason == "ILLEGAL_AFTER_SALES_TRANSITION"
    assert "allowed only from INSPECTED" in err.value.message


def test_refund_before_approval_is_refused() -> None:
    order = delivered_order()
    request = open_request(order)
    inspected(order, request)
    with pytest.raises(FailedPrecondition):
        request.pay_refund(order, [], refund_id="RF-1", reason="r", now=NOW, actor=STATS)


def test_refund_retried_with_the_same_id_returns_the_same_refund() -> None:
    order = delivered_order()
    request = open_request(order)
    inspected(order, request)
    request.approve(NOW, STATS)
    first = request.pay_refund(order, [], refund_id="RF-1", reason="r", now=NOW, actor=STATS)
    again = request.pay_refund(order, [first], refund_id="RF-1", reason="r", now=NOW, actor=STATS)
    assert again is first
    with pytest.raises(FailedPrecondition):
        request.pay_refund(order, [first], refund_id="RF-2", reason="r", now=NOW, actor=STATS)


def test_refund_cannot_exceed_what_was_paid_minus_earlier_refunds() -> None:
    order = delivered_order()  # line 1 paid 256.00
    compensation = build_refund(
        order, {1: Money(20_000, "CNY")}, [], refund_id="RF-0", reason="late", now=NOW, actor=CS
    )
    request = open_request(order, {1: 1})
    inspected(order, request)
    request.approve(NOW, STATS)
    with pytest.raises(FailedPrecondition) as err:
        request.pay_refund(
            order, [compensation], refund_id="RF-1", reason="r", now=NOW, actor=STATS
        )
    assert err.value.reason == "REFUND_EXCEEDS_PAYMENT"
    assert request.status is AfterSalesStatus.APPROVED


# ------------------------------------------------------------------------------ refund only
def test_refund_only_needs_no_goods_back() -> None:
    order = delivered_order()
    request = open_request(order, {2: 1}, kind=AfterSalesKind.REFUND_ONLY)
    with pytest.raises(FailedPrecondition) as err:
        request.record_goods_received({2: 1}, NOW, KEEPER)
    assert err.value.reason == "WRONG_AFTER_SALES_KIND"
    request.approve(NOW, STATS)
    refund = request.pay_refund(order, [], refund_id="RF-1", reason="r", now=NOW, actor=STATS)
    assert refund.total == Money(3_500, "CNY")
    assert request.goods_disposition(order) == ()


# ------------------------------------------------------------------------------ exchange
def exchange_ready(order: Order, quantities: dict[int, int]) -> AfterSalesRequest:
    request = open_request(
        order, quantities, kind=AfterSalesKind.EXCHANGE, reason=ReturnReason.WRONG_SPEC
    )
    inspected(order, request, sellable=99)
    request.approve(NOW, STATS)
    return request


def test_exchange_ships_the_same_items_marked_exchange_after_approval() -> None:
    order = delivered_order()
    request = exchange_ready(order, {1: 2})
    assert request.ship_replacement(order, "SF", "SF7777777777", now=NOW, actor=CLERK)
    assert request.status is AfterSalesStatus.REPLACEMENT_SHIPPED
    assert request.replacement is not None
    assert request.replacement.items == (("TEA-LJ-250", 2),)
    assert request.replacement.remark == EXCHANGE_REMARK
    assert request.history[-1].note.startswith("EXCHANGE")
    assert request.ship_replacement(order, "SF", "SF7777777777", now=NOW, actor=CLERK) is False


def test_exchange_may_send_another_spec_with_the_same_number_of_units() -> None:
    order = delivered_order()
    request = exchange_ready(order, {1: 2})
    request.ship_replacement(
        order, "SF", "SF7777777777", now=NOW, actor=CLERK, items={"TEA-LJ-500": 2}
    )
    assert request.replacement is not None
    assert request.replacement.items == (("TEA-LJ-500", 2),)


def test_exchange_replacement_must_match_the_units_returned() -> None:
    order = delivered_order()
    request = exchange_ready(order, {1: 2})
    with pytest.raises(InvalidArgument):
        request.ship_replacement(
            order, "SF", "SF7777777777", now=NOW, actor=CLERK, items={"TEA-LJ-500": 3}
        )


def test_replacement_cannot_ship_before_the_statistician_approves() -> None:
    order = delivered_order()
    request = open_request(order, kind=AfterSalesKind.EXCHANGE, reason=ReturnReason.WRONG_COLOR)
    inspected(order, request)
    with pytest.raises(FailedPrecondition):
        request.ship_replacement(order, "SF", "SF7777777777", now=NOW, actor=CLERK)


def test_an_exchange_is_never_refunded() -> None:
    order = delivered_order()
    request = exchange_ready(order, {1: 1})
    with pytest.raises(FailedPrecondition) as err:
        request.pay_refund(order, [], refund_id="RF-1", reason="r", now=NOW, actor=STATS)
    assert err.value.reason == "WRONG_AFTER_SALES_KIND"


# ------------------------------------------------------------------------------ reject / cancel
def test_reject_needs_a_reason_and_is_idempotent() -> None:
    request = open_request(delivered_order())
    with pytest.raises(InvalidArgument):
        request.reject(" ", NOW, CS)
    assert request.reject("outside policy", NOW, CS)
    assert request.reject("outside policy", NOW, CS) is False


def test_customer_can_withdraw_only_before_goods_come_back() -> None:
    request = open_request(delivered_order())
    request.record_goods_received({1: 1}, NOW, KEEPER)
    with pytest.raises(FailedPrecondition):
        request.cancel(NOW, CS)
    fresh = open_request(delivered_order(), request_id="R-2")
    assert fresh.cancel(NOW, CS)
    assert fresh.cancel(NOW, CS) is False


def test_request_is_attributed_to_its_handler() -> None:
    request = open_request(delivered_order())
    request.assign_handler(CS)
    assert request.handled_by == CS


# ------------------------------------------------------------------------------ booking goods
def test_approved_return_owes_its_goods_to_inventory_until_booked() -> None:
    order = delivered_order()
    request = open_request(order, {1: 2})
    request.record_goods_received({1: 2}, NOW, KEEPER)
    request.inspect(QcVerdict.RETURNABLE, {1: UnitDisposition(1, 1)}, NOW, QC)
    assert request.goods_to_book(order) == ()  # not approved yet
    request.approve(NOW, STATS)
    assert request.goods_to_book(order) == (ReturnedGoods("TEA-LJ-250", 1, 1),)
    assert request.record_goods_booked(NOW) is True
    assert request.goods_to_book(order) == ()
    assert request.record_goods_booked(NOW) is False


def test_refund_only_and_customer_damage_owe_no_goods() -> None:
    order = delivered_order()
    refund_only = open_request(order, {1: 1}, kind=AfterSalesKind.REFUND_ONLY)
    refund_only.approve(NOW, STATS)
    assert refund_only.goods_to_book(order) == ()
    damaged = open_request(order, {2: 1}, request_id="R-2")
    damaged.record_goods_received({2: 1}, NOW, KEEPER)
    damaged.inspect(QcVerdict.CUSTOMER_DAMAGE, {}, NOW, QC)
    assert damaged.status is AfterSalesStatus.REJECTED
    assert damaged.goods_to_book(order) == ()


def test_return_stock_id_is_derived_from_the_request() -> None:
    from services.orders.domain.intake import return_stock_id

    assert return_stock_id("R-1") == "ret-R-1"
