"""Payroll statements with their lines, and each month's group commissions."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.common.money import Money
from services.performance.db import tables as t
from services.performance.domain.commission_tables import (
    CommissionGroup,
)
from services.performance.domain.payroll import (
    LineKind,
    PayrollLine,
    PayrollStatement,
    StatementKind,
    StatementState,
)
from services.performance.domain.period import YearMonth


@dataclass(frozen=True)
class StoredStatement:
    statement: PayrollStatement
    flags: tuple[str, ...]
    group: CommissionGroup | None


@dataclass(frozen=True)
class GroupCommissionRecord:
    group: CommissionGroup
    base: Money
    completion: str
    rate: str
    table_version: int | None
    amount: Money
    members: tuple[str, ...]


class StatementRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    async def _lines(
        self, keys: list[tuple[str, str, int]]
    ) -> dict[tuple[str, str, int], list[PayrollLine]]:
        result: dict[tuple[str, str, int], list[PayrollLine]] = defaultdict(list)
        if not keys:
            return result
        lines = t.statement_lines
        rows = await self._c.execute(
            sa.select(lines)
            .where(sa.tuple_(lines.c.employee_code, lines.c.month, lines.c.sequence).in_(keys))
            .order_by(lines.c.employee_code, lines.c.month, lines.c.sequence, lines.c.line_no)
        )
        for r in rows:
            result[(r.employee_code, r.month, r.sequence)].append(
                PayrollLine(
                    LineKind(r.kind),
                    Money(r.amount_minor, r.amount_currency),
                    r.rule,
                    r.explanation,
                    dict(r.inputs),
                )
            )
        return result

    async def _build(self, rows: list[Any]) -> list[StoredStatement]:
        keys = [(r.employee_code, r.month, r.sequence) for r in rows]
        lines = await self._lines(keys)
        result = []
        for r in rows:
            statement = PayrollStatement(
                r.employee_code,
                YearMonth.parse(r.month),
                r.total_currency,
                StatementKind(r.kind),
                r.sequence,
                tuple(lines[(r.employee_code, r.month, r.sequence)]),
                StatementState(r.state),
                r.approved_by,
                r.approved_on,
            )
            result.append(
                StoredStatement(
                    statement,
                    tuple(r.flags),
                    CommissionGroup(r.commission_group) if r.commission_group else None,
                )
            )
        return result

    async def get(
        self, code: str, month: YearMonth, sequence: int, for_update: bool = False
    ) -> StoredStatement | None:
        s = t.statements
        query = sa.select(s).where(
            s.c.employee_code == code, s.c.month == str(month), s.c.sequence == sequence
        )
        if for_update:
            query = query.with_for_update()
        rows = list(await self._c.execute(query))
        built = await self._build(rows)
        return built[0] if built else None

    async def page(
        self,
        month: YearMonth,
        codes: set[str] | None,
        after: tuple[str, int] | None,
        limit: int,
        sequence: int | None = None,
    ) -> list[StoredStatement]:
        s = t.statements
        query = sa.select(s).where(s.c.month == str(month))
        if codes is not None:
            query = query.where(s.c.employee_code.in_(sorted(codes)))
        if sequence is not None:
            query = query.where(s.c.sequence == sequence)
        if after is not None:
            query = query.where(sa.tuple_(s.c.employee_code, s.c.sequence) > sa.tuple_(*after))
        query = query.order_by(s.c.employee_code, s.c.sequence).limit(limit)
        return await self._build(list(await self._c.execute(query)))

    async def approved_regular(self, month: YearMonth) -> set[str]:
        s = t.statements
        rows = await self._c.execute(
            sa.select(s.c.employee_code).where(
                s.c.month == str(month),
                s.c.sequence == 0,
                s.c.state == StatementState.APPROVED.value,
            )
        )
        return {r.employee_code for r in rows}

    async def any_approved(self, month: YearMonth) -> bool:
        s = t.statements
        row = await self._c.execute(
            sa.select(s.c.employee_code)
            .where(s.c.month == str(month), s.c.state == StatementState.APPROVED.value)
            .limit(1)
        )
        return row.first() is not None

    async def next_sequence(self, code: str, month: YearMonth) -> int:
        s = t.statements
        value = (
            await self._c.execute(
                sa.select(sa.func.max(s.c.sequence)).where(
                    s.c.employee_code == code, s.c.month == str(month)
                )
            )
        ).scalar_one()
        return 0 if value is None else int(value) + 1

    async def lock_month(self, month: YearMonth) -> None:
        """Serialise computations and approvals of one month's statements."""
        await self._c.execute(
            sa.select(
                sa.func.pg_advisory_xact_lock(sa.func.hashtext(f"performance.statements.{month}"))
            )
        )

    async def close(self, statement: PayrollStatement) -> None:
        """Record the approval of a draft (its lines are already stored and never change)."""
        s = t.statements
        result = await self._c.execute(
            s.update()
            .where(
                s.c.employee_code == statement.employee_code,
                s.c.month == str(statement.month),
                s.c.sequence == statement.sequence,
                s.c.state == StatementState.DRAFT.value,
            )
            .values(
                state=statement.state.value,
                approved_by=statement.approved_by,
                approved_on=statement.approved_on,
            )
        )
        assert result.rowcount == 1, "only a stored draft is approved"

    async def save(self, stored: StoredStatement) -> None:
        """Insert or replace a draft (its lines are replaced wholesale); approved statements are
        refused by the database itself (migration 0004)."""
        st = stored.statement
        s, lines = t.statements, t.statement_lines
        key = {"employee_code": st.employee_code, "month": str(st.month), "sequence": st.sequence}
        total = st.total()
        values = {
            "kind": st.kind.value,
            "state": st.state.value,
            "total_minor": total.amount_minor,
            "total_currency": total.currency,
            "flags": list(stored.flags),
            "commission_group": stored.group.value if stored.group else None,
            "approved_by": st.approved_by,
            "approved_on": st.approved_on,
        }
        await self._c.execute(
            pg_insert(s)
            .values(**key, **values)
            .on_conflict_do_update(index_elements=list(key), set_=values)
        )
        await self._c.execute(
            sa.delete(lines).where(
                lines.c.employee_code == st.employee_code,
                lines.c.month == str(st.month),
                lines.c.sequence == st.sequence,
            )
        )
        if st.lines:
            await self._c.execute(
                lines.insert(),
                [
                    {
                        **key,
                        "line_no": index,
                        "kind": line.kind.value,
                        "amount_minor": line.amount.amount_minor,
                        "amount_currency": line.amount.currency,
                        "rule": line.rule,
                        "explanation": line.explanation,
                        "inputs": dict(line.inputs),
                    }
                    for index, line in enumerate(st.lines)
                ],
            )

    async def delete_drafts(self, month: YearMonth, keep: set[str]) -> None:
        """Drop regular drafts of the month not recomputed this time (no longer covered)."""
        s = t.statements
        query = sa.delete(s).where(
            s.c.month == str(month), s.c.sequence == 0, s.c.state == StatementState.DRAFT.value
        )
        if keep:
            query = query.where(s.c.employee_code.not_in(sorted(keep)))
        await self._c.execute(query)

    async def replace_groups(self, month: YearMonth, groups: list[GroupCommissionRecord]) -> None:
        g = t.group_commissions
        await self._c.execute(sa.delete(g).where(g.c.month == str(month)))
        if groups:
            await self._c.execute(
                g.insert(),
                [
                    {
                        "month": str(month),
                        "group_name": x.group.value,
                        "base_minor": x.base.amount_minor,
                        "base_currency": x.base.currency,
                        "completion": x.completion,
                        "rate": x.rate,
                        "table_version": x.table_version,
                        "amount_minor": x.amount.amount_minor,
                        "amount_currency": x.amount.currency,
                        "members": list(x.members),
                    }
                    for x in groups
                ],
            )

    async def groups(self, month: YearMonth) -> list[GroupCommissionRecord]:
        g = t.group_commissions
        rows = await self._c.execute(sa.select(g).where(g.c.month == str(month)))
        return sorted(
            (
                GroupCommissionRecord(
                    CommissionGroup(r.group_name),
                    Money(r.base_minor, r.base_currency),
                    r.completion,
                    r.rate,
                    r.table_version,
                    Money(r.amount_minor, r.amount_currency),
                    tuple(r.members),
                )
                for r in rows
            ),
            key=lambda x: list(CommissionGroup).index(x.group),
        )
