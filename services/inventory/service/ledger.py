"""The ledger: listing, the consistency check (VerifyLedger, `check-ledger`), stock value at a
moment, cost of goods issued over a period and the turnover it gives."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from storeops.inventory.v1 import events_pb2 as ev

from services.common.errors import FailedPrecondition, NotFound
from services.common.money import Money
from services.common.proto_convert import to_money
from services.inventory.db.ledger import Discrepancy, LedgerFilter, LedgerRepository
from services.inventory.db.stock import LedgerRow
from services.inventory.db.unit_of_work import InventoryDatabase
from services.inventory.domain.ledger import LedgerEntry, MovementKind
from services.inventory.domain.valuation import inventory_turnover
from services.inventory.service import paging
from services.inventory.service.caller import Caller
from services.inventory.service.catalogue import Page
from services.inventory.service.postings import Posting


async def list_entries(
    db: InventoryDatabase, where: LedgerFilter, page_size: int, page_token: str
) -> Page[Any]:
    """Entries oldest first (by id), keyset-paged."""
    limit = paging.page_size(page_size, default=100, maximum=1000)
    async with db.unit_of_work() as uow:
        rows = await uow.ledger.find(where, paging.after_int(page_token), limit)
    last = {"k": int(rows[-1].id)} if rows else None
    return Page(rows, paging.next_token(rows, limit, last))


@dataclass(frozen=True)
class Verification:
    """Result of comparing every stored balance with the ledger."""

    entries_checked: int
    skus_checked: int
    discrepancies: list[Discrepancy]
    checked_at: datetime

    @property
    def consistent(self) -> bool:
        """No discrepancy found."""
        return not self.discrepancies


async def verify_ledger(
    db: InventoryDatabase, sku_code: str, max_discrepancies: int, now: datetime
) -> Verification:
    """One REPEATABLE READ snapshot, so postings in flight are seen whole or not at all."""
    limit = max_discrepancies or 100
    async with db.engine.connect() as connection:
        snapshot = await connection.execution_options(isolation_level="REPEATABLE READ")
        async with snapshot.begin():
            repository = LedgerRepository(snapshot)
            found = await repository.discrepancies(sku_code, limit)
            entries, skus = await repository.counts(sku_code)
    return Verification(entries, skus, found, now)


@dataclass(frozen=True)
class WarehouseValue:
    """Units and value per currency held in one warehouse."""

    warehouse_code: str
    on_hand: int
    values: list[Money]


async def stock_value(
    db: InventoryDatabase, as_of: datetime
) -> tuple[list[Money], list[WarehouseValue]]:
    """Inventory value at `as_of` from the ledger's value deltas (FIFO lot cost)."""
    async with db.unit_of_work() as uow:
        rows = await uow.ledger.value_by_warehouse(as_of)
    totals: dict[str, int] = {}
    per_warehouse: dict[str, WarehouseValue] = {}
    for code, currency, units, value in rows:
        entry = per_warehouse.setdefault(code, WarehouseValue(code, 0, []))
        per_warehouse[code] = WarehouseValue(
            code,
            entry.on_hand + units,
            [*entry.values, Money(value, currency)] if currency else entry.values,
        )
        if currency:
            totals[currency] = totals.get(currency, 0) + value
    return (
        [Money(v, c) for c, v in sorted(totals.items())],
        [w for w in per_warehouse.values() if w.on_hand or any(m.amount_minor for m in w.values)],
    )


@dataclass(frozen=True)
class CostFigures:
    """Cost of goods issued over a period in one currency, and the turnover inputs."""

    cost_of_goods_issued: Money
    opening_value: Money
    closing_value: Money
    turnover: Decimal | None
    units_issued: int


async def cost_of_goods_issued(
    db: InventoryDatabase, start: datetime, end: datetime
) -> list[CostFigures]:
    """Per currency: COGS in [start, end), the value at start and at end, the turnover."""
    async with db.unit_of_work() as uow:
        issued = await uow.ledger.issues_between(start, end)
        opening = await uow.ledger.value_at(start, before=True)
        closing = await uow.ledger.value_at(end, before=True)
    figures = []
    for currency in sorted(set(issued) | set(opening) | set(closing)):
        cogs = Money(issued.get(currency, (0, 0))[0], currency)
        open_value = Money(opening.get(currency, 0), currency)
        close_value = Money(closing.get(currency, 0), currency)
        figures.append(
            CostFigures(
                cogs,
                open_value,
                close_value,
                inventory_turnover(cogs, open_value, close_value),
                issued.get(currency, (0, 0))[1],
            )
        )
    return figures


REVERSIBLE = frozenset(
    {
        MovementKind.RECEIPT,
        MovementKind.DEFECT_IN,
        MovementKind.RETURN_IN,
        MovementKind.COUNT_ADJUSTMENT,
        MovementKind.SCRAP,
        MovementKind.SUPPLIER_RETURN,
    }
)
"""Entries a REVERSAL may undo: on-hand corrections of one lot in one place. Reservations are
undone by releasing, issues by a customer return, transfers by a transfer back."""

REVERSAL_DOCUMENT = "ledger_reversal"


async def reverse_entry(
    db: InventoryDatabase, entry_id: int, reason: str, caller: Caller, now: datetime
) -> Any:
    """Post the REVERSAL of entry `entry_id` with a reason; returns the new entry's row."""
    async with db.unit_of_work() as uow:
        row = await uow.ledger.get(entry_id, lock=True)
        if row is None:
            raise NotFound(f"ledger entry {entry_id} does not exist", reason="ENTRY_NOT_FOUND")
        kind = MovementKind(row.kind)
        if kind is MovementKind.REVERSAL:
            # The domain refuses it: a correction is redone forwards, never reversed.
            _domain_entry(row).reversal(entry_id=0, actor=caller.actor, at=now, reason=reason)
        if kind not in REVERSIBLE:
            raise FailedPrecondition(
                f"entry {entry_id} is a {kind}; reverse reservations by releasing them, "
                "issues by a customer return and transfers by a transfer back",
                reason="NOT_REVERSIBLE",
            )
        if await uow.ledger.reversal_of(entry_id) is not None:
            raise FailedPrecondition(
                f"entry {entry_id} is already reversed", reason="ALREADY_REVERSED"
            )
        posting = Posting(
            uow,
            document_type=REVERSAL_DOCUMENT,
            document_id=str(entry_id),
            actor=caller.actor,
            now=now,
        )
        await posting.lock([row.sku_code])
        delta = await posting.reverse(_ledger_row(row), entry_id, reason)
        after = await posting.flush(f"reverse ledger entry {entry_id}")
        uow.publish(
            row.sku_code,
            ev.StockAdjusted(
                sku_code=row.sku_code,
                warehouse_code=row.warehouse_code,
                quantity_delta=delta,
                value_delta=to_money(Money(-row.value_delta_minor, row.value_currency)),
                reason=reason,
                document_type=REVERSAL_DOCUMENT,
                document_id=str(entry_id),
                available=after[row.sku_code].available,
                bin_code=row.bin_code or "",
            ),
        )
        created = await uow.ledger.reversal_of(entry_id)
        assert created is not None
        reversal = await uow.ledger.get(created)
        await uow.commit()
    return reversal


def _domain_entry(row: Any) -> LedgerEntry:
    cost = None if row.value_currency is None else Money(row.value_delta_minor, row.value_currency)
    return LedgerEntry(
        entry_id=row.id,
        kind=MovementKind(row.kind),
        sku_code=row.sku_code,
        warehouse_code=row.warehouse_code,
        on_hand_delta=row.on_hand_delta,
        reserved_delta=row.reserved_delta,
        document_type=row.document_type,
        document_id=row.document_id[:64],  # client keys may be longer; only the kind matters here
        actor=row.actor,
        created_at=row.created_at,
        reverses_entry_id=row.reverses_entry_id,
        reason=row.reason or "reversal",
        bin_code=row.bin_code,
        lot_id=row.lot_id,
        cost=cost,
    )


def _ledger_row(row: Any) -> LedgerRow:
    return LedgerRow(
        kind=row.kind,
        sku_code=row.sku_code,
        warehouse_code=row.warehouse_code,
        bin_code=row.bin_code,
        lot_id=row.lot_id,
        quantity=row.quantity,
        on_hand_delta=row.on_hand_delta,
        reserved_delta=row.reserved_delta,
        value_delta_minor=row.value_delta_minor,
        value_currency=row.value_currency,
        document_type=row.document_type,
        document_id=row.document_id,
        actor=row.actor,
        created_at=row.created_at,
        reason=row.reason,
        reverses_entry_id=row.reverses_entry_id,
    )
