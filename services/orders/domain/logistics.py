"""Logistics exceptions (物流异常): a parcel is late, lost or damaged.

Seed 004 订单处理流程 (订单跟踪与反馈) and seed 000: logistics status is followed; for exceptions
such as delay or loss the operator works it out with the carrier and explains the situation to the
customer. So an exception moves OPEN → IN_PROGRESS (being worked with the carrier) → RESOLVED with a
resolution, and cannot be resolved before the customer was told.

Settings and readings:
* `LogisticsPolicy.require_customer_notified` = True (the seed: 并向客户说明情况).
* An exception is opened only for an order with a parcel out (PARTIALLY_SHIPPED, SHIPPED, or
  DELIVERED — a "delivered" parcel can still turn out damaged or not received).
* Resolutions allowed per kind: a late parcel may be DELIVERED_LATE; a damaged one may not.
  RESHIPPED, REFUNDED and COMPENSATED fit every kind. Resolving again with the same resolution is a
  no-op; another resolution is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from services.common.errors import FailedPrecondition
from services.orders.domain.history import HistoryEntry, allowed_list, require_status
from services.orders.domain.inputs import (
    check_actor,
    check_employee_code,
    check_identifier,
    check_text,
    require_aware,
)
from services.orders.domain.order import Order
from services.orders.domain.status import SHIPPED_STATUSES

MAX_TEXT = 1000


class ExceptionKind(StrEnum):
    """What went wrong with the parcel."""

    DELAY = "DELAY"
    LOSS = "LOSS"
    DAMAGE = "DAMAGE"


class ExceptionStatus(StrEnum):
    """Where the case stands."""

    OPEN = "OPEN"
    IN_PROGRESS = "IN_PROGRESS"
    RESOLVED = "RESOLVED"


class Resolution(StrEnum):
    """How the case ended."""

    DELIVERED_LATE = "DELIVERED_LATE"
    RESHIPPED = "RESHIPPED"
    REFUNDED = "REFUNDED"
    COMPENSATED = "COMPENSATED"


ALLOWED_RESOLUTIONS: Mapping[ExceptionKind, frozenset[Resolution]] = {
    ExceptionKind.DELAY: frozenset(Resolution),
    ExceptionKind.LOSS: frozenset(Resolution),  # a "lost" parcel sometimes turns up
    ExceptionKind.DAMAGE: frozenset(Resolution) - {Resolution.DELIVERED_LATE},
}


@dataclass(frozen=True)
class LogisticsPolicy:
    """See the module docstring."""

    require_customer_notified: bool = True


@dataclass
class LogisticsException:
    """One case with a carrier. Open it with `open_logistics_exception`."""

    exception_id: str
    order_id: str
    kind: ExceptionKind
    tracking_number: str
    description: str
    opened_at: datetime
    status: ExceptionStatus = ExceptionStatus.OPEN
    customer_notified_at: datetime | None = None
    resolution: Resolution | None = None
    resolution_note: str = ""
    resolved_at: datetime | None = None
    handled_by: str | None = None
    history: list[HistoryEntry[ExceptionStatus]] = field(default_factory=list)
    version: int = 0

    def _check(self, allowed: frozenset[ExceptionStatus], what: str) -> None:
        require_status(
            self.status,
            allowed,
            what=what,
            subject=f"logistics exception {self.exception_id}",
            key=("exception_id", self.exception_id),
            reason="ILLEGAL_EXCEPTION_TRANSITION",
        )

    def _move(self, target: ExceptionStatus, now: datetime, actor: str, note: str = "") -> None:
        self.history.append(HistoryEntry(self.status, target, now, actor, note))
        self.status = target
        self.version += 1

    def start_work(self, now: datetime, actor: str) -> bool:
        """Someone took the case up with the carrier: OPEN → IN_PROGRESS."""
        require_aware(now)
        actor = check_actor(actor)
        if self.status is ExceptionStatus.IN_PROGRESS:
            return False
        self._check(frozenset({ExceptionStatus.OPEN}), "starting work")
        self._move(ExceptionStatus.IN_PROGRESS, now, actor)
        return True

    def assign_handler(self, employee_code: str) -> None:
        """Attribute the case to the employee working it."""
        self.handled_by = check_employee_code(employee_code, "handled_by")
        self.version += 1

    def record_customer_notified(self, now: datetime, actor: str) -> bool:
        """The customer was told what happened and what is being done."""
        require_aware(now)
        actor = check_actor(actor)
        if self.customer_notified_at is not None:
            return False
        self.customer_notified_at = now
        self._move(self.status, now, actor, "customer notified")
        return True

    def resolve(
        self,
        resolution: Resolution,
        note: str,
        now: datetime,
        actor: str,
        policy: LogisticsPolicy | None = None,
    ) -> bool:
        """Close the case with its resolution: IN_PROGRESS → RESOLVED."""
        policy = policy or LogisticsPolicy()
        require_aware(now)
        actor = check_actor(actor)
        note = check_text(note, "note", max_length=MAX_TEXT)
        if self.status is ExceptionStatus.RESOLVED and self.resolution is resolution:
            return False
        self._check(frozenset({ExceptionStatus.IN_PROGRESS}), "resolving")
        if resolution not in ALLOWED_RESOLUTIONS[self.kind]:
            raise FailedPrecondition(
                f"a {self.kind.value} cannot be resolved as {resolution.value}; use one of "
                f"{allowed_list(ALLOWED_RESOLUTIONS[self.kind])}",
                reason="RESOLUTION_NOT_ALLOWED",
                metadata={"exception_id": self.exception_id},
            )
        if policy.require_customer_notified and self.customer_notified_at is None:
            raise FailedPrecondition(
                f"tell the customer about logistics exception {self.exception_id} (and record "
                "it) before resolving it",
                reason="CUSTOMER_NOT_NOTIFIED",
                metadata={"exception_id": self.exception_id},
            )
        self.resolution, self.resolution_note, self.resolved_at = resolution, note, now
        self._move(ExceptionStatus.RESOLVED, now, actor, f"{resolution.value} {note}".strip())
        return True


def open_logistics_exception(
    exception_id: str,
    order: Order,
    kind: ExceptionKind,
    description: str,
    *,
    now: datetime,
    actor: str,
    tracking_number: str | None = None,
) -> LogisticsException:
    """Open a case for a parcel of `order` (the last parcel's tracking number by default)."""
    check_identifier(exception_id, "exception_id")
    description = check_text(description, "description", max_length=MAX_TEXT, required=True)
    require_aware(now)
    actor = check_actor(actor)
    if order.status not in SHIPPED_STATUSES or not order.shipments:
        raise FailedPrecondition(
            f"order {order.order_id} is {order.status.value}; a logistics exception needs a "
            "parcel that has left the warehouse",
            reason="ORDER_NOT_SHIPPED",
            metadata={"order_id": order.order_id, "current_status": order.status.value},
        )
    known = [s.tracking_number for s in order.shipments]
    tracking = tracking_number.strip() if tracking_number else known[-1]
    if tracking not in known:
        raise FailedPrecondition(
            f"order {order.order_id} has no parcel with tracking number {tracking} "
            f"(its parcels: {', '.join(known)})",
            reason="UNKNOWN_TRACKING_NUMBER",
            metadata={"order_id": order.order_id},
        )
    case = LogisticsException(exception_id, order.order_id, kind, tracking, description, now)
    case.history.append(HistoryEntry(None, ExceptionStatus.OPEN, now, actor, kind.value))
    return case
