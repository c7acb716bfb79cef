"""Receiving (入库): create a receipt, inspect it (QC sampling), sign it, complete it.

Seed 003 篇2 1: the delivery is checked and booked, labels printed, the inbound document signed by
the warehouse supervisor and keeper, QC inspects and signs; defective goods go to defective stock
and onto the supplier-return list; good goods go on hand and operations is told they may be
listed (ListingNotice). Whether completion requires the signatures is a setting
(`enforce_receipt_signatures`); missing ones are always shown on the receipt.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from storeops.inventory.v1 import events_pb2 as ev

from services.common.errors import FailedPrecondition, NotFound, PermissionDenied
from services.common.proto_convert import to_money
from services.inventory.db.receipts import LineBooking, StoredReceipt
from services.inventory.db.unit_of_work import InventoryDatabase, InventoryUnitOfWork
from services.inventory.domain.catalogue import Warehouse, WarehouseKind
from services.inventory.domain.labels import Label, LabelGroup, labels_for_receipt
from services.inventory.domain.ledger import MovementKind
from services.inventory.domain.photo_samples import listing_due_date
from services.inventory.domain.qc import QcState
from services.inventory.domain.receipts import InspectionResult, Receipt, ReceiptStatus
from services.inventory.domain.roles import DocumentKind, Role
from services.inventory.domain.signatures import RECEIVING_SIGNATURES, Signature, SignatureRule
from services.inventory.domain.stock_lines import SkuQuantity
from services.inventory.domain.supplier_returns import SupplierKind, SupplierReturn
from services.inventory.service import paging
from services.inventory.service.caller import Caller
from services.inventory.service.catalogue import Page, require_warehouse
from services.inventory.service.fingerprints import fingerprint, require_same
from services.inventory.service.postings import Posting
from services.inventory.settings import UNASSIGNED_BIN, InventorySettings

SIGNABLE_ROLES = frozenset({Role.WAREHOUSE_SUPERVISOR, Role.WAREHOUSE_KEEPER})


@dataclass(frozen=True)
class CreateReceipt:
    """A delivery to book."""

    receipt_id: str
    warehouse_code: str
    supplier: str
    lines: tuple[SkuQuantity, ...]
    supplier_kind: SupplierKind = SupplierKind.FACTORY


def missing_signatures(receipt: Receipt) -> list[tuple[DocumentKind, Role]]:
    """Signatures the receiving rule asks for that nobody has given yet."""
    return [
        (document, role)
        for document in (DocumentKind.INBOUND, DocumentKind.INSPECTION)
        for role in sorted(receipt.signatures.missing(document, RECEIVING_SIGNATURES))
    ]


async def create_receipt(
    db: InventoryDatabase, command: CreateReceipt, caller: Caller, now: datetime
) -> StoredReceipt:
    """Book a delivery awaiting inspection; idempotent on receipt_id."""
    receipt = Receipt.create(
        command.receipt_id, command.warehouse_code, command.supplier, command.lines
    )
    given = fingerprint(
        "receipt",
        {
            "warehouse": command.warehouse_code,
            "supplier": command.supplier,
            "kind": str(command.supplier_kind),
            "lines": [(line.sku_code, line.quantity) for line in command.lines],
        },
    )
    async with db.unit_of_work() as uow:
        existing = await uow.receipts.get(command.receipt_id)
        if existing is not None:
            require_same(f"receipt {command.receipt_id}", existing.fingerprint, given)
            return existing
        warehouse = await require_warehouse(uow, command.warehouse_code)
        if warehouse.kind is not WarehouseKind.SELLABLE:
            raise FailedPrecondition(
                f"goods are received into a SELLABLE warehouse; {warehouse.code} is "
                f"{warehouse.kind}",
                reason="WAREHOUSE_NOT_SELLABLE",
            )
        skus = await uow.skus.get_many([line.sku_code for line in command.lines])
        for i, wanted in enumerate(command.lines):
            if wanted.sku_code not in skus:
                raise NotFound(
                    f"lines[{i}].sku_code: SKU {wanted.sku_code} does not exist",
                    reason="SKU_NOT_FOUND",
                )
        bookings = [
            LineBooking(await uow.stock.next_lot_id(), skus[qc_line.sku_code].unit_cost)
            for qc_line in receipt.lines
        ]
        stored = StoredReceipt(
            receipt=receipt,
            supplier_kind=command.supplier_kind,
            bookings=tuple(bookings),
            fingerprint=given,
            created_by=caller.actor,
            created_at=now,
        )
        if not await uow.receipts.add(stored):
            raced = await uow.receipts.get(command.receipt_id)
            assert raced is not None
            require_same(f"receipt {command.receipt_id}", raced.fingerprint, given)
            return raced
        await uow.commit()
        return stored


async def record_inspection(
    db: InventoryDatabase,
    receipt_id: str,
    results: Sequence[InspectionResult],
    caller: Caller,
    now: datetime,
    settings: InventorySettings,
) -> StoredReceipt:
    """One QC round; the caller signs the inspection as QC inspector (first inspector only)."""
    async with db.unit_of_work() as uow:
        stored = await _locked(uow, receipt_id)
        inspected = stored.receipt.record_inspection(results)
        if Role.QC_INSPECTOR in inspected.signatures.missing(
            DocumentKind.INSPECTION, RECEIVING_SIGNATURES
        ):
            signature = Signature(DocumentKind.INSPECTION, Role.QC_INSPECTOR, caller.actor, now)
            inspected = inspected.sign(signature)
            await uow.receipts.add_signature(receipt_id, signature)
        await uow.receipts.save_lines(inspected)
        await uow.receipts.add_inspection_rounds(
            inspected, [(r.sku_code, r.inspected, r.defective) for r in results], caller.actor, now
        )
        if inspected.status is ReceiptStatus.REJECTED:
            await _list_rejected_delivery(uow, stored, inspected, settings, now)
        await uow.commit()
    return _with(stored, inspected)


async def sign_receipt(
    db: InventoryDatabase, receipt_id: str, role: Role, caller: Caller, now: datetime
) -> StoredReceipt:
    """The warehouse supervisor or keeper signs the inbound document (signing twice: no-op)."""
    if role not in SIGNABLE_ROLES:
        raise FailedPrecondition(
            f"the inbound document is signed by the warehouse supervisor and keeper, not {role}",
            reason="SIGNATURE_NOT_REQUIRED",
        )
    if role not in caller.roles:
        raise PermissionDenied(
            f"{caller.actor} does not hold the role {role} and cannot sign as it",
            reason="ROLE_NOT_HELD",
        )
    async with db.unit_of_work() as uow:
        stored = await _locked(uow, receipt_id)
        signature = Signature(DocumentKind.INBOUND, role, caller.actor, now)
        signed = stored.receipt.sign(signature)
        if signed is not stored.receipt:
            await uow.receipts.add_signature(receipt_id, signature)
            await uow.commit()
    return _with(stored, signed)


async def complete_receipt(
    db: InventoryDatabase,
    receipt_id: str,
    caller: Caller,
    now: datetime,
    settings: InventorySettings,
) -> StoredReceipt:
    """Book good units on hand (receipt's warehouse) and defectives to defective stock."""
    async with db.unit_of_work() as uow:
        stored = await _locked(uow, receipt_id)
        receipt = stored.receipt
        if receipt.status is ReceiptStatus.COMPLETED:
            return stored
        defective_code = settings.defective_warehouse_code
        if any(line.defective for line in receipt.lines) and receipt.status is (
            ReceiptStatus.INSPECTED
        ):
            defective_code = (await defective_warehouse(uow, settings)).code
        rule = RECEIVING_SIGNATURES if settings.enforce_receipt_signatures else SignatureRule()
        completion = receipt.complete(now=now, defective_warehouse_code=defective_code, rule=rule)
        posting = Posting(
            uow, document_type="receipt", document_id=receipt_id, actor=caller.actor, now=now
        )
        await posting.lock([m.sku_code for m in completion.movements])
        received = []
        for movement in completion.movements:
            booking = stored.booking(movement.sku_code)
            part = await posting.book_in(
                movement.kind,
                movement.sku_code,
                movement.warehouse_code,
                UNASSIGNED_BIN,
                booking.lot_id,
                movement.quantity,
                booking.unit_cost,
            )
            received.append((movement, part.value, booking.lot_id))
        after = await posting.flush(f"complete receipt {receipt_id}")
        listed_on = settings.business_date(now)
        supplier_return_ids = await _list_defectives(uow, stored, defective_code, listed_on)
        for movement, value, lot_id in received:
            sellable = movement.kind is MovementKind.RECEIPT
            uow.publish(
                movement.sku_code,
                ev.StockReceived(
                    sku_code=movement.sku_code,
                    warehouse_code=movement.warehouse_code,
                    quantity=movement.quantity,
                    available=after[movement.sku_code].available,
                    document_id=receipt_id,
                    document_type="receipt",
                    value=to_money(value),
                    value_delta=to_money(value),
                    lot_id=lot_id,
                    sellable=sellable,
                ),
            )
        for line in receipt.lines:
            if line.defective:
                uow.publish(
                    line.sku_code,
                    ev.DefectsFound(
                        receipt_id=receipt_id,
                        supplier=receipt.supplier,
                        sku_code=line.sku_code,
                        defective=line.defective,
                        inspected=line.inspected,
                        supplier_return_id=supplier_return_ids[line.sku_code],
                    ),
                )
        good = [line for line in receipt.lines if line.good]
        if good:
            uow.publish(
                receipt_id,
                ev.ListingNotice(
                    receipt_id=receipt_id,
                    warehouse_code=receipt.warehouse_code,
                    lines=[
                        ev.ListingNotice.Line(
                            sku_code=line.sku_code,
                            quantity=line.good,
                            available=after[line.sku_code].available,
                        )
                        for line in good
                    ],
                    listing_due_on=listing_due_date(listed_on, settings.samples).isoformat(),
                ),
            )
        await uow.receipts.mark_completed(completion.receipt, caller.actor)
        await uow.commit()
    return StoredReceipt(
        completion.receipt,
        stored.supplier_kind,
        stored.bookings,
        stored.fingerprint,
        stored.created_by,
        stored.created_at,
        caller.actor,
    )


async def get_receipt(db: InventoryDatabase, receipt_id: str) -> StoredReceipt:
    async with db.unit_of_work() as uow:
        stored = await uow.receipts.get(receipt_id)
    if stored is None:
        raise NotFound(f"receipt {receipt_id} does not exist", reason="RECEIPT_NOT_FOUND")
    return stored


async def list_receipts(
    db: InventoryDatabase,
    *,
    status: str,
    warehouse_code: str,
    supplier: str,
    page_size: int,
    page_token: str,
) -> Page[StoredReceipt]:
    limit = paging.page_size(page_size)
    async with db.unit_of_work() as uow:
        rows = await uow.receipts.find(
            status=status,
            warehouse_code=warehouse_code,
            supplier=supplier,
            before=paging.after_time(page_token),
            limit=limit,
        )
    last = (
        {"t": rows[-1].created_at.isoformat(), "k": rows[-1].receipt.receipt_id} if rows else None
    )
    return Page(rows, paging.next_token(rows, limit, last))


async def receipt_labels(
    db: InventoryDatabase, receipt_id: str, settings: InventorySettings
) -> tuple[Label, ...]:
    """One label per line not rejected: good units once accepted, else every unit delivered."""
    async with db.unit_of_work() as uow:
        stored = await uow.receipts.get(receipt_id)
        if stored is None:
            raise NotFound(f"receipt {receipt_id} does not exist", reason="RECEIPT_NOT_FOUND")
        skus = await uow.skus.get_many([line.sku_code for line in stored.receipt.lines])
    groups = []
    for line, booking in zip(stored.receipt.lines, stored.bookings, strict=True):
        if line.state is QcState.REJECTED:
            continue
        units = line.good if line.state is QcState.ACCEPTED else line.quantity
        if units == 0:
            continue
        sku = skus[line.sku_code]
        groups.append(
            LabelGroup(line.sku_code, sku.style_code, sku.color, sku.size, booking.lot_id, units)
        )
    if not groups:
        return ()
    return labels_for_receipt(receipt_id, groups, copies_per_unit=settings.label_copies_per_unit)


async def defective_warehouse(uow: InventoryUnitOfWork, settings: InventorySettings) -> Warehouse:
    """The first DEFECTIVE warehouse by code; created (settings' code) when there is none."""
    found = await uow.warehouses.first_of_kind(WarehouseKind.DEFECTIVE)
    if found is not None:
        return found
    return await uow.warehouses.ensure(
        settings.defective_warehouse_code, "Defective goods", WarehouseKind.DEFECTIVE
    )


async def _locked(uow: InventoryUnitOfWork, receipt_id: str) -> StoredReceipt:
    stored = await uow.receipts.get(receipt_id, lock=True)
    if stored is None:
        raise NotFound(f"receipt {receipt_id} does not exist", reason="RECEIPT_NOT_FOUND")
    return stored


def _with(stored: StoredReceipt, receipt: Receipt) -> StoredReceipt:
    return StoredReceipt(
        receipt,
        stored.supplier_kind,
        stored.bookings,
        stored.fingerprint,
        stored.created_by,
        stored.created_at,
        stored.completed_by,
    )


async def _list_defectives(
    uow: InventoryUnitOfWork, stored: StoredReceipt, warehouse_code: str, listed_on: date
) -> dict[str, str]:
    """Put the defectives found on the supplier-return list; return id per SKU."""
    receipt = stored.receipt
    entries: list[SupplierReturn] = []
    lots: list[str | None] = []
    ids: dict[str, str] = {}
    for line in receipt.lines:
        if not line.defective:
            continue
        return_id = await uow.supplier_returns.next_id()
        ids[line.sku_code] = return_id
        entries.append(
            SupplierReturn(
                return_id=return_id,
                supplier=receipt.supplier,
                supplier_kind=stored.supplier_kind,
                sku_code=line.sku_code,
                quantity=line.defective,
                listed_on=listed_on,
                reason="defective at QC",
                warehouse_code=warehouse_code,
            )
        )
        lots.append(stored.booking(line.sku_code).lot_id)
    await uow.supplier_returns.add(
        entries, lot_ids=lots, source_document_type="receipt", source_document_id=receipt.receipt_id
    )
    return ids


async def _list_rejected_delivery(
    uow: InventoryUnitOfWork,
    stored: StoredReceipt,
    rejected: Receipt,
    settings: InventorySettings,
    now: datetime,
) -> None:
    """The whole delivery goes back (never booked in): list it and tell the GM office."""
    listed_on = settings.business_date(now)
    entries = []
    for line in rejected.supplier_return_lines():
        entries.append(
            SupplierReturn(
                return_id=await uow.supplier_returns.next_id(),
                supplier=rejected.supplier,
                supplier_kind=stored.supplier_kind,
                sku_code=line.sku_code,
                quantity=line.quantity,
                listed_on=listed_on,
                reason="delivery rejected at QC",
                warehouse_code=None,
            )
        )
    await uow.supplier_returns.add(
        entries,
        lot_ids=[None] * len(entries),
        source_document_type="receipt",
        source_document_id=rejected.receipt_id,
    )
    uow.publish(
        rejected.receipt_id,
        ev.ReceiptRejected(
            receipt_id=rejected.receipt_id,
            supplier=rejected.supplier,
            lines=[
                ev.ReceiptRejected.Line(
                    sku_code=line.sku_code,
                    quantity=line.quantity,
                    inspected=line.inspected,
                    defective=line.defective,
                )
                for line in rejected.lines
            ],
        ),
    )
