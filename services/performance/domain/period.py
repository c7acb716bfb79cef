"""Calendar months: the unit of targets, appraisals, commission and payroll."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from services.common.errors import InvalidArgument


@dataclass(frozen=True, order=True)
class YearMonth:
    """A calendar month such as 2024-03."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise InvalidArgument.for_field(
                "month", f"must be 1..12, got {self.month}", reason="INVALID_MONTH"
            )
        if not 1 <= self.year <= 9999:
            raise InvalidArgument.for_field(
                "year", f"must be 1..9999, got {self.year}", reason="INVALID_YEAR"
            )

    @classmethod
    def of(cls, day: date) -> YearMonth:
        return cls(day.year, day.month)

    @classmethod
    def parse(cls, text: str) -> YearMonth:
        """Parse `YYYY-MM`."""
        try:
            year_text, month_text = text.split("-")
            return cls(int(year_text), int(month_text))
        except ValueError as exc:
            raise InvalidArgument.for_field(
                "month", f"expected YYYY-MM, got {text!r}", reason="INVALID_MONTH"
            ) from exc

    @property
    def days(self) -> int:
        return calendar.monthrange(self.year, self.month)[1]

    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    def last_day(self) -> date:
        return date(self.year, self.month, self.days)

    def day(self, day_of_month: int) -> date:
        return date(self.year, self.month, day_of_month)

    def contains(self, day: date) -> bool:
        return day.year == self.year and day.month == self.month

    def next(self) -> YearMonth:
        if self.month == 12:
            return YearMonth(self.year + 1, 1)
        return YearMonth(self.year, self.month + 1)

    def previous(self) -> YearMonth:
        if self.month == 1:
            return YearMonth(self.year - 1, 12)
        return YearMonth(self.year, self.month - 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"
