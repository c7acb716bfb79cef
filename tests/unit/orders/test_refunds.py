"""Refunds per line never exceed what the customer paid for that line."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.common.errors import DomainError, FailedPrecondition, InvalidArgument
from services.common.money import Money
from services.orders.domain.after_sales import (
    AfterSalesRequest,
    QcVerdict,
    open_after_sales,
)
from services.orders.domain.after_sales_rules import AfterSalesKind, ReturnReason
from services.orders.domain.refunds import (
    Refund,
    amounts_for_units,
    build_refund,
    refundable_by_line,
    refunded_by_line,
    total_refunded,
)
from services.orders.domain.returned_goods import UnitDisposition
from services.orders.domain.shipping import ShippingPolicy

from .factories import CLERK, T0, TRACKING, confirmed_order, delivered_order

NOW = T0 + timedelta(days=3)


def refund(order_id_order: object, amounts: dict[int, int], refund_id: str = "RF-1") -> Refund:
    return build_refund(
        order_id_order,  # type: ignore[arg-type]
        {ln: Money(amt, "CNY") for ln, amt in amounts.items()},
        [],
        refund_id=refund_id,
        reason="compensation",
        now=NOW,
        actor=CLERK,
    )


def test_nothing_refunded_leaves_every_line_refundable_in_full() -> None:
    order = delivered_order()
    assert refundable_by_line(order, []) == {1: Money(25_600, "CNY"), 2: Money(3_500, "CNY")}
    assert total_refunded(order, []) == Money(0, "CNY")


def test_refunds_reduce_what_is_left_per_line() -> None:
    order = delivered_order()
    first = refund(order, {1: 10_000})
    assert refunded_by_line(order, [first])[1] == Money(10_000, "CNY")
    assert refundable_by_line(order, [first])[1] == Money(15_600, "CNY")
    assert total_refunded(order, [first]) == Money(10_000, "CNY")


def test_a_line_can_be_refunded_exactly_in_full_but_not_one_fen_more() -> None:
    order = delivered_order()
    full = refund(order, {2: 3_500})
    with pytest.raises(FailedPrecondition) as err:
        build_refund(
            order, {2: Money(1, "CNY")}, [full], refund_id="RF-2", reason="r", now=NOW, actor=CLERK
        )
    assert err.value.reason == "REFUND_EXCEEDS_PAYMENT"
    assert "line 2" in err.value.message


def test_unit_price_times_units_gives_the_refund_for_returned_units() -> None:
    order = delivered_order()
    assert amounts_for_units(order, {1: 2, 2: 0}) == {1: Money(25_600, "CNY")}


def test_an_unpaid_order_has_nothing_to_refund() -> None:
    order = confirmed_order(paid=False)
    order.ship(
        "SF",
        TRACKING,
        now=NOW,
        actor=CLERK,
        weight_grams=1,
        policy=ShippingPolicy(require_paid=False),
    )
    assert refundable_by_line(order, [])[1] == Money(0, "CNY")
    with pytest.raises(FailedPrecondition) as err:
        refund(order, {1: 1})
    assert err.value.reason == "ORDER_NOT_PAID"


@pytest.mark.parametrize(
    "amounts", [{}, {1: Money(0, "CNY")}, {1: Money(-1, "CNY")}, {1: Money(1, "USD")}]
)
def test_malformed_refund_amounts_are_invalid_argument(amounts: dict[int, Money]) -> None:
    with pytest.raises(InvalidArgument):
        build_refund(
            delivered_order(), amounts, [], refund_id="RF-1", reason="r", now=NOW, actor=CLERK
        )


def test_a_refund_needs_a_reason() -> None:
    with pytest.raises(InvalidArgument):
        build_refund(
            delivered_order(),
            {1: Money(1, "CNY")},
            [],
            refund_id="RF-1",
            reason="",
            now=NOW,
            actor=CLERK,
        )


def test_refunds_of_another_order_are_a_programming_error() -> None:
    other = refund(delivered_order("O-2"), {1: 1})
    with pytest.raises(ValueError, match="not for order O-1"):
        refundable_by_line(delivered_order("O-1"), [other])


# A random mix of returns, refund-only requests, exchanges and compensations, in any order.
steps = st.lists(
    st.tuples(
        st.sampled_from(["return", "refund_only", "exchange", "compensate"]),
        st.integers(1, 2),  # line
        st.integers(1, 3),  # units
        st.integers(1, 30_000),  # compensation amount
        st.integers(0, 3),  # units received back (0 = fewer than asked)
    ),
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(steps=steps)
def test_refunds_never_exceed_payment_and_claims_never_exceed_shipments(
    steps: list[tuple[str, int, int, int, int]],
) -> None:
    order = delivered_order()
    requests: list[AfterSalesRequest] = []
    refunds: list[Refund] = []
    for n, (what, line, units, amount, back) in enumerate(steps):
        try:
            if what == "compensate":
                refunds.append(
                    build_refund(
                        order,
                        {line: Money(amount, "CNY")},
                        refunds,
                        refund_id=f"C-{n}",
                        reason="late",
                        now=NOW,
                        actor=CLERK,
                    )
                )
                continue
            kind = {
                "return": AfterSalesKind.RETURN,
                "refund_only": AfterSalesKind.REFUND_ONLY,
                "exchange": AfterSalesKind.EXCHANGE,
            }[what]
            request = open_after_sales(
                f"R-{n}",
                order,
                kind=kind,
                reason=ReturnReason.QUALITY_PROBLEM,
                quantities={line: units},
                other_requests=requests,
                now=NOW,
                actor="E1",
            )
            requests.append(request)
            if kind is not AfterSalesKind.REFUND_ONLY:
                got = min(back, units) or 1
                request.record_goods_received({line: got}, NOW, "E2")
                request.inspect(QcVerdict.RETURNABLE, {line: UnitDisposition(got, 0)}, NOW, "E3")
            request.approve(NOW, "E4")
            if kind is AfterSalesKind.EXCHANGE:
                request.ship_replacement(order, "SF", f"SF{n:010d}", now=NOW, actor="E5")
            else:
                refunds.append(
                    request.pay_refund(
                        order, refunds, refund_id=f"RF-{n}", reason="r", now=NOW, actor="E4"
                    )
                )
        except DomainError:
            continue
    paid = {line.line_no: line.line_total for line in order.lines}
    done = refunded_by_line(order, refunds)
    assert all(done[ln] <= paid[ln] for ln in paid)
    assert total_refunded(order, refunds) <= order.total
    claimed = {ln: 0 for ln in paid}
    for request in requests:
        for ln, qty in request.claimed_quantities().items():
            claimed[ln] += qty
    shipped = order.shipped_quantities()
    assert all(claimed[ln] <= shipped[ln] for ln in paid)
