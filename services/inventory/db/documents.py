"""Warehouse documents: transfers, count sheets, customer returns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.common.money import Money
from services.inventory.db import tables as t
from services.inventory.domain.cycle_counts import CountLine, CountSheet
from services.inventory.domain.transfers import KeeperSignature, Transfer, TransferLine


@dataclass(frozen=True)
class StoredTransfer:
    """A transfer and its idempotency fingerprint."""

    transfer: Transfer
    fingerprint: str


class TransferRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    async def add(self, transfer: Transfer, fingerprint: str) -> bool:
        """Insert; False if the id exists."""
        x = t.transfers.c
        requested = transfer.requested_by
        result = await self._c.execute(
            insert(t.transfers)
            .values(
                transfer_id=transfer.transfer_id,
                source_warehouse_code=transfer.source_warehouse_code,
                destination_warehouse_code=transfer.destination_warehouse_code,
                fingerprint=fingerprint,
                status=str(transfer.status),
                requested_by=requested.employee_id,
                requested_at=requested.signed_at,
            )
            .on_conflict_do_nothing(index_elements=[x.transfer_id])
            .returning(x.transfer_id)
        )
        if result.first() is None:
            return False
        await self._c.execute(
            sa.insert(t.transfer_lines).values(
                [
                    {
                        "transfer_id": transfer.transfer_id,
                        "line_no": i,
                        "sku_code": line.sku_code,
                        "requested": line.requested,
                    }
                    for i, line in enumerate(transfer.lines)
                ]
            )
        )
        return True

    async def get(self, transfer_id: str, *, lock: bool = False) -> StoredTransfer | None:
        query = sa.select(t.transfers).where(t.transfers.c.transfer_id == transfer_id)
        if lock:
            query = query.with_for_update()
        row = (await self._c.execute(query)).first()
        return None if row is None else (await self._assemble([row]))[0]

    async def save(self, transfer: Transfer) -> None:
        """Write status, signatures, cancellation and line counts."""
        x, line = t.transfers.c, t.transfer_lines.c
        shipped, received = transfer.shipped_by, transfer.received_by
        await self._c.execute(
            sa.update(t.transfers)
            .where(x.transfer_id == transfer.transfer_id)
            .values(
                status=str(transfer.status),
                shipped_by=shipped.employee_id if shipped else None,
                shipped_at=shipped.signed_at if shipped else None,
                received_by=received.employee_id if received else None,
                received_at=received.signed_at if received else None,
                cancelled_at=transfer.cancelled_at,
                cancel_reason=transfer.cancel_reason,
            )
        )
        await self._c.execute(
            sa.update(t.transfer_lines)
            .where(line.transfer_id == sa.bindparam("b_id"), line.sku_code == sa.bindparam("b_sku"))
            .values(shipped=sa.bindparam("b_shipped"), received=sa.bindparam("b_received")),
            [
                {
                    "b_id": transfer.transfer_id,
                    "b_sku": tl.sku_code,
                    "b_shipped": tl.shipped,
                    "b_received": tl.received,
                }
                for tl in transfer.lines
            ],
        )

    async def find(
        self,
        *,
        status: str = "",
        warehouse_code: str = "",
        before: tuple[datetime, str] | None = None,
        limit: int = 50,
    ) -> list[StoredTransfer]:
        x = t.transfers.c
        query = sa.select(t.transfers).order_by(x.requested_at.desc(), x.transfer_id.desc())
        if status:
            query = query.where(x.status == status)
        if warehouse_code:
            query = query.where(
                sa.or_(
                    x.source_warehouse_code == warehouse_code,
                    x.destination_warehouse_code == warehouse_code,
                )
            )
        if before is not None:
            query = query.where(sa.tuple_(x.requested_at, x.transfer_id) < sa.tuple_(*before))
        rows = list(await self._c.execute(query.limit(limit)))
        return await self._assemble(rows)

    async def _assemble(self, rows: list[Any]) -> list[StoredTransfer]:
        if not rows:
            return []
        line = t.transfer_lines.c
        lines: dict[str, list[TransferLine]] = {}
        for r in await self._c.execute(
            sa.select(t.transfer_lines)
            .where(line.transfer_id.in_([row.transfer_id for row in rows]))
            .order_by(line.transfer_id, line.line_no)
        ):
            lines.setdefault(r.transfer_id, []).append(
                TransferLine(r.sku_code, r.requested, r.shipped, r.received)
            )
        return [
            StoredTransfer(
                Transfer(
                    transfer_id=row.transfer_id,
                    source_warehouse_code=row.source_warehouse_code,
                    destination_warehouse_code=row.destination_warehouse_code,
                    lines=tuple(lines[row.transfer_id]),
                    requested_by=KeeperSignature(
                        row.requested_by, row.destination_warehouse_code, row.requested_at
                    ),
                    shipped_by=_signature(
                        row.shipped_by, row.source_warehouse_code, row.shipped_at
                    ),
                    received_by=_signature(
                        row.received_by, row.destination_warehouse_code, row.received_at
                    ),
                    cancelled_at=row.cancelled_at,
                    cancel_reason=row.cancel_reason,
                ),
                row.fingerprint,
            )
            for row in rows
        ]


def _signature(who: str | None, warehouse: str, at: datetime | None) -> KeeperSignature | None:
    if who is None or at is None:
        return None
    return KeeperSignature(who, warehouse, at)


@dataclass(frozen=True)
class StoredCountSheet:
    """A count sheet with how it was planned, by whom and when."""

    sheet: CountSheet
    plan: str
    fingerprint: str
    created_by: str
    created_at: datetime


class CountSheetRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    async def add(self, stored: StoredCountSheet, status: str) -> bool:
        c = t.count_sheets.c
        sheet = stored.sheet
        result = await self._c.execute(
            insert(t.count_sheets)
            .values(
                sheet_id=sheet.sheet_id,
                warehouse_code=sheet.warehouse_code,
                plan=stored.plan,
                fingerprint=stored.fingerprint,
                status=status,
                created_by=stored.created_by,
                created_at=stored.created_at,
            )
            .on_conflict_do_nothing(index_elements=[c.sheet_id])
            .returning(c.sheet_id)
        )
        if result.first() is None:
            return False
        await self._c.execute(
            sa.insert(t.count_lines).values(
                [
                    {
                        "sheet_id": sheet.sheet_id,
                        "sku_code": line.sku_code,
                        "bin_code": line.bin_code,
                        "expected": line.expected,
                    }
                    for line in sheet.lines
                ]
            )
        )
        return True

    async def get(self, sheet_id: str, *, lock: bool = False) -> StoredCountSheet | None:
        query = sa.select(t.count_sheets).where(t.count_sheets.c.sheet_id == sheet_id)
        if lock:
            query = query.with_for_update()
        row = (await self._c.execute(query)).first()
        return None if row is None else (await self._assemble([row]))[0]

    async def save(self, sheet: CountSheet, status: str) -> None:
        c, line = t.count_sheets.c, t.count_lines.c
        await self._c.execute(
            sa.update(t.count_sheets)
            .where(c.sheet_id == sheet.sheet_id)
            .values(status=status, approved_by=sheet.approved_by, posted_at=sheet.posted_at)
        )
        await self._c.execute(
            sa.update(t.count_lines)
            .where(
                line.sheet_id == sa.bindparam("b_sheet"),
                line.sku_code == sa.bindparam("b_sku"),
                line.bin_code == sa.bindparam("b_bin"),
            )
            .values(
                counted=sa.bindparam("b_counted"),
                damaged=sa.bindparam("b_damaged"),
                counted_by=sa.bindparam("b_by"),
                reason=sa.bindparam("b_reason"),
            ),
            [
                {
                    "b_sheet": sheet.sheet_id,
                    "b_sku": cl.sku_code,
                    "b_bin": cl.bin_code,
                    "b_counted": cl.counted,
                    "b_damaged": cl.damaged,
                    "b_by": cl.counted_by,
                    "b_reason": cl.reason,
                }
                for cl in sheet.lines
            ],
        )

    async def find(
        self,
        *,
        warehouse_code: str = "",
        status: str = "",
        before: tuple[datetime, str] | None = None,
        limit: int = 50,
    ) -> list[StoredCountSheet]:
        c = t.count_sheets.c
        query = sa.select(t.count_sheets).order_by(c.created_at.desc(), c.sheet_id.desc())
        if warehouse_code:
            query = query.where(c.warehouse_code == warehouse_code)
        if status:
            query = query.where(c.status == status)
        if before is not None:
            query = query.where(sa.tuple_(c.created_at, c.sheet_id) < sa.tuple_(*before))
        rows = list(await self._c.execute(query.limit(limit)))
        return await self._assemble(rows)

    async def book_rows(self, warehouse_code: str) -> list[tuple[str, str, int]]:
        """(sku_code, bin_code, units) the books hold in a warehouse, by bin then SKU."""
        lot = t.lots.c
        result = await self._c.execute(
            sa.select(lot.sku_code, lot.bin_code, sa.func.sum(lot.quantity))
            .where(lot.warehouse_code == warehouse_code, lot.quantity > 0)
            .group_by(lot.sku_code, lot.bin_code)
            .order_by(lot.bin_code, lot.sku_code)
        )
        return [(sku, bin_code, int(units)) for sku, bin_code, units in result]

    async def _assemble(self, rows: list[Any]) -> list[StoredCountSheet]:
        if not rows:
            return []
        line = t.count_lines.c
        lines: dict[str, list[CountLine]] = {}
        for r in await self._c.execute(
            sa.select(t.count_lines)
            .where(line.sheet_id.in_([row.sheet_id for row in rows]))
            .order_by(line.sheet_id, line.bin_code, line.sku_code)
        ):
            lines.setdefault(r.sheet_id, []).append(
                CountLine(
                    r.sku_code,
                    r.bin_code,
                    int(r.expected),
                    None if r.counted is None else int(r.counted),
                    int(r.damaged),
                    r.counted_by,
                    r.reason,
                )
            )
        return [
            StoredCountSheet(
                CountSheet(
                    row.sheet_id,
                    row.warehouse_code,
                    tuple(lines.get(row.sheet_id, [])),
                    row.approved_by,
                    row.posted_at,
                ),
                row.plan,
                row.fingerprint,
                row.created_by,
                row.created_at,
            )
            for row in rows
        ]


@dataclass(frozen=True)
class ReturnedLine:
    """One booked line of a customer return."""

    sku_code: str
    quantity: int
    sellable: bool
    warehouse_code: str
    lot_id: str
    value: Money


@dataclass(frozen=True)
class CustomerReturn:
    """A customer return as booked."""

    return_id: str
    fingerprint: str
    reservation_id: str
    reason: str
    lines: tuple[ReturnedLine, ...]
    created_by: str
    created_at: datetime


class CustomerReturnRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    async def claim(self, returned: CustomerReturn) -> bool:
        """Insert the header; False if the return id exists (the caller then compares)."""
        r = t.customer_returns.c
        result = await self._c.execute(
            insert(t.customer_returns)
            .values(
                return_id=returned.return_id,
                fingerprint=returned.fingerprint,
                reservation_id=returned.reservation_id,
                reason=returned.reason,
                created_by=returned.created_by,
                created_at=returned.created_at,
            )
            .on_conflict_do_nothing(index_elements=[r.return_id])
            .returning(r.return_id)
        )
        return result.first() is not None

    async def add_lines(self, return_id: str, lines: Sequence[ReturnedLine]) -> None:
        await self._c.execute(
            sa.insert(t.customer_return_lines).values(
                [
                    {
                        "return_id": return_id,
                        "line_no": i,
                        "sku_code": line.sku_code,
                        "quantity": line.quantity,
                        "sellable": line.sellable,
                        "warehouse_code": line.warehouse_code,
                        "lot_id": line.lot_id,
                        "value_minor": line.value.amount_minor,
                        "value_currency": line.value.currency,
                    }
                    for i, line in enumerate(lines)
                ]
            )
        )

    async def get(self, return_id: str) -> CustomerReturn | None:
        r, line = t.customer_returns.c, t.customer_return_lines.c
        row = (
            await self._c.execute(sa.select(t.customer_returns).where(r.return_id == return_id))
        ).first()
        if row is None:
            return None
        lines = [
            ReturnedLine(
                x.sku_code,
                x.quantity,
                x.sellable,
                x.warehouse_code,
                x.lot_id,
                Money(x.value_minor, x.value_currency),
            )
            for x in await self._c.execute(
                sa.select(t.customer_return_lines)
                .where(line.return_id == return_id)
                .order_by(line.line_no)
            )
        ]
        return CustomerReturn(
            row.return_id,
            row.fingerprint,
            row.reservation_id,
            row.reason,
            tuple(lines),
            row.created_by,
            row.created_at,
        )

    async def issue_cost(self, reservation_id: str) -> dict[str, tuple[int, int, str]]:
        """Per SKU: (units issued, cost, currency) under a reservation's commit."""
        e = t.ledger_entries.c
        result = await self._c.execute(
            sa.select(
                e.sku_code,
                -sa.func.sum(e.on_hand_delta),
                -sa.func.sum(e.value_delta_minor),
                sa.func.min(e.value_currency),
            )
            .where(
                e.document_id == reservation_id,
                e.document_type == "reservation",
                e.kind == "ISSUE",
            )
            .group_by(e.sku_code)
        )
        return {sku: (int(units), int(cost), currency) for sku, units, cost, currency in result}
