"""Receipts (with their QC lines and signatures) and the supplier-return list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.common.money import Money
from services.inventory.db import tables as t
from services.inventory.domain.qc import QcLine, QcState
from services.inventory.domain.receipts import Receipt
from services.inventory.domain.roles import DocumentKind, Role
from services.inventory.domain.signatures import Signature, SignatureSheet
from services.inventory.domain.supplier_returns import SupplierKind, SupplierReturn


@dataclass(frozen=True)
class LineBooking:
    """Where a receipt line's units are booked: its lot and unit cost."""

    lot_id: str
    unit_cost: Money


@dataclass(frozen=True)
class StoredReceipt:
    """A receipt with what the books keep beside the domain object."""

    receipt: Receipt
    supplier_kind: SupplierKind
    bookings: tuple[LineBooking, ...]
    fingerprint: str
    created_by: str
    created_at: datetime
    completed_by: str | None = None

    def booking(self, sku_code: str) -> LineBooking:
        """The lot and cost of the line of `sku_code`."""
        for line, booking in zip(self.receipt.lines, self.bookings, strict=True):
            if line.sku_code == sku_code:
                return booking
        raise KeyError(sku_code)


class ReceiptRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    async def add(self, stored: StoredReceipt) -> bool:
        """Insert the receipt and its lines; False if the id exists."""
        r = t.receipts.c
        receipt = stored.receipt
        result = await self._c.execute(
            insert(t.receipts)
            .values(
                receipt_id=receipt.receipt_id,
                warehouse_code=receipt.warehouse_code,
                supplier=receipt.supplier,
                supplier_kind=str(stored.supplier_kind),
                fingerprint=stored.fingerprint,
                status=str(receipt.status),
                created_by=stored.created_by,
                created_at=stored.created_at,
            )
            .on_conflict_do_nothing(index_elements=[r.receipt_id])
            .returning(r.receipt_id)
        )
        if result.first() is None:
            return False
        await self._c.execute(
            sa.insert(t.receipt_lines).values(
                [
                    {
                        "receipt_id": receipt.receipt_id,
                        "line_no": i,
                        "sku_code": line.sku_code,
                        "lot_id": booking.lot_id,
                        "quantity": line.quantity,
                        "unit_cost_minor": booking.unit_cost.amount_minor,
                        "unit_cost_currency": booking.unit_cost.currency,
                        "qc_state": str(line.state),
                        "sample_size": line.sample_size,
                    }
                    for i, (line, booking) in enumerate(
                        zip(receipt.lines, stored.bookings, strict=True)
                    )
                ]
            )
        )
        return True

    async def get(self, receipt_id: str, *, lock: bool = False) -> StoredReceipt | None:
        r = t.receipts.c
        query = sa.select(t.receipts).where(r.receipt_id == receipt_id)
        if lock:
            query = query.with_for_update()
        row = (await self._c.execute(query)).first()
        if row is None:
            return None
        return (await self._assemble([row]))[0]

    async def find(
        self,
        *,
        status: str = "",
        warehouse_code: str = "",
        supplier: str = "",
        before: tuple[datetime, str] | None = None,
        limit: int = 50,
    ) -> list[StoredReceipt]:
        r = t.receipts.c
        query = sa.select(t.receipts).order_by(r.created_at.desc(), r.receipt_id.desc())
        if status:
            query = query.where(r.status == status)
        if warehouse_code:
            query = query.where(r.warehouse_code == warehouse_code)
        if supplier:
            query = query.where(r.supplier == supplier)
        if before is not None:
            query = query.where(sa.tuple_(r.created_at, r.receipt_id) < sa.tuple_(*before))
        rows = list(await self._c.execute(query.limit(limit)))
        return await self._assemble(rows)

    async def save_lines(self, receipt: Receipt) -> None:
        """Write the QC state of every line and the derived status."""
        line = t.receipt_lines.c
        await self._c.execute(
            sa.update(t.receipt_lines)
            .where(
                line.receipt_id == sa.bindparam("b_receipt"), line.sku_code == sa.bindparam("b_sku")
            )
            .values(
                qc_state=sa.bindparam("b_state"),
                sample_size=sa.bindparam("b_sample"),
                inspected=sa.bindparam("b_inspected"),
                defective=sa.bindparam("b_defective"),
                rounds=sa.bindparam("b_rounds"),
            ),
            [
                {
                    "b_receipt": receipt.receipt_id,
                    "b_sku": q.sku_code,
                    "b_state": str(q.state),
                    "b_sample": q.sample_size,
                    "b_inspected": q.inspected,
                    "b_defective": q.defective,
                    "b_rounds": q.rounds,
                }
                for q in receipt.lines
            ],
        )
        await self._set_status(receipt)

    async def add_inspection_rounds(
        self, receipt: Receipt, rounds: Sequence[tuple[str, int, int]], inspector: str, at: datetime
    ) -> None:
        states = {line.sku_code: str(line.state) for line in receipt.lines}
        await self._c.execute(
            sa.insert(t.inspection_rounds).values(
                [
                    {
                        "receipt_id": receipt.receipt_id,
                        "sku_code": sku,
                        "inspected": inspected,
                        "defective": defective,
                        "qc_state_after": states[sku],
                        "inspector": inspector,
                        "inspected_at": at,
                    }
                    for sku, inspected, defective in rounds
                ]
            )
        )

    async def add_signature(self, receipt_id: str, signature: Signature) -> None:
        s = t.receipt_signatures.c
        await self._c.execute(
            insert(t.receipt_signatures)
            .values(
                receipt_id=receipt_id,
                document=str(signature.document),
                role=str(signature.role),
                signer_id=signature.signer_id,
                signed_at=signature.signed_at,
            )
            .on_conflict_do_nothing(index_elements=[s.receipt_id, s.document, s.role])
        )

    async def mark_completed(self, receipt: Receipt, actor: str) -> None:
        r = t.receipts.c
        await self._c.execute(
            sa.update(t.receipts)
            .where(r.receipt_id == receipt.receipt_id)
            .values(
                status=str(receipt.status), completed_at=receipt.completed_at, completed_by=actor
            )
        )

    async def units_awaiting_booking(self) -> dict[str, int]:
        """Units per SKU delivered on receipts not completed nor rejected (on order, in effect)."""
        line, r = t.receipt_lines.c, t.receipts.c
        result = await self._c.execute(
            sa.select(line.sku_code, sa.func.sum(line.quantity))
            .join(t.receipts, r.receipt_id == line.receipt_id)
            .where(r.status.in_(["AWAITING_INSPECTION", "INSPECTED"]))
            .group_by(line.sku_code)
        )
        return {sku: int(units) for sku, units in result}

    async def _set_status(self, receipt: Receipt) -> None:
        r = t.receipts.c
        await self._c.execute(
            sa.update(t.receipts)
            .where(r.receipt_id == receipt.receipt_id)
            .values(status=str(receipt.status))
        )

    async def _assemble(self, rows: list[Any]) -> list[StoredReceipt]:
        if not rows:
            return []
        ids = [row.receipt_id for row in rows]
        line, sig = t.receipt_lines.c, t.receipt_signatures.c
        lines: dict[str, list[Any]] = {}
        for row in await self._c.execute(
            sa.select(t.receipt_lines)
            .where(line.receipt_id.in_(ids))
            .order_by(line.receipt_id, line.line_no)
        ):
            lines.setdefault(row.receipt_id, []).append(row)
        signatures: dict[str, list[Signature]] = {}
        for row in await self._c.execute(
            sa.select(t.receipt_signatures)
            .where(sig.receipt_id.in_(ids))
            .order_by(sig.receipt_id, sig.signed_at)
        ):
            signatures.setdefault(row.receipt_id, []).append(
                Signature(DocumentKind(row.document), Role(row.role), row.signer_id, row.signed_at)
            )
        return [
            _stored(row, lines[row.receipt_id], signatures.get(row.receipt_id, [])) for row in rows
        ]


def _stored(row: Any, lines: list[Any], signatures: list[Signature]) -> StoredReceipt:
    receipt = Receipt(
        receipt_id=row.receipt_id,
        warehouse_code=row.warehouse_code,
        supplier=row.supplier,
        lines=tuple(
            QcLine(
                sku_code=line.sku_code,
                quantity=line.quantity,
                state=QcState(line.qc_state),
                sample_size=line.sample_size,
                inspected=line.inspected,
                defective=line.defective,
                rounds=line.rounds,
            )
            for line in lines
        ),
        signatures=SignatureSheet(tuple(signatures)),
        completed_at=row.completed_at,
    )
    return StoredReceipt(
        receipt=receipt,
        supplier_kind=SupplierKind(row.supplier_kind),
        bookings=tuple(
            LineBooking(line.lot_id, Money(line.unit_cost_minor, line.unit_cost_currency))
            for line in lines
        ),
        fingerprint=row.fingerprint,
        created_by=row.created_by,
        created_at=row.created_at,
        completed_by=row.completed_by,
    )


class SupplierReturnRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    async def next_id(self) -> str:
        number = await self._c.scalar(sa.select(t.supplier_return_numbers.next_value()))
        return f"SR{int(number or 0):08d}"

    async def add(
        self,
        entries: Sequence[SupplierReturn],
        *,
        lot_ids: Sequence[str | None],
        source_document_type: str,
        source_document_id: str,
    ) -> None:
        if not entries:
            return
        await self._c.execute(
            sa.insert(t.supplier_returns).values(
                [
                    {
                        "return_id": e.return_id,
                        "supplier": e.supplier,
                        "supplier_kind": str(e.supplier_kind),
                        "sku_code": e.sku_code,
                        "quantity": e.quantity,
                        "listed_on": e.listed_on,
                        "reason": e.reason,
                        "warehouse_code": e.warehouse_code,
                        "lot_id": lot_id,
                        "source_document_type": source_document_type,
                        "source_document_id": source_document_id,
                    }
                    for e, lot_id in zip(entries, lot_ids, strict=True)
                ]
            )
        )

    async def get(self, return_id: str, *, lock: bool = False) -> StoredSupplierReturn | None:
        s = t.supplier_returns.c
        query = sa.select(t.supplier_returns).where(s.return_id == return_id)
        if lock:
            query = query.with_for_update()
        row = (await self._c.execute(query)).first()
        return None if row is None else _supplier_return(row)

    async def mark_cleared(self, return_id: str, on: date, by: str) -> None:
        s = t.supplier_returns.c
        await self._c.execute(
            sa.update(t.supplier_returns)
            .where(s.return_id == return_id)
            .values(cleared_on=on, cleared_by=by)
        )

    async def find(
        self,
        *,
        pending: bool | None,
        supplier: str = "",
        listed_until: date | None = None,
        after: tuple[date, str] | None = None,
        limit: int = 50,
    ) -> list[StoredSupplierReturn]:
        s = t.supplier_returns.c
        query = sa.select(t.supplier_returns).order_by(s.listed_on, s.return_id).limit(limit)
        if pending is True:
            query = query.where(s.cleared_on.is_(None))
        elif pending is False:
            query = query.where(s.cleared_on.is_not(None))
        if supplier:
            query = query.where(s.supplier == supplier)
        if listed_until is not None:
            query = query.where(s.listed_on <= listed_until)
        if after is not None:
            query = query.where(sa.tuple_(s.listed_on, s.return_id) > sa.tuple_(*after))
        return [_supplier_return(row) for row in await self._c.execute(query)]

    async def pending_at(self, as_of: date) -> list[StoredSupplierReturn]:
        """Listed by `as_of` and not cleared by then (the month-end report's input)."""
        s = t.supplier_returns.c
        query = (
            sa.select(t.supplier_returns)
            .where(s.listed_on <= as_of, sa.or_(s.cleared_on.is_(None), s.cleared_on > as_of))
            .order_by(s.supplier, s.listed_on, s.return_id)
        )
        return [_supplier_return(row) for row in await self._c.execute(query)]


@dataclass(frozen=True)
class StoredSupplierReturn:
    """A supplier return with its source document, lot and who cleared it."""

    entry: SupplierReturn
    lot_id: str | None
    source_document_type: str
    source_document_id: str
    cleared_by: str | None


def _supplier_return(row: Any) -> StoredSupplierReturn:
    return StoredSupplierReturn(
        entry=SupplierReturn(
            return_id=row.return_id,
            supplier=row.supplier,
            supplier_kind=SupplierKind(row.supplier_kind),
            sku_code=row.sku_code,
            quantity=row.quantity,
            listed_on=row.listed_on,
            reason=row.reason,
            warehouse_code=row.warehouse_code,
            cleared_on=row.cleared_on,
        ),
        lot_id=row.lot_id,
        source_document_type=row.source_document_type,
        source_document_id=row.source_document_id,
        cleared_by=row.cleared_by,
    )
