"""Working time: which days are working days and when each half of the day starts and ends.

Seed 004 考勤制度 1 requires the company's working hours without stating them; DOMAIN sets
09:00-18:00 local time. Choices (`WorkSchedule`, all settings):
- the day splits into a morning 09:00-12:00 and an afternoon 13:00-18:00 (a one-hour lunch;
  one team in seed 003 works 9:00-12:00 and 14:00-18:00, which is this schedule with other
  times). Half-day leave and half-day absence refer to these halves;
- working days are Monday to Friday, minus `holidays`, plus `extra_working_days` (China moves
  working days onto weekends around public holidays, 调休);
- times are in `tz`, default Asia/Shanghai; storage is UTC, so every instant is converted here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo

from services.common.errors import InvalidArgument

DEFAULT_TIMEZONE = "Asia/Shanghai"


class HalfDay(StrEnum):
    """The two halves of a working day; half-day leave and absence refer to them."""

    MORNING = "MORNING"
    AFTERNOON = "AFTERNOON"


BOTH_HALVES: frozenset[HalfDay] = frozenset(HalfDay)


@dataclass(frozen=True)
class WorkSchedule:
    """Setting: working hours, working days and the time zone they are read in."""

    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo(DEFAULT_TIMEZONE))
    morning_start: time = time(9, 0)
    morning_end: time = time(12, 0)
    afternoon_start: time = time(13, 0)
    afternoon_end: time = time(18, 0)
    working_weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})  # Monday = 0
    holidays: frozenset[date] = frozenset()
    extra_working_days: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        if not (self.morning_start < self.morning_end <= self.afternoon_start < self.afternoon_end):
            raise InvalidArgument.for_field(
                "working_hours",
                "must run morning start < morning end <= afternoon start < afternoon end",
                reason="INVALID_SETTING",
            )
        if not self.working_weekdays <= frozenset(range(7)):
            raise InvalidArgument.for_field(
                "working_weekdays", "must be weekday numbers 0-6", reason="INVALID_SETTING"
            )

    def is_working_day(self, day: date) -> bool:
        """True on a working day of this schedule."""
        if day in self.extra_working_days:
            return True
        return day.weekday() in self.working_weekdays and day not in self.holidays

    def half_window(self, day: date, half: HalfDay) -> tuple[datetime, datetime]:
        """Start and end instants of `half` on `day`, in `tz`."""
        if half is HalfDay.MORNING:
            start, end = self.morning_start, self.morning_end
        else:
            start, end = self.afternoon_start, self.afternoon_end
        return (
            datetime.combine(day, start, tzinfo=self.tz),
            datetime.combine(day, end, tzinfo=self.tz),
        )

    def local_date(self, instant: datetime) -> date:
        """The calendar date of `instant` in this schedule's time zone."""
        return instant.astimezone(self.tz).date()


DEFAULT_WORK_SCHEDULE = WorkSchedule()
