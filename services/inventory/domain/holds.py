"""Customer holds (囤货): stock that sales keeps aside for a customer (seed 003 篇2 2.(3)).

"如销售无特别说明,囤货超过7天则视为放弃处理,所囤货物进入正常销售流程" — unless sales says otherwise,
a hold older than 7 days counts as abandoned and the goods return to normal sale.

On the books a hold is a reservation of one SKU in one warehouse: RESERVATION when created,
RELEASE when it ends (expired, released by sales, or turned into an order, which then reserves
for itself).

Settings chosen (``HoldPolicy``):
- ``max_age = 7 days``, measured from the creation time; "older than" is strict: a hold created
  at T is still kept at exactly T + 7 days and expires after that instant.
- Sales' "special instruction" is a ``keep_until`` time set on the hold; it replaces the 7-day
  limit for that hold (it can lengthen or shorten it, but must lie in the future).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from services.common.errors import FailedPrecondition, InvalidArgument
from services.inventory.domain.ledger import Movement, MovementKind
from services.inventory.domain.validation import (
    validate_aware,
    validate_id,
    validate_positive_duration,
    validate_positive_quantity,
    validate_sku_code,
    validate_text,
    validate_warehouse_code,
)


@dataclass(frozen=True)
class HoldPolicy:
    """How long a hold without instruction lasts."""

    max_age: timedelta = timedelta(days=7)

    def __post_init__(self) -> None:
        validate_positive_duration(self.max_age, "max_age")


DEFAULT_HOLD_POLICY = HoldPolicy()


class HoldStatus(StrEnum):
    """ACTIVE, RELEASED by sales, or EXPIRED (abandoned: back to normal sale)."""

    ACTIVE = "ACTIVE"
    RELEASED = "RELEASED"
    EXPIRED = "EXPIRED"


@dataclass(frozen=True)
class HoldChange:
    """A hold after a command, the movements to post, and whether it changed."""

    hold: CustomerHold
    movements: tuple[Movement, ...]
    changed: bool


@dataclass(frozen=True)
class CustomerHold:
    """`quantity` units of `sku_code` in `warehouse_code` kept for `customer_ref`."""

    hold_id: str
    customer_ref: str
    sku_code: str
    warehouse_code: str
    quantity: int
    created_by: str
    created_at: datetime
    keep_until: datetime | None = None
    status: HoldStatus = HoldStatus.ACTIVE
    closed_at: datetime | None = None

    @classmethod
    def create(
        cls,
        *,
        hold_id: str,
        customer_ref: str,
        sku_code: str,
        warehouse_code: str,
        quantity: int,
        created_by: str,
        now: datetime,
    ) -> HoldChange:
        """A new hold by sales and its RESERVATION (availability is checked by the ledger)."""
        validate_id(hold_id, "hold_id")
        validate_text(customer_ref, "customer_ref", max_len=64)
        validate_sku_code(sku_code)
        validate_warehouse_code(warehouse_code)
        validate_positive_quantity(quantity)
        validate_text(created_by, "created_by", max_len=64)
        validate_aware(now, "now")
        hold = cls(hold_id, customer_ref, sku_code, warehouse_code, quantity, created_by, now)
        return HoldChange(hold, (hold._movement(MovementKind.RESERVATION),), changed=True)

    def expires_at(self, policy: HoldPolicy = DEFAULT_HOLD_POLICY) -> datetime:
        """The instant after which the hold counts as abandoned."""
        return self.keep_until or self.created_at + policy.max_age

    def is_expired(self, now: datetime, policy: HoldPolicy = DEFAULT_HOLD_POLICY) -> bool:
        """ACTIVE and strictly past its expiry instant."""
        return self.status is HoldStatus.ACTIVE and now > self.expires_at(policy)

    def keep(self, until: datetime, now: datetime) -> CustomerHold:
        """Sales' instruction to keep the hold until `until` (replaces the 7-day limit)."""
        validate_aware(until, "keep_until")
        validate_aware(now, "now")
        self._require_active("extend")
        if until <= now:
            raise InvalidArgument.for_field("keep_until", "must be in the future")
        return replace(self, keep_until=until)

    def release(self, now: datetime) -> HoldChange:
        """Sales gives the hold up (or turns it into an order); a no-op if already ended."""
        return self._close(HoldStatus.RELEASED, now)

    def expire(self, now: datetime, policy: HoldPolicy = DEFAULT_HOLD_POLICY) -> HoldChange:
        """Return an abandoned hold to normal sale; a no-op if already ended."""
        if self.status is HoldStatus.ACTIVE and not self.is_expired(now, policy):
            raise FailedPrecondition(
                f"hold {self.hold_id} is kept until {self.expires_at(policy)}",
                reason="HOLD_NOT_EXPIRED",
            )
        return self._close(HoldStatus.EXPIRED, now)

    def _close(self, status: HoldStatus, now: datetime) -> HoldChange:
        validate_aware(now, "now")
        if self.status is not HoldStatus.ACTIVE:
            return HoldChange(self, (), changed=False)
        closed = replace(self, status=status, closed_at=now)
        return HoldChange(closed, (self._movement(MovementKind.RELEASE),), changed=True)

    def _require_active(self, action: str) -> None:
        if self.status is not HoldStatus.ACTIVE:
            raise FailedPrecondition(
                f"cannot {action} hold {self.hold_id}: it is {self.status}", reason="HOLD_CLOSED"
            )

    def _movement(self, kind: MovementKind) -> Movement:
        return Movement(kind, self.sku_code, self.warehouse_code, self.quantity)


def expired_holds(
    holds: Iterable[CustomerHold], now: datetime, policy: HoldPolicy = DEFAULT_HOLD_POLICY
) -> tuple[CustomerHold, ...]:
    """ACTIVE holds past their expiry at `now`, oldest expiry first (the daily clean-up list)."""
    validate_aware(now, "now")
    due = [hold for hold in holds if hold.is_expired(now, policy)]
    return tuple(sorted(due, key=lambda h: (h.expires_at(policy), h.hold_id)))
