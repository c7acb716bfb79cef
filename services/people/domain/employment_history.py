"""Effective-dated history of an employee's position and base salary.

Rules:
- A change has an effective date and is appended, never overwritten (DOMAIN "Books": a posted
  entry is corrected visibly, not rewritten; the same habit applies to pay history).
- "What was the salary/position on day D" is the latest change effective on or before D.
- A change cannot take effect before the hire date, nor after the leave date.
- Same-day changes (`HistoryPolicy.same_day_change`, default SUPERSEDE): recording a change for
  a date that already has one appends it, and the one recorded last is in force from that date;
  the earlier entry stays visible as history. Re-recording the value already in force for that
  date is a retry and changes nothing. With REJECT, a different value for a date that already
  has a change is refused (AlreadyExists).
- "Recorded last" is the order of appending, not `recorded_at`, so clock skew between servers
  cannot reorder corrections.
- A salary keeps the currency it was hired in (performance sums salaries per currency).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol, TypeVar

from services.common.errors import AlreadyExists, InvalidArgument
from services.common.money import Money
from services.people.domain.validation import require_aware, validate_code


class SameDayChange(StrEnum):
    """What a second change effective on an already-used date does."""

    SUPERSEDE = "SUPERSEDE"
    REJECT = "REJECT"


@dataclass(frozen=True)
class HistoryPolicy:
    """Setting: how a second change effective on the same day is handled."""

    same_day_change: SameDayChange = SameDayChange.SUPERSEDE


DEFAULT_HISTORY_POLICY = HistoryPolicy()


@dataclass(frozen=True)
class PositionAssignment:
    """From `effective_date`, the employee holds `position_code` in `department_code`."""

    effective_date: date
    position_code: str
    department_code: str
    recorded_at: datetime
    recorded_by: str | None = None
    reason: str = ""

    def __post_init__(self) -> None:
        validate_code(self.position_code, field_path="position_code")
        validate_code(self.department_code, field_path="department_code")
        require_aware(self.recorded_at, "recorded_at")

    def same_value(self, other: PositionAssignment) -> bool:
        """True when `other` assigns the same position in the same department."""
        return (self.position_code, self.department_code) == (
            other.position_code,
            other.department_code,
        )


@dataclass(frozen=True)
class SalaryChange:
    """From `effective_date`, the monthly base salary is `base_salary`."""

    effective_date: date
    base_salary: Money
    recorded_at: datetime
    recorded_by: str | None = None
    reason: str = ""

    def __post_init__(self) -> None:
        if not self.base_salary.is_positive:
            raise InvalidArgument.for_field(
                "base_salary", "must be greater than zero", reason="NON_POSITIVE_SALARY"
            )
        require_aware(self.recorded_at, "recorded_at")

    def same_value(self, other: SalaryChange) -> bool:
        """True when `other` sets the same salary."""
        return self.base_salary == other.base_salary


class _Dated(Protocol):
    @property
    def effective_date(self) -> date: ...


_Change = TypeVar("_Change", bound=_Dated)


def _in_force(changes: Sequence[_Change], day: date) -> _Change | None:
    best: _Change | None = None
    for change in changes:  # append order: a later entry wins a tie on effective_date
        if change.effective_date <= day and (
            best is None or change.effective_date >= best.effective_date
        ):
            best = change
    return best


@dataclass(frozen=True)
class EmploymentHistory:
    """Append-only position and salary history of one employee."""

    employee_code: str
    hire_date: date
    positions: tuple[PositionAssignment, ...]
    salaries: tuple[SalaryChange, ...]
    leave_date: date | None = None

    @classmethod
    def start(
        cls,
        *,
        employee_code: str,
        hire_date: date,
        position_code: str,
        department_code: str,
        base_salary: Money,
        recorded_at: datetime,
        recorded_by: str | None = None,
    ) -> EmploymentHistory:
        """The history of a new hire: position and salary effective on the hire date."""
        return cls(
            employee_code=employee_code,
            hire_date=hire_date,
            positions=(
                PositionAssignment(
                    hire_date, position_code, department_code, recorded_at, recorded_by, "hired"
                ),
            ),
            salaries=(SalaryChange(hire_date, base_salary, recorded_at, recorded_by, "hired"),),
        )

    def with_leave_date(self, leave_date: date | None) -> EmploymentHistory:
        """This history closed at `leave_date` (last day employed)."""
        if leave_date is not None and leave_date < self.hire_date:
            raise InvalidArgument.for_field(
                "leave_date",
                f"must be on or after the hire date {self.hire_date.isoformat()}",
                reason="LEAVE_BEFORE_HIRE",
            )
        return replace(self, leave_date=leave_date)

    def record_position_change(
        self, change: PositionAssignment, policy: HistoryPolicy = DEFAULT_HISTORY_POLICY
    ) -> EmploymentHistory:
        """This history with `change` appended (or unchanged if it repeats the value in force)."""
        positions = self._appended(self.positions, change, policy, PositionAssignment.same_value)
        return self if positions is self.positions else replace(self, positions=positions)

    def record_salary_change(
        self, change: SalaryChange, policy: HistoryPolicy = DEFAULT_HISTORY_POLICY
    ) -> EmploymentHistory:
        """This history with `change` appended (or unchanged if it repeats the value in force)."""
        hired_currency = self.salaries[0].base_salary.currency
        if change.base_salary.currency != hired_currency:
            raise InvalidArgument.for_field(
                "base_salary.currency_code",
                f"must stay {hired_currency}, the currency of this employee's salary",
                reason="CURRENCY_MISMATCH",
            )
        salaries = self._appended(self.salaries, change, policy, SalaryChange.same_value)
        return self if salaries is self.salaries else replace(self, salaries=salaries)

    def position_on(self, day: date) -> PositionAssignment | None:
        """The position held on `day`; None before the hire date or after the leave date."""
        return _in_force(self.positions, day) if self._employed_on(day) else None

    def salary_on(self, day: date) -> Money | None:
        """The base salary on `day`; None before the hire date or after the leave date."""
        if not self._employed_on(day):
            return None
        change = _in_force(self.salaries, day)
        return None if change is None else change.base_salary

    def current_day(self, today: date) -> date:
        """`today` clamped into the employment: the hire date for a future hire, the leave date
        for a leaver. "Current" position and salary are the ones in force on that day."""
        day = max(today, self.hire_date)
        return day if self.leave_date is None else min(day, self.leave_date)

    def current_position(self, today: date) -> PositionAssignment:
        """The position held on `current_day(today)`."""
        position = _in_force(self.positions, self.current_day(today))
        assert position is not None  # the hire entry is in force from the hire date
        return position

    def current_salary(self, today: date) -> SalaryChange:
        """The salary change in force on `current_day(today)`."""
        salary = _in_force(self.salaries, self.current_day(today))
        assert salary is not None  # the hire entry is in force from the hire date
        return salary

    def _employed_on(self, day: date) -> bool:
        return self.hire_date <= day and (self.leave_date is None or day <= self.leave_date)

    def _appended(
        self,
        changes: tuple[_Change, ...],
        change: _Change,
        policy: HistoryPolicy,
        same_value: Callable[[_Change, _Change], bool],
    ) -> tuple[_Change, ...]:
        if change.effective_date < self.hire_date:
            raise InvalidArgument.for_field(
                "effective_date",
                f"cannot be before the hire date {self.hire_date.isoformat()}",
                reason="EFFECTIVE_BEFORE_HIRE",
            )
        if self.leave_date is not None and change.effective_date > self.leave_date:
            raise InvalidArgument.for_field(
                "effective_date",
                f"cannot be after the leave date {self.leave_date.isoformat()}",
                reason="EFFECTIVE_AFTER_LEAVE",
            )
        same_day = [c for c in changes if c.effective_date == change.effective_date]
        if same_day:
            if same_value(same_day[-1], change):
                return changes  # a retry of the change already in force that day
            if policy.same_day_change is SameDayChange.REJECT:
                raise AlreadyExists(
                    f"a change effective {change.effective_date.isoformat()} is already "
                    "recorded; choose another effective date",
                    reason="CHANGE_ALREADY_RECORDED_FOR_DATE",
                )
        appended: tuple[_Change, ...] = (*changes, change)
        return appended
