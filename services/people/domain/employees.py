"""Employees: code, name, department, position, supervisor, employment dates, pay, contact.

Choices:
- `leave_date` is the employee's last day of employment (inclusive): someone hired and leaving
  on the same day worked that day, hence `leave_date >= hire_date`. Access ends at the start of
  the following day in the company's time zone (`employment_ends_at`); an immediate dismissal is
  handled by revoking tokens at once (`tokens.TokenRevocation`).
- Status is ACTIVE until a leave date is recorded, then LEFT; recording a leave date in advance
  (notice period) is allowed, and `is_employed_on(day)` answers for a given date.
- The base salary must be positive: a zero salary is almost certainly a typing mistake.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from services.common.errors import FailedPrecondition, InvalidArgument
from services.common.money import Money
from services.people.domain.validation import (
    DEFAULT_EMPLOYEE_CODE_FORMAT,
    EmployeeCodeFormat,
    validate_code,
    validate_email,
    validate_employee_code,
    validate_person_name,
    validate_phone,
)


class EmploymentStatus(StrEnum):
    ACTIVE = "ACTIVE"
    LEFT = "LEFT"


@dataclass(frozen=True)
class Contact:
    """Personal contact data: confidential (see `confidentiality`)."""

    email: str | None = None
    phone: str | None = None

    def validated(self, field_path: str = "contact") -> Contact:
        """This contact with normalised values, or InvalidArgument naming the sub-field."""
        return Contact(
            email=None
            if self.email is None
            else validate_email(self.email, field_path=f"{field_path}.email"),
            phone=None
            if self.phone is None
            else validate_phone(self.phone, field_path=f"{field_path}.phone"),
        )


@dataclass(frozen=True)
class Employee:
    """An employee record. Build new ones with `Employee.hire` so every field is validated."""

    code: str
    name: str
    department_code: str
    position_code: str
    hire_date: date
    base_salary: Money
    contact: Contact
    supervisor_code: str | None = None
    status: EmploymentStatus = EmploymentStatus.ACTIVE
    leave_date: date | None = None

    @classmethod
    def hire(
        cls,
        *,
        code: str,
        name: str,
        department_code: str,
        position_code: str,
        hire_date: date,
        base_salary: Money,
        contact: Contact,
        supervisor_code: str | None = None,
        code_format: EmployeeCodeFormat = DEFAULT_EMPLOYEE_CODE_FORMAT,
    ) -> Employee:
        """A new ACTIVE employee; every field validated and normalised."""
        validate_employee_code(code, field_path="code", code_format=code_format)
        if supervisor_code is not None:
            validate_employee_code(
                supervisor_code, field_path="supervisor_code", code_format=code_format
            )
            if supervisor_code == code:
                raise InvalidArgument.for_field(
                    "supervisor_code",
                    f"{code} cannot be their own supervisor (cycle {code} → {code})",
                    reason="REPORTING_CYCLE",
                )
        if not base_salary.is_positive:
            raise InvalidArgument.for_field(
                "base_salary", "must be greater than zero", reason="NON_POSITIVE_SALARY"
            )
        return cls(
            code=code,
            name=validate_person_name(name, field_path="name"),
            department_code=validate_code(department_code, field_path="department_code"),
            position_code=validate_code(position_code, field_path="position_code"),
            hire_date=hire_date,
            base_salary=base_salary,
            contact=contact.validated("contact"),
            supervisor_code=supervisor_code,
        )

    def record_leave(self, leave_date: date) -> Employee:
        """This employee as LEFT with `leave_date` as the last day of employment."""
        if self.status is EmploymentStatus.LEFT:
            raise FailedPrecondition(
                f"{self.code} already left on {self.leave_date}; correct the leave date "
                "instead of recording it again",
                reason="EMPLOYEE_ALREADY_LEFT",
            )
        if leave_date < self.hire_date:
            raise InvalidArgument.for_field(
                "leave_date",
                f"must be on or after the hire date {self.hire_date.isoformat()}",
                reason="LEAVE_BEFORE_HIRE",
            )
        return replace(self, status=EmploymentStatus.LEFT, leave_date=leave_date)

    def is_employed_on(self, day: date) -> bool:
        """True from the hire date through the leave date (inclusive)."""
        if day < self.hire_date:
            return False
        return self.leave_date is None or day <= self.leave_date

    def employment_ends_at(self, tz: ZoneInfo) -> datetime | None:
        """The instant access ends: midnight after the leave date in `tz`; None if not leaving."""
        if self.leave_date is None:
            return None
        return datetime.combine(self.leave_date + timedelta(days=1), time(0), tzinfo=tz)
