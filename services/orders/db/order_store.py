"""Statements on orders: each a single round trip (CTEs, multi-row inserts, RETURNING).

The hot path (PlaceOrder) runs its two statements on an autocommit connection: a single statement
is its own transaction, so "insert the order with its lines and first history entry" and "record
inventory's answer with its history entries and events" are each atomic without BEGIN/COMMIT
round trips. Saves are optimistic: `save` writes only if the row still has the version the
aggregate was loaded with (inside a unit of work the row is locked, so it always matches).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from google.protobuf.message import Message
from sqlalchemy.ext.asyncio import AsyncConnection

from services.common.errors import NotFound
from services.common.fastsql import FastConnection
from services.orders.db.order_rows import (
    ORDER_SELECT,
    Snapshot,
    history_arrays,
    mutable_columns,
    order_from_row,
    shipment_arrays,
)
from services.orders.domain.intake import Channel
from services.orders.domain.order import Order
from services.orders.domain.query import OrderQuery

Event = tuple[str, Message]

_INSERT_PLACED = sa.text(
    """
WITH o AS (
  INSERT INTO orders (order_id, channel, external_order_id, payload_fingerprint, status,
                      saga_state, customer_name, customer_phone, customer_address, currency_code,
                      total_minor, paid, paid_at, buyer_message, service_note, handled_by,
                      placed_at, saga_next_attempt_at, version, updated_at)
  VALUES (:order_id, :channel, :external_order_id, :payload_fingerprint, :status, :saga_state,
          :customer_name, :customer_phone, :customer_address, :currency_code, :total_minor,
          :paid, :paid_at, :buyer_message, :service_note, :handled_by, :placed_at,
          :saga_next_attempt_at, :version, :placed_at)
  ON CONFLICT (channel, external_order_id) DO NOTHING
  RETURNING order_id),
l AS (
  INSERT INTO order_lines (order_id, line_no, sku_code, quantity, unit_price_minor)
  SELECT o.order_id, x.n, x.sku, x.q, x.p FROM o,
    unnest(CAST(:l_no AS int[]), CAST(:l_sku AS text[]), CAST(:l_qty AS int[]),
           CAST(:l_price AS bigint[])) AS x(n, sku, q, p)),
h AS (
  INSERT INTO order_history (order_id, from_status, to_status, at, actor, note)
  SELECT o.order_id, x.f, x.t, x.at, x.a, x.n FROM o,
    unnest(CAST(:h_from AS text[]), CAST(:h_to AS text[]), CAST(:h_at AS timestamptz[]),
           CAST(:h_actor AS text[]), CAST(:h_note AS text[])) AS x(f, t, at, a, n))
SELECT order_id FROM o
"""
)

_SAVE_UPDATE = """
WITH upd AS (
  UPDATE orders SET
    status = :status, saga_state = :saga_state, customer_address = :customer_address,
    paid = :paid, paid_at = :paid_at, handled_by = :handled_by, confirmed_at = :confirmed_at,
    printable_at = :printable_at, shipped_at = :shipped_at, delivered_at = :delivered_at,
    carrier = :carrier, weight_grams = :weight_grams, cancel_reason = :cancel_reason,
    release_in_doubt_until = :release_in_doubt_until, version = :version,
    updated_at = :updated_at,
    saga_attempts = CASE WHEN CAST(:saga_due_at AS timestamptz) IS NULL THEN saga_attempts
                         ELSE 0 END,
    saga_next_attempt_at = coalesce(CAST(:saga_due_at AS timestamptz), saga_next_attempt_at)
  WHERE order_id = :order_id AND version = :expected_version
  RETURNING order_id)"""
_SAVE_HISTORY = """,
h AS (
  INSERT INTO order_history (order_id, from_status, to_status, at, actor, note)
  SELECT upd.order_id, x.f, x.t, x.at, x.a, x.n FROM upd,
    unnest(CAST(:h_from AS text[]), CAST(:h_to AS text[]), CAST(:h_at AS timestamptz[]),
           CAST(:h_actor AS text[]), CAST(:h_note AS text[])) WITH ORDINALITY
      AS x(f, t, at, a, n, i)
  ORDER BY x.i)"""
_SAVE_SHIPMENTS = """,
s AS (
  INSERT INTO shipments (order_id, shipment_no, carrier, tracking_number, weight_grams,
                         quantities, address, shipped_at, shipped_by)
  SELECT upd.order_id, x.no, x.c, x.t, x.w, CAST(x.q AS jsonb), x.addr, x.at, x.by FROM upd,
    unnest(CAST(:s_no AS int[]), CAST(:s_carrier AS text[]), CAST(:s_tracking AS text[]),
           CAST(:s_weight AS int[]), CAST(:s_quantities AS text[]), CAST(:s_address AS text[]),
           CAST(:s_at AS timestamptz[]), CAST(:s_by AS text[]))
      AS x(no, c, t, w, q, addr, at, by))"""
_SAVE_EVENTS = """,
e AS (
  INSERT INTO outbox_events (type, key, payload)
  SELECT x.t, x.k, x.p FROM upd,
    unnest(CAST(:e_type AS text[]), CAST(:e_key AS text[]), CAST(:e_payload AS bytea[]))
      WITH ORDINALITY AS x(t, k, p, i)
  ORDER BY x.i)"""
_SAVE_WAKE = """,
w AS (
  INSERT INTO backorder_wakeups (sku_code, woken_at)
  SELECT DISTINCT x.sku, CAST(:updated_at AS timestamptz) FROM upd,
    unnest(CAST(:w_sku AS text[])) AS x(sku)
  ON CONFLICT (sku_code) DO UPDATE SET woken_at = excluded.woken_at)"""


@functools.cache
def _save_statement(history: bool, parcels: bool, events: bool, wake: bool) -> sa.TextClause:
    """The save CTE with only the parts a change needs (a handful of variants, each prepared)."""
    parts = [_SAVE_UPDATE]
    for wanted, part in (
        (history, _SAVE_HISTORY),
        (parcels, _SAVE_SHIPMENTS),
        (events, _SAVE_EVENTS),
        (wake, _SAVE_WAKE),
    ):
        if wanted:
            parts.append(part)
    return sa.text("".join(parts) + "\nSELECT count(*) AS saved FROM upd")


_DELETE_UNSETTLED = sa.text(
    "DELETE FROM orders WHERE order_id = :order_id AND version = :version "
    "AND status = 'PENDING' RETURNING order_id"
)

_FIND_EXTERNAL = sa.text(
    ORDER_SELECT + " WHERE o.channel = :channel AND o.external_order_id = :external_order_id"
)
_GET = sa.text(ORDER_SELECT + " WHERE o.order_id = :order_id")
_GET_FOR_UPDATE = sa.text(ORDER_SELECT + " WHERE o.order_id = :order_id FOR UPDATE OF o")
_GET_MANY = sa.text(ORDER_SELECT + " WHERE o.order_id = ANY(CAST(:ids AS text[]))")

_CLAIM_DUE = sa.text(
    """
WITH due AS (
  SELECT order_id FROM orders
  WHERE saga_state IN ('RESERVE_PENDING', 'RELEASE_PENDING', 'COMMIT_PENDING')
    AND saga_next_attempt_at <= :now
  ORDER BY saga_next_attempt_at
  LIMIT :batch
  FOR UPDATE SKIP LOCKED)
UPDATE orders o SET
  saga_attempts = o.saga_attempts + 1,
  saga_next_attempt_at = CAST(:now AS timestamptz) + make_interval(secs => least(
      CAST(:retry_max AS double precision),
      CAST(:retry_base AS double precision) * power(2, least(o.saga_attempts, 16))))
FROM due WHERE o.order_id = due.order_id
RETURNING o.order_id
"""
)

_DEFER = sa.text(
    "UPDATE orders SET saga_next_attempt_at = :at "
    "WHERE order_id = :order_id AND saga_state = :saga_state"
)

_BACKORDERED = """
SELECT o.order_id FROM orders o
WHERE o.saga_state = 'BACKORDERED' AND o.status = 'BACKORDERED' {sku_filter}
ORDER BY o.placed_at, o.order_id
LIMIT :batch
"""

_WAKEUPS = sa.text("SELECT sku_code, woken_at FROM backorder_wakeups ORDER BY woken_at LIMIT 500")
_FORGET_WAKEUPS = sa.text(
    "DELETE FROM backorder_wakeups w USING unnest(CAST(:skus AS text[]), "
    "CAST(:times AS timestamptz[])) AS x(sku, at) WHERE w.sku_code = x.sku AND w.woken_at <= x.at"
)
_WAKE = sa.text(
    "INSERT INTO backorder_wakeups (sku_code, woken_at) "
    "SELECT DISTINCT x.sku, CAST(:at AS timestamptz) FROM unnest(CAST(:skus AS text[])) AS x(sku) "
    "ON CONFLICT (sku_code) DO UPDATE SET woken_at = excluded.woken_at"
)


def _event_arrays(events: Sequence[Event]) -> dict[str, list[Any]]:
    return {
        "e_type": [event.DESCRIPTOR.full_name for _, event in events],
        "e_key": [key for key, _ in events],
        "e_payload": [event.SerializeToString() for _, event in events],
    }


class OrderStore:
    """Order statements on one connection (a unit of work's, or an autocommit one)."""

    def __init__(self, connection: AsyncConnection | FastConnection) -> None:
        self._c = connection

    # ------------------------------------------------------------------ reads
    async def get(self, order_id: str, *, for_update: bool = False) -> Order:
        """The order, or NotFound; `for_update` locks its row until the transaction ends."""
        result = await self._c.execute(
            _GET_FOR_UPDATE if for_update else _GET, {"order_id": order_id}
        )
        row = result.mappings().first()
        if row is None:
            raise NotFound(f"order {order_id} does not exist", reason="ORDER_NOT_FOUND")
        return order_from_row(row)

    async def get_many(self, order_ids: Sequence[str]) -> dict[str, Order]:
        result = await self._c.execute(_GET_MANY, {"ids": list(order_ids)})
        orders = (order_from_row(row) for row in result.mappings())
        return {order.order_id: order for order in orders}

    async def find_by_external(self, channel: Channel, external_order_id: str) -> Order | None:
        result = await self._c.execute(
            _FIND_EXTERNAL, {"channel": channel.value, "external_order_id": external_order_id}
        )
        row = result.mappings().first()
        return None if row is None else order_from_row(row)

    async def page(self, query: OrderQuery, limit: int) -> list[Order]:
        """Newest first, keyset-paged on (placed_at, order_id)."""
        where: list[str] = []
        params: dict[str, Any] = {"limit": limit}
        if query.status is not None:
            where.append("o.status = :status")
            params["status"] = query.status.value
        if query.channel is not None:
            where.append("o.channel = :channel")
            params["channel"] = query.channel.value
        if query.created_from is not None:
            where.append("o.placed_at >= :created_from")
            params["created_from"] = query.created_from
        if query.created_to is not None:
            where.append("o.placed_at <= :created_to")
            params["created_to"] = query.created_to
        if query.sku_code is not None:
            where.append(
                "EXISTS (SELECT 1 FROM order_lines f WHERE f.order_id = o.order_id "
                "AND f.sku_code = :sku_code)"
            )
            params["sku_code"] = query.sku_code
        if query.customer is not None:
            where.append("(o.customer_name ILIKE :customer_like OR o.customer_phone = :customer)")
            escaped = query.customer.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
            params["customer_like"] = f"%{escaped}%"
            params["customer"] = query.customer
        if query.handled_by is not None:
            where.append("o.handled_by = :handled_by")
            params["handled_by"] = query.handled_by
        if query.cursor is not None:
            where.append("(o.placed_at, o.order_id) < (:cursor_at, :cursor_id)")
            params["cursor_at"] = query.cursor.placed_at
            params["cursor_id"] = query.cursor.order_id
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        statement = sa.text(
            f"{ORDER_SELECT} {clause} ORDER BY o.placed_at DESC, o.order_id DESC LIMIT :limit"
        )
        result = await self._c.execute(statement, params)
        return [order_from_row(row) for row in result.mappings()]

    # ------------------------------------------------------------------ writes
    async def insert_placed(self, order: Order, due_at: datetime) -> bool:
        """Store a new PENDING order; False if (channel, external id) already exists."""
        params: dict[str, Any] = {
            "order_id": order.order_id,
            "channel": order.channel.value,
            "external_order_id": order.external_order_id,
            "payload_fingerprint": order.payload_fingerprint,
            "status": order.status.value,
            "saga_state": order.saga.value,
            "customer_name": order.customer.name,
            "customer_phone": order.customer.phone,
            "customer_address": order.customer.address,
            "currency_code": order.currency_code,
            "total_minor": order.total.amount_minor,
            "paid": order.paid,
            "paid_at": order.paid_at,
            "buyer_message": order.buyer_message,
            "service_note": order.service_note,
            "handled_by": order.handled_by,
            "placed_at": order.placed_at,
            "saga_next_attempt_at": due_at,
            "version": order.version,
            "l_no": [line.line_no for line in order.lines],
            "l_sku": [line.sku_code for line in order.lines],
            "l_qty": [line.quantity for line in order.lines],
            "l_price": [line.unit_price.amount_minor for line in order.lines],
            **history_arrays(order.history),
        }
        result = await self._c.execute(_INSERT_PLACED, params)
        return result.first() is not None

    async def save(
        self,
        order: Order,
        loaded: Snapshot,
        now: datetime,
        *,
        events: Sequence[Event] = (),
        saga_due_at: datetime | None = None,
        wake_skus: Sequence[str] = (),
    ) -> bool:
        """Write what changed since `loaded`, if the row still has that version.

        `saga_due_at` (when the saga step changed) is when the reconciler may next retry a pending
        step; `wake_skus` records released stock for the backorder allocator.
        """
        entries = order.history[loaded.history_len :]
        parcels = order.shipments[loaded.shipments_len :]
        params: dict[str, Any] = {
            "order_id": order.order_id,
            "expected_version": loaded.version,
            "saga_due_at": saga_due_at,
            **mutable_columns(order, now),
            **history_arrays(entries),
            **shipment_arrays(parcels),
            **_event_arrays(events),
            "w_sku": list(wake_skus),
        }
        statement = _save_statement(bool(entries), bool(parcels), bool(events), bool(wake_skus))
        result = await self._c.execute(statement, params)
        return bool(result.scalar_one())

    async def delete_unsettled(self, order: Order) -> bool:
        """Remove a PENDING order inventory refused outright (unknown SKU): it never existed."""
        result = await self._c.execute(
            _DELETE_UNSETTLED, {"order_id": order.order_id, "version": order.version}
        )
        return result.first() is not None

    # ------------------------------------------------------------------ reconciler
    async def claim_due(
        self, now: datetime, batch: int, retry_base: float, retry_max: float
    ) -> list[str]:
        """Orders whose pending step is due; each is leased until its next backoff time."""
        result = await self._c.execute(
            _CLAIM_DUE,
            {"now": now, "batch": batch, "retry_base": retry_base, "retry_max": retry_max},
        )
        return [row.order_id for row in result]

    async def defer(self, order_id: str, saga_state: str, at: datetime) -> None:
        await self._c.execute(_DEFER, {"order_id": order_id, "saga_state": saga_state, "at": at})

    # ------------------------------------------------------------------ backorders
    async def backordered(self, skus: Sequence[str] | None, batch: int) -> list[str]:
        """Waiting orders (containing one of `skus`, if given), oldest first."""
        sku_filter = ""
        params: dict[str, Any] = {"batch": batch}
        if skus is not None:
            sku_filter = (
                "AND EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = o.order_id "
                "AND l.sku_code = ANY(CAST(:skus AS text[])))"
            )
            params["skus"] = list(skus)
        result = await self._c.execute(sa.text(_BACKORDERED.format(sku_filter=sku_filter)), params)
        return [row.order_id for row in result]

    async def wakeups(self) -> list[tuple[str, datetime]]:
        result = await self._c.execute(_WAKEUPS)
        return [(row.sku_code, row.woken_at) for row in result]

    async def forget_wakeups(self, seen: Sequence[tuple[str, datetime]]) -> None:
        await self._c.execute(
            _FORGET_WAKEUPS, {"skus": [s for s, _ in seen], "times": [t for _, t in seen]}
        )

    async def wake(self, skus: Sequence[str], at: datetime) -> None:
        if skus:
            await self._c.execute(_WAKE, {"skus": list(skus), "at": at})
