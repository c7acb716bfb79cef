"""Attendance deductions: seed 004 考勤制度 2-3.

From per-day facts supplied by the people service (kind, minutes):
- late or early by at most 15 minutes: the first 3 times in a month are free; each further time
  costs 5% of the month's performance bonus. Free times are the earliest in date order.
- late or early by more than 15 minutes counts as half a day's absence but is charged as the seed
  says for it: 1 × the day's wage + 10% of the bonus. It does not use up a free time.
- half-day absence: 2 × the day's wage + 20% of the bonus; full day: 3 × + 50%.

Readings and settings (`AttendanceSettings`):
- Day wage = base salary / 21.75 (China's statutory average of paid working days a month,
  `working_days_per_month`), ROUND_HALF_UP to the minor unit; each charge is a whole multiple of
  that rounded day wage, so a person can redo it.
- "Performance bonus" (绩效奖金) = the month's performance pay after the grade coefficient
  (PERFORMANCE_PAY + GRADE_ADJUSTMENT lines); the over-plan bonus and commission are not touched.
  Percentages are added first, capped at 100% (the bonus never goes negative), then applied once,
  ROUND_HALF_UP.
- Day-wage charges are capped at the base salary (`cap_wage_deduction_at_base_salary`) so that
  attendance alone never makes pay negative.
- More than 3 consecutive working days of full-day absence, or more than 5 days of absence in the
  month (half-day incidents count ½), raise the flag TERMINATION_GROUNDS for a person to review.
  Working days are Monday-Friday unless the caller passes the calendar.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import Enum
from fractions import Fraction

from services.common.errors import InvalidArgument
from services.common.money import Money, round_half_up
from services.performance.domain.explained import Explained
from services.performance.domain.period import YearMonth

_RULE = "seed 004 考勤制度"


class AttendanceKind(Enum):
    LATE = "LATE"
    EARLY_LEAVE = "EARLY_LEAVE"
    ABSENT_HALF_DAY = "ABSENT_HALF_DAY"
    ABSENT_FULL_DAY = "ABSENT_FULL_DAY"


class Charge(Enum):
    """How one fact is charged."""

    FREE_MINOR_LATENESS = "FREE_MINOR_LATENESS"
    MINOR_LATENESS = "MINOR_LATENESS"
    LONG_LATENESS = "LONG_LATENESS"
    HALF_DAY_ABSENCE = "HALF_DAY_ABSENCE"
    FULL_DAY_ABSENCE = "FULL_DAY_ABSENCE"


@dataclass(frozen=True)
class AttendanceFact:
    """One incident on one day; `minutes` matters for LATE and EARLY_LEAVE."""

    day: date
    kind: AttendanceKind
    minutes: int = 0


@dataclass(frozen=True)
class AttendanceSettings:
    working_days_per_month: Decimal = Decimal("21.75")
    minor_lateness_max_minutes: int = 15
    free_minor_lateness_per_month: int = 3
    # (day wages, share of bonus) per charge: seed 004 考勤制度 2-3.
    minor_lateness: tuple[Decimal, Decimal] = (Decimal(0), Decimal("0.05"))
    long_lateness: tuple[Decimal, Decimal] = (Decimal(1), Decimal("0.10"))
    half_day_absence: tuple[Decimal, Decimal] = (Decimal(2), Decimal("0.20"))
    full_day_absence: tuple[Decimal, Decimal] = (Decimal(3), Decimal("0.50"))
    cap_wage_deduction_at_base_salary: bool = True
    consecutive_absence_days_limit: int = 3
    cumulative_absence_days_limit: int = 5

    def terms(self, charge: Charge) -> tuple[Decimal, Decimal]:
        return {
            Charge.FREE_MINOR_LATENESS: (Decimal(0), Decimal(0)),
            Charge.MINOR_LATENESS: self.minor_lateness,
            Charge.LONG_LATENESS: self.long_lateness,
            Charge.HALF_DAY_ABSENCE: self.half_day_absence,
            Charge.FULL_DAY_ABSENCE: self.full_day_absence,
        }[charge]


@dataclass(frozen=True)
class ChargedFact:
    fact: AttendanceFact
    charge: Charge
    day_wages: Decimal
    bonus_share: Decimal


@dataclass(frozen=True)
class AttendanceDeduction:
    """Everything charged for a month's attendance. Amounts here are positive deductions."""

    month: YearMonth
    day_wage: Money
    charged: tuple[ChargedFact, ...]
    wage_deduction: Money
    bonus: Money
    bonus_share_claimed: Decimal
    bonus_share_applied: Decimal
    bonus_deduction: Money
    termination_grounds: bool

    def wage_line(self) -> Explained | None:
        """The day-wage charges as a negative statement amount, or None if there are none."""
        items = [c for c in self.charged if c.day_wages > 0]
        if not items:
            return None
        detail = "; ".join(
            f"{c.fact.day} {c.charge.value} {c.day_wages} × {self.day_wage}" for c in items
        )
        return Explained(
            amount=-self.wage_deduction,
            rule=f"{_RULE} 2-3: 扣除当天工资",
            explanation=f"day wage {self.day_wage}: {detail} = {self.wage_deduction}",
            inputs={
                "day_wage_minor": str(self.day_wage.amount_minor),
                "day_wages": str(sum((c.day_wages for c in items), Decimal(0))),
                "incidents": ",".join(f"{c.fact.day}:{c.charge.value}" for c in items),
            },
        )

    def bonus_line(self) -> Explained | None:
        """The performance-bonus charges as a negative statement amount, or None."""
        items = [c for c in self.charged if c.bonus_share > 0]
        free = sum(1 for c in self.charged if c.charge is Charge.FREE_MINOR_LATENESS)
        if not items:
            return None
        detail = "; ".join(
            f"{c.fact.day} {c.charge.value} {c.bonus_share * 100:.0f}%" for c in items
        )
        capped = " (capped at 100%)" if self.bonus_share_applied != self.bonus_share_claimed else ""
        return Explained(
            amount=-self.bonus_deduction,
            rule=f"{_RULE} 2-3: 扣除当月绩效奖金",
            explanation=(
                f"{free} minor lateness free; {detail}; "
                f"{self.bonus_share_applied * 100:.0f}%{capped} of bonus {self.bonus} "
                f"= {self.bonus_deduction}"
            ),
            inputs={
                "bonus_minor": str(self.bonus.amount_minor),
                "share_claimed": str(self.bonus_share_claimed),
                "share_applied": str(self.bonus_share_applied),
                "free_minor_lateness": str(free),
            },
        )


def day_wage(base_salary: Money, settings: AttendanceSettings = AttendanceSettings()) -> Money:
    """Base salary / working days a month (21.75), ROUND_HALF_UP to the minor unit."""
    exact = Fraction(base_salary.amount_minor) / Fraction(settings.working_days_per_month)
    return Money(round_half_up(exact), base_salary.currency)


def _classify(
    facts: list[AttendanceFact], settings: AttendanceSettings
) -> list[tuple[AttendanceFact, Charge]]:
    kind_order = list(AttendanceKind)
    result: list[tuple[AttendanceFact, Charge]] = []
    minor_seen = 0
    for fact in sorted(facts, key=lambda f: (f.day, kind_order.index(f.kind), f.minutes)):
        if fact.kind is AttendanceKind.ABSENT_FULL_DAY:
            result.append((fact, Charge.FULL_DAY_ABSENCE))
        elif fact.kind is AttendanceKind.ABSENT_HALF_DAY:
            result.append((fact, Charge.HALF_DAY_ABSENCE))
        elif fact.minutes > settings.minor_lateness_max_minutes:
            result.append((fact, Charge.LONG_LATENESS))
        else:
            minor_seen += 1
            free = minor_seen <= settings.free_minor_lateness_per_month
            result.append((fact, Charge.FREE_MINOR_LATENESS if free else Charge.MINOR_LATENESS))
    return result


def _validate(facts: list[AttendanceFact], month: YearMonth) -> None:
    absences: dict[date, int] = {}
    per_day: dict[date, int] = {}
    for index, fact in enumerate(facts):
        if not month.contains(fact.day):
            raise InvalidArgument.for_field(
                f"facts[{index}].day",
                f"{fact.day} is not in {month}",
                reason="ATTENDANCE_OUTSIDE_MONTH",
            )
        lateness = fact.kind in (AttendanceKind.LATE, AttendanceKind.EARLY_LEAVE)
        if lateness and fact.minutes <= 0:
            raise InvalidArgument.for_field(
                f"facts[{index}].minutes",
                f"must be > 0 for {fact.kind.value}",
                reason="ATTENDANCE_MINUTES_MISSING",
            )
        per_day[fact.day] = per_day.get(fact.day, 0) + 1
        if not lateness:
            absences[fact.day] = absences.get(fact.day, 0) + 1
    for day, count in absences.items():
        if per_day[day] > 1 or count > 1:
            raise InvalidArgument.for_field(
                "facts",
                f"{day} has an absence and another incident; send one fact for that day",
                reason="ATTENDANCE_CONFLICT",
            )


def _is_working_day(day: date, working_days: Collection[date] | None) -> bool:
    return day in working_days if working_days is not None else day.weekday() < 5


def _longest_absence_run(days: list[date], working_days: Collection[date] | None) -> int:
    longest = run = 0
    previous: date | None = None
    for day in sorted(days):
        if previous is None:
            run = 1
        else:
            between = (previous + timedelta(days=n) for n in range(1, (day - previous).days))
            gap = any(_is_working_day(d, working_days) for d in between)
            run = 1 if gap else run + 1
        longest = max(longest, run)
        previous = day
    return longest


def attendance_deduction(
    facts: Iterable[AttendanceFact],
    month: YearMonth,
    *,
    base_salary: Money,
    performance_bonus: Money,
    settings: AttendanceSettings = AttendanceSettings(),
    working_days: Collection[date] | None = None,
) -> AttendanceDeduction:
    """Charge a month's attendance facts against day wages and the performance bonus."""
    fact_list = list(facts)
    _validate(fact_list, month)
    wage = day_wage(base_salary, settings)
    charged = tuple(
        ChargedFact(fact, charge, *settings.terms(charge))
        for fact, charge in _classify(fact_list, settings)
    )
    wage_minor = sum(round_half_up(c.day_wages * wage.amount_minor) for c in charged)
    if settings.cap_wage_deduction_at_base_salary:
        wage_minor = min(wage_minor, max(base_salary.amount_minor, 0))
    claimed = sum((c.bonus_share for c in charged), Decimal(0))
    applied = min(claimed, Decimal(1))
    bonus_base = (
        performance_bonus
        if performance_bonus.amount_minor > 0
        else Money.zero(performance_bonus.currency)
    )
    full_days = [c.fact.day for c in charged if c.charge is Charge.FULL_DAY_ABSENCE]
    absence_days = sum(
        (
            Decimal(1) if c.charge is Charge.FULL_DAY_ABSENCE else Decimal("0.5")
            for c in charged
            if c.charge in (Charge.FULL_DAY_ABSENCE, Charge.HALF_DAY_ABSENCE, Charge.LONG_LATENESS)
        ),
        Decimal(0),
    )
    grounds = (
        _longest_absence_run(full_days, working_days) > settings.consecutive_absence_days_limit
        or absence_days > settings.cumulative_absence_days_limit
    )
    return AttendanceDeduction(
        month=month,
        day_wage=wage,
        charged=charged,
        wage_deduction=Money(wage_minor, base_salary.currency),
        bonus=bonus_base,
        bonus_share_claimed=claimed,
        bonus_share_applied=applied,
        bonus_deduction=bonus_base.times(applied),
        termination_grounds=grounds,
    )
