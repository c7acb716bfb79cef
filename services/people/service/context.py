"""What every use case of the people service gets: the database, a clock, the policies (all
settings), and helpers for the caller, "today" and confidential reads with their audit rows."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from services.common.audit import AuditEntry
from services.common.clock import utc_now
from services.common.context import Viewer
from services.common.errors import InvalidArgument, NotFound
from services.people.db.organisation_repo import EmployeeRow
from services.people.db.unit_of_work import PeopleDatabase, PeopleUnitOfWork
from services.people.domain.attendance_policy import DEFAULT_ATTENDANCE_POLICY, AttendancePolicy
from services.people.domain.confidentiality import (
    DEFAULT_CONFIDENTIALITY_POLICY,
    ConfidentialityPolicy,
    DataCategory,
    VisibilityDecision,
    decide_employee_data_visibility,
)
from services.people.domain.employment_history import DEFAULT_HISTORY_POLICY, HistoryPolicy
from services.people.domain.leave import DEFAULT_LEAVE_POLICY, LeavePolicy
from services.people.domain.login_lockout import DEFAULT_LOCKOUT_POLICY, LockoutPolicy
from services.people.domain.passwords import DEFAULT_PASSWORD_POLICY, PasswordPolicy
from services.people.domain.reporting_lines import ReportingLines
from services.people.domain.tokens import DEFAULT_TOKEN_POLICY, TokenPolicy
from services.people.domain.training_sessions import DEFAULT_ENROLMENT_POLICY, EnrolmentPolicy
from services.people.domain.validation import DEFAULT_EMPLOYEE_CODE_FORMAT, EmployeeCodeFormat


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return utc_now()


@dataclass(frozen=True)
class Policies:
    """Every rule setting of the people domain (defaults: the seeds' numbers)."""

    password: PasswordPolicy = DEFAULT_PASSWORD_POLICY
    lockout: LockoutPolicy = DEFAULT_LOCKOUT_POLICY
    token: TokenPolicy = DEFAULT_TOKEN_POLICY
    attendance: AttendancePolicy = DEFAULT_ATTENDANCE_POLICY
    enrolment: EnrolmentPolicy = DEFAULT_ENROLMENT_POLICY
    leave: LeavePolicy = DEFAULT_LEAVE_POLICY
    history: HistoryPolicy = DEFAULT_HISTORY_POLICY
    confidentiality: ConfidentialityPolicy = DEFAULT_CONFIDENTIALITY_POLICY
    code_format: EmployeeCodeFormat = DEFAULT_EMPLOYEE_CODE_FORMAT


@dataclass
class People:
    """The people service's dependencies, handed to every use case."""

    db: PeopleDatabase
    clock: Clock = field(default_factory=SystemClock)
    policies: Policies = field(default_factory=Policies)


async def today(uow: PeopleUnitOfWork, now: datetime) -> date:
    """The company's calendar date at `now` (in the work schedule's time zone)."""
    schedule = await uow.attendance.schedule()
    return schedule.local_date(now)


async def employee_or_404(
    uow: PeopleUnitOfWork, code: str, day: date, field_path: str = "employee_code"
) -> EmployeeRow:
    row = await uow.employees.get(code, day)
    if row is None:
        raise NotFound(f"{field_path}: no employee {code!r}", reason="EMPLOYEE_NOT_FOUND")
    return row


def decide(
    who: Viewer,
    subject_code: str,
    category: DataCategory,
    lines: ReportingLines,
    policies: Policies,
) -> VisibilityDecision:
    return decide_employee_data_visibility(
        viewer_code=who.code,
        subject_code=subject_code,
        category=category,
        viewer_permissions=who.permissions,
        reporting_lines=lines,
        policy=policies.confidentiality,
    )


def read_entry(decision: VisibilityDecision, action: str, resource: str) -> AuditEntry:
    """The audit row of a confidential read (allowed or refused)."""
    return AuditEntry.by_caller(
        action,
        resource,
        subject=decision.subject_code,
        category=decision.category.value,
        basis=decision.basis.value,
        allowed=decision.allowed,
    )


async def require_visible(
    people: People,
    uow: PeopleUnitOfWork,
    decision: VisibilityDecision,
    action: str,
    resource: str,
) -> None:
    """Audit a confidential read in `uow`; a refused read is audited in its own transaction
    (the caller's rolls back with the error) and raised as PERMISSION_DENIED."""
    entry = read_entry(decision, action, resource)
    if decision.allowed:
        await uow.audit(entry)
        return
    async with people.db.unit_of_work() as refused:
        await refused.audit(entry)
        await refused.commit()
    decision.require()


def check_mask(paths: Collection[str], allowed: Collection[str]) -> None:
    """Every update_mask path must be one this RPC can change."""
    if not paths:
        raise InvalidArgument.for_field("update_mask", "name at least one field to change")
    unknown = sorted(set(paths) - set(allowed))
    if unknown:
        raise InvalidArgument.for_field(
            "update_mask",
            f"cannot change {', '.join(unknown)} here; changeable: {', '.join(sorted(allowed))}",
        )
