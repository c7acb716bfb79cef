"""Posting movements to the books: one `Posting` per use case collects what moves (lots, stock,
availability, ledger entries) and writes it in the lock order of `db.stock`.

Each movement's effect on (on_hand, reserved) comes from the domain ledger table
(`effect_of`); lots are taken oldest first by the domain FIFO rule (`issue_fifo`); the value of a
movement is units × the lot's unit cost, so Σ value_delta over the ledger is the inventory value.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from services.common.errors import FailedPrecondition, NotFound
from services.common.money import Money
from services.inventory.db.stock import Availability, LedgerRow, LotRow, SkuRow
from services.inventory.db.unit_of_work import InventoryUnitOfWork
from services.inventory.domain.catalogue import Warehouse, WarehouseKind
from services.inventory.domain.ledger import MovementKind, effect_of
from services.inventory.domain.lots import Lot, issue_fifo


@dataclass(frozen=True)
class Taken:
    """Units taken from one lot row."""

    lot_id: str
    warehouse_code: str
    bin_code: str
    quantity: int
    unit_cost: Money
    received_at: datetime
    document_type: str
    document_id: str

    @property
    def value(self) -> Money:
        """quantity × unit cost."""
        return self.unit_cost.times(self.quantity)


def total_value(parts: Sequence[Taken], currency: str) -> Money:
    """Σ value of `parts` (zero in `currency` when empty)."""
    amount = sum(p.value.amount_minor for p in parts)
    return Money(amount, parts[0].unit_cost.currency if parts else currency)


class Posting:
    """The movements of one document, posted together by `flush()`.

    Call `lock(skus)` first (every SKU the document moves), then the movement methods, then
    `flush()` once; the caller commits right after.
    """

    def __init__(
        self,
        uow: InventoryUnitOfWork,
        *,
        document_type: str,
        document_id: str,
        actor: str,
        now: datetime,
    ) -> None:
        self._uow = uow
        self.document_type = document_type
        self.document_id = document_id
        self.actor = actor
        self.now = now
        self.skus: dict[str, SkuRow] = {}
        self._warehouses: dict[str, Warehouse] = {}
        # Lot rows as read (quantity in the database), units taken from them, rows to add to.
        self._lot_rows: dict[tuple[str, str, str], LotRow] = {}
        self._lot_takes: dict[tuple[str, str, str], int] = defaultdict(int)
        self._lot_adds: dict[tuple[str, str, str], LotRow] = {}
        self._stock: dict[tuple[str, str], int] = defaultdict(int)
        self._sellable_on_hand: dict[str, int] = defaultdict(int)
        self._reserved: dict[str, int] = defaultdict(int)
        self._touched: set[str] = set()
        self._entries: list[LedgerRow] = []

    async def lock(self, sku_codes: Sequence[str]) -> dict[str, SkuRow]:
        """Lock the SKUs (code order); NotFound names the first unknown one."""
        self.skus = await self._uow.stock.lock_skus(sku_codes)
        for code in sorted(set(sku_codes)):
            if code not in self.skus:
                raise NotFound(f"SKU {code} does not exist", reason="SKU_NOT_FOUND")
        return self.skus

    async def warehouse(self, code: str) -> Warehouse:
        """The warehouse (cached); NotFound if it does not exist."""
        if code not in self._warehouses:
            found = await self._uow.warehouses.get(code)
            if found is None:
                raise NotFound(f"warehouse {code} does not exist", reason="WAREHOUSE_NOT_FOUND")
            self._warehouses[code] = found
        return self._warehouses[code]

    async def sellable_codes(self) -> list[str]:
        """Codes of every SELLABLE warehouse."""
        codes = await self._uow.warehouses.sellable_codes()
        return codes

    # ---- movements -------------------------------------------------------------------------

    async def book_in(
        self,
        kind: MovementKind,
        sku_code: str,
        warehouse_code: str,
        bin_code: str,
        lot_id: str,
        quantity: int,
        unit_cost: Money,
        *,
        received_at: datetime | None = None,
        reason: str = "",
    ) -> Taken:
        """New units enter `lot_id` at (warehouse, bin): RECEIPT, DEFECT_IN, RETURN_IN, +COUNT."""
        row = LotRow(
            lot_id=lot_id,
            warehouse_code=warehouse_code,
            bin_code=bin_code,
            sku_code=sku_code,
            received_at=received_at or self.now,
            unit_cost_minor=unit_cost.amount_minor,
            unit_cost_currency=unit_cost.currency,
            quantity=quantity,
            document_type=self.document_type,
            document_id=self.document_id,
        )
        self._add_to_lot(row)
        part = Taken(
            lot_id,
            warehouse_code,
            bin_code,
            quantity,
            unit_cost,
            row.received_at,
            self.document_type,
            self.document_id,
        )
        await self._entry(kind, sku_code, part, quantity, reason=reason)
        return part

    async def take_fifo(
        self,
        kind: MovementKind,
        sku_code: str,
        quantity: int,
        *,
        warehouse_codes: Sequence[str],
        bin_code: str | None = None,
        lot_ids: Sequence[str] | None = None,
        reason: str = "",
        ledger_quantity_sign: int = 1,
    ) -> list[Taken]:
        """Units leave the SKU's lots in `warehouse_codes` (and `bin_code`), oldest first."""
        parts = await self._fifo(sku_code, quantity, warehouse_codes, bin_code, lot_ids)
        for part in parts:
            await self._entry(kind, sku_code, part, ledger_quantity_sign * part.quantity, reason)
        return parts

    async def move(
        self,
        sku_code: str,
        quantity: int,
        *,
        from_warehouse: str,
        to_warehouse: str,
        from_bin: str | None = None,
        to_bin: str,
        lot_ids: Sequence[str] | None = None,
        reason: str = "",
    ) -> list[Taken]:
        """Units change place, keeping their lots: TRANSFER_OUT + TRANSFER_IN per lot, or one
        PUT_AWAY per lot inside a warehouse."""
        parts = await self._fifo(sku_code, quantity, [from_warehouse], from_bin, lot_ids)
        for part in parts:
            arrived = Taken(
                part.lot_id,
                to_warehouse,
                to_bin,
                part.quantity,
                part.unit_cost,
                part.received_at,
                part.document_type,
                part.document_id,
            )
            self._add_to_lot(
                LotRow(
                    lot_id=part.lot_id,
                    warehouse_code=to_warehouse,
                    bin_code=to_bin,
                    sku_code=sku_code,
                    received_at=part.received_at,
                    unit_cost_minor=part.unit_cost.amount_minor,
                    unit_cost_currency=part.unit_cost.currency,
                    quantity=part.quantity,
                    document_type=part.document_type,
                    document_id=part.document_id,
                )
            )
            units = part.quantity
            if from_warehouse == to_warehouse:
                await self._entry(MovementKind.PUT_AWAY, sku_code, arrived, units, reason)
            else:
                await self._entry(MovementKind.TRANSFER_OUT, sku_code, part, units, reason)
                await self._entry(MovementKind.TRANSFER_IN, sku_code, arrived, units, reason)
        return parts

    def hold(
        self, kind: MovementKind, sku_code: str, quantity: int, warehouse_code: str | None
    ) -> None:
        """RESERVATION or RELEASE of units (no lot moves): a customer hold."""
        effect = effect_of(kind, quantity)
        self._reserved[sku_code] += effect.reserved
        self._touched.add(sku_code)
        self._entries.append(
            LedgerRow(
                kind=str(kind),
                sku_code=sku_code,
                warehouse_code=warehouse_code,
                bin_code=None,
                lot_id=None,
                quantity=quantity,
                on_hand_delta=0,
                reserved_delta=effect.reserved,
                value_delta_minor=None,
                value_currency=None,
                document_type=self.document_type,
                document_id=self.document_id,
                actor=self.actor,
                created_at=self.now,
            )
        )

    async def reverse(self, original: LedgerRow, reverses_entry_id: int, reason: str) -> int:
        """A REVERSAL of an on-hand entry on the same lot and place: units that came in go out
        of that lot (they must still be there), units that went out come back into it."""
        assert original.warehouse_code is not None
        assert original.lot_id is not None
        assert original.bin_code is not None
        assert original.value_delta_minor is not None
        assert original.value_currency is not None
        units = original.quantity
        key = (original.lot_id, original.warehouse_code, original.bin_code)
        unit_cost = Money(abs(original.value_delta_minor) // units, original.value_currency)
        if original.on_hand_delta > 0:
            await self._fifo(
                original.sku_code,
                units,
                [original.warehouse_code],
                original.bin_code,
                [original.lot_id],
            )
        else:
            lot = await self._uow.stock.lot(*key)
            self._add_to_lot(
                LotRow(
                    lot_id=original.lot_id,
                    warehouse_code=original.warehouse_code,
                    bin_code=original.bin_code,
                    sku_code=original.sku_code,
                    received_at=lot.received_at if lot else self.now,
                    unit_cost_minor=unit_cost.amount_minor,
                    unit_cost_currency=unit_cost.currency,
                    quantity=units,
                    document_type=lot.document_type if lot else self.document_type,
                    document_id=lot.document_id if lot else self.document_id,
                )
            )
        warehouse = await self.warehouse(original.warehouse_code)
        on_hand = -original.on_hand_delta
        self._touched.add(original.sku_code)
        self._stock[(original.sku_code, original.warehouse_code)] += on_hand
        if warehouse.kind is WarehouseKind.SELLABLE:
            self._sellable_on_hand[original.sku_code] += on_hand
        self._entries.append(
            replace(
                original,
                kind=str(MovementKind.REVERSAL),
                on_hand_delta=on_hand,
                reserved_delta=-original.reserved_delta,
                value_delta_minor=-original.value_delta_minor,
                document_type=self.document_type,
                document_id=self.document_id,
                actor=self.actor,
                created_at=self.now,
                reason=reason,
                reverses_entry_id=reverses_entry_id,
            )
        )
        return on_hand

    # ---- writing -----------------------------------------------------------------------------

    async def flush(self, purpose: str) -> dict[str, Availability]:
        """Write lots, stock and ledger, then the availability rows (SKU order).

        Raises FailedPrecondition (``INSUFFICIENT_AVAILABLE``) when a change would leave fewer
        available units than reserved ones; `purpose` says what was attempted ("ship transfer T").
        Returns the availability after, for every SKU touched.
        """
        await self.write()
        return await self.update_availability(purpose)

    async def write(self) -> None:
        """Lots, warehouse stock and ledger entries (everything but the availability rows)."""
        stock = self._uow.stock
        await stock.take_from_lots([(*key, qty) for key, qty in self._lot_takes.items() if qty])
        await stock.add_to_lots([row for row in self._lot_adds.values() if row.quantity > 0])
        await stock.change_warehouse_stock(dict(self._stock))
        await stock.insert_ledger(self._entries)
        self._lot_takes.clear()
        self._lot_adds.clear()
        self._lot_rows.clear()
        self._stock.clear()
        self._entries = []

    async def update_availability(self, purpose: str) -> dict[str, Availability]:
        """The availability rows, last, in SKU-code order."""
        stock = self._uow.stock
        after: dict[str, Availability] = {}
        unchanged: list[str] = []
        for sku in sorted(self._touched):
            on_hand, reserved = self._sellable_on_hand[sku], self._reserved[sku]
            if on_hand == 0 and reserved == 0:
                unchanged.append(sku)
                continue
            changed = await stock.change_availability(sku, on_hand, reserved)
            if changed is None:
                now = (await stock.availability([sku])).get(sku) or Availability(sku, 0, 0)
                raise FailedPrecondition(
                    f"cannot {purpose}: SKU {sku} has {now.available} units available "
                    f"({now.on_hand} on hand in sellable warehouses, {now.reserved} reserved), "
                    f"{-(on_hand - reserved)} needed; release reservations or holds first",
                    reason="INSUFFICIENT_AVAILABLE",
                    metadata={"sku_code": sku, "available": str(now.available)},
                )
            after[sku] = changed
        if unchanged:
            after.update(await stock.availability(unchanged))
        return after

    # ---- internals ---------------------------------------------------------------------------

    async def _fifo(
        self,
        sku_code: str,
        quantity: int,
        warehouse_codes: Sequence[str],
        bin_code: str | None,
        lot_ids: Sequence[str] | None,
    ) -> list[Taken]:
        rows = await self._uow.stock.lots(
            sku_code, warehouse_codes=warehouse_codes, bin_code=bin_code, lot_ids=lot_ids
        )
        candidates: dict[tuple[str, str, str], LotRow] = {}
        for row in rows:
            key = (row.lot_id, row.warehouse_code, row.bin_code)
            self._lot_rows.setdefault(key, row)
            candidates[key] = row
        # Units this posting added (not written yet) can be taken too, e.g. damaged units found
        # by a count in a bin whose surplus the same count books in.
        for key, added in self._lot_adds.items():
            if (
                added.sku_code == sku_code
                and added.warehouse_code in warehouse_codes
                and (bin_code is None or added.bin_code == bin_code)
                and (lot_ids is None or added.lot_id in lot_ids)
            ):
                candidates.setdefault(key, added)
        lots = []
        for key, row in candidates.items():
            left = self._left(key)
            if left > 0:
                lots.append(
                    Lot(
                        row.lot_id,
                        sku_code,
                        row.received_at,
                        left,
                        Money(row.unit_cost_minor, row.unit_cost_currency),
                        location=f"{row.warehouse_code}/{row.bin_code}",
                    )
                )
        held = sum(lot.quantity for lot in lots)
        if held < quantity:
            where = ", ".join(warehouse_codes) or "any warehouse"
            if bin_code is not None:
                where += f" bin {bin_code}"
            raise FailedPrecondition(
                f"not enough stock of SKU {sku_code} in {where}: {held} on hand, {quantity} needed",
                reason="INSUFFICIENT_STOCK",
                metadata={"sku_code": sku_code, "on_hand": str(held), "needed": str(quantity)},
            )
        issue = issue_fifo(lots, sku_code, quantity)
        by_place = {(k[0], f"{k[1]}/{k[2]}"): (k, r) for k, r in candidates.items()}
        parts = []
        for allocation in issue.allocations:
            key, row = by_place[(allocation.lot_id, allocation.location)]
            self._consume(key, allocation.quantity)
            parts.append(
                Taken(
                    row.lot_id,
                    row.warehouse_code,
                    row.bin_code,
                    allocation.quantity,
                    allocation.unit_cost,
                    row.received_at,
                    row.document_type,
                    row.document_id,
                )
            )
        return parts

    def _left(self, key: tuple[str, str, str]) -> int:
        """Units at `key` now: as read, minus taken, plus added by this posting."""
        read = self._lot_rows[key].quantity if key in self._lot_rows else 0
        added = self._lot_adds[key].quantity if key in self._lot_adds else 0
        return read - self._lot_takes[key] + added

    def _consume(self, key: tuple[str, str, str], quantity: int) -> None:
        """Take from the stored row first, then from units this posting added."""
        read = self._lot_rows[key].quantity if key in self._lot_rows else 0
        from_stored = min(quantity, read - self._lot_takes[key])
        self._lot_takes[key] += from_stored
        rest = quantity - from_stored
        if rest:
            added = self._lot_adds[key]
            self._lot_adds[key] = replace(added, quantity=added.quantity - rest)

    def _add_to_lot(self, row: LotRow) -> None:
        key = (row.lot_id, row.warehouse_code, row.bin_code)
        before = self._lot_adds.get(key)
        self._lot_adds[key] = (
            row if before is None else replace(before, quantity=before.quantity + row.quantity)
        )

    async def _entry(
        self, kind: MovementKind, sku_code: str, part: Taken, quantity: int, reason: str = ""
    ) -> None:
        effect = effect_of(kind, quantity)
        warehouse = await self.warehouse(part.warehouse_code)
        self._touched.add(sku_code)
        self._stock[(sku_code, part.warehouse_code)] += effect.on_hand
        if warehouse.kind is WarehouseKind.SELLABLE:
            self._sellable_on_hand[sku_code] += effect.on_hand
        self._reserved[sku_code] += effect.reserved
        value = part.unit_cost.amount_minor * effect.on_hand
        self._entries.append(
            LedgerRow(
                kind=str(kind),
                sku_code=sku_code,
                warehouse_code=part.warehouse_code,
                bin_code=part.bin_code,
                lot_id=part.lot_id,
                quantity=abs(quantity),
                on_hand_delta=effect.on_hand,
                reserved_delta=effect.reserved,
                value_delta_minor=value,
                value_currency=part.unit_cost.currency,
                document_type=self.document_type,
                document_id=self.document_id,
                actor=self.actor,
                created_at=self.now,
                reason=reason,
            )
        )
