from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.common.errors import InvalidArgument
from services.people.domain.attendance_day import (
    ClockDirection,
    ClockEvent,
    DayAttendance,
    DayStatus,
)
from services.people.domain.attendance_month import (
    Charge,
    MonthlyAttendance,
    summarise_days,
    summarise_month,
)
from services.people.domain.attendance_policy import AttendancePolicy
from services.people.domain.leave import LeavePart, LeaveRequest, LeaveStatus, LeaveType
from services.people.domain.working_time import WorkSchedule

from .builders import SHANGHAI, at

SCHEDULE = WorkSchedule()
# March 2025: Saturday the 1st; 21 working days (3-7, 10-14, 17-21, 24-28, 31).
WORKING_DAYS = [d for d in (date(2025, 3, n) for n in range(1, 32)) if d.weekday() < 5]


def day(n: int) -> date:
    return date(2025, 3, n)


def normal(d: date, clock_in: str = "09:00:00", clock_out: str = "18:00:00") -> list[ClockEvent]:
    return [
        ClockEvent("E1001", at(d, clock_in), ClockDirection.IN),
        ClockEvent("E1001", at(d, clock_out), ClockDirection.OUT),
    ]


def month(
    overrides: dict[date, list[ClockEvent]] | None = None,
    *,
    leaves: list[LeaveRequest] | None = None,
    policy: AttendancePolicy | None = None,
    hire_date: date = date(2024, 1, 1),
    through: date | None = None,
    preceding: list[DayAttendance] | None = None,
) -> MonthlyAttendance:
    """A month where everyone works 09:00-18:00 except on the overridden days."""
    overrides = overrides or {}
    events = [e for d in WORKING_DAYS for e in overrides.get(d, normal(d))]
    return summarise_month(
        employee_code="E1001",
        year=2025,
        month=3,
        clock_events=events,
        leave_requests=leaves or [],
        hire_date=hire_date,
        leave_date=None,
        schedule=SCHEDULE,
        policy=policy or AttendancePolicy(),
        through=through,
        preceding_days=preceding or [],
    )


def absent(*days: int) -> dict[date, list[ClockEvent]]:
    return {day(n): [] for n in days}


def late(minutes: int, *days: int) -> dict[date, list[ClockEvent]]:
    clock_in = (datetime(2025, 1, 1, 9) + timedelta(minutes=minutes)).strftime("%H:%M:%S")
    return {day(n): normal(day(n), clock_in) for n in days}


def test_a_perfect_month_has_no_facts() -> None:
    summary = month()
    assert summary.working_days == 21
    assert summary.facts == ()
    assert not summary.termination_review
    assert summary.total_bonus_percent == 0


def test_a_month_with_no_records_is_all_absence_and_flags_termination_review() -> None:
    summary = month({d: [] for d in WORKING_DAYS})
    assert summary.full_day_absences == 21
    assert summary.absence_days == 21
    assert summary.longest_absence_run == 21
    assert summary.termination_review
    assert len(summary.termination_reasons) == 2


def test_a_month_before_the_hire_date_has_nothing_to_judge() -> None:
    summary = month({d: [] for d in WORKING_DAYS}, hire_date=date(2025, 4, 1))
    assert summary.facts == ()
    assert not summary.termination_review
    assert summary.working_days == 21  # calendar working days, none of them employed


def test_hire_mid_month_judges_only_days_from_the_hire_date() -> None:
    summary = month({d: [] for d in WORKING_DAYS}, hire_date=day(31))
    assert summary.full_day_absences == 1


def test_first_three_lateness_events_are_free_and_the_fourth_costs_five_percent() -> None:
    summary = month(late(5, 3, 4, 5))
    assert (summary.lateness_events, summary.free_lateness_events) == (3, 3)
    assert summary.charged_lateness_events == 0
    assert summary.total_bonus_percent == 0

    summary = month(late(5, 3, 4, 5, 6))
    assert summary.charged_lateness_events == 1
    charged = [f for f in summary.facts if f.charge is Charge.CHARGED_LATENESS]
    assert [f.day for f in charged] == [day(6)]
    assert charged[0].bonus_percent == Decimal(5)
    assert charged[0].wage_multiplier == 0
    assert summary.lateness_bonus_percent_each == Decimal(5)
    assert summary.total_bonus_percent == Decimal(5)


def test_free_lateness_goes_to_the_earliest_events_in_date_order() -> None:
    summary = month(late(5, 3, 31, 10, 17))
    assert [f.day for f in summary.facts if f.charge is Charge.FREE_LATENESS] == [
        day(3), day(10), day(17),
    ]  # fmt: skip


def test_arrival_and_departure_lateness_on_one_day_are_two_events() -> None:
    overrides = {day(3): normal(day(3), "09:05:00", "17:55:00"), **late(5, 4, 5)}
    summary = month(overrides)
    assert summary.lateness_events == 4
    assert summary.charged_lateness_events == 1
    assert summary.facts[-1].day == day(5)  # the fourth event, in date order


def test_exactly_fifteen_minutes_is_a_lateness_event_and_sixteen_a_half_day() -> None:
    summary = month({**late(15, 3), **late(16, 4)})
    assert summary.lateness_events == 1
    assert summary.over_limit_events == 1
    over = next(f for f in summary.facts if f.charge is Charge.OVER_LIMIT_LATENESS)
    assert (over.minutes, over.wage_multiplier, over.bonus_percent, over.absence_days) == (
        16, Decimal(1), Decimal(10), Decimal("0.5"),
    )  # fmt: skip


def test_over_limit_lateness_does_not_use_up_a_free_event() -> None:
    summary = month({**late(30, 3), **late(5, 4, 5, 6)})
    assert summary.free_lateness_events == 3
    assert summary.charged_lateness_events == 0


def test_absence_facts_carry_the_seed_multipliers() -> None:
    overrides = {**absent(3), day(4): normal(day(4), "12:30:00")}
    summary = month(overrides)
    full = next(f for f in summary.facts if f.charge is Charge.FULL_DAY_ABSENCE)
    half = next(f for f in summary.facts if f.charge is Charge.HALF_DAY_ABSENCE)
    assert (full.wage_multiplier, full.bonus_percent, full.absence_days) == (
        Decimal(3), Decimal(50), Decimal(1),
    )  # fmt: skip
    assert (half.wage_multiplier, half.bonus_percent, half.absence_days) == (
        Decimal(2), Decimal(20), Decimal("0.5"),
    )  # fmt: skip
    assert summary.total_wage_multiplier == 5
    assert summary.total_bonus_percent == 70


def test_three_consecutive_absent_days_do_not_flag_but_four_do() -> None:
    three = month(absent(3, 4, 5))
    assert three.longest_absence_run == 3
    assert not three.termination_review
    four = month(absent(3, 4, 5, 6))
    assert four.longest_absence_run == 4
    assert four.termination_review
    assert "4 consecutive working days" in four.termination_reasons[0]


def test_a_weekend_does_not_break_a_run_of_absence() -> None:
    summary = month(absent(6, 7, 10, 11))  # Thursday, Friday, Monday, Tuesday
    assert summary.longest_absence_run == 4
    assert summary.termination_review


def test_a_day_at_work_breaks_a_run_of_absence() -> None:
    summary = month(absent(3, 4, 5, 7))
    assert summary.longest_absence_run == 3


def test_approved_leave_breaks_a_run_of_absence() -> None:
    leave = LeaveRequest(
        "L1", "E1001", LeaveType.SICK, day(6), day(6), LeavePart.FULL_DAY, "flu",
        datetime(2025, 3, 1, tzinfo=SHANGHAI), LeaveStatus.APPROVED,
    )  # fmt: skip
    summary = month(absent(3, 4, 5, 6, 7), leaves=[leave])
    assert summary.longest_absence_run == 3
    assert summary.days_on_leave == 1


def test_half_day_absence_breaks_a_run_of_full_days() -> None:
    summary = month({**absent(3, 4, 5, 7), day(6): normal(day(6), "12:30:00")})
    assert summary.longest_absence_run == 3


def test_five_cumulative_days_do_not_flag_but_five_and_a_half_do() -> None:
    five = month(absent(3, 5, 10, 12, 14))
    assert five.absence_days == 5
    assert not five.termination_review
    more = month({**absent(3, 5, 10, 12, 14), day(17): normal(day(17), "12:30:00")})
    assert more.absence_days == Decimal("5.5")
    assert more.termination_review
    assert "5.5 days of absence" in more.termination_reasons[0]


def test_six_cumulative_days_flag_termination_review() -> None:
    summary = month(absent(3, 5, 10, 12, 14, 18))
    assert summary.longest_absence_run == 1
    assert summary.absence_days == 6
    assert summary.termination_review


def test_two_half_days_count_as_one_day() -> None:
    halves = {day(n): normal(day(n), "12:30:00") for n in (18, 19)}
    summary = month({**absent(3, 5, 10, 12), **halves})
    assert summary.half_day_absences == 2
    assert summary.absence_days == 5
    assert not summary.termination_review


def test_over_limit_lateness_counts_half_a_day_unless_the_setting_says_otherwise() -> None:
    overrides = {**absent(3, 5, 10, 12, 14), **late(20, 17)}
    assert month(overrides).termination_review
    lenient = AttendancePolicy(over_limit_counts_as_half_day=False)
    assert not month(overrides, policy=lenient).termination_review


def test_a_run_continues_from_the_previous_month() -> None:
    february = [
        DayAttendance(date(2025, 2, 27), DayStatus.FULL_DAY_ABSENCE),
        DayAttendance(date(2025, 2, 28), DayStatus.FULL_DAY_ABSENCE),
    ]
    summary = month(absent(3, 4), preceding=february)
    assert summary.longest_absence_run == 4
    assert summary.termination_review
    assert summary.absence_days == 2  # cumulative counts this month only


def test_through_limits_the_running_month_to_days_that_are_over() -> None:
    summary = month({d: [] for d in WORKING_DAYS}, through=day(4))
    assert summary.through == day(4)
    assert summary.full_day_absences == 2
    assert len(summary.days) == 4


def test_days_with_pending_leave_are_listed_for_payroll() -> None:
    pending = LeaveRequest(
        "L2", "E1001", LeaveType.PERSONAL, day(3), day(3), LeavePart.FULL_DAY, "family",
        datetime(2025, 3, 1, tzinfo=SHANGHAI),
    )  # fmt: skip
    summary = month(absent(3), leaves=[pending])
    assert summary.days_with_pending_leave == (day(3),)
    assert summary.full_day_absences == 1


def test_half_day_leave_counts_half_a_day_on_leave_and_caps_that_days_absence() -> None:
    morning = LeaveRequest(
        "L3", "E1001", LeaveType.ANNUAL, day(3), day(3), LeavePart.MORNING, "bank",
        datetime(2025, 3, 1, tzinfo=SHANGHAI), LeaveStatus.APPROVED,
    )  # fmt: skip
    summary = month({day(3): normal(day(3), "13:20:00", "17:40:00")}, leaves=[morning])
    assert summary.days_on_leave == Decimal("0.5")
    assert summary.over_limit_events == 2
    assert summary.absence_days == Decimal("0.5")  # never more than the half expected


def test_other_employees_records_are_ignored() -> None:
    strangers = [ClockEvent("E9999", at(day(3), "09:00:00"), ClockDirection.IN)]
    summary = summarise_month(
        employee_code="E1001", year=2025, month=3, clock_events=strangers, leave_requests=[],
        hire_date=date(2024, 1, 1), leave_date=None, schedule=SCHEDULE, through=day(3),
    )  # fmt: skip
    assert summary.full_day_absences == 1


def test_summarising_days_from_another_month_is_refused() -> None:
    with pytest.raises(InvalidArgument) as caught:
        summarise_days("E1001", 2025, 3, [DayAttendance(date(2025, 4, 1), DayStatus.ON_TIME)])
    assert caught.value.reason == "OUTSIDE_MONTH"


@given(st.lists(st.integers(min_value=-5, max_value=40), min_size=21, max_size=21))
def test_counts_and_percentages_always_add_up(minutes_late: list[int]) -> None:
    overrides = {
        d: normal(d, (datetime(2025, 1, 1, 9) + timedelta(minutes=m)).strftime("%H:%M:%S"))
        for d, m in zip(WORKING_DAYS, minutes_late, strict=True)
    }
    summary = month(overrides)
    minor = sum(1 for m in minutes_late if 0 < m <= 15)
    over = sum(1 for m in minutes_late if m > 15)
    assert summary.lateness_events == minor
    assert summary.free_lateness_events == min(minor, 3)
    assert summary.charged_lateness_events == max(0, minor - 3)
    assert summary.over_limit_events == over
    assert summary.total_bonus_percent == 5 * max(0, minor - 3) + 10 * over
    assert summary.total_wage_multiplier == over
    assert summary.absence_days == Decimal("0.5") * over
