"""Seed 004 考勤制度 2-3: lateness, absence, day wage, bonus cap."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.common.errors import InvalidArgument
from services.common.money import Money
from services.performance.domain.attendance import (
    AttendanceDeduction,
    AttendanceFact,
    AttendanceKind,
    AttendanceSettings,
    Charge,
    attendance_deduction,
    day_wage,
)
from services.performance.domain.period import YearMonth

MAY = YearMonth(2024, 5)
LATE = AttendanceKind.LATE
EARLY = AttendanceKind.EARLY_LEAVE
HALF = AttendanceKind.ABSENT_HALF_DAY
FULL = AttendanceKind.ABSENT_FULL_DAY
BASE = Money(200_000, "CNY")  # 2,000.00
BONUS = Money(50_000, "CNY")  # 500.00


def fact(day: int, kind: AttendanceKind, minutes: int = 0) -> AttendanceFact:
    return AttendanceFact(date(2024, 5, day), kind, minutes)


def deduct(*facts: AttendanceFact, bonus: Money = BONUS) -> AttendanceDeduction:
    return attendance_deduction(facts, MAY, base_salary=BASE, performance_bonus=bonus)


def test_day_wage_is_base_over_21_75_rounded_half_up() -> None:
    # 200,000 / 21.75 = 9,195.40 → 9,195; 350,000 / 21.75 = 16,091.95 → 16,092.
    assert day_wage(BASE) == Money(9_195, "CNY")
    assert day_wage(Money(350_000, "CNY")) == Money(16_092, "CNY")


def test_first_three_minor_latenesses_are_free() -> None:
    result = deduct(fact(2, LATE, 5), fact(3, EARLY, 15), fact(6, LATE, 1))
    assert result.bonus_deduction == Money(0, "CNY")
    assert result.wage_line() is None
    assert result.bonus_line() is None


def test_fourth_minor_lateness_costs_5_percent_of_the_bonus() -> None:
    result = deduct(fact(2, LATE, 5), fact(3, EARLY, 15), fact(6, LATE, 1), fact(7, LATE, 15))
    assert result.bonus_deduction == Money(2_500, "CNY")
    assert [c.charge for c in result.charged].count(Charge.FREE_MINOR_LATENESS) == 3
    assert result.charged[-1].charge is Charge.MINOR_LATENESS  # the latest one is charged
    line = result.bonus_line()
    assert line is not None
    assert line.amount == Money(-2_500, "CNY")


def test_lateness_of_16_minutes_costs_a_day_wage_and_10_percent() -> None:
    result = deduct(fact(2, LATE, 16))
    assert result.charged[0].charge is Charge.LONG_LATENESS
    assert result.wage_deduction == Money(9_195, "CNY")
    assert result.bonus_deduction == Money(5_000, "CNY")


def test_long_lateness_does_not_use_up_a_free_time() -> None:
    result = deduct(fact(2, LATE, 40), fact(3, LATE, 5), fact(4, LATE, 5), fact(5, EARLY, 5))
    assert result.bonus_share_claimed == Decimal("0.10")


def test_half_day_absence_costs_two_day_wages_and_20_percent() -> None:
    result = deduct(fact(8, HALF))
    assert result.wage_deduction == Money(18_390, "CNY")
    assert result.bonus_deduction == Money(10_000, "CNY")


def test_full_day_absence_costs_three_day_wages_and_50_percent() -> None:
    result = deduct(fact(8, FULL))
    assert result.wage_deduction == Money(27_585, "CNY")
    assert result.bonus_deduction == Money(25_000, "CNY")


def test_bonus_deduction_is_capped_at_the_whole_bonus() -> None:
    result = deduct(fact(6, FULL), fact(8, FULL), fact(9, HALF))  # 50 + 50 + 20 = 120%
    assert result.bonus_share_claimed == Decimal("1.20")
    assert result.bonus_share_applied == Decimal(1)
    assert result.bonus_deduction == BONUS
    line = result.bonus_line()
    assert line is not None
    assert "capped at 100%" in line.explanation


def test_no_bonus_means_nothing_to_deduct_from_it() -> None:
    assert deduct(fact(8, FULL), bonus=Money(0, "CNY")).bonus_deduction == Money(0, "CNY")


def test_day_wage_charges_never_exceed_the_base_salary() -> None:
    days = [d for d in range(1, 32) if date(2024, 5, d).weekday() < 5][:8]  # 8 × 3 = 24 wages
    result = deduct(*(fact(d, FULL) for d in days))
    assert result.wage_deduction == BASE
    uncapped = attendance_deduction(
        [fact(d, FULL) for d in days],
        MAY,
        base_salary=BASE,
        performance_bonus=BONUS,
        settings=AttendanceSettings(cap_wage_deduction_at_base_salary=False),
    )
    assert uncapped.wage_deduction == Money(24 * 9_195, "CNY")


def test_more_than_three_consecutive_working_days_absent_are_termination_grounds() -> None:
    # Thu 2, Fri 3, Mon 6, Tue 7: four consecutive working days across a weekend.
    assert deduct(fact(2, FULL), fact(3, FULL), fact(6, FULL), fact(7, FULL)).termination_grounds
    assert not deduct(fact(2, FULL), fact(3, FULL), fact(6, FULL)).termination_grounds


def test_a_worked_day_breaks_the_absence_run() -> None:
    assert not deduct(
        fact(2, FULL), fact(3, FULL), fact(7, FULL), fact(8, FULL)
    ).termination_grounds


def test_more_than_five_days_absent_in_the_month_are_termination_grounds() -> None:
    five = [
        fact(2, FULL),
        fact(7, FULL),
        fact(9, FULL),
        fact(14, FULL),
        fact(16, HALF),
        fact(21, LATE, 30),
    ]
    assert not deduct(*five).termination_grounds  # 4 + ½ + ½ = 5
    assert deduct(*five, fact(23, HALF)).termination_grounds


def test_supplied_working_calendar_is_used_for_consecutive_days() -> None:
    # May 1 is a public holiday: Apr 30 (not in month) aside, 2-3 + 6-7 with 4-5 weekend.
    calendar = {date(2024, 5, d) for d in (2, 3, 6, 7)}
    facts = [fact(2, FULL), fact(3, FULL), fact(6, FULL), fact(7, FULL)]
    result = attendance_deduction(
        facts, MAY, base_salary=BASE, performance_bonus=BONUS, working_days=calendar
    )
    assert result.termination_grounds


@pytest.mark.parametrize(
    ("facts", "reason"),
    [
        ([AttendanceFact(date(2024, 6, 1), LATE, 5)], "ATTENDANCE_OUTSIDE_MONTH"),
        ([fact(2, LATE, 0)], "ATTENDANCE_MINUTES_MISSING"),
        ([fact(2, FULL), fact(2, LATE, 5)], "ATTENDANCE_CONFLICT"),
        ([fact(2, HALF), fact(2, HALF)], "ATTENDANCE_CONFLICT"),
    ],
)
def test_inconsistent_facts_are_rejected(facts: list[AttendanceFact], reason: str) -> None:
    with pytest.raises(InvalidArgument) as err:
        deduct(*facts)
    assert err.value.reason == reason


def test_late_and_early_on_the_same_day_count_twice() -> None:
    result = deduct(fact(2, LATE, 5), fact(2, EARLY, 5), fact(3, LATE, 5), fact(3, EARLY, 5))
    assert result.bonus_share_claimed == Decimal("0.05")
