"""Cycle counts (循环盘点): plan a sheet by bins or ABC classes, record counts, post.

Posting needs every line counted, a reason for every variance and an approver who counted no line
(domain `CountSheet.post`). It also refuses a sheet whose book quantities moved since it was
planned: the variance would be measured against a stale figure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from storeops.inventory.v1 import events_pb2 as ev

from services.common.errors import FailedPrecondition, NotFound
from services.common.money import Money
from services.common.proto_convert import to_money
from services.inventory.db.documents import StoredCountSheet
from services.inventory.db.unit_of_work import InventoryDatabase, InventoryUnitOfWork
from services.inventory.domain.abc_classes import AbcClass, classify_abc
from services.inventory.domain.cycle_counts import (
    BinStock,
    CountEntry,
    CountSheet,
    LineKey,
    plan_by_bins,
    plan_by_classes,
)
from services.inventory.domain.ledger import MovementKind
from services.inventory.service import paging
from services.inventory.service.caller import Caller
from services.inventory.service.catalogue import Page, require_warehouse
from services.inventory.service.fingerprints import fingerprint, require_same
from services.inventory.service.postings import Posting
from services.inventory.service.receiving import defective_warehouse
from services.inventory.settings import UNASSIGNED_BIN, InventorySettings

DOCUMENT = "count_sheet"
COUNTING, COUNTED, POSTED = "COUNTING", "COUNTED", "POSTED"


def status_of(sheet: CountSheet) -> str:
    """COUNTING while lines are uncounted, COUNTED when all are, POSTED once posted."""
    if sheet.is_posted:
        return POSTED
    return COUNTING if sheet.uncounted else COUNTED


@dataclass(frozen=True)
class PlanCount:
    """Count every book row of some bins, or of SKUs in some ABC classes, of a warehouse."""

    sheet_id: str
    warehouse_code: str
    bin_codes: tuple[str, ...] = ()
    classes: tuple[AbcClass, ...] = ()


async def create_count_sheet(
    db: InventoryDatabase, command: PlanCount, caller: Caller, now: datetime
) -> StoredCountSheet:
    """Plan a sheet; idempotent on sheet_id."""
    given = fingerprint(
        DOCUMENT,
        {
            "warehouse": command.warehouse_code,
            "bins": sorted(command.bin_codes),
            "classes": sorted(command.classes),
        },
    )
    async with db.unit_of_work() as uow:
        existing = await uow.counts.get(command.sheet_id)
        if existing is not None:
            require_same(f"count sheet {command.sheet_id}", existing.fingerprint, given)
            return existing
        await require_warehouse(uow, command.warehouse_code)
        rows = await uow.counts.book_rows(command.warehouse_code)
        stock = [BinStock(sku, command.warehouse_code, b, q) for sku, b, q in rows]
        if command.bin_codes:
            lines = plan_by_bins(stock, command.warehouse_code, set(command.bin_codes))
            plan = "bins: " + ", ".join(sorted(command.bin_codes))
        else:
            values = await uow.stock.values_by_sku(command.warehouse_code)
            classes = classify_abc(values)
            lines = plan_by_classes(stock, command.warehouse_code, classes, set(command.classes))
            plan = "classes: " + ", ".join(sorted(command.classes))
        if not lines:
            raise FailedPrecondition(
                f"the books hold nothing in warehouse {command.warehouse_code} for {plan}; "
                "there is nothing to count",
                reason="NOTHING_TO_COUNT",
            )
        stored = StoredCountSheet(
            CountSheet.open(command.sheet_id, command.warehouse_code, lines),
            plan,
            given,
            caller.actor,
            now,
        )
        if not await uow.counts.add(stored, COUNTING):
            raced = await uow.counts.get(command.sheet_id)
            assert raced is not None
            require_same(f"count sheet {command.sheet_id}", raced.fingerprint, given)
            return raced
        await uow.commit()
    return stored


async def record_counts(
    db: InventoryDatabase, sheet_id: str, entries: Sequence[CountEntry], caller: Caller
) -> StoredCountSheet:
    """The caller's counts (a recount replaces the earlier one)."""
    async with db.unit_of_work() as uow:
        stored = await _locked(uow, sheet_id)
        sheet = stored.sheet.record(entries, caller.actor)
        await uow.counts.save(sheet, status_of(sheet))
        await uow.commit()
    return _with(stored, sheet)


async def post_count_sheet(
    db: InventoryDatabase,
    sheet_id: str,
    reasons: Mapping[LineKey, str],
    caller: Caller,
    now: datetime,
    settings: InventorySettings,
) -> StoredCountSheet:
    """Approve and post: adjustments with their reasons, damaged goods to defective stock."""
    async with db.unit_of_work() as uow:
        stored = await _locked(uow, sheet_id)
        sheet = stored.sheet
        if sheet.is_posted:
            return stored
        posting = Posting(
            uow, document_type=DOCUMENT, document_id=sheet_id, actor=caller.actor, now=now
        )
        # Lock first, then compare with the books: nothing can move in between.
        skus = await posting.lock([line.sku_code for line in sheet.lines])
        await _require_books_unchanged(uow, sheet)
        defective_code = settings.defective_warehouse_code
        if any(line.damaged for line in sheet.lines):
            defective_code = (await defective_warehouse(uow, settings)).code
        posting_result = sheet.post(
            approver_id=caller.actor,
            now=now,
            reasons=reasons,
            defective_warehouse_code=defective_code,
        )
        posted = posting_result.sheet
        reason_of = {line.key: line.reason for line in posted.lines}
        adjusted: list[tuple[str, str, int, Money, str]] = []
        moved: list[tuple[str, int, Money]] = []
        movements = list(posting_result.movements)
        for movement in movements:
            if movement.kind is not MovementKind.COUNT_ADJUSTMENT:
                continue
            bin_code = movement.bin_code or UNASSIGNED_BIN
            reason = reason_of[(movement.sku_code, bin_code)]
            if movement.quantity > 0:
                sku = skus[movement.sku_code]
                part = await posting.book_in(
                    MovementKind.COUNT_ADJUSTMENT,
                    movement.sku_code,
                    sheet.warehouse_code,
                    bin_code,
                    await uow.stock.next_lot_id(),
                    movement.quantity,
                    Money(sku.unit_cost_minor, sku.unit_cost_currency),
                    reason=reason,
                )
                value = part.value
            else:
                parts = await posting.take_fifo(
                    MovementKind.COUNT_ADJUSTMENT,
                    movement.sku_code,
                    -movement.quantity,
                    warehouse_codes=[sheet.warehouse_code],
                    bin_code=bin_code,
                    reason=reason,
                    ledger_quantity_sign=-1,
                )
                value = Money(
                    -sum(p.value.amount_minor for p in parts), parts[0].unit_cost.currency
                )
            adjusted.append((movement.sku_code, bin_code, movement.quantity, value, reason))
        outs = [m for m in movements if m.kind is MovementKind.TRANSFER_OUT]
        for out in outs:
            parts = await posting.move(
                out.sku_code,
                out.quantity,
                from_warehouse=sheet.warehouse_code,
                from_bin=out.bin_code,
                to_warehouse=defective_code,
                to_bin=UNASSIGNED_BIN,
                reason="damaged goods isolated at count",
            )
            value = Money(sum(p.value.amount_minor for p in parts), parts[0].unit_cost.currency)
            moved.append((out.sku_code, out.quantity, value))
        after = await posting.flush(f"post count sheet {sheet_id}")
        for sku_code, bin_code, delta, value, reason in adjusted:
            uow.publish(
                sku_code,
                ev.StockAdjusted(
                    sku_code=sku_code,
                    warehouse_code=sheet.warehouse_code,
                    quantity_delta=delta,
                    value_delta=to_money(value),
                    reason=reason,
                    document_type=DOCUMENT,
                    document_id=sheet_id,
                    available=after[sku_code].available,
                    bin_code=bin_code,
                ),
            )
        for sku_code, quantity, value in moved:
            uow.publish(
                sku_code,
                ev.StockMoved(
                    sku_code=sku_code,
                    from_warehouse_code=sheet.warehouse_code,
                    to_warehouse_code=defective_code,
                    quantity=quantity,
                    document_type=DOCUMENT,
                    document_id=sheet_id,
                    value=to_money(value),
                    available=after[sku_code].available,
                    value_delta=to_money(Money.zero(value.currency)),
                ),
            )
        await uow.counts.save(posted, POSTED)
        await uow.commit()
    return _with(stored, posted)


async def get_count_sheet(db: InventoryDatabase, sheet_id: str) -> StoredCountSheet:
    async with db.unit_of_work() as uow:
        stored = await uow.counts.get(sheet_id)
    if stored is None:
        raise NotFound(f"count sheet {sheet_id} does not exist", reason="COUNT_SHEET_NOT_FOUND")
    return stored


async def list_count_sheets(
    db: InventoryDatabase, warehouse_code: str, status: str, page_size: int, page_token: str
) -> Page[StoredCountSheet]:
    limit = paging.page_size(page_size)
    async with db.unit_of_work() as uow:
        rows = await uow.counts.find(
            warehouse_code=warehouse_code,
            status=status,
            before=paging.after_time(page_token),
            limit=limit,
        )
    last = {"t": rows[-1].created_at.isoformat(), "k": rows[-1].sheet.sheet_id} if rows else None
    return Page(rows, paging.next_token(rows, limit, last))


async def _locked(uow: InventoryUnitOfWork, sheet_id: str) -> StoredCountSheet:
    stored = await uow.counts.get(sheet_id, lock=True)
    if stored is None:
        raise NotFound(f"count sheet {sheet_id} does not exist", reason="COUNT_SHEET_NOT_FOUND")
    return stored


async def _require_books_unchanged(uow: InventoryUnitOfWork, sheet: CountSheet) -> None:
    rows = await uow.counts.book_rows(sheet.warehouse_code)
    books = {(sku, b): q for sku, b, q in rows}
    moved = [
        f"{line.sku_code}@{line.bin_code} ({line.expected} → {books.get(line.key, 0)})"
        for line in sheet.lines
        if books.get(line.key, 0) != line.expected
    ]
    if moved:
        raise FailedPrecondition(
            f"stock moved since count sheet {sheet.sheet_id} was planned: {', '.join(moved)}; "
            "plan a new sheet and count again",
            reason="COUNT_STALE",
        )


def _with(stored: StoredCountSheet, sheet: CountSheet) -> StoredCountSheet:
    return StoredCountSheet(
        sheet, stored.plan, stored.fingerprint, stored.created_by, stored.created_at
    )


@dataclass(frozen=True)
class ScrapStock:
    """A scrap document (拨废单): units written off."""

    scrap_id: str
    warehouse_code: str
    sku_code: str
    quantity: int
    reason: str
    bin_code: str = ""


SCRAP_DOCUMENT = "scrap"


async def scrap_stock(
    db: InventoryDatabase, command: ScrapStock, caller: Caller, now: datetime
) -> None:
    """SCRAP entries, oldest lots first; the same scrap id again is a no-op (same payload)."""
    async with db.unit_of_work() as uow:
        posting = Posting(
            uow,
            document_type=SCRAP_DOCUMENT,
            document_id=command.scrap_id,
            actor=caller.actor,
            now=now,
        )
        await posting.lock([command.sku_code])
        done = await uow.ledger.document_totals(SCRAP_DOCUMENT, command.scrap_id)
        if done:
            asked = {(command.sku_code, command.warehouse_code): -command.quantity}
            require_same(f"scrap {command.scrap_id}", _totals_key(done), _totals_key(asked))
            return
        await posting.warehouse(command.warehouse_code)
        parts = await posting.take_fifo(
            MovementKind.SCRAP,
            command.sku_code,
            command.quantity,
            warehouse_codes=[command.warehouse_code],
            bin_code=command.bin_code or None,
            reason=command.reason,
        )
        value = Money(-sum(p.value.amount_minor for p in parts), parts[0].unit_cost.currency)
        await posting.flush(f"scrap {command.quantity} units of {command.sku_code}")
        uow.publish(
            command.sku_code,
            ev.StockRemoved(
                sku_code=command.sku_code,
                warehouse_code=command.warehouse_code,
                quantity=command.quantity,
                document_type=SCRAP_DOCUMENT,
                document_id=command.scrap_id,
                value_delta=to_money(value),
            ),
        )
        await uow.commit()


def _totals_key(totals: Mapping[tuple[str, str], int]) -> str:
    return repr(sorted(totals.items()))
