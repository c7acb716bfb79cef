"""Leave requests (请假): requested and approved first; approved leave is not absence.

Seed 004 考勤制度 1: "如有特殊情况需要请假,应提前按照公司请假流程提交申请,经批准后方可离岗" —
leave is requested in advance and taken only once approved. States: REQUESTED → APPROVED or
REJECTED; a REQUESTED or APPROVED request may be CANCELLED before the leave starts.

Choices (`LeavePolicy`, settings):
- a request covers whole days `first_day`..`last_day`, or one half of a single day;
- it must be submitted before the leave starts, except sick leave (`retroactive_types`), which
  may be submitted up to `retroactive_days` (3) calendar days after its first day, since nobody
  plans to fall ill;
- at most `max_days_per_request` (180) calendar days per request (statutory maternity leave
  is 98 days and more in some provinces);
- the approver is someone in the requester's reporting line upwards (the supervisor), or HR;
  nobody approves their own leave;
- a request may not overlap another REQUESTED or APPROVED request of the same employee;
- only APPROVED leave excuses a day; a still-REQUESTED one is flagged as pending by the
  attendance classification so payroll can wait for the decision.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from services.common.errors import FailedPrecondition, InvalidArgument, PermissionDenied
from services.people.domain.reporting_lines import ReportingLines
from services.people.domain.validation import require_aware, validate_text
from services.people.domain.working_time import BOTH_HALVES, HalfDay, WorkSchedule


class LeaveType(StrEnum):
    ANNUAL = "ANNUAL"
    SICK = "SICK"
    PERSONAL = "PERSONAL"
    MARRIAGE = "MARRIAGE"
    MATERNITY = "MATERNITY"
    PATERNITY = "PATERNITY"
    BEREAVEMENT = "BEREAVEMENT"
    COMPENSATORY = "COMPENSATORY"


class LeavePart(StrEnum):
    FULL_DAY = "FULL_DAY"
    MORNING = "MORNING"
    AFTERNOON = "AFTERNOON"


class LeaveStatus(StrEnum):
    REQUESTED = "REQUESTED"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    CANCELLED = "CANCELLED"


_OPEN = frozenset({LeaveStatus.REQUESTED, LeaveStatus.APPROVED})


@dataclass(frozen=True)
class LeavePolicy:
    """Setting: when leave may be requested and how long a request may be."""

    retroactive_types: frozenset[LeaveType] = frozenset({LeaveType.SICK})
    retroactive_days: int = 3
    max_days_per_request: int = 180


DEFAULT_LEAVE_POLICY = LeavePolicy()


@dataclass(frozen=True)
class LeaveRequest:
    """One leave request and its decision."""

    request_id: str
    employee_code: str
    leave_type: LeaveType
    first_day: date
    last_day: date
    part: LeavePart
    reason: str
    requested_at: datetime
    status: LeaveStatus = LeaveStatus.REQUESTED
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision_note: str = ""

    @classmethod
    def submit(
        cls,
        *,
        request_id: str,
        employee_code: str,
        leave_type: LeaveType,
        first_day: date,
        last_day: date,
        part: LeavePart = LeavePart.FULL_DAY,
        reason: str,
        now: datetime,
        schedule: WorkSchedule,
        policy: LeavePolicy = DEFAULT_LEAVE_POLICY,
    ) -> LeaveRequest:
        """A new REQUESTED leave, checked against the policy."""
        require_aware(now, "now")
        _check_shape(first_day, last_day, part, policy)
        first_half = HalfDay.AFTERNOON if part is LeavePart.AFTERNOON else HalfDay.MORNING
        starts_at, _ = schedule.half_window(first_day, first_half)
        if now >= starts_at:
            late_limit = datetime.combine(
                first_day + timedelta(days=policy.retroactive_days + 1),
                datetime.min.time(),
                tzinfo=schedule.tz,
            )
            if leave_type not in policy.retroactive_types:
                raise FailedPrecondition(
                    f"{leave_type.value} leave must be requested before it starts "
                    f"({starts_at.isoformat()}); speak to your supervisor about the missed day",
                    reason="LEAVE_NOT_IN_ADVANCE",
                )
            if now >= late_limit:
                raise FailedPrecondition(
                    f"{leave_type.value} leave may be requested at most "
                    f"{policy.retroactive_days} days after its first day; ask HR to record it",
                    reason="LEAVE_REQUEST_TOO_LATE",
                )
        return cls(
            request_id=validate_text(request_id, field_path="request_id", max_length=64),
            employee_code=employee_code,
            leave_type=leave_type,
            first_day=first_day,
            last_day=last_day,
            part=part,
            reason=validate_text(reason, field_path="reason", max_length=500),
            requested_at=now,
        )

    @classmethod
    def record_approved(
        cls,
        *,
        request_id: str,
        employee_code: str,
        leave_type: LeaveType,
        first_day: date,
        last_day: date,
        part: LeavePart = LeavePart.FULL_DAY,
        reason: str,
        recorded_by: str,
        now: datetime,
        policy: LeavePolicy = DEFAULT_LEAVE_POLICY,
    ) -> LeaveRequest:
        """Leave HR records as already decided ("ask HR to record it"): APPROVED at once.

        The advance-notice rule does not apply (the leave may be over); the shape rules do, and
        nobody records their own leave this way."""
        require_aware(now, "now")
        if recorded_by == employee_code:
            raise PermissionDenied(
                "nobody records their own leave as approved; ask HR", reason="SELF_APPROVAL"
            )
        _check_shape(first_day, last_day, part, policy)
        return cls(
            request_id=validate_text(request_id, field_path="request_id", max_length=64),
            employee_code=employee_code,
            leave_type=leave_type,
            first_day=first_day,
            last_day=last_day,
            part=part,
            reason=validate_text(reason, field_path="reason", max_length=500),
            requested_at=now,
            status=LeaveStatus.APPROVED,
            decided_by=recorded_by,
            decided_at=now,
            decision_note="recorded by HR",
        )

    def approve(self, approver_code: str, now: datetime, note: str = "") -> LeaveRequest:
        """REQUESTED → APPROVED. Check the approver first with `check_can_decide`."""
        return self._decide(LeaveStatus.APPROVED, approver_code, now, note)

    def reject(self, approver_code: str, now: datetime, note: str) -> LeaveRequest:
        """REQUESTED → REJECTED, with the reason the employee will read."""
        validate_text(note, field_path="decision_note", max_length=500)
        return self._decide(LeaveStatus.REJECTED, approver_code, now, note)

    def cancel(self, now: datetime, schedule: WorkSchedule) -> LeaveRequest:
        """REQUESTED/APPROVED → CANCELLED, only before the leave starts."""
        require_aware(now, "now")
        if self.status not in _OPEN:
            raise FailedPrecondition(
                f"leave {self.request_id} is {self.status.value} and cannot be cancelled",
                reason="LEAVE_NOT_OPEN",
            )
        first_half = HalfDay.AFTERNOON if self.part is LeavePart.AFTERNOON else HalfDay.MORNING
        starts_at, _ = schedule.half_window(self.first_day, first_half)
        if now >= starts_at:
            raise FailedPrecondition(
                f"leave {self.request_id} has already started; ask HR to correct it",
                reason="LEAVE_ALREADY_STARTED",
            )
        return replace(self, status=LeaveStatus.CANCELLED, decided_at=now)

    def halves_on(self, day: date) -> frozenset[HalfDay]:
        """The halves of `day` this request covers (empty when it does not cover `day`)."""
        if not self.first_day <= day <= self.last_day:
            return frozenset()
        if self.part is LeavePart.MORNING:
            return frozenset({HalfDay.MORNING})
        if self.part is LeavePart.AFTERNOON:
            return frozenset({HalfDay.AFTERNOON})
        return BOTH_HALVES

    def overlaps(self, other: LeaveRequest) -> bool:
        """True when both cover a common half-day."""
        day = max(self.first_day, other.first_day)
        last = min(self.last_day, other.last_day)
        while day <= last:
            if self.halves_on(day) & other.halves_on(day):
                return True
            day += timedelta(days=1)
        return False

    def _decide(
        self, status: LeaveStatus, approver_code: str, now: datetime, note: str
    ) -> LeaveRequest:
        require_aware(now, "now")
        if self.status is not LeaveStatus.REQUESTED:
            raise FailedPrecondition(
                f"leave {self.request_id} is already {self.status.value}",
                reason="LEAVE_NOT_PENDING",
            )
        return replace(
            self, status=status, decided_by=approver_code, decided_at=now, decision_note=note
        )


def _check_shape(first_day: date, last_day: date, part: LeavePart, policy: LeavePolicy) -> None:
    if last_day < first_day:
        raise InvalidArgument.for_field(
            "last_day", "must be on or after first_day", reason="INVALID_RANGE"
        )
    if part is not LeavePart.FULL_DAY and last_day != first_day:
        raise InvalidArgument.for_field(
            "part",
            "a half-day leave covers a single day: set last_day = first_day",
            reason="HALF_DAY_SPANS_DAYS",
        )
    days = (last_day - first_day).days + 1
    if days > policy.max_days_per_request:
        raise InvalidArgument.for_field(
            "last_day",
            f"a request covers at most {policy.max_days_per_request} days; split it",
            reason="LEAVE_TOO_LONG",
        )


def check_can_decide(
    request: LeaveRequest,
    *,
    approver_code: str,
    reporting_lines: ReportingLines,
    approver_is_hr: bool,
) -> None:
    """Only a supervisor in the requester's line, or HR, decides; never the requester."""
    if approver_code == request.employee_code:
        raise PermissionDenied(
            "nobody approves their own leave; your supervisor or HR decides",
            reason="SELF_APPROVAL",
        )
    in_line = reporting_lines.is_in_line_upwards(approver_code, request.employee_code)
    if not (approver_is_hr or in_line):
        raise PermissionDenied(
            f"{approver_code} is not in {request.employee_code}'s reporting line; their "
            "supervisor or HR decides this leave",
            reason="NOT_IN_REPORTING_LINE",
        )


def check_no_overlap(request: LeaveRequest, existing: Iterable[LeaveRequest]) -> None:
    """Refuse a request overlapping another open request of the same employee."""
    for other in existing:
        if (
            other.request_id != request.request_id
            and other.employee_code == request.employee_code
            and other.status in _OPEN
            and request.overlaps(other)
        ):
            raise FailedPrecondition(
                f"this leave overlaps {other.request_id} ({other.status.value}, "
                f"{other.first_day.isoformat()}..{other.last_day.isoformat()}); change or "
                "cancel that one first",
                reason="LEAVE_OVERLAPS",
            )


@dataclass(frozen=True)
class LeaveCoverage:
    """Which halves of a day are excused by approved leave, and which are merely requested."""

    approved: frozenset[HalfDay] = field(default_factory=frozenset)
    pending: frozenset[HalfDay] = field(default_factory=frozenset)


def leave_coverage(requests: Iterable[LeaveRequest], day: date) -> LeaveCoverage:
    """Approved and pending halves of `day` over `requests`."""
    approved: set[HalfDay] = set()
    pending: set[HalfDay] = set()
    for request in requests:
        if request.status is LeaveStatus.APPROVED:
            approved |= request.halves_on(day)
        elif request.status is LeaveStatus.REQUESTED:
            pending |= request.halves_on(day)
    return LeaveCoverage(frozenset(approved), frozenset(pending - approved))
