"""Status history shared by the aggregates of this service (orders, after-sales, exceptions, ...).

Every change is appended, never rewritten (seed 003 篇2 7(3): a record is corrected visibly, with
who and when). An entry whose `from_status` equals `to_status` records an event that changed no
status (an address change, a failed verification, a parcel of a split shipment).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Generic, TypeVar

from services.common.errors import FailedPrecondition

S = TypeVar("S", bound=StrEnum)


@dataclass(frozen=True, slots=True)
class HistoryEntry(Generic[S]):
    """One change: from which status to which, when, by whom, and why (free text, no PII)."""

    from_status: S | None
    to_status: S
    at: datetime
    actor: str
    note: str = ""


def allowed_list(statuses: frozenset[S]) -> str:
    """Statuses in declaration order, comma-separated, for messages a person reads."""
    if not statuses:
        return "no status"
    members = list(type(next(iter(statuses))))
    return ", ".join(s.value for s in members if s in statuses)


def require_status(
    current: S,
    allowed: frozenset[S],
    *,
    what: str,
    subject: str,
    key: tuple[str, str],
    reason: str,
) -> None:
    """Refuse `what` unless `current` is one of `allowed` (FailedPrecondition with `reason` and
    metadata `key` plus `current_status`); `subject` names the aggregate, e.g. "complaint C-1"."""
    if current in allowed:
        return
    raise FailedPrecondition(
        f"{subject} is {current.value}; {what} is allowed only from {allowed_list(allowed)}",
        reason=reason,
        metadata={key[0]: key[1], "current_status": current.value},
    )
