"""Targets: the amount in force, a late change awaiting approval."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.common.money import Money
from services.performance.db import tables as t
from services.performance.domain.period import YearMonth
from services.performance.domain.targets import MonthlyTarget, TargetScope


@dataclass(frozen=True)
class PendingChange:
    amount: Money
    proposed_by: str
    proposed_on: date
    reason: str


@dataclass(frozen=True)
class TargetRecord:
    scope: TargetScope
    subject_code: str
    month: YearMonth
    current: MonthlyTarget | None
    late: bool
    pending: PendingChange | None


def _money(row: Any, name: str) -> Money | None:
    minor = getattr(row, f"{name}_minor")
    return None if minor is None else Money(minor, getattr(row, f"{name}_currency"))


class TargetRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    def _record(self, row: Any) -> TargetRecord:
        scope, month = TargetScope(row.scope), YearMonth.parse(row.month)
        amount = _money(row, "amount")
        current = None
        if amount is not None:
            current = MonthlyTarget(
                scope, row.subject_code, month, amount, row.set_by, row.set_on, row.approved_by
            )
        pending_amount = _money(row, "pending_amount")
        pending = None
        if pending_amount is not None:
            pending = PendingChange(
                pending_amount, row.pending_by, row.pending_on, row.pending_reason or ""
            )
        return TargetRecord(scope, row.subject_code, month, current, row.late, pending)

    async def get(
        self, scope: TargetScope, subject: str, month: YearMonth, for_update: bool = False
    ) -> TargetRecord | None:
        query = sa.select(t.targets).where(
            t.targets.c.scope == scope.value,
            t.targets.c.subject_code == subject,
            t.targets.c.month == str(month),
        )
        if for_update:
            query = query.with_for_update()
        row = (await self._c.execute(query)).first()
        return None if row is None else self._record(row)

    async def save(self, record: TargetRecord) -> None:
        current, pending = record.current, record.pending
        values = {
            "amount_minor": current.amount.amount_minor if current else None,
            "amount_currency": current.amount.currency if current else None,
            "set_by": current.set_by if current else "",
            "set_on": current.set_on if current else None,
            "approved_by": current.approved_by if current else None,
            "late": record.late,
            "pending_amount_minor": pending.amount.amount_minor if pending else None,
            "pending_amount_currency": pending.amount.currency if pending else None,
            "pending_by": pending.proposed_by if pending else None,
            "pending_on": pending.proposed_on if pending else None,
            "pending_reason": pending.reason if pending else None,
        }
        await self._c.execute(
            pg_insert(t.targets)
            .values(
                scope=record.scope.value,
                subject_code=record.subject_code,
                month=str(record.month),
                **values,
            )
            .on_conflict_do_update(index_elements=["scope", "subject_code", "month"], set_=values)
        )

    async def page(
        self, month: YearMonth, scope: TargetScope | None, after: tuple[str, str] | None, limit: int
    ) -> list[TargetRecord]:
        query = sa.select(t.targets).where(t.targets.c.month == str(month))
        if scope is not None:
            query = query.where(t.targets.c.scope == scope.value)
        if after is not None:
            query = query.where(
                sa.tuple_(t.targets.c.scope, t.targets.c.subject_code) > sa.tuple_(*after)
            )
        query = query.order_by(t.targets.c.scope, t.targets.c.subject_code).limit(limit)
        return [self._record(row) for row in await self._c.execute(query)]

    async def amounts(self, month: YearMonth) -> dict[tuple[TargetScope, str], Money]:
        """The targets in force for `month` (pending proposals do not count)."""
        rows = await self._c.execute(
            sa.select(t.targets).where(
                t.targets.c.month == str(month), t.targets.c.amount_minor.is_not(None)
            )
        )
        return {
            (TargetScope(r.scope), r.subject_code): Money(r.amount_minor, r.amount_currency)
            for r in rows
        }
