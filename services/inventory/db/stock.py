"""The physical books: SKU locks, lots, per-warehouse stock, availability, ledger rows.

Lock order, the same in every transaction so none can deadlock with another:
1. the document row (reservation, receipt, transfer, …), one per transaction;
2. `skus` rows of every SKU the transaction moves, in SKU-code order (`lock_skus`). Every writer
   of lots and warehouse stock holds these, so lots and stock rows of a SKU are never contended;
3. `sku_availability` rows, last, in SKU-code order, then COMMIT at once. Reserve and release
   (the hot path) take only these, so they never wait behind a slow receipt.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.inventory.db import tables as t


@dataclass(frozen=True)
class SkuRow:
    """What postings need of a SKU."""

    sku_code: str
    style_code: str
    color: str
    size: str
    unit_cost_minor: int
    unit_cost_currency: str
    key_product: bool
    packaging_material: bool


@dataclass(frozen=True)
class LotRow:
    """The part of one lot lying in one warehouse and bin."""

    lot_id: str
    warehouse_code: str
    bin_code: str
    sku_code: str
    received_at: datetime
    unit_cost_minor: int
    unit_cost_currency: str
    quantity: int
    document_type: str
    document_id: str


@dataclass(frozen=True)
class LedgerRow:
    """A ledger entry to insert."""

    kind: str
    sku_code: str
    warehouse_code: str | None
    bin_code: str | None
    lot_id: str | None
    quantity: int
    on_hand_delta: int
    reserved_delta: int
    value_delta_minor: int | None
    value_currency: str | None
    document_type: str
    document_id: str
    actor: str
    created_at: datetime
    reason: str = ""
    reverses_entry_id: int | None = None


@dataclass(frozen=True)
class Availability:
    """A SKU's sellable on hand and reserved units after a change."""

    sku_code: str
    on_hand: int
    reserved: int

    @property
    def available(self) -> int:
        """on_hand − reserved."""
        return self.on_hand - self.reserved


_LOT_COLUMNS = (
    t.lots.c.lot_id,
    t.lots.c.warehouse_code,
    t.lots.c.bin_code,
    t.lots.c.sku_code,
    t.lots.c.received_at,
    t.lots.c.unit_cost_minor,
    t.lots.c.unit_cost_currency,
    t.lots.c.quantity,
    t.lots.c.document_type,
    t.lots.c.document_id,
)


class StockBook:
    """Reads and writes of the physical books inside one transaction."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    async def lock_skus(self, codes: Iterable[str]) -> dict[str, SkuRow]:
        """Lock the SKUs' rows in code order; unknown codes are simply absent."""
        wanted = sorted(set(codes))
        if not wanted:
            return {}
        s = t.skus.c
        result = await self._c.execute(
            sa.select(
                s.sku_code,
                s.style_code,
                s.color,
                s.size,
                s.unit_cost_minor,
                s.unit_cost_currency,
                s.key_product,
                s.packaging_material,
            )
            .where(s.sku_code.in_(wanted))
            .order_by(s.sku_code)
            .with_for_update()
        )
        return {row.sku_code: SkuRow(*row) for row in result}

    async def lots(
        self,
        sku_code: str,
        *,
        warehouse_codes: Sequence[str] | None = None,
        bin_code: str | None = None,
        lot_ids: Sequence[str] | None = None,
    ) -> list[LotRow]:
        """The SKU's lot rows holding stock, oldest first, locked (FIFO order)."""
        lot = t.lots.c
        query = sa.select(*_LOT_COLUMNS).where(lot.sku_code == sku_code, lot.quantity > 0)
        if warehouse_codes is not None:
            query = query.where(lot.warehouse_code.in_(list(warehouse_codes)))
        if bin_code is not None:
            query = query.where(lot.bin_code == bin_code)
        if lot_ids is not None:
            query = query.where(lot.lot_id.in_(list(lot_ids)))
        query = query.order_by(
            lot.received_at, lot.lot_id, lot.warehouse_code, lot.bin_code
        ).with_for_update()
        result = await self._c.execute(query)
        return [LotRow(**row._mapping) for row in result]

    async def lot(self, lot_id: str, warehouse_code: str, bin_code: str) -> LotRow | None:
        """One lot row, whatever its quantity (no lock: the caller holds the SKU)."""
        lot = t.lots.c
        row = (
            await self._c.execute(
                sa.select(*_LOT_COLUMNS).where(
                    lot.lot_id == lot_id,
                    lot.warehouse_code == warehouse_code,
                    lot.bin_code == bin_code,
                )
            )
        ).first()
        return None if row is None else LotRow(**row._mapping)

    async def add_to_lots(self, rows: Sequence[LotRow]) -> None:
        """Add `quantity` to each lot row, creating it if the lot is new in that place."""
        if not rows:
            return
        ordered = sorted(rows, key=lambda r: (r.lot_id, r.warehouse_code, r.bin_code))
        statement = insert(t.lots).values(
            [
                {
                    "lot_id": r.lot_id,
                    "warehouse_code": r.warehouse_code,
                    "bin_code": r.bin_code,
                    "sku_code": r.sku_code,
                    "received_at": r.received_at,
                    "unit_cost_minor": r.unit_cost_minor,
                    "unit_cost_currency": r.unit_cost_currency,
                    "quantity": r.quantity,
                    "document_type": r.document_type,
                    "document_id": r.document_id,
                }
                for r in ordered
            ]
        )
        await self._c.execute(
            statement.on_conflict_do_update(
                index_elements=[t.lots.c.lot_id, t.lots.c.warehouse_code, t.lots.c.bin_code],
                set_={"quantity": t.lots.c.quantity + statement.excluded.quantity},
            )
        )

    async def take_from_lots(self, takes: Sequence[tuple[str, str, str, int]]) -> None:
        """Remove units: (lot_id, warehouse_code, bin_code, quantity) each."""
        if not takes:
            return
        lot = t.lots.c
        await self._c.execute(
            sa.update(t.lots)
            .where(
                lot.lot_id == sa.bindparam("b_lot"),
                lot.warehouse_code == sa.bindparam("b_wh"),
                lot.bin_code == sa.bindparam("b_bin"),
            )
            .values(quantity=lot.quantity - sa.bindparam("b_qty")),
            [
                {"b_lot": lot_id, "b_wh": wh, "b_bin": bin_code, "b_qty": qty}
                for lot_id, wh, bin_code, qty in sorted(takes)
            ],
        )

    async def change_warehouse_stock(self, deltas: dict[tuple[str, str], int]) -> None:
        """Add signed deltas to (sku_code, warehouse_code) on hand, in key order.

        Increases upsert (a warehouse may receive a SKU for the first time); decreases update
        the existing row (an upsert would check its CHECK on the negative delta itself).
        """
        changed = sorted((key, delta) for key, delta in deltas.items() if delta)
        ws = t.warehouse_stock.c
        rises = [(key, delta) for key, delta in changed if delta > 0]
        falls = [(key, delta) for key, delta in changed if delta < 0]
        if rises:
            statement = insert(t.warehouse_stock).values(
                [{"sku_code": s, "warehouse_code": w, "on_hand": d} for (s, w), d in rises]
            )
            await self._c.execute(
                statement.on_conflict_do_update(
                    index_elements=[ws.sku_code, ws.warehouse_code],
                    set_={"on_hand": ws.on_hand + statement.excluded.on_hand},
                )
            )
        if falls:
            await self._c.execute(
                sa.update(t.warehouse_stock)
                .where(
                    ws.sku_code == sa.bindparam("b_sku"),
                    ws.warehouse_code == sa.bindparam("b_wh"),
                )
                .values(on_hand=ws.on_hand + sa.bindparam("b_delta")),
                [{"b_sku": s, "b_wh": w, "b_delta": d} for (s, w), d in falls],
            )

    async def change_availability(
        self, sku_code: str, on_hand_delta: int, reserved_delta: int
    ) -> Availability | None:
        """Apply both deltas if the result keeps available ≥ 0 and reserved ≥ 0; None if not."""
        a = t.sku_availability.c
        result = await self._c.execute(
            sa.update(t.sku_availability)
            .where(
                a.sku_code == sku_code,
                (a.on_hand + on_hand_delta) - (a.reserved + reserved_delta) >= 0,
                a.reserved + reserved_delta >= 0,
            )
            .values(on_hand=a.on_hand + on_hand_delta, reserved=a.reserved + reserved_delta)
            .returning(a.on_hand, a.reserved)
        )
        row = result.first()
        return None if row is None else Availability(sku_code, row.on_hand, row.reserved)

    async def availability(self, sku_codes: Iterable[str]) -> dict[str, Availability]:
        """Current availability rows (no lock)."""
        a = t.sku_availability.c
        result = await self._c.execute(
            sa.select(a.sku_code, a.on_hand, a.reserved).where(a.sku_code.in_(list(sku_codes)))
        )
        return {row.sku_code: Availability(*row) for row in result}

    async def insert_ledger(self, rows: Sequence[LedgerRow]) -> list[int]:
        """Append entries; returns their ids in the order given."""
        if not rows:
            return []
        result = await self._c.execute(
            sa.insert(t.ledger_entries)
            .values(
                [
                    {
                        "kind": r.kind,
                        "sku_code": r.sku_code,
                        "warehouse_code": r.warehouse_code,
                        "bin_code": r.bin_code,
                        "lot_id": r.lot_id,
                        "quantity": r.quantity,
                        "on_hand_delta": r.on_hand_delta,
                        "reserved_delta": r.reserved_delta,
                        "value_delta_minor": r.value_delta_minor,
                        "value_currency": r.value_currency,
                        "document_type": r.document_type,
                        "document_id": r.document_id,
                        "actor": r.actor,
                        "created_at": r.created_at,
                        "reason": r.reason,
                        "reverses_entry_id": r.reverses_entry_id,
                    }
                    for r in rows
                ]
            )
            .returning(t.ledger_entries.c.id)
        )
        return list(result.scalars())

    async def stock_level(
        self, sku_code: str
    ) -> tuple[Availability, list[tuple[str, str, int]]] | None:
        """The availability row and (warehouse, kind, on hand) of every warehouse holding the
        SKU, in one read; None for an unknown SKU."""
        a, s, w = t.sku_availability.c, t.warehouse_stock.c, t.warehouses.c
        rows = list(
            await self._c.execute(
                sa.select(a.on_hand, a.reserved, s.warehouse_code, w.kind, s.on_hand)
                .select_from(
                    t.sku_availability.outerjoin(
                        t.warehouse_stock, (s.sku_code == a.sku_code) & (s.on_hand != 0)
                    ).outerjoin(t.warehouses, w.code == s.warehouse_code)
                )
                .where(a.sku_code == sku_code)
                .order_by(s.warehouse_code)
            )
        )
        if not rows:
            return None
        availability = Availability(sku_code, int(rows[0][0]), int(rows[0][1]))
        per_warehouse = [
            (code, kind, int(units)) for _, _, code, kind, units in rows if code is not None
        ]
        return availability, per_warehouse

    async def bin_stock(
        self,
        warehouse_code: str,
        *,
        bin_code: str = "",
        sku_code: str = "",
        after: tuple[str, str] | None = None,
        limit: int = 1000,
    ) -> list[tuple[str, str, int]]:
        """(bin, SKU, units) held in a warehouse, by bin then SKU."""
        lot = t.lots.c
        query = (
            sa.select(lot.bin_code, lot.sku_code, sa.func.sum(lot.quantity))
            .where(lot.warehouse_code == warehouse_code, lot.quantity > 0)
            .group_by(lot.bin_code, lot.sku_code)
            .order_by(lot.bin_code, lot.sku_code)
            .limit(limit)
        )
        if bin_code:
            query = query.where(lot.bin_code == bin_code)
        if sku_code:
            query = query.where(lot.sku_code == sku_code)
        if after is not None:
            query = query.where(sa.tuple_(lot.bin_code, lot.sku_code) > sa.tuple_(*after))
        return [(b, s, int(q)) for b, s, q in await self._c.execute(query)]

    async def values_by_sku(self, warehouse_code: str) -> dict[str, int]:
        """Stock value (minor units) per SKU held in a warehouse: the ABC classification input."""
        lot = t.lots.c
        result = await self._c.execute(
            sa.select(lot.sku_code, sa.func.sum(lot.quantity * lot.unit_cost_minor))
            .where(lot.warehouse_code == warehouse_code, lot.quantity > 0)
            .group_by(lot.sku_code)
        )
        return {sku: int(value) for sku, value in result}

    async def next_lot_id(self) -> str:
        """A new lot number, e.g. LOT00000042."""
        number = await self._c.scalar(sa.select(t.lot_numbers.next_value()))
        return f"LOT{int(number or 0):08d}"
