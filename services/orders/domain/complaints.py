"""Complaints and disputes (投诉、纠纷): tracked until resolved, with the resolution written down.

DOMAIN.md: complaints and disputes are tracked to resolution. Seed 000 measures the after-sales
resolution rate (售后问题解决率) as problems successfully resolved over all problems.

    OPEN ─▶ IN_PROGRESS ─▶ RESOLVED      (solved; the resolution says how)
      │           └──────▶ CLOSED        (ended unsolved: customer unreachable, platform ruled, ...)
      └──────────────────▶ CLOSED        (duplicate or not a complaint)

Both end states need a resolution text. Resolving again with the same text is a no-op.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from services.orders.domain.history import HistoryEntry, require_status
from services.orders.domain.inputs import (
    check_actor,
    check_employee_code,
    check_identifier,
    check_text,
    require_aware,
)

MAX_TEXT = 2000


class ComplaintKind(StrEnum):
    """A complaint to the shop, or a dispute raised through the platform."""

    COMPLAINT = "COMPLAINT"
    DISPUTE = "DISPUTE"


class ComplaintStatus(StrEnum):
    """Where the case stands."""

    OPEN = "OPEN"
    IN_PROGRESS = "IN_PROGRESS"
    RESOLVED = "RESOLVED"
    CLOSED = "CLOSED"


_C = ComplaintStatus
_ENDED = frozenset({_C.RESOLVED, _C.CLOSED})


@dataclass
class Complaint:
    """One complaint or dispute, optionally about an order. Open it with `open_complaint`."""

    complaint_id: str
    kind: ComplaintKind
    description: str
    opened_at: datetime
    order_id: str | None = None
    status: ComplaintStatus = ComplaintStatus.OPEN
    resolution: str = ""
    ended_at: datetime | None = None
    handled_by: str | None = None
    history: list[HistoryEntry[ComplaintStatus]] = field(default_factory=list)
    version: int = 0

    def _end_or_move(
        self,
        target: ComplaintStatus,
        *,
        allowed: frozenset[ComplaintStatus],
        what: str,
        now: datetime,
        actor: str,
        note: str = "",
    ) -> None:
        require_aware(now)
        actor = check_actor(actor)
        require_status(
            self.status,
            allowed,
            what=what,
            subject=f"complaint {self.complaint_id}",
            key=("complaint_id", self.complaint_id),
            reason="ILLEGAL_COMPLAINT_TRANSITION",
        )
        self.history.append(HistoryEntry(self.status, target, now, actor, note))
        self.status = target
        self.version += 1

    def assign_handler(self, employee_code: str) -> None:
        """Attribute the case to the employee handling it."""
        self.handled_by = check_employee_code(employee_code, "handled_by")
        self.version += 1

    def start_work(self, now: datetime, actor: str) -> bool:
        """Someone took the case up: OPEN → IN_PROGRESS."""
        if self.status is ComplaintStatus.IN_PROGRESS:
            return False
        self._end_or_move(
            _C.IN_PROGRESS, allowed=frozenset({_C.OPEN}), what="starting work", now=now, actor=actor
        )
        return True

    def resolve(self, resolution: str, now: datetime, actor: str) -> bool:
        """The problem was solved: IN_PROGRESS → RESOLVED, with how."""
        return self._end(_C.RESOLVED, frozenset({_C.IN_PROGRESS}), resolution, now, actor)

    def close(self, resolution: str, now: datetime, actor: str) -> bool:
        """The case ends without a solution: OPEN/IN_PROGRESS → CLOSED, with why."""
        return self._end(_C.CLOSED, frozenset({_C.OPEN, _C.IN_PROGRESS}), resolution, now, actor)

    def _end(
        self,
        target: ComplaintStatus,
        allowed: frozenset[ComplaintStatus],
        resolution: str,
        now: datetime,
        actor: str,
    ) -> bool:
        text = check_text(resolution, "resolution", max_length=MAX_TEXT, required=True)
        if self.status is target and self.resolution == text:
            return False
        self._end_or_move(
            target, allowed=allowed, what=target.value.lower(), now=now, actor=actor, note=text
        )
        self.resolution, self.ended_at = text, now
        return True


def open_complaint(
    complaint_id: str,
    kind: ComplaintKind,
    description: str,
    *,
    now: datetime,
    actor: str,
    order_id: str | None = None,
) -> Complaint:
    """Record a new complaint or dispute."""
    check_identifier(complaint_id, "complaint_id")
    if order_id is not None:
        check_identifier(order_id, "order_id")
    description = check_text(description, "description", max_length=MAX_TEXT, required=True)
    require_aware(now)
    actor = check_actor(actor)
    complaint = Complaint(complaint_id, kind, description, now, order_id)
    complaint.history.append(HistoryEntry(None, ComplaintStatus.OPEN, now, actor, kind.value))
    return complaint


def resolution_rate(complaints: Iterable[Complaint]) -> Decimal | None:
    """Resolved cases over all cases (seed 000 售后问题解决率); None when there are none."""
    cases = list(complaints)
    if not cases:
        return None
    resolved = sum(1 for c in cases if c.status is ComplaintStatus.RESOLVED)
    return Decimal(resolved) / Decimal(len(cases))
