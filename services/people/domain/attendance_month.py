"""Monthly attendance summary: counts, priced facts and the termination-review flag.

Per seed 004 考勤制度 (numbers in `AttendancePolicy`):
- lateness events of up to 15 minutes (LATE and EARLY_LEAVE alike) are free for the first 3 of
  the month in date order (arrival before departure on the same day); each further one is
  CHARGED_LATENESS at 5% of the bonus;
- lateness over 15 minutes is OVER_LIMIT_LATENESS: 1 × day wage + 10%, half a day of absence;
- ABSENT_HALF_DAY: 2 × day wage + 20%, half a day; ABSENT_FULL_DAY: 3 × + 50%, one day.
Each fact carries `wage_multiplier` and `bonus_percent` (Decimal) for the performance service
to price; totals are plain sums (capping the bonus deduction at 100% is payroll's decision).

Termination review ("连续旷工超过3天或累计旷工超过5天"):
- consecutive: full-day absences on consecutive *working* days; weekends and holidays do not
  break a run, any other working day (present, on leave, half-day absence) does. Runs continue
  across the month boundary when the caller passes the previous days as `preceding_days`; the
  flag is raised in the month the run passes 3 days;
- cumulative: the month's absence days, half days counting ½ (two half days = one day), and an
  over-limit lateness counting ½ (`over_limit_counts_as_half_day`); a day counts at most for
  the halves that were expected of the employee. More than 5 (5.5 and up) raises the flag.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from services.common.errors import InvalidArgument
from services.people.domain.attendance_day import (
    ClockEvent,
    DayAttendance,
    DayStatus,
    IncidentKind,
    classify_day,
)
from services.people.domain.attendance_policy import DEFAULT_ATTENDANCE_POLICY, AttendancePolicy
from services.people.domain.leave import LeaveRequest, leave_coverage
from services.people.domain.working_time import WorkSchedule

_HALF = Decimal("0.5")
_ZERO = Decimal(0)


class Charge(StrEnum):
    """How a fact is charged under seed 004 考勤制度 2-3."""

    FREE_LATENESS = "FREE_LATENESS"
    CHARGED_LATENESS = "CHARGED_LATENESS"
    OVER_LIMIT_LATENESS = "OVER_LIMIT_LATENESS"
    HALF_DAY_ABSENCE = "HALF_DAY_ABSENCE"
    FULL_DAY_ABSENCE = "FULL_DAY_ABSENCE"


@dataclass(frozen=True)
class AttendanceFact:
    """One priced-by-rule incident for the performance service."""

    day: date
    kind: IncidentKind
    minutes: int
    charge: Charge
    wage_multiplier: Decimal
    bonus_percent: Decimal
    absence_days: Decimal


@dataclass(frozen=True)
class MonthlyAttendance:
    """One employee's month, classified through `through` (inclusive)."""

    employee_code: str
    year: int
    month: int
    through: date
    days: tuple[DayAttendance, ...]
    facts: tuple[AttendanceFact, ...]
    working_days: int
    days_on_leave: Decimal
    lateness_events: int
    free_lateness_events: int
    charged_lateness_events: int
    lateness_bonus_percent_each: Decimal
    over_limit_events: int
    half_day_absences: int
    full_day_absences: int
    absence_days: Decimal
    longest_absence_run: int
    total_wage_multiplier: Decimal
    total_bonus_percent: Decimal
    days_with_pending_leave: tuple[date, ...]
    termination_review: bool
    termination_reasons: tuple[str, ...]


def _price(day: DayAttendance, policy: AttendancePolicy, free_left: int) -> list[AttendanceFact]:
    facts: list[AttendanceFact] = []
    for incident in day.incidents:
        if incident.kind is IncidentKind.ABSENT_FULL_DAY:
            charge, wage, bonus, days = (
                Charge.FULL_DAY_ABSENCE,
                policy.full_day_wage_multiplier,
                policy.full_day_bonus_percent,
                Decimal(1),
            )
        elif incident.kind is IncidentKind.ABSENT_HALF_DAY:
            charge, wage, bonus, days = (
                Charge.HALF_DAY_ABSENCE,
                policy.half_day_wage_multiplier,
                policy.half_day_bonus_percent,
                _HALF,
            )
        elif incident.minutes > policy.lateness_limit_minutes:
            charge, wage, bonus = (
                Charge.OVER_LIMIT_LATENESS,
                policy.over_limit_wage_multiplier,
                policy.over_limit_bonus_percent,
            )
            days = _HALF if policy.over_limit_counts_as_half_day else _ZERO
        elif free_left > 0:
            free_left -= 1
            charge, wage, bonus, days = Charge.FREE_LATENESS, _ZERO, _ZERO, _ZERO
        else:
            charge, wage, bonus, days = (
                Charge.CHARGED_LATENESS,
                _ZERO,
                policy.lateness_bonus_percent,
                _ZERO,
            )
        facts.append(
            AttendanceFact(day.day, incident.kind, incident.minutes, charge, wage, bonus, days)
        )
    # A day never counts for more absence than the halves that were expected of the employee.
    cap = _HALF * len(day.expected_halves)
    excess = sum((f.absence_days for f in facts), _ZERO) - cap
    if excess > 0 and facts:
        last = facts[-1]
        facts[-1] = AttendanceFact(
            last.day, last.kind, last.minutes, last.charge, last.wage_multiplier,
            last.bonus_percent, last.absence_days - excess,
        )  # fmt: skip
    return facts


def summarise_days(
    employee_code: str,
    year: int,
    month: int,
    days: Sequence[DayAttendance],
    *,
    policy: AttendancePolicy = DEFAULT_ATTENDANCE_POLICY,
    preceding_days: Sequence[DayAttendance] = (),
    through: date | None = None,
) -> MonthlyAttendance:
    """Summarise already classified days of one month (in any order).

    `through` is reported as the last day covered (default: the last day given, else month end).
    """
    ordered = sorted(days, key=lambda d: d.day)
    for index, day in enumerate(ordered):
        if (day.day.year, day.day.month) != (year, month):
            raise InvalidArgument.for_field(
                f"days[{index}].day",
                f"{day.day} is not in {year}-{month:02d}",
                reason="OUTSIDE_MONTH",
            )
    facts: list[AttendanceFact] = []
    free_left = policy.free_lateness_per_month
    for day in ordered:
        priced = _price(day, policy, free_left)
        free_left -= sum(1 for f in priced if f.charge is Charge.FREE_LATENESS)
        facts.extend(priced)

    longest = run = 0
    month_days = {d.day for d in ordered}
    for day in [*sorted(preceding_days, key=lambda d: d.day), *ordered]:
        if not day.is_working_day:
            continue  # weekends and holidays do not break a run
        run = run + 1 if day.status is DayStatus.FULL_DAY_ABSENCE else 0
        if day.day in month_days:
            longest = max(longest, run)

    def count(charge: Charge) -> int:
        return sum(1 for f in facts if f.charge is charge)

    absence_days = sum((f.absence_days for f in facts), _ZERO)
    reasons: list[str] = []
    if longest > policy.consecutive_absence_days_limit:
        reasons.append(
            f"{longest} consecutive working days of absence "
            f"(more than {policy.consecutive_absence_days_limit})"
        )
    if absence_days > policy.cumulative_absence_days_limit:
        reasons.append(
            f"{absence_days.normalize():f} days of absence this month "
            f"(more than {policy.cumulative_absence_days_limit})"
        )
    on_leave = sum(
        (
            Decimal(1) if d.status is DayStatus.ON_LEAVE else _HALF
            for d in ordered
            if d.status is DayStatus.ON_LEAVE or len(d.expected_halves) == 1
        ),
        _ZERO,
    )
    last_day = date(year, month, calendar.monthrange(year, month)[1])
    return MonthlyAttendance(
        employee_code=employee_code,
        year=year,
        month=month,
        through=through or (ordered[-1].day if ordered else last_day),
        days=tuple(ordered),
        facts=tuple(facts),
        working_days=sum(1 for d in ordered if d.is_working_day),
        days_on_leave=on_leave,
        lateness_events=count(Charge.FREE_LATENESS) + count(Charge.CHARGED_LATENESS),
        free_lateness_events=count(Charge.FREE_LATENESS),
        charged_lateness_events=count(Charge.CHARGED_LATENESS),
        lateness_bonus_percent_each=policy.lateness_bonus_percent,
        over_limit_events=count(Charge.OVER_LIMIT_LATENESS),
        half_day_absences=count(Charge.HALF_DAY_ABSENCE),
        full_day_absences=count(Charge.FULL_DAY_ABSENCE),
        absence_days=absence_days,
        longest_absence_run=longest,
        total_wage_multiplier=sum((f.wage_multiplier for f in facts), _ZERO),
        total_bonus_percent=sum((f.bonus_percent for f in facts), _ZERO),
        days_with_pending_leave=tuple(d.day for d in ordered if d.pending_leave),
        termination_review=bool(reasons),
        termination_reasons=tuple(reasons),
    )


def summarise_month(
    *,
    employee_code: str,
    year: int,
    month: int,
    clock_events: Iterable[ClockEvent],
    leave_requests: Iterable[LeaveRequest],
    hire_date: date,
    leave_date: date | None,
    schedule: WorkSchedule,
    policy: AttendancePolicy = DEFAULT_ATTENDANCE_POLICY,
    through: date | None = None,
    preceding_days: Sequence[DayAttendance] = (),
) -> MonthlyAttendance:
    """Classify every day of the month up to `through` (default: month end) and summarise.

    Pass yesterday as `through` for the running month: today is not over yet.
    """
    first = date(year, month, 1)
    last = date(year, month, calendar.monthrange(year, month)[1])
    end = last if through is None else min(through, last)
    by_day: dict[date, list[ClockEvent]] = defaultdict(list)
    for event in clock_events:
        if event.employee_code == employee_code:
            by_day[schedule.local_date(event.at)].append(event)
    requests = [r for r in leave_requests if r.employee_code == employee_code]
    days: list[DayAttendance] = []
    day = first
    while day <= end:
        days.append(
            classify_day(
                day,
                clock_events=by_day.get(day, ()),
                leave=leave_coverage(requests, day),
                employed=hire_date <= day and (leave_date is None or day <= leave_date),
                schedule=schedule,
                policy=policy,
            )
        )
        day += timedelta(days=1)
    return summarise_days(
        employee_code,
        year,
        month,
        days,
        policy=policy,
        preceding_days=preceding_days,
        through=end,
    )
