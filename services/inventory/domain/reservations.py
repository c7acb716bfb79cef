"""Reservations: stock held for a document (an order) until it is committed or released.

CONTRACT.md fixes the behaviour: all lines or none; not enough available → FAILED_PRECONDITION
listing the short SKUs; idempotent on the reservation id (a different payload under the same id
→ ALREADY_EXISTS); release and commit are idempotent.

States (names match the Reservation.State proto)::

    ACTIVE --release--> RELEASED     release of RELEASED/EXPIRED: no-op; of COMMITTED: refused
    ACTIVE --commit---> COMMITTED    commit of COMMITTED: no-op; of RELEASED/EXPIRED: refused
    ACTIVE --expire---> EXPIRED      only once `now` ≥ expires_at (unset: never expires)

Readings chosen:
- Lines naming one SKU twice are merged, then sorted by SKU code, so the database layer locks
  stock rows in one order everywhere (no deadlock between two multi-line reservations).
- The payload fingerprint is taken over the merged, sorted lines: the same lines in another order
  are the same request.
- An ACTIVE reservation past its expiry cannot be committed even if the expiry job has not run
  yet: the answer must not depend on when a background job last ran.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from services.common.errors import AlreadyExists, FailedPrecondition
from services.inventory.domain.stock_lines import SkuQuantity, merge_lines, validate_lines
from services.inventory.domain.validation import (
    RESERVATION_ID_MAX_LEN,
    validate_aware,
    validate_client_key,
    validate_positive_duration,
    validate_positive_quantity,
    validate_sku_code,
)


class ReservationState(StrEnum):
    """Lifecycle of a reservation."""

    ACTIVE = "ACTIVE"
    RELEASED = "RELEASED"
    COMMITTED = "COMMITTED"
    EXPIRED = "EXPIRED"


@dataclass(frozen=True)
class Shortage:
    """A SKU that cannot be reserved in full."""

    sku_code: str
    requested: int
    available: int


def normalize_lines(lines: Sequence[SkuQuantity], field: str = "lines") -> tuple[SkuQuantity, ...]:
    """Validate request lines, merge duplicate SKUs and sort by SKU code."""
    return merge_lines(validate_lines(lines, field, unique=False))


def find_shortages(
    lines: Sequence[SkuQuantity], available: Mapping[str, int]
) -> tuple[Shortage, ...]:
    """The SKUs of `lines` (merged) for which `available` (missing SKU = 0) is below the request."""
    return tuple(
        Shortage(line.sku_code, line.quantity, available.get(line.sku_code, 0))
        for line in merge_lines(lines)
        if available.get(line.sku_code, 0) < line.quantity
    )


def require_available(lines: Sequence[SkuQuantity], available: Mapping[str, int]) -> None:
    """Raise FailedPrecondition (``INSUFFICIENT_STOCK``) naming every short SKU, or return."""
    short = find_shortages(lines, available)
    if short:
        raise insufficient_stock(short)


def insufficient_stock(short: Sequence[Shortage]) -> FailedPrecondition:
    """The refusal of a reservation: every short SKU with requested and available units, in the
    message and in the metadata (``short_skus`` plus ``<sku>.requested`` / ``<sku>.available``)."""
    detail = "; ".join(
        f"{s.sku_code}: {s.available} available, {s.requested} requested" for s in short
    )
    metadata = {"short_skus": ",".join(s.sku_code for s in short)}
    for s in short:
        metadata[f"{s.sku_code}.requested"] = str(s.requested)
        metadata[f"{s.sku_code}.available"] = str(s.available)
    return FailedPrecondition(
        f"not enough stock to reserve, nothing was reserved — {detail}",
        reason="INSUFFICIENT_STOCK",
        metadata=metadata,
    )


def payload_fingerprint(lines: Sequence[SkuQuantity]) -> str:
    """A stable hash of the request lines (merged and sorted), stored with the reservation."""
    canonical = "".join(f"{line.sku_code}\t{line.quantity}\n" for line in merge_lines(lines))
    return hashlib.sha256(f"reservation/v1\n{canonical}".encode()).hexdigest()


def require_same_payload(
    reservation_id: str, stored_fingerprint: str, lines: Sequence[SkuQuantity]
) -> None:
    """Raise AlreadyExists (``IDEMPOTENCY_KEY_REUSED``) if `lines` differ from the stored ones."""
    if payload_fingerprint(lines) != stored_fingerprint:
        raise AlreadyExists(
            f"reservation {reservation_id} already exists with different lines; "
            "use a new reservation id for a different request",
            reason="IDEMPOTENCY_KEY_REUSED",
        )


def split_across_warehouses(
    sku_code: str, quantity: int, available_by_warehouse: Mapping[str, int]
) -> tuple[tuple[str, int], ...]:
    """(warehouse_code, units) to hold `quantity` of one SKU, fewest warehouses first.

    Warehouses with the most available go first (ties by code), so an order is split as little
    as possible. Raises FailedPrecondition (``INSUFFICIENT_STOCK``) if the total is short.
    """
    validate_sku_code(sku_code)
    validate_positive_quantity(quantity)
    require_available(
        [SkuQuantity(sku_code, quantity)],
        {sku_code: sum(max(0, units) for units in available_by_warehouse.values())},
    )
    plan: list[tuple[str, int]] = []
    left = quantity
    for code, units in sorted(available_by_warehouse.items(), key=lambda kv: (-kv[1], kv[0])):
        if left == 0 or units <= 0:
            break
        take = min(left, units)
        plan.append((code, take))
        left -= take
    return tuple(plan)


@dataclass(frozen=True)
class Transition:
    """A reservation after a command, and whether the command changed it (False = no-op)."""

    reservation: Reservation
    changed: bool


@dataclass(frozen=True)
class Reservation:
    """Units of several SKUs held for one document."""

    reservation_id: str
    lines: tuple[SkuQuantity, ...]
    state: ReservationState
    created_at: datetime
    expires_at: datetime | None
    fingerprint: str
    closed_at: datetime | None = None

    @classmethod
    def create(
        cls,
        reservation_id: str,
        lines: Sequence[SkuQuantity],
        *,
        now: datetime,
        ttl: timedelta | None = None,
    ) -> Reservation:
        """A new ACTIVE reservation (availability is checked separately: `require_available`)."""
        validate_client_key(reservation_id, "reservation_id", RESERVATION_ID_MAX_LEN)
        validate_aware(now, "now")
        if ttl is not None:
            validate_positive_duration(ttl, "ttl")
        merged = normalize_lines(lines)
        return cls(
            reservation_id=reservation_id,
            lines=merged,
            state=ReservationState.ACTIVE,
            created_at=now,
            expires_at=None if ttl is None else now + ttl,
            fingerprint=payload_fingerprint(merged),
        )

    def is_expired(self, now: datetime) -> bool:
        """True if ACTIVE and `now` is at or after its expiry time."""
        return (
            self.state is ReservationState.ACTIVE
            and self.expires_at is not None
            and now >= self.expires_at
        )

    def release(self, now: datetime) -> Transition:
        """Give the units back; a no-op if already released or expired."""
        if self.state in (ReservationState.RELEASED, ReservationState.EXPIRED):
            return Transition(self, changed=False)
        if self.state is ReservationState.COMMITTED:
            raise FailedPrecondition(
                f"reservation {self.reservation_id} is committed: its units have left stock; "
                "return them through a customer return instead",
                reason="RESERVATION_COMMITTED",
            )
        return self._close(ReservationState.RELEASED, now)

    def commit(self, now: datetime) -> Transition:
        """Issue the held units; a no-op if already committed."""
        if self.state is ReservationState.COMMITTED:
            return Transition(self, changed=False)
        if self.state is ReservationState.RELEASED:
            raise FailedPrecondition(
                f"reservation {self.reservation_id} was released; reserve the stock again",
                reason="RESERVATION_RELEASED",
            )
        if self.state is ReservationState.EXPIRED or self.is_expired(now):
            raise FailedPrecondition(
                f"reservation {self.reservation_id} expired at {self.expires_at}; "
                "reserve the stock again",
                reason="RESERVATION_EXPIRED",
            )
        return self._close(ReservationState.COMMITTED, now)

    def expire(self, now: datetime) -> Transition:
        """Release an ACTIVE reservation past its expiry; a no-op for one already closed."""
        if self.state is not ReservationState.ACTIVE:
            return Transition(self, changed=False)
        if not self.is_expired(now):
            raise FailedPrecondition(
                f"reservation {self.reservation_id} is not due to expire at {now}",
                reason="RESERVATION_NOT_DUE",
            )
        return self._close(ReservationState.EXPIRED, now)

    def _close(self, state: ReservationState, now: datetime) -> Transition:
        validate_aware(now, "now")
        return Transition(replace(self, state=state, closed_at=now), changed=True)


def due_to_expire(reservations: Iterable[Reservation], now: datetime) -> tuple[Reservation, ...]:
    """The ACTIVE reservations whose expiry time has come, oldest expiry first."""
    validate_aware(now, "now")
    due = [r for r in reservations if r.is_expired(now)]
    return tuple(sorted(due, key=lambda r: (r.expires_at or now, r.reservation_id)))
