"""Photo-sample loans (out by document, due in 7 days, extension, reclaim) and customer holds
(囤货: units kept aside for a customer, released after 7 days without instruction)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storeops.inventory.v1 import events_pb2 as ev

from services.common.errors import FailedPrecondition, NotFound
from services.common.money import Money
from services.common.proto_convert import to_money
from services.inventory.db.unit_of_work import InventoryDatabase, InventoryUnitOfWork
from services.inventory.domain.catalogue import WarehouseKind
from services.inventory.domain.holds import CustomerHold, HoldChange
from services.inventory.domain.ledger import Movement, MovementKind
from services.inventory.domain.photo_samples import SampleLoan
from services.inventory.service import paging
from services.inventory.service.caller import Caller
from services.inventory.service.catalogue import Page, require_warehouse
from services.inventory.service.fingerprints import require_same
from services.inventory.service.postings import Posting
from services.inventory.settings import UNASSIGNED_BIN, InventorySettings

LOAN = "sample_loan"
HOLD = "hold"


@dataclass(frozen=True)
class LendSamples:
    """Samples going out on a loan document."""

    document_id: str
    borrower_id: str
    warehouse_code: str
    sku_code: str
    quantity: int


async def lend_samples(
    db: InventoryDatabase,
    command: LendSamples,
    caller: Caller,
    now: datetime,
    settings: InventorySettings,
) -> SampleLoan:
    """Samples move to the samples warehouse; idempotent on the document id."""
    today = settings.business_date(now)
    borrower = command.borrower_id or caller.actor
    async with db.unit_of_work() as uow:
        existing = await uow.samples.get(command.document_id)
        if existing is not None:
            require_same(
                f"sample loan {command.document_id}",
                _loan_key(
                    existing.borrower_id,
                    existing.warehouse_code,
                    existing.sku_code,
                    existing.quantity,
                ),
                _loan_key(borrower, command.warehouse_code, command.sku_code, command.quantity),
            )
            return existing
        posting = Posting(
            uow, document_type=LOAN, document_id=command.document_id, actor=caller.actor, now=now
        )
        skus = await posting.lock([command.sku_code])
        warehouse = await posting.warehouse(command.warehouse_code)
        if warehouse.kind is not WarehouseKind.SELLABLE:
            raise FailedPrecondition(
                f"samples are lent from a SELLABLE warehouse; {warehouse.code} is {warehouse.kind}",
                reason="WAREHOUSE_NOT_SELLABLE",
            )
        sku = skus[command.sku_code]
        loan = SampleLoan.lend(
            document_id=command.document_id,
            borrower_id=borrower,
            warehouse_code=warehouse.code,
            sku_code=sku.sku_code,
            style_code=sku.style_code,
            colour=sku.color,
            size=sku.size,
            quantity=command.quantity,
            today=today,
            policy=settings.samples,
        )
        await uow.warehouses.ensure(
            settings.samples.sample_warehouse_code, "Photo samples on loan", WarehouseKind.SAMPLES
        )
        await _move(uow, posting, loan.out_movements(settings.samples), None, "lend samples")
        await uow.samples.add(loan, caller.actor)
        await uow.commit()
    return loan


async def extend_sample_loan(
    db: InventoryDatabase, document_id: str, now: datetime, settings: InventorySettings
) -> SampleLoan:
    """Push the due date (asked for by the due date; once)."""
    async with db.unit_of_work() as uow:
        loan = await _locked_loan(uow, document_id)
        extended = loan.extend(settings.business_date(now), settings.samples)
        await uow.samples.save(extended)
        await uow.commit()
    return extended


async def return_samples(
    db: InventoryDatabase,
    document_id: str,
    caller: Caller,
    now: datetime,
    settings: InventorySettings,
    *,
    reclaim: bool = False,
) -> SampleLoan:
    """The borrower gives the samples back (or the warehouse reclaims overdue ones)."""
    today = settings.business_date(now)
    async with db.unit_of_work() as uow:
        loan = await _locked_loan(uow, document_id)
        closed = loan.reclaim(today) if reclaim else loan.give_back(today)
        if closed is loan:
            return loan
        posting = Posting(
            uow, document_type=LOAN, document_id=document_id, actor=caller.actor, now=now
        )
        await posting.lock([loan.sku_code])
        samples_code = settings.samples.sample_warehouse_code
        lots = await uow.ledger.document_lots(LOAN, document_id, "TRANSFER_IN", samples_code)
        await _move(uow, posting, loan.back_movements(settings.samples), list(lots), "take back")
        await uow.samples.save(closed)
        await uow.commit()
    return closed


async def list_sample_loans(
    db: InventoryDatabase,
    status: str,
    overdue_only: bool,
    now: datetime,
    settings: InventorySettings,
    page_size: int,
    page_token: str,
) -> Page[SampleLoan]:
    """Loans by due date; `overdue_only` gives the overdue list (longest overdue first)."""
    limit = paging.page_size(page_size)
    today = settings.business_date(now)
    async with db.unit_of_work() as uow:
        rows = await uow.samples.find(
            status=status,
            overdue_on=today if overdue_only else None,
            after=paging.after_date(page_token),
            limit=limit,
        )
    last = {"d": rows[-1].due_on.isoformat(), "k": rows[-1].document_id} if rows else None
    return Page(rows, paging.next_token(rows, limit, last))


async def _locked_loan(uow: InventoryUnitOfWork, document_id: str) -> SampleLoan:
    loan = await uow.samples.get(document_id, lock=True)
    if loan is None:
        raise NotFound(f"sample loan {document_id} does not exist", reason="LOAN_NOT_FOUND")
    return loan


def _loan_key(borrower: str, warehouse: str, sku: str, quantity: int) -> str:
    return f"{borrower}|{warehouse}|{sku}|{quantity}"


async def _move(
    uow: InventoryUnitOfWork,
    posting: Posting,
    movements: tuple[Movement, ...],
    lot_ids: list[str] | None,
    purpose: str,
) -> None:
    out, into = movements
    parts = await posting.move(
        out.sku_code,
        out.quantity,
        from_warehouse=out.warehouse_code,
        to_warehouse=into.warehouse_code,
        to_bin=UNASSIGNED_BIN,
        lot_ids=lot_ids,
    )
    after = await posting.flush(f"{purpose} {posting.document_id}")
    value = Money(sum(p.value.amount_minor for p in parts), parts[0].unit_cost.currency)
    uow.publish(
        out.sku_code,
        ev.StockMoved(
            sku_code=out.sku_code,
            from_warehouse_code=out.warehouse_code,
            to_warehouse_code=into.warehouse_code,
            quantity=out.quantity,
            document_type=LOAN,
            document_id=posting.document_id,
            value=to_money(value),
            available=after[out.sku_code].available,
            value_delta=to_money(Money.zero(value.currency)),
        ),
    )


# ---- customer holds -----------------------------------------------------------------------


@dataclass(frozen=True)
class CreateHold:
    """Units sales keeps aside for a customer."""

    hold_id: str
    customer_ref: str
    sku_code: str
    warehouse_code: str
    quantity: int


async def create_hold(
    db: InventoryDatabase,
    command: CreateHold,
    caller: Caller,
    now: datetime,
    settings: InventorySettings,
) -> CustomerHold:
    """Reserve the units for the customer (all or nothing); idempotent on the hold id."""
    change = CustomerHold.create(
        hold_id=command.hold_id,
        customer_ref=command.customer_ref,
        sku_code=command.sku_code,
        warehouse_code=command.warehouse_code,
        quantity=command.quantity,
        created_by=caller.actor,
        now=now,
    )
    async with db.unit_of_work() as uow:
        existing = await uow.holds.get(command.hold_id)
        if existing is not None:
            require_same(
                f"hold {command.hold_id}",
                _hold_key(existing),
                _hold_key(change.hold),
            )
            return existing
        if not await uow.skus.existing([command.sku_code]):
            raise NotFound(f"SKU {command.sku_code} does not exist", reason="SKU_NOT_FOUND")
        warehouse = await require_warehouse(uow, command.warehouse_code)
        if warehouse.kind is not WarehouseKind.SELLABLE:
            raise FailedPrecondition(
                f"holds keep sellable stock; {warehouse.code} is {warehouse.kind}",
                reason="WAREHOUSE_NOT_SELLABLE",
            )
        if not await uow.holds.add(change.hold, change.hold.expires_at(settings.holds)):
            raise FailedPrecondition(
                f"hold {command.hold_id} is being created concurrently; retry",
                reason="CONCURRENT_CHANGE",
            )
        await _post_hold(uow, change, caller.actor, now, cause=None)
        await uow.commit()
    return change.hold


async def keep_hold(
    db: InventoryDatabase,
    hold_id: str,
    until: datetime,
    now: datetime,
    settings: InventorySettings,
) -> CustomerHold:
    """Sales' instruction: keep until `until` (replaces the 7-day limit)."""
    async with db.unit_of_work() as uow:
        hold = await _locked_hold(uow, hold_id)
        kept = hold.keep(until, now)
        await uow.holds.save(kept, kept.expires_at(settings.holds))
        await uow.commit()
    return kept


async def release_hold(
    db: InventoryDatabase, hold_id: str, caller: Caller, now: datetime, settings: InventorySettings
) -> CustomerHold:
    """Give the units back to normal sale; a no-op once ended."""
    async with db.unit_of_work() as uow:
        hold = await _locked_hold(uow, hold_id)
        change = hold.release(now)
        if change.changed:
            await uow.holds.save(change.hold, change.hold.expires_at(settings.holds))
            await _post_hold(uow, change, caller.actor, now, cause=ev.StockReleased.HOLD_RELEASED)
            await uow.commit()
    return change.hold


async def expire_due_holds(
    db: InventoryDatabase, now: datetime, settings: InventorySettings, batch: int
) -> int:
    """Release holds past their limit (EXPIRED); returns how many."""
    async with db.unit_of_work() as uow:
        due = await uow.holds.lock_due(now, batch)
        for hold in sorted(due, key=lambda h: h.sku_code):
            if not hold.is_expired(now, settings.holds):
                # The limit setting changed since the hold was stored: keep its new expiry.
                await uow.holds.save(hold, hold.expires_at(settings.holds))
                continue
            change = hold.expire(now, settings.holds)
            await uow.holds.save(change.hold, change.hold.expires_at(settings.holds))
            await _post_hold(uow, change, "system", now, cause=ev.StockReleased.HOLD_EXPIRED)
        if due:
            await uow.commit()
    return len(due)


async def list_holds(
    db: InventoryDatabase, status: str, sku_code: str, page_size: int, page_token: str
) -> Page[CustomerHold]:
    limit = paging.page_size(page_size)
    async with db.unit_of_work() as uow:
        rows = await uow.holds.find(
            status=status, sku_code=sku_code, before=paging.after_time(page_token), limit=limit
        )
    last = {"t": rows[-1].created_at.isoformat(), "k": rows[-1].hold_id} if rows else None
    return Page(rows, paging.next_token(rows, limit, last))


async def _locked_hold(uow: InventoryUnitOfWork, hold_id: str) -> CustomerHold:
    hold = await uow.holds.get(hold_id, lock=True)
    if hold is None:
        raise NotFound(f"hold {hold_id} does not exist", reason="HOLD_NOT_FOUND")
    return hold


def _hold_key(hold: CustomerHold) -> str:
    return f"{hold.customer_ref}|{hold.sku_code}|{hold.warehouse_code}|{hold.quantity}"


async def _post_hold(
    uow: InventoryUnitOfWork,
    change: HoldChange,
    actor: str,
    now: datetime,
    cause: ev.StockReleased.Cause | None,
) -> None:
    """The hold's RESERVATION or RELEASE on the SKU's availability (no lot moves)."""
    hold = change.hold
    posting = Posting(uow, document_type=HOLD, document_id=hold.hold_id, actor=actor, now=now)
    for movement in change.movements:
        posting.hold(movement.kind, movement.sku_code, movement.quantity, movement.warehouse_code)
        if movement.kind is MovementKind.RELEASE and cause is not None:
            uow.publish(
                movement.sku_code,
                ev.StockReleased(
                    sku_code=movement.sku_code,
                    quantity=movement.quantity,
                    document_type=HOLD,
                    document_id=hold.hold_id,
                    cause=cause,
                ),
            )
    await posting.write()
    await uow.flush_events()
    await posting.update_availability(f"hold {hold.quantity} units of {hold.sku_code}")
