"""Monthly targets for an employee, a group or the department: seed 003 篇1 (三) 1-3.

"每月30日前设定下月指标": next month's target is set before the 30th, read as on or before day 29
of the previous month; a previous month with fewer than 30 days (February) allows its last day
(28 or 29). A target set or changed after that deadline needs an approver other than the person
setting it (four eyes), because a late target can be fitted to results already known; the
returned `TargetChange` is what the adapter writes to the audit trail. Changes on or before the
deadline need no approval. No target may be set for a month that is already closed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum

from services.common.errors import FailedPrecondition, InvalidArgument, PermissionDenied
from services.common.money import Money
from services.performance.domain.period import YearMonth

# "before the 30th" → the last allowed day is the 29th.
LAST_ON_TIME_DAY = 29


class TargetScope(Enum):
    EMPLOYEE = "EMPLOYEE"
    GROUP = "GROUP"
    DEPARTMENT = "DEPARTMENT"


@dataclass(frozen=True)
class MonthlyTarget:
    scope: TargetScope
    subject_code: str
    month: YearMonth
    amount: Money
    set_by: str
    set_on: date
    approved_by: str | None = None


@dataclass(frozen=True)
class TargetChange:
    """A target as set, what it replaced, and whether it came after the deadline (audited)."""

    target: MonthlyTarget
    previous: MonthlyTarget | None
    late: bool


def target_deadline(month: YearMonth) -> date:
    """The last day `month`'s target may be set without approval: the 29th of the month before,
    or that month's last day when it is shorter."""
    before = month.previous()
    return before.day(min(LAST_ON_TIME_DAY, before.days))


def set_target(
    *,
    scope: TargetScope,
    subject_code: str,
    month: YearMonth,
    amount: Money,
    set_by: str,
    today: date,
    previous: MonthlyTarget | None = None,
    approved_by: str | None = None,
    month_closed: bool = False,
) -> TargetChange:
    """Set or change a monthly target, enforcing the deadline and the four-eyes rule."""
    if month_closed:
        raise FailedPrecondition(
            f"{month} is closed; its targets can no longer change", reason="TARGET_MONTH_CLOSED"
        )
    if amount.amount_minor <= 0:
        raise InvalidArgument.for_field(
            "amount", f"must be > 0, got {amount}", reason="TARGET_NOT_POSITIVE"
        )
    if not subject_code:
        raise InvalidArgument.for_field(
            "subject_code",
            "name the employee, group or department",
            reason="TARGET_SUBJECT_MISSING",
        )
    if previous is not None and (previous.scope, previous.subject_code, previous.month) != (
        scope,
        subject_code,
        month,
    ):
        raise InvalidArgument.for_field(
            "previous",
            "is the target of another subject or month",
            reason="TARGET_PREVIOUS_MISMATCH",
        )
    late = today > target_deadline(month)
    if late:
        if approved_by is None:
            raise FailedPrecondition(
                f"the deadline for {month} targets was {target_deadline(month)}; a later change "
                "needs an approver",
                reason="TARGET_CHANGE_NEEDS_APPROVAL",
            )
        if approved_by == set_by:
            raise PermissionDenied(
                f"{set_by} cannot approve their own late target change; ask another manager",
                reason="TARGET_SELF_APPROVAL",
            )
    target = MonthlyTarget(
        scope, subject_code, month, amount, set_by, today, approved_by if late else None
    )
    return TargetChange(target, previous, late)


def is_late(month: YearMonth, today: date) -> bool:
    """A change made after `target_deadline(month)` needs an approver."""
    return today > target_deadline(month)


@dataclass(frozen=True)
class TargetProposal:
    """A change proposed after the deadline; nothing changes until someone else approves it."""

    scope: TargetScope
    subject_code: str
    month: YearMonth
    amount: Money
    proposed_by: str
    proposed_on: date
    reason: str


def propose_target_change(
    *,
    scope: TargetScope,
    subject_code: str,
    month: YearMonth,
    amount: Money,
    proposed_by: str,
    today: date,
    reason: str,
    month_closed: bool = False,
) -> TargetProposal:
    """Record a late change for approval (the first half of the four-eyes rule)."""
    if month_closed:
        raise FailedPrecondition(
            f"{month} is closed; its targets can no longer change", reason="TARGET_MONTH_CLOSED"
        )
    if amount.amount_minor <= 0:
        raise InvalidArgument.for_field(
            "amount", f"must be > 0, got {amount}", reason="TARGET_NOT_POSITIVE"
        )
    if not subject_code:
        raise InvalidArgument.for_field(
            "subject_code",
            "name the employee, group or department",
            reason="TARGET_SUBJECT_MISSING",
        )
    if not is_late(month, today):
        raise FailedPrecondition(
            f"the deadline for {month} targets is {target_deadline(month)}; "
            "set the target directly",
            reason="TARGET_NOT_LATE",
        )
    if not reason.strip():
        raise InvalidArgument.for_field(
            "reason",
            "say why the target changes after its deadline",
            reason="TARGET_CHANGE_REASON_MISSING",
        )
    return TargetProposal(scope, subject_code, month, amount, proposed_by, today, reason)


def approve_target_change(
    proposal: TargetProposal,
    *,
    approver: str,
    today: date,
    previous: MonthlyTarget | None,
    month_closed: bool = False,
) -> TargetChange:
    """Apply a late change once a person other than its author approves it."""
    return set_target(
        scope=proposal.scope,
        subject_code=proposal.subject_code,
        month=proposal.month,
        amount=proposal.amount,
        set_by=proposal.proposed_by,
        today=today,
        previous=previous,
        approved_by=approver,
        month_closed=month_closed,
    )
