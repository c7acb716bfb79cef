"""Seed 003 篇1 (四): collected payments only, misconduct forfeiture, leaving rules."""

from __future__ import annotations

from datetime import date

import pytest

from services.common.errors import InvalidArgument
from services.common.money import Money
from services.performance.domain.commission_conditions import (
    CommissionAccrual,
    Employment,
    LeavingRules,
    OrderPayment,
    PaymentOutcome,
    ReturnRefund,
    collection_cutoff,
    commission_base,
    decide_payment,
    forfeit_unpaid_commission,
)
from services.performance.domain.period import YearMonth

JUNE = YearMonth(2024, 6)


def cny(minor: int) -> Money:
    return Money(minor, "CNY")


def pay(
    order: str, amount: int, ordered: date, collected: date | None, shop: str = "TMALL"
) -> OrderPayment:
    return OrderPayment(order, shop, cny(amount), ordered, collected)


def test_only_payments_received_in_the_month_count_and_returns_deduct() -> None:
    payments = [
        pay("O1", 100_000, date(2024, 5, 28), date(2024, 6, 1), "AMAZON"),  # paid in June
        pay("O2", 50_000, date(2024, 6, 10), date(2024, 6, 30), "OWN_SHOP"),
        pay("O3", 70_000, date(2024, 6, 20), None),  # not received
        pay("O4", 20_000, date(2024, 6, 25), date(2024, 7, 1)),  # received in July
        pay("O5", 10_000, date(2024, 5, 1), date(2024, 5, 31)),  # received in May
    ]
    refunds = [
        ReturnRefund("O1", cny(30_000), date(2024, 6, 15)),
        ReturnRefund("O5", cny(10_000), date(2024, 7, 2)),
    ]
    result = commission_base(payments, refunds, JUNE, "CNY")
    assert result.collected == cny(150_000)
    assert result.refunded == cny(30_000)
    assert result.base == cny(120_000)
    outcomes = {d.payment.order_id: d.outcome for d in result.decisions}
    assert outcomes["O3"] is PaymentOutcome.NOT_COLLECTED
    assert outcomes["O4"] is PaymentOutcome.COLLECTED_IN_OTHER_MONTH


def test_base_never_goes_below_zero() -> None:
    result = commission_base(
        [pay("O1", 1_000, date(2024, 6, 1), date(2024, 6, 2))],
        [ReturnRefund("O0", cny(5_000), date(2024, 6, 3))],
        JUNE,
        "CNY",
    )
    assert result.base == cny(0)


def test_anniversary_day_counts_as_a_full_year() -> None:
    hired = date(2023, 6, 10)
    assert Employment("E1", hired, date(2024, 6, 9)).left_within_first_year()
    assert not Employment("E1", hired, date(2024, 6, 10)).left_within_first_year()


def test_hire_on_29_february_completes_the_year_on_1_march() -> None:
    employment = Employment("E1", date(2024, 2, 29), date(2025, 2, 28))
    assert employment.first_anniversary() == date(2025, 3, 1)
    assert employment.left_within_first_year()


def test_first_year_leaver_counts_payments_received_up_to_and_including_the_leaving_day() -> None:
    leaver = Employment("E1", date(2024, 1, 15), date(2024, 6, 20))
    on_leaving_day = pay("O1", 1, date(2024, 6, 18), date(2024, 6, 20))
    day_after = pay("O2", 1, date(2024, 6, 18), date(2024, 6, 21))
    assert decide_payment(on_leaving_day, JUNE, leaver).counted
    assert decide_payment(day_after, JUNE, leaver).outcome is (
        PaymentOutcome.COLLECTED_AFTER_LEAVING_FIRST_YEAR
    )


def test_strict_reading_excludes_payment_on_the_leaving_day() -> None:
    leaver = Employment("E1", date(2024, 1, 15), date(2024, 6, 20))
    strict = LeavingRules(count_leaving_day=False)
    assert collection_cutoff(leaver, strict) == date(2024, 6, 19)
    assert not decide_payment(
        pay("O1", 1, date(2024, 6, 18), date(2024, 6, 20)), JUNE, leaver, strict
    ).counted


def test_after_a_year_payment_on_day_15_counts_and_day_16_does_not() -> None:
    leaver = Employment("E1", date(2023, 1, 1), date(2024, 6, 10))
    assert collection_cutoff(leaver) == date(2024, 6, 25)
    day_15 = pay("O1", 1, date(2024, 6, 9), date(2024, 6, 25))
    day_16 = pay("O2", 1, date(2024, 6, 9), date(2024, 6, 26))
    assert decide_payment(day_15, JUNE, leaver).counted
    assert decide_payment(day_16, JUNE, leaver).outcome is (
        PaymentOutcome.COLLECTED_AFTER_GRACE_PERIOD
    )


def test_grace_period_reaches_into_the_next_month() -> None:
    leaver = Employment("E1", date(2020, 3, 1), date(2024, 6, 25))
    july = YearMonth(2024, 7)
    assert decide_payment(pay("O1", 1, date(2024, 6, 24), date(2024, 7, 10)), july, leaver).counted
    assert not decide_payment(
        pay("O2", 1, date(2024, 6, 24), date(2024, 7, 11)), july, leaver
    ).counted


def test_orders_placed_after_leaving_never_count_for_the_leaver() -> None:
    leaver = Employment("E1", date(2020, 3, 1), date(2024, 6, 10))
    decision = decide_payment(pay("O1", 1, date(2024, 6, 11), date(2024, 6, 12)), JUNE, leaver)
    assert decision.outcome is PaymentOutcome.ORDERED_AFTER_LEAVING


def test_leavers_base_keeps_only_qualifying_payments_with_returns_still_deducted() -> None:
    leaver = Employment("E1", date(2024, 2, 1), date(2024, 6, 15))  # first-year leaver
    payments = [
        pay("O1", 80_000, date(2024, 6, 1), date(2024, 6, 15)),
        pay("O2", 50_000, date(2024, 6, 14), date(2024, 6, 16)),
    ]
    refunds = [ReturnRefund("O9", cny(10_000), date(2024, 6, 28))]
    group = commission_base(payments, refunds, JUNE, "CNY")
    mine = commission_base(payments, refunds, JUNE, "CNY", employment=leaver)
    assert group.base == cny(120_000)
    assert mine.base == cny(70_000)


def test_still_employed_has_no_cutoff() -> None:
    assert collection_cutoff(Employment("E1", date(2024, 1, 1))) is None


def test_leave_before_hire_is_rejected() -> None:
    with pytest.raises(InvalidArgument) as err:
        Employment("E1", date(2024, 1, 1), date(2023, 12, 31))
    assert err.value.reason == "LEAVE_BEFORE_HIRE"


def test_misconduct_forfeits_unpaid_commission_but_paid_stays_paid() -> None:
    accruals = [
        CommissionAccrual("E1", YearMonth(2024, 4), cny(10_000), date(2024, 5, 10)),
        CommissionAccrual("E1", YearMonth(2024, 5), cny(20_000), date(2024, 6, 10)),  # found day
        CommissionAccrual("E1", YearMonth(2024, 6), cny(30_000), None),
        CommissionAccrual("E1", YearMonth(2024, 7), cny(40_000), date(2024, 8, 10)),  # later
    ]
    result = forfeit_unpaid_commission(accruals, misconduct_found_on=date(2024, 6, 10))
    assert [a.month.month for a in result.kept] == [4, 5]
    assert [a.month.month for a in result.forfeited] == [6, 7]
