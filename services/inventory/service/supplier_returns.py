"""The supplier-return list (次品退厂): defectives waiting to go back, cleared daily for factory
deliveries and weekly for sundry purchases; the month-end list for purchasing and finance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from storeops.inventory.v1 import events_pb2 as ev

from services.common.errors import FailedPrecondition, NotFound
from services.common.money import Money
from services.common.proto_convert import to_money
from services.inventory.db.receipts import StoredSupplierReturn
from services.inventory.db.unit_of_work import InventoryDatabase
from services.inventory.domain.ledger import MovementKind
from services.inventory.domain.supplier_returns import (
    MonthlyPendingReport,
    monthly_pending_report,
)
from services.inventory.service import paging
from services.inventory.service.caller import Caller
from services.inventory.service.catalogue import Page
from services.inventory.service.postings import Posting, Taken
from services.inventory.settings import InventorySettings

DOCUMENT = "supplier_return"


class ReturnFilter(StrEnum):
    """Which returns a list shows."""

    PENDING = "PENDING"
    OVERDUE = "OVERDUE"
    CLEARED = "CLEARED"
    ALL = "ALL"


@dataclass(frozen=True)
class ListedReturn:
    """A supplier return and whether it is overdue today."""

    stored: StoredSupplierReturn
    overdue: bool


async def list_supplier_returns(
    db: InventoryDatabase,
    which: ReturnFilter,
    supplier: str,
    now: datetime,
    settings: InventorySettings,
    page_size: int,
    page_token: str,
) -> Page[ListedReturn]:
    """Oldest listing first; OVERDUE keeps the pending ones past their clearing date."""
    limit = paging.page_size(page_size)
    today = settings.business_date(now)
    pending = {
        ReturnFilter.PENDING: True,
        ReturnFilter.OVERDUE: True,
        ReturnFilter.CLEARED: False,
        ReturnFilter.ALL: None,
    }[which]
    async with db.unit_of_work() as uow:
        rows = await uow.supplier_returns.find(
            pending=pending,
            supplier=supplier,
            after=paging.after_date(page_token),
            limit=limit,
        )
    listed = [ListedReturn(row, row.entry.is_overdue(today)) for row in rows]
    if which is ReturnFilter.OVERDUE:
        listed = [x for x in listed if x.overdue]
    last = (
        {"d": rows[-1].entry.listed_on.isoformat(), "k": rows[-1].entry.return_id} if rows else None
    )
    return Page(listed, paging.next_token(rows, limit, last))


async def clear_supplier_return(
    db: InventoryDatabase,
    return_id: str,
    caller: Caller,
    now: datetime,
    settings: InventorySettings,
) -> ListedReturn:
    """The goods went back today: they leave defective stock (its lot first). Idempotent."""
    today = settings.business_date(now)
    async with db.unit_of_work() as uow:
        stored = await uow.supplier_returns.get(return_id, lock=True)
        if stored is None:
            raise NotFound(
                f"supplier return {return_id} does not exist", reason="SUPPLIER_RETURN_NOT_FOUND"
            )
        cleared, movements = stored.entry.clear(today)
        if cleared is stored.entry:
            return ListedReturn(stored, overdue=False)
        posting = Posting(
            uow, document_type=DOCUMENT, document_id=return_id, actor=caller.actor, now=now
        )
        await posting.lock([m.sku_code for m in movements])
        for movement in movements:
            parts = await _take(
                posting,
                movement.sku_code,
                movement.quantity,
                movement.warehouse_code,
                stored.lot_id,
            )
            value = Money(-sum(p.value.amount_minor for p in parts), parts[0].unit_cost.currency)
            uow.publish(
                movement.sku_code,
                ev.StockRemoved(
                    sku_code=movement.sku_code,
                    warehouse_code=movement.warehouse_code,
                    quantity=movement.quantity,
                    document_type=DOCUMENT,
                    document_id=return_id,
                    value_delta=to_money(value),
                ),
            )
        await posting.flush(f"clear supplier return {return_id}")
        await uow.supplier_returns.mark_cleared(return_id, today, caller.actor)
        await uow.commit()
    return ListedReturn(
        StoredSupplierReturn(
            cleared,
            stored.lot_id,
            stored.source_document_type,
            stored.source_document_id,
            caller.actor,
        ),
        overdue=False,
    )


async def _take(
    posting: Posting, sku_code: str, quantity: int, warehouse_code: str, lot_id: str | None
) -> list[Taken]:
    """The return's own lot when it still holds the units, else oldest first in the warehouse."""
    if lot_id is not None:
        try:
            return await posting.take_fifo(
                MovementKind.SUPPLIER_RETURN,
                sku_code,
                quantity,
                warehouse_codes=[warehouse_code],
                lot_ids=[lot_id],
            )
        except FailedPrecondition:
            pass  # part of the lot moved on (counted, scrapped): take any defective units
    return await posting.take_fifo(
        MovementKind.SUPPLIER_RETURN, sku_code, quantity, warehouse_codes=[warehouse_code]
    )


async def supplier_return_report(
    db: InventoryDatabase, year: int, month: int
) -> tuple[MonthlyPendingReport, dict[str, StoredSupplierReturn]]:
    """Returns pending at the month's end, by supplier (and the stored rows by id)."""
    as_of = monthly_pending_report([], year, month).as_of
    async with db.unit_of_work() as uow:
        rows = await uow.supplier_returns.pending_at(as_of)
    report = monthly_pending_report([row.entry for row in rows], year, month)
    return report, {row.entry.return_id: row for row in rows}


def due_on(entry: StoredSupplierReturn) -> date:
    """The clearing due date (domain rule)."""
    return entry.entry.due_on()
