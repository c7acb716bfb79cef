"""Reading the ledger: listing, the consistency check, value at a moment, issues over a period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from services.inventory.db import tables as t


@dataclass(frozen=True)
class LedgerFilter:
    """Filters of ListLedgerEntries (empty = any)."""

    sku_code: str = ""
    document_id: str = ""
    document_type: str = ""
    warehouse_code: str = ""


@dataclass(frozen=True)
class Discrepancy:
    """A stored figure that differs from its reference."""

    check: str
    sku_code: str
    warehouse_code: str
    expected: int
    actual: int
    currency_code: str = ""


# Each check yields (check, sku, warehouse, expected, actual, currency) for rows that differ.
# Run together in one REPEATABLE READ snapshot, so concurrent postings cannot show up half-done.
_CHECKS = """
WITH ledger_wh AS (
    SELECT sku_code, warehouse_code, sum(on_hand_delta) AS on_hand
    FROM ledger_entries WHERE warehouse_code IS NOT NULL {sku_filter}
    GROUP BY sku_code, warehouse_code
), ledger_reserved AS (
    SELECT sku_code, sum(reserved_delta) AS reserved
    FROM ledger_entries WHERE true {sku_filter}
    GROUP BY sku_code
), stock AS (
    SELECT sku_code, warehouse_code, on_hand FROM warehouse_stock WHERE true {sku_filter}
), lot_sum AS (
    SELECT sku_code, warehouse_code, sum(quantity) AS on_hand
    FROM lots WHERE true {sku_filter} GROUP BY sku_code, warehouse_code
), sellable AS (
    SELECT s.sku_code, sum(s.on_hand) AS on_hand
    FROM stock s JOIN warehouses w ON w.code = s.warehouse_code AND w.kind = 'SELLABLE'
    GROUP BY s.sku_code
), avail AS (
    SELECT sku_code, on_hand, reserved FROM sku_availability WHERE true {sku_filter}
), open_holds AS (
    SELECT sku_code, sum(quantity) AS reserved FROM (
        SELECT l.sku_code, l.quantity FROM reservation_lines l
        JOIN reservations r USING (reservation_id) WHERE r.state = 'ACTIVE'
        UNION ALL
        SELECT sku_code, quantity FROM customer_holds WHERE status = 'ACTIVE'
    ) x WHERE true {sku_filter} GROUP BY sku_code
), lot_value AS (
    SELECT sku_code, unit_cost_currency AS currency, sum(quantity * unit_cost_minor) AS value
    FROM lots WHERE true {sku_filter} GROUP BY sku_code, unit_cost_currency
), ledger_value AS (
    SELECT sku_code, value_currency AS currency, sum(value_delta_minor) AS value
    FROM ledger_entries WHERE value_currency IS NOT NULL {sku_filter}
    GROUP BY sku_code, value_currency
)
SELECT 'WAREHOUSE_ON_HAND', coalesce(l.sku_code, s.sku_code),
       coalesce(l.warehouse_code, s.warehouse_code),
       coalesce(l.on_hand, 0), coalesce(s.on_hand, 0), ''
FROM ledger_wh l FULL JOIN stock s USING (sku_code, warehouse_code)
WHERE coalesce(l.on_hand, 0) <> coalesce(s.on_hand, 0)
UNION ALL
SELECT 'LOTS', coalesce(s.sku_code, q.sku_code), coalesce(s.warehouse_code, q.warehouse_code),
       coalesce(s.on_hand, 0), coalesce(q.on_hand, 0), ''
FROM stock s FULL JOIN lot_sum q USING (sku_code, warehouse_code)
WHERE coalesce(s.on_hand, 0) <> coalesce(q.on_hand, 0)
UNION ALL
SELECT 'SELLABLE_ON_HAND', coalesce(a.sku_code, s.sku_code), '',
       coalesce(s.on_hand, 0), coalesce(a.on_hand, 0), ''
FROM avail a FULL JOIN sellable s USING (sku_code)
WHERE coalesce(s.on_hand, 0) <> coalesce(a.on_hand, 0)
UNION ALL
SELECT 'RESERVED', coalesce(a.sku_code, r.sku_code), '',
       coalesce(r.reserved, 0), coalesce(a.reserved, 0), ''
FROM avail a FULL JOIN ledger_reserved r USING (sku_code)
WHERE coalesce(r.reserved, 0) <> coalesce(a.reserved, 0)
UNION ALL
SELECT 'OPEN_RESERVATIONS', coalesce(a.sku_code, o.sku_code), '',
       coalesce(o.reserved, 0), coalesce(a.reserved, 0), ''
FROM avail a FULL JOIN open_holds o USING (sku_code)
WHERE coalesce(o.reserved, 0) <> coalesce(a.reserved, 0)
UNION ALL
SELECT 'VALUE', coalesce(l.sku_code, q.sku_code), '', coalesce(l.value, 0), coalesce(q.value, 0),
       coalesce(l.currency, q.currency)
FROM ledger_value l FULL JOIN lot_value q USING (sku_code, currency)
WHERE coalesce(l.value, 0) <> coalesce(q.value, 0)
UNION ALL
SELECT 'NEGATIVE', sku_code, warehouse_code, 0, on_hand, '' FROM stock WHERE on_hand < 0
UNION ALL
SELECT 'NEGATIVE', sku_code, '', 0, on_hand - reserved, '' FROM avail
WHERE reserved < 0 OR on_hand < reserved
ORDER BY 2, 1, 3
LIMIT :limit
"""


class LedgerRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    async def find(self, where: LedgerFilter, after_id: int, limit: int) -> list[Any]:
        e = t.ledger_entries.c
        query = sa.select(t.ledger_entries).where(e.id > after_id).order_by(e.id).limit(limit)
        if where.sku_code:
            query = query.where(e.sku_code == where.sku_code)
        if where.document_id:
            query = query.where(e.document_id == where.document_id)
        if where.document_type:
            query = query.where(e.document_type == where.document_type)
        if where.warehouse_code:
            query = query.where(e.warehouse_code == where.warehouse_code)
        return list(await self._c.execute(query))

    async def get(self, entry_id: int, *, lock: bool = False) -> Any | None:
        """One entry; `lock` takes a row lock (entries are never updated: this only serialises
        two reversals of the same entry)."""
        query = sa.select(t.ledger_entries).where(t.ledger_entries.c.id == entry_id)
        if lock:
            query = query.with_for_update()
        return (await self._c.execute(query)).first()

    async def reversal_of(self, entry_id: int) -> int | None:
        """The id of the entry reversing `entry_id`, if any."""
        e = t.ledger_entries.c
        return await self._c.scalar(sa.select(e.id).where(e.reverses_entry_id == entry_id))

    async def document_lots(
        self, document_type: str, document_id: str, kind: str, warehouse_code: str
    ) -> dict[str, int]:
        """Units per lot a document moved (as `kind`) into a warehouse, e.g. into transit."""
        e = t.ledger_entries.c
        result = await self._c.execute(
            sa.select(e.lot_id, sa.func.sum(e.quantity))
            .where(
                e.document_id == document_id,
                e.document_type == document_type,
                e.kind == kind,
                e.warehouse_code == warehouse_code,
            )
            .group_by(e.lot_id)
        )
        return {lot_id: int(units) for lot_id, units in result if lot_id is not None}

    async def document_totals(
        self, document_type: str, document_id: str
    ) -> dict[tuple[str, str], int]:
        """Σ on_hand_delta per (SKU, warehouse) of a document's entries (empty if none)."""
        e = t.ledger_entries.c
        result = await self._c.execute(
            sa.select(e.sku_code, e.warehouse_code, sa.func.sum(e.on_hand_delta))
            .where(e.document_id == document_id, e.document_type == document_type)
            .group_by(e.sku_code, e.warehouse_code)
        )
        return {(sku, wh or ""): int(units) for sku, wh, units in result}

    async def discrepancies(self, sku_code: str, limit: int) -> list[Discrepancy]:
        """Every stored balance that differs from the ledger (see `_CHECKS`)."""
        sku_filter = "AND sku_code = :sku" if sku_code else ""
        query = sa.text(_CHECKS.replace("{sku_filter}", sku_filter))
        result = await self._c.execute(query, {"sku": sku_code, "limit": limit})
        return [
            Discrepancy(str(check), str(sku), str(warehouse), int(expected), int(actual), currency)
            for check, sku, warehouse, expected, actual, currency in result
        ]

    async def counts(self, sku_code: str) -> tuple[int, int]:
        """(ledger entries, SKUs) the check covered."""
        e = t.ledger_entries.c
        entries = sa.select(sa.func.count()).select_from(t.ledger_entries)
        skus = sa.select(sa.func.count()).select_from(t.sku_availability)
        if sku_code:
            entries = entries.where(e.sku_code == sku_code)
            skus = skus.where(t.sku_availability.c.sku_code == sku_code)
        return int(await self._c.scalar(entries) or 0), int(await self._c.scalar(skus) or 0)

    async def value_by_warehouse(self, as_of: datetime) -> list[tuple[str, str, int, int]]:
        """(warehouse, currency, on_hand, value) from entries up to `as_of` (inclusive)."""
        e = t.ledger_entries.c
        result = await self._c.execute(
            sa.select(
                e.warehouse_code,
                e.value_currency,
                sa.func.sum(e.on_hand_delta),
                sa.func.sum(e.value_delta_minor),
            )
            .where(e.created_at <= as_of, e.warehouse_code.is_not(None))
            .group_by(e.warehouse_code, e.value_currency)
            .order_by(e.warehouse_code, e.value_currency)
        )
        return [(w, c or "", int(q or 0), int(v or 0)) for w, c, q, v in result]

    async def value_at(self, as_of: datetime, *, before: bool = False) -> dict[str, int]:
        """Inventory value per currency at `as_of` (entries strictly before it with `before`)."""
        e = t.ledger_entries.c
        moment = e.created_at < as_of if before else e.created_at <= as_of
        result = await self._c.execute(
            sa.select(e.value_currency, sa.func.sum(e.value_delta_minor))
            .where(moment, e.value_currency.is_not(None))
            .group_by(e.value_currency)
        )
        return {currency: int(value or 0) for currency, value in result}

    async def issues_between(self, start: datetime, end: datetime) -> dict[str, tuple[int, int]]:
        """Per currency: (cost of goods issued, units issued) of ISSUE entries in [start, end)."""
        e = t.ledger_entries.c
        result = await self._c.execute(
            sa.select(
                e.value_currency, -sa.func.sum(e.value_delta_minor), -sa.func.sum(e.on_hand_delta)
            )
            .where(e.kind == "ISSUE", e.created_at >= start, e.created_at < end)
            .group_by(e.value_currency)
        )
        return {currency: (int(cost or 0), int(units or 0)) for currency, cost, units in result}

    async def units_issued_since(self, since: datetime, until: datetime) -> dict[str, int]:
        """Units issued per SKU in [since, until): the sales velocity input."""
        e = t.ledger_entries.c
        result = await self._c.execute(
            sa.select(e.sku_code, -sa.func.sum(e.on_hand_delta))
            .where(e.kind == "ISSUE", e.created_at >= since, e.created_at < until)
            .group_by(e.sku_code)
        )
        return {sku: int(units or 0) for sku, units in result}
