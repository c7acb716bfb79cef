"""The attendance rules of seed 004 考勤制度 as settings, with the seed's numbers as defaults.

Seed 004 考勤制度 2-3:
- late or early by at most 15 minutes: 3 times a month are free, each further time costs 5% of
  the month's performance bonus;
- late or early by more than 15 minutes "按旷工半天处理": that day's wage and 10% of the bonus;
- absent half a day: 2 × that day's wage and 20% of the bonus; a whole day: 3 × and 50%;
- more than 3 consecutive or more than 5 cumulative days of absence: grounds for termination.
This service only counts and labels; the performance service turns multipliers into money.

Readings (settings below):
- `count_partial_minutes=False`: only whole minutes count, so clocking in at 09:00:59 is on
  time and 09:15:59 is 15 minutes late (still within the limit); 09:16:00 is over it. Time
  clocks show HH:MM, and an employee cannot be expected to argue about seconds.
- `over_limit_counts_as_half_day=True`: lateness over the limit counts as half a day towards
  the cumulative "days of absence" (the seed says it is handled as a half-day absence), though
  it is charged at its own, lower rate.
- `missing_punch=HALF_DAY_ABSENCE`: a day with a clock-in but no clock-out (or the reverse)
  leaves the unevidenced half unexplained; it counts as absent unless a supervisor records a
  correcting clock event. `IGNORE` judges the day on the punch that exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from services.common.errors import InvalidArgument


class MissingPunch(StrEnum):
    """What a day with only a clock-in or only a clock-out means."""

    HALF_DAY_ABSENCE = "HALF_DAY_ABSENCE"
    IGNORE = "IGNORE"


@dataclass(frozen=True)
class AttendancePolicy:
    """Setting: the attendance rules; percentages are percent (Decimal("5") = 5%)."""

    lateness_limit_minutes: int = 15
    free_lateness_per_month: int = 3
    lateness_bonus_percent: Decimal = Decimal(5)
    over_limit_wage_multiplier: Decimal = Decimal(1)
    over_limit_bonus_percent: Decimal = Decimal(10)
    half_day_wage_multiplier: Decimal = Decimal(2)
    half_day_bonus_percent: Decimal = Decimal(20)
    full_day_wage_multiplier: Decimal = Decimal(3)
    full_day_bonus_percent: Decimal = Decimal(50)
    consecutive_absence_days_limit: int = 3
    cumulative_absence_days_limit: Decimal = Decimal(5)
    over_limit_counts_as_half_day: bool = True
    count_partial_minutes: bool = False
    missing_punch: MissingPunch = MissingPunch.HALF_DAY_ABSENCE

    def __post_init__(self) -> None:
        if self.lateness_limit_minutes < 0:
            raise InvalidArgument.for_field(
                "lateness_limit_minutes", "must not be negative", reason="INVALID_SETTING"
            )
        if self.free_lateness_per_month < 0:
            raise InvalidArgument.for_field(
                "free_lateness_per_month", "must not be negative", reason="INVALID_SETTING"
            )
        for name in (
            "lateness_bonus_percent",
            "over_limit_wage_multiplier",
            "over_limit_bonus_percent",
            "half_day_wage_multiplier",
            "half_day_bonus_percent",
            "full_day_wage_multiplier",
            "full_day_bonus_percent",
        ):
            value = getattr(self, name)
            if not isinstance(value, Decimal) or value < 0:
                raise InvalidArgument.for_field(
                    name, "must be a non-negative Decimal", reason="INVALID_SETTING"
                )


DEFAULT_ATTENDANCE_POLICY = AttendancePolicy()
