"""Customer returns (after-sales, called by orders): RETURN_IN of returned units.

DOMAIN.md: returned goods that can be sold again go back to stock; the rest go to defective stock
and back to the supplier. Each returned line becomes a new lot received now, valued at the cost
the goods were issued at when the reservation is given (else the SKU's standard cost), so the
inventory value and the cost of goods stay consistent. Idempotent on the return id.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from storeops.inventory.v1 import events_pb2 as ev

from services.common.errors import FailedPrecondition
from services.common.money import Money
from services.common.proto_convert import to_money
from services.inventory.db.documents import CustomerReturn, ReturnedLine
from services.inventory.db.unit_of_work import InventoryDatabase, InventoryUnitOfWork
from services.inventory.domain.catalogue import WarehouseKind
from services.inventory.domain.ledger import MovementKind
from services.inventory.domain.stock_lines import SkuQuantity, validate_lines
from services.inventory.domain.supplier_returns import SupplierKind, SupplierReturn
from services.inventory.domain.validation import RESERVATION_ID_MAX_LEN, validate_client_key
from services.inventory.service.caller import Caller
from services.inventory.service.catalogue import require_warehouse
from services.inventory.service.fingerprints import fingerprint, require_same
from services.inventory.service.postings import Posting
from services.inventory.service.receiving import defective_warehouse
from services.inventory.settings import UNASSIGNED_BIN, InventorySettings


@dataclass(frozen=True)
class ReturnLine:
    """Units of a SKU that came back, sellable again or not."""

    sku_code: str
    quantity: int
    sellable: bool


@dataclass(frozen=True)
class ReturnStock:
    """A customer return to book."""

    return_id: str
    lines: tuple[ReturnLine, ...]
    warehouse_code: str = ""
    reservation_id: str = ""
    supplier: str = ""
    reason: str = ""


async def return_stock(
    db: InventoryDatabase,
    command: ReturnStock,
    caller: Caller,
    now: datetime,
    settings: InventorySettings,
) -> CustomerReturn:
    """Book the returned units; the same return id with the same payload returns the booking."""
    validate_client_key(command.return_id, "return_id", RESERVATION_ID_MAX_LEN)
    validate_lines([SkuQuantity(x.sku_code, x.quantity) for x in command.lines], unique=False)
    given = fingerprint(
        "return",
        {
            "lines": [(x.sku_code, x.quantity, x.sellable) for x in command.lines],
            "warehouse": command.warehouse_code,
            "reservation": command.reservation_id,
            "supplier": command.supplier,
        },
    )
    async with db.unit_of_work() as uow:
        header = CustomerReturn(
            command.return_id,
            given,
            command.reservation_id,
            command.reason,
            (),
            caller.actor,
            now,
        )
        if not await uow.customer_returns.claim(header):
            existing = await uow.customer_returns.get(command.return_id)
            assert existing is not None
            require_same(f"return {command.return_id}", existing.fingerprint, given)
            return existing
        posting = Posting(
            uow, document_type="return", document_id=command.return_id, actor=caller.actor, now=now
        )
        skus = await posting.lock([x.sku_code for x in command.lines])
        sellable_code = await _sellable_target(uow, command.warehouse_code)
        defective_code = ""
        if any(not x.sellable for x in command.lines):
            defective_code = (await defective_warehouse(uow, settings)).code
        issued: dict[str, tuple[int, int, str]] = {}
        if command.reservation_id:
            issued = await uow.customer_returns.issue_cost(command.reservation_id)
        booked: list[ReturnedLine] = []
        for line in command.lines:
            sku = skus[line.sku_code]
            unit_cost = Money(sku.unit_cost_minor, sku.unit_cost_currency)
            if line.sku_code in issued:
                units, cost, currency = issued[line.sku_code]
                if units > 0:
                    unit_cost = Money(round(cost / units), currency)
            target = sellable_code if line.sellable else defective_code
            lot_id = await uow.stock.next_lot_id()
            part = await posting.book_in(
                MovementKind.RETURN_IN,
                line.sku_code,
                target,
                UNASSIGNED_BIN,
                lot_id,
                line.quantity,
                unit_cost,
                reason=command.reason,
            )
            booked.append(
                ReturnedLine(
                    line.sku_code, line.quantity, line.sellable, target, lot_id, part.value
                )
            )
        after = await posting.flush(f"book return {command.return_id}")
        await uow.customer_returns.add_lines(command.return_id, booked)
        await _list_for_supplier(uow, command, booked, settings.business_date(now))
        for done in booked:
            uow.publish(
                done.sku_code,
                ev.StockReturned(
                    sku_code=done.sku_code,
                    warehouse_code=done.warehouse_code,
                    quantity=done.quantity,
                    sellable=done.sellable,
                    return_id=command.return_id,
                    value=to_money(done.value),
                    value_delta=to_money(done.value),
                    available=after[done.sku_code].available,
                    lot_id=done.lot_id,
                ),
            )
        await uow.commit()
    return CustomerReturn(
        command.return_id,
        given,
        command.reservation_id,
        command.reason,
        tuple(booked),
        caller.actor,
        now,
    )


async def _sellable_target(uow: InventoryUnitOfWork, code: str) -> str:
    if code:
        warehouse = await require_warehouse(uow, code)
        if warehouse.kind is not WarehouseKind.SELLABLE:
            raise FailedPrecondition(
                f"sellable returns go to a SELLABLE warehouse; {code} is {warehouse.kind}",
                reason="WAREHOUSE_NOT_SELLABLE",
            )
        return code
    first = await uow.warehouses.first_of_kind(WarehouseKind.SELLABLE)
    if first is None:
        raise FailedPrecondition(
            "there is no SELLABLE warehouse to return goods to; create one first",
            reason="NO_SELLABLE_WAREHOUSE",
        )
    return first.code


async def _list_for_supplier(
    uow: InventoryUnitOfWork, command: ReturnStock, booked: Sequence[ReturnedLine], listed_on: date
) -> None:
    """Defective returned units go back to the supplier when the caller names one."""
    if not command.supplier:
        return
    entries: list[SupplierReturn] = []
    lots: list[str | None] = []
    for line in booked:
        if line.sellable:
            continue
        entries.append(
            SupplierReturn(
                return_id=await uow.supplier_returns.next_id(),
                supplier=command.supplier,
                supplier_kind=SupplierKind.FACTORY,
                sku_code=line.sku_code,
                quantity=line.quantity,
                listed_on=listed_on,
                reason="customer return: " + (command.reason or "quality problem"),
                warehouse_code=line.warehouse_code,
            )
        )
        lots.append(line.lot_id)
    await uow.supplier_returns.add(
        entries, lot_ids=lots, source_document_type="return", source_document_id=command.return_id
    )
