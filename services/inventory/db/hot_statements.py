"""The reservation hot path as single all-or-nothing statements (autocommit, no BEGIN/COMMIT).

Reserve: one statement locks the SKUs' availability rows in SKU-code order (deadlock-free),
checks every line, and only if all fit inserts the reservation, its lines and RESERVATION
entries and raises `reserved`; otherwise it changes nothing. Release: one statement closes the
reservation if it is ACTIVE and, in the same statement, gives the units back, writes the RELEASE
entries and the StockReleased events (payloads built by the caller from the lines it read).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import sqlalchemy as sa

RESERVE = sa.text(
    """
    WITH wanted AS (
        SELECT sku, qty FROM unnest(CAST(:skus AS text[]), CAST(:qtys AS integer[])) AS w(sku, qty)
    ), locked AS (
        SELECT a.sku_code, a.on_hand - a.reserved AS available
        FROM sku_availability a
        WHERE a.sku_code = ANY(CAST(:skus AS text[]))
        ORDER BY a.sku_code
        FOR UPDATE
    ), verdict AS (
        SELECT count(*) = cardinality(CAST(:skus AS text[]))
               AND bool_and(l.available >= w.qty) AS ok
        FROM locked l JOIN wanted w ON w.sku = l.sku_code
    ), new AS (
        INSERT INTO reservations
            (reservation_id, state, fingerprint, created_at, expires_at, created_by)
        SELECT :reservation_id, 'ACTIVE', :fingerprint, :now, :expires_at, :actor
        FROM verdict WHERE verdict.ok
        ON CONFLICT (reservation_id) DO NOTHING
        RETURNING reservation_id
    ), taken AS (
        UPDATE sku_availability a SET reserved = a.reserved + w.qty
        FROM wanted w, new
        WHERE a.sku_code = w.sku
        RETURNING a.sku_code
    ), new_lines AS (
        INSERT INTO reservation_lines (reservation_id, sku_code, quantity)
        SELECT new.reservation_id, w.sku, w.qty FROM new, wanted w
    ), new_entries AS (
        INSERT INTO ledger_entries
            (kind, sku_code, quantity, on_hand_delta, reserved_delta,
             document_type, document_id, actor, created_at)
        SELECT 'RESERVATION', w.sku, w.qty, 0, w.qty, 'reservation', new.reservation_id,
               :actor, :now
        FROM new, wanted w
    )
    SELECT (SELECT count(*) FROM new) AS created, (SELECT count(*) FROM taken) AS taken
    """
)

READ_FOR_RELEASE = sa.text(
    """
    SELECT r.state, r.fingerprint, r.created_at, r.expires_at, l.sku_code, l.quantity
    FROM reservations r LEFT JOIN reservation_lines l USING (reservation_id)
    WHERE r.reservation_id = :reservation_id
    ORDER BY l.sku_code
    """
)

RELEASE = sa.text(
    """
    WITH closed AS (
        UPDATE reservations SET state = 'RELEASED', closed_at = :now
        WHERE reservation_id = :reservation_id AND state = 'ACTIVE'
        RETURNING reservation_id
    ), lines AS (
        SELECT l.sku_code, l.quantity FROM reservation_lines l JOIN closed USING (reservation_id)
    ), locked AS (
        SELECT a.sku_code FROM sku_availability a
        WHERE a.sku_code IN (SELECT sku_code FROM lines)
        ORDER BY a.sku_code
        FOR UPDATE
    ), given AS (
        UPDATE sku_availability a SET reserved = a.reserved - l.quantity
        FROM lines l
        -- count(*) makes every row of `locked` be read (locked in order) before any update
        WHERE a.sku_code = l.sku_code AND (SELECT count(*) FROM locked) > 0
        RETURNING a.sku_code
    ), entries AS (
        INSERT INTO ledger_entries
            (kind, sku_code, quantity, on_hand_delta, reserved_delta,
             document_type, document_id, actor, created_at)
        SELECT 'RELEASE', l.sku_code, l.quantity, 0, -l.quantity, 'reservation',
               :reservation_id, :actor, :now
        FROM lines l
    ), events AS (
        INSERT INTO outbox_events (type, key, payload)
        SELECT :event_type, e.key, e.payload
        FROM unnest(CAST(:event_keys AS text[]), CAST(:event_payloads AS bytea[]))
             AS e(key, payload)
        WHERE EXISTS (SELECT 1 FROM closed)
    )
    SELECT (SELECT count(*) FROM closed) AS closed, (SELECT count(*) FROM given) AS given
    """
)


class Statements(Protocol):
    """A connection that runs text() statements (SQLAlchemy's or services.common.fastsql's)."""

    async def execute(self, statement: sa.TextClause, params: dict[str, Any]) -> Any: ...


@dataclass(frozen=True)
class ReleaseRead:
    state: str | None  # None: no such reservation
    lines: tuple[tuple[str, int], ...]
    fingerprint: str = ""
    created_at: datetime | None = None
    expires_at: datetime | None = None


async def reserve(
    c: Statements,
    reservation_id: str,
    fingerprint: str,
    lines: Sequence[tuple[str, int]],
    now: datetime,
    expires_at: datetime | None,
    actor: str,
) -> bool:
    """True if this call reserved every line; False if it changed nothing."""
    row = (
        await c.execute(
            RESERVE,
            {
                "reservation_id": reservation_id,
                "fingerprint": fingerprint,
                "skus": [sku for sku, _ in lines],
                "qtys": [qty for _, qty in lines],
                "now": now,
                "expires_at": expires_at,
                "actor": actor,
            },
        )
    ).first()
    return bool(row.created)


async def read_for_release(c: Statements, reservation_id: str) -> ReleaseRead:
    rows = (await c.execute(READ_FOR_RELEASE, {"reservation_id": reservation_id})).all()
    if not rows:
        return ReleaseRead(None, ())
    first = rows[0]
    return ReleaseRead(
        first.state,
        tuple((r.sku_code, r.quantity) for r in rows if r.sku_code is not None),
        first.fingerprint,
        first.created_at,
        first.expires_at,
    )


async def release(
    c: Statements,
    reservation_id: str,
    now: datetime,
    actor: str,
    event_type: str,
    events: Sequence[tuple[str, bytes]],
) -> bool:
    """True if this call released the reservation (it was ACTIVE); False if it changed nothing."""
    row = (
        await c.execute(
            RELEASE,
            {
                "reservation_id": reservation_id,
                "now": now,
                "actor": actor,
                "event_type": event_type,
                "event_keys": [key for key, _ in events],
                "event_payloads": [payload for _, payload in events],
            },
        )
    ).first()
    return bool(row.closed)
