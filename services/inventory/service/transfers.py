"""Transfers (调拨): the destination's keeper requests, the source's keeper ships (goods go in
transit, keeping their lots), the destination's keeper receives; a shortfall stays in transit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from storeops.inventory.v1 import events_pb2 as ev

from services.common.errors import FailedPrecondition, NotFound
from services.common.money import Money
from services.common.proto_convert import to_money
from services.inventory.db.documents import StoredTransfer
from services.inventory.db.unit_of_work import InventoryDatabase, InventoryUnitOfWork
from services.inventory.domain.catalogue import Warehouse, WarehouseKind
from services.inventory.domain.ledger import Movement, MovementKind
from services.inventory.domain.stock_lines import SkuQuantity
from services.inventory.domain.transfers import KeeperSignature, Transfer, TransferStep
from services.inventory.service import paging
from services.inventory.service.caller import Caller
from services.inventory.service.catalogue import Page
from services.inventory.service.fingerprints import fingerprint, require_same
from services.inventory.service.postings import Posting
from services.inventory.settings import UNASSIGNED_BIN, InventorySettings

DOCUMENT = "transfer"
ENDPOINT_KINDS = frozenset({WarehouseKind.SELLABLE, WarehouseKind.DEFECTIVE})


@dataclass(frozen=True)
class CreateTransfer:
    """A keeper's request for goods from another warehouse."""

    transfer_id: str
    source_warehouse_code: str
    destination_warehouse_code: str
    lines: tuple[SkuQuantity, ...]


async def create_transfer(
    db: InventoryDatabase, command: CreateTransfer, caller: Caller, now: datetime
) -> StoredTransfer:
    """The request, signed by the caller as the destination's keeper; idempotent on the id."""
    transfer = Transfer.request(
        command.transfer_id,
        command.source_warehouse_code,
        command.destination_warehouse_code,
        command.lines,
        KeeperSignature(caller.actor, command.destination_warehouse_code, now),
    )
    given = fingerprint(
        DOCUMENT,
        {
            "from": command.source_warehouse_code,
            "to": command.destination_warehouse_code,
            "lines": [(x.sku_code, x.quantity) for x in command.lines],
        },
    )
    async with db.unit_of_work() as uow:
        existing = await uow.transfers.get(command.transfer_id)
        if existing is not None:
            require_same(f"transfer {command.transfer_id}", existing.fingerprint, given)
            return existing
        found = await uow.warehouses.get_many(
            [command.source_warehouse_code, command.destination_warehouse_code]
        )
        for field, code in (
            ("source_warehouse_code", command.source_warehouse_code),
            ("destination_warehouse_code", command.destination_warehouse_code),
        ):
            if code not in found:
                raise NotFound(
                    f"{field}: warehouse {code} does not exist", reason="WAREHOUSE_NOT_FOUND"
                )
            if found[code].kind not in ENDPOINT_KINDS:
                raise FailedPrecondition(
                    f"{field}: transfers run between sellable or defective warehouses; {code} "
                    f"is {found[code].kind}",
                    reason="WAREHOUSE_KIND",
                )
        known = await uow.skus.existing([x.sku_code for x in command.lines])
        for i, line in enumerate(command.lines):
            if line.sku_code not in known:
                raise NotFound(
                    f"lines[{i}].sku_code: SKU {line.sku_code} does not exist",
                    reason="SKU_NOT_FOUND",
                )
        if not await uow.transfers.add(transfer, given):
            raced = await uow.transfers.get(command.transfer_id)
            assert raced is not None
            require_same(f"transfer {command.transfer_id}", raced.fingerprint, given)
            return raced
        await uow.commit()
    return StoredTransfer(transfer, given)


async def ship_transfer(
    db: InventoryDatabase,
    transfer_id: str,
    caller: Caller,
    now: datetime,
    settings: InventorySettings,
) -> StoredTransfer:
    """The source's keeper ships every requested unit: source → transit, oldest lots first."""
    async with db.unit_of_work() as uow:
        stored = await _locked(uow, transfer_id)
        transfer = stored.transfer
        policy = settings.transfers
        step = transfer.ship(
            KeeperSignature(caller.actor, transfer.source_warehouse_code, now), policy
        )
        if not step.changed:
            return stored
        await _transit(uow, settings)
        await _post(uow, step, transfer_id, caller, now, lot_ids_from=None, purpose="ship")
        await uow.transfers.save(step.transfer)
        await uow.commit()
    return StoredTransfer(step.transfer, stored.fingerprint)


async def receive_transfer(
    db: InventoryDatabase,
    transfer_id: str,
    received: Sequence[SkuQuantity] | None,
    caller: Caller,
    now: datetime,
    settings: InventorySettings,
) -> StoredTransfer:
    """The destination's keeper counts what arrived; transit → destination for those units."""
    async with db.unit_of_work() as uow:
        stored = await _locked(uow, transfer_id)
        transfer = stored.transfer
        step = transfer.receive(
            KeeperSignature(caller.actor, transfer.destination_warehouse_code, now),
            received,
            settings.transfers,
        )
        if not step.changed:
            return stored
        transit = (await _transit(uow, settings)).code
        await _post(uow, step, transfer_id, caller, now, lot_ids_from=transit, purpose="receive")
        await uow.transfers.save(step.transfer)
        await uow.commit()
    return StoredTransfer(step.transfer, stored.fingerprint)


async def cancel_transfer(
    db: InventoryDatabase, transfer_id: str, reason: str, now: datetime
) -> StoredTransfer:
    """Cancel before shipping; cancelling again is a no-op."""
    async with db.unit_of_work() as uow:
        stored = await _locked(uow, transfer_id)
        step = stored.transfer.cancel(now, reason)
        if step.changed:
            await uow.transfers.save(step.transfer)
            await uow.commit()
    return StoredTransfer(step.transfer, stored.fingerprint)


async def get_transfer(db: InventoryDatabase, transfer_id: str) -> StoredTransfer:
    async with db.unit_of_work() as uow:
        stored = await uow.transfers.get(transfer_id)
    if stored is None:
        raise NotFound(f"transfer {transfer_id} does not exist", reason="TRANSFER_NOT_FOUND")
    return stored


async def list_transfers(
    db: InventoryDatabase, status: str, warehouse_code: str, page_size: int, page_token: str
) -> Page[StoredTransfer]:
    limit = paging.page_size(page_size)
    async with db.unit_of_work() as uow:
        rows = await uow.transfers.find(
            status=status,
            warehouse_code=warehouse_code,
            before=paging.after_time(page_token),
            limit=limit,
        )
    last = None
    if rows:
        tail = rows[-1].transfer
        last = {"t": tail.requested_by.signed_at.isoformat(), "k": tail.transfer_id}
    return Page(rows, paging.next_token(rows, limit, last))


async def _locked(uow: InventoryUnitOfWork, transfer_id: str) -> StoredTransfer:
    stored = await uow.transfers.get(transfer_id, lock=True)
    if stored is None:
        raise NotFound(f"transfer {transfer_id} does not exist", reason="TRANSFER_NOT_FOUND")
    return stored


async def _transit(uow: InventoryUnitOfWork, settings: InventorySettings) -> Warehouse:
    code = settings.transfers.transit_warehouse_code or "TRANSIT"
    return await uow.warehouses.ensure(code, "Goods in transit", WarehouseKind.TRANSIT)


async def _post(
    uow: InventoryUnitOfWork,
    step: TransferStep,
    transfer_id: str,
    caller: Caller,
    now: datetime,
    *,
    lot_ids_from: str | None,
    purpose: str,
) -> None:
    """Post the domain's TRANSFER_OUT/TRANSFER_IN pairs as lot moves, then the events."""
    posting = Posting(
        uow, document_type=DOCUMENT, document_id=transfer_id, actor=caller.actor, now=now
    )
    await posting.lock([m.sku_code for m in step.movements])
    moved: list[tuple[Movement, Movement, Money]] = []
    outs = [m for m in step.movements if m.kind is MovementKind.TRANSFER_OUT]
    ins = [m for m in step.movements if m.kind is MovementKind.TRANSFER_IN]
    for out, into in zip(outs, ins, strict=True):
        lot_ids = None
        if lot_ids_from is not None:
            # Units in transit under this transfer are the lots it shipped.
            lot_ids = list(
                await uow.ledger.document_lots(DOCUMENT, transfer_id, "TRANSFER_IN", lot_ids_from)
            )
        parts = await posting.move(
            out.sku_code,
            out.quantity,
            from_warehouse=out.warehouse_code,
            to_warehouse=into.warehouse_code,
            to_bin=UNASSIGNED_BIN,
            lot_ids=lot_ids,
        )
        value = Money(sum(p.value.amount_minor for p in parts), parts[0].unit_cost.currency)
        moved.append((out, into, value))
    after = await posting.flush(f"{purpose} transfer {transfer_id}")
    for out, into, value in moved:
        uow.publish(
            out.sku_code,
            ev.StockMoved(
                sku_code=out.sku_code,
                from_warehouse_code=out.warehouse_code,
                to_warehouse_code=into.warehouse_code,
                quantity=out.quantity,
                document_type=DOCUMENT,
                document_id=transfer_id,
                value=to_money(value),
                available=after[out.sku_code].available,
                value_delta=to_money(Money.zero(value.currency)),
            ),
        )
