"""Reservations: the hot path's statements.

Reserve, in one transaction: one statement inserts the reservation (ON CONFLICT DO NOTHING),
its lines and its RESERVATION ledger entries; then one conditional UPDATE per SKU, in SKU-code
order, takes the units (`reserved + q` only where `on_hand − reserved ≥ q`); then COMMIT. The
availability rows are locked last and only until the commit right after them.

Release and commit decide idempotency with a conditional state change of the reservation row
(`WHERE state = 'ACTIVE'`): whoever changes it does the work, every later call sees the state.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from services.common.money import Money
from services.inventory.db import tables as t
from services.inventory.domain.reservations import Reservation, ReservationState
from services.inventory.domain.stock_lines import SkuQuantity

_INSERT_RESERVATION = sa.text(
    """
    WITH new AS (
        INSERT INTO reservations
            (reservation_id, state, fingerprint, created_at, expires_at, created_by)
        VALUES (:reservation_id, 'ACTIVE', :fingerprint, :now, :expires_at, :actor)
        ON CONFLICT (reservation_id) DO NOTHING
        RETURNING reservation_id
    ), wanted AS (
        SELECT sku, qty FROM unnest(CAST(:skus AS text[]), CAST(:qtys AS integer[])) AS l(sku, qty)
    ), new_lines AS (
        INSERT INTO reservation_lines (reservation_id, sku_code, quantity)
        SELECT new.reservation_id, wanted.sku, wanted.qty FROM new, wanted
    ), new_entries AS (
        INSERT INTO ledger_entries
            (kind, sku_code, quantity, on_hand_delta, reserved_delta,
             document_type, document_id, actor, created_at)
        SELECT 'RESERVATION', wanted.sku, wanted.qty, 0, wanted.qty,
               'reservation', new.reservation_id, :actor, :now
        FROM new, wanted
    )
    SELECT count(*) FROM new
    """
)

# Fingerprint of a reservation released before any reserve arrived (no lines).
TOMBSTONE = "released-before-reserved"

_INSERT_TOMBSTONE = sa.text(
    """
    WITH new AS (
        INSERT INTO reservations
            (reservation_id, state, fingerprint, created_at, closed_at, created_by)
        VALUES (:reservation_id, 'RELEASED', :fingerprint, :now, :now, :actor)
        ON CONFLICT (reservation_id) DO NOTHING
        RETURNING reservation_id
    )
    SELECT count(*) FROM new
    """
)

_CLOSE = sa.text(
    """
    WITH closed AS (
        UPDATE reservations SET state = :state, closed_at = :now
        WHERE reservation_id = :reservation_id AND state = 'ACTIVE'
          AND (CAST(:check_expiry AS boolean) IS FALSE OR expires_at IS NULL OR expires_at > :now)
        RETURNING reservation_id, fingerprint, created_at, expires_at
    )
    SELECT l.sku_code, l.quantity, closed.fingerprint, closed.created_at, closed.expires_at
    FROM reservation_lines l JOIN closed USING (reservation_id)
    ORDER BY l.sku_code
    """
)

_DUE = sa.text(
    """
    WITH due AS (
        SELECT reservation_id FROM reservations
        WHERE state = 'ACTIVE' AND expires_at IS NOT NULL AND expires_at <= :now
        ORDER BY expires_at
        LIMIT :batch
        FOR UPDATE SKIP LOCKED
    ), expired AS (
        UPDATE reservations r SET state = 'EXPIRED', closed_at = :now
        FROM due WHERE r.reservation_id = due.reservation_id
        RETURNING r.reservation_id
    )
    SELECT l.reservation_id, l.sku_code, l.quantity
    FROM reservation_lines l JOIN expired USING (reservation_id)
    ORDER BY l.reservation_id, l.sku_code
    """
)


@dataclass(frozen=True)
class Reserved:
    """A SKU's availability right after a successful reserve update."""

    sku_code: str
    available: int
    reorder_point: int | None


class ReservationRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    async def insert(self, reservation: Reservation, actor: str) -> bool:
        """Insert the reservation, lines and RESERVATION entries; False if the id exists."""
        count = await self._c.scalar(
            _INSERT_RESERVATION,
            {
                "reservation_id": reservation.reservation_id,
                "fingerprint": reservation.fingerprint,
                "now": reservation.created_at,
                "expires_at": reservation.expires_at,
                "actor": actor,
                "skus": [line.sku_code for line in reservation.lines],
                "qtys": [line.quantity for line in reservation.lines],
            },
        )
        return bool(count)

    async def take(self, sku_code: str, quantity: int) -> Reserved | None:
        """reserved += quantity if that many are available; None if not (or unknown SKU)."""
        a = t.sku_availability.c
        result = await self._c.execute(
            sa.update(t.sku_availability)
            .where(a.sku_code == sku_code, a.on_hand - a.reserved >= quantity)
            .values(reserved=a.reserved + quantity)
            .returning((a.on_hand - a.reserved).label("available"), a.reorder_point)
        )
        row = result.first()
        return None if row is None else Reserved(sku_code, row.available, row.reorder_point)

    async def give_back(self, lines: Sequence[SkuQuantity]) -> None:
        """reserved −= quantity per line, in SKU-code order (lines come sorted)."""
        a = t.sku_availability.c
        for line in sorted(lines, key=lambda line: line.sku_code):
            await self._c.execute(
                sa.update(t.sku_availability)
                .where(a.sku_code == line.sku_code)
                .values(reserved=a.reserved - line.quantity)
            )

    async def close(
        self, reservation_id: str, state: ReservationState, now: datetime
    ) -> Reservation | None:
        """ACTIVE → `state` in one statement; the closed reservation if this call changed it,
        None if it did not (a commit also requires it not to be past its expiry)."""
        result = await self._c.execute(
            _CLOSE,
            {
                "reservation_id": reservation_id,
                "state": str(state),
                "now": now,
                "check_expiry": state is ReservationState.COMMITTED,
            },
        )
        rows = list(result)
        if not rows:
            return None
        first = rows[0]
        return Reservation(
            reservation_id=reservation_id,
            lines=tuple(SkuQuantity(row.sku_code, row.quantity) for row in rows),
            state=state,
            created_at=first.created_at,
            expires_at=first.expires_at,
            fingerprint=first.fingerprint,
            closed_at=now,
        )

    async def expire_due(self, now: datetime, batch: int) -> dict[str, tuple[SkuQuantity, ...]]:
        """Mark up to `batch` due reservations EXPIRED (skipping rows others hold)."""
        result = await self._c.execute(_DUE, {"now": now, "batch": batch})
        expired: dict[str, list[SkuQuantity]] = {}
        for row in result:
            expired.setdefault(row.reservation_id, []).append(
                SkuQuantity(row.sku_code, row.quantity)
            )
        return {rid: tuple(lines) for rid, lines in expired.items()}

    async def set_cost(self, reservation_id: str, cost: Money) -> None:
        r = t.reservations.c
        await self._c.execute(
            sa.update(t.reservations)
            .where(r.reservation_id == reservation_id)
            .values(cost_minor=cost.amount_minor, cost_currency=cost.currency)
        )

    async def insert_tombstone(self, reservation_id: str, actor: str, now: datetime) -> bool:
        """Record that `reservation_id` was released before it was ever reserved, so a reserve
        arriving late under that id finds it released instead of holding stock. False if a
        reservation with that id appeared meanwhile."""
        count = await self._c.scalar(
            _INSERT_TOMBSTONE,
            {
                "reservation_id": reservation_id,
                "fingerprint": TOMBSTONE,
                "now": now,
                "actor": actor,
            },
        )
        return bool(count)

    async def get(self, reservation_id: str) -> tuple[Reservation, Money | None] | None:
        """The reservation and its cost of goods (once committed)."""
        r = t.reservations.c
        row = (
            await self._c.execute(
                sa.select(t.reservations).where(r.reservation_id == reservation_id)
            )
        ).first()
        if row is None:
            return None
        lines = await self._c.execute(
            sa.select(t.reservation_lines.c.sku_code, t.reservation_lines.c.quantity)
            .where(t.reservation_lines.c.reservation_id == reservation_id)
            .order_by(t.reservation_lines.c.sku_code)
        )
        return _reservation(row, [SkuQuantity(*line) for line in lines]), _cost(row)


def _reservation(row: Any, lines: list[SkuQuantity]) -> Reservation:
    return Reservation(
        reservation_id=row.reservation_id,
        lines=tuple(lines),
        state=ReservationState(row.state),
        created_at=row.created_at,
        expires_at=row.expires_at,
        fingerprint=row.fingerprint,
        closed_at=row.closed_at,
    )


def _cost(row: Any) -> Money | None:
    if row.cost_minor is None:
        return None
    return Money(row.cost_minor, row.cost_currency)
