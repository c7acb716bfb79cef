"""Photo-sample loans and customer holds."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.inventory.db import tables as t
from services.inventory.domain.holds import CustomerHold, HoldStatus
from services.inventory.domain.photo_samples import LoanStatus, SampleLoan


class SampleLoanRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    async def add(self, loan: SampleLoan, created_by: str) -> bool:
        s = t.sample_loans.c
        result = await self._c.execute(
            insert(t.sample_loans)
            .values(**_loan_values(loan), created_by=created_by)
            .on_conflict_do_nothing(index_elements=[s.document_id])
            .returning(s.document_id)
        )
        return result.first() is not None

    async def get(self, document_id: str, *, lock: bool = False) -> SampleLoan | None:
        query = sa.select(t.sample_loans).where(t.sample_loans.c.document_id == document_id)
        if lock:
            query = query.with_for_update()
        row = (await self._c.execute(query)).first()
        return None if row is None else _loan(row)

    async def save(self, loan: SampleLoan) -> None:
        s = t.sample_loans.c
        await self._c.execute(
            sa.update(t.sample_loans)
            .where(s.document_id == loan.document_id)
            .values(
                due_on=loan.due_on,
                extensions=loan.extensions,
                status=str(loan.status),
                closed_on=loan.closed_on,
            )
        )

    async def find(
        self,
        *,
        status: str = "",
        overdue_on: date | None = None,
        after: tuple[date, str] | None = None,
        limit: int = 50,
    ) -> list[SampleLoan]:
        s = t.sample_loans.c
        query = sa.select(t.sample_loans).order_by(s.due_on, s.document_id).limit(limit)
        if status:
            query = query.where(s.status == status)
        if overdue_on is not None:
            query = query.where(s.status == str(LoanStatus.OUT), s.due_on < overdue_on)
        if after is not None:
            query = query.where(sa.tuple_(s.due_on, s.document_id) > sa.tuple_(*after))
        return [_loan(row) for row in await self._c.execute(query)]


def _loan_values(loan: SampleLoan) -> dict[str, Any]:
    return {
        "document_id": loan.document_id,
        "borrower_id": loan.borrower_id,
        "warehouse_code": loan.warehouse_code,
        "sku_code": loan.sku_code,
        "style_code": loan.style_code,
        "color": loan.colour,
        "size": loan.size,
        "quantity": loan.quantity,
        "borrowed_on": loan.borrowed_on,
        "due_on": loan.due_on,
        "extensions": loan.extensions,
        "status": str(loan.status),
        "closed_on": loan.closed_on,
    }


def _loan(row: Any) -> SampleLoan:
    return SampleLoan(
        document_id=row.document_id,
        borrower_id=row.borrower_id,
        warehouse_code=row.warehouse_code,
        sku_code=row.sku_code,
        style_code=row.style_code,
        colour=row.color,
        size=row.size,
        quantity=row.quantity,
        borrowed_on=row.borrowed_on,
        due_on=row.due_on,
        extensions=row.extensions,
        status=LoanStatus(row.status),
        closed_on=row.closed_on,
    )


class HoldRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    async def add(self, hold: CustomerHold, expires_at: datetime) -> bool:
        h = t.customer_holds.c
        result = await self._c.execute(
            insert(t.customer_holds)
            .values(
                hold_id=hold.hold_id,
                customer_ref=hold.customer_ref,
                sku_code=hold.sku_code,
                warehouse_code=hold.warehouse_code,
                quantity=hold.quantity,
                created_by=hold.created_by,
                created_at=hold.created_at,
                keep_until=hold.keep_until,
                expires_at=expires_at,
                status=str(hold.status),
            )
            .on_conflict_do_nothing(index_elements=[h.hold_id])
            .returning(h.hold_id)
        )
        return result.first() is not None

    async def get(self, hold_id: str, *, lock: bool = False) -> CustomerHold | None:
        query = sa.select(t.customer_holds).where(t.customer_holds.c.hold_id == hold_id)
        if lock:
            query = query.with_for_update()
        row = (await self._c.execute(query)).first()
        return None if row is None else _hold(row)

    async def save(self, hold: CustomerHold, expires_at: datetime) -> None:
        h = t.customer_holds.c
        await self._c.execute(
            sa.update(t.customer_holds)
            .where(h.hold_id == hold.hold_id)
            .values(
                keep_until=hold.keep_until,
                expires_at=expires_at,
                status=str(hold.status),
                closed_at=hold.closed_at,
            )
        )

    async def lock_due(self, now: datetime, batch: int) -> list[CustomerHold]:
        """Active holds past their expiry, locked, skipping rows other workers hold."""
        h = t.customer_holds.c
        query = (
            sa.select(t.customer_holds)
            .where(h.status == str(HoldStatus.ACTIVE), h.expires_at < now)
            .order_by(h.expires_at)
            .limit(batch)
            .with_for_update(skip_locked=True)
        )
        return [_hold(row) for row in await self._c.execute(query)]

    async def find(
        self,
        *,
        status: str = "",
        sku_code: str = "",
        before: tuple[datetime, str] | None = None,
        limit: int = 50,
    ) -> list[CustomerHold]:
        h = t.customer_holds.c
        query = sa.select(t.customer_holds).order_by(h.created_at.desc(), h.hold_id.desc())
        if status:
            query = query.where(h.status == status)
        if sku_code:
            query = query.where(h.sku_code == sku_code)
        if before is not None:
            query = query.where(sa.tuple_(h.created_at, h.hold_id) < sa.tuple_(*before))
        return [_hold(row) for row in await self._c.execute(query.limit(limit))]


def _hold(row: Any) -> CustomerHold:
    return CustomerHold(
        hold_id=row.hold_id,
        customer_ref=row.customer_ref,
        sku_code=row.sku_code,
        warehouse_code=row.warehouse_code,
        quantity=row.quantity,
        created_by=row.created_by,
        created_at=row.created_at,
        keep_until=row.keep_until,
        status=HoldStatus(row.status),
        closed_at=row.closed_at,
    )
