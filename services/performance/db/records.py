"""Repositories of the service's own records: targets, commission tables and weights,
misconduct findings, appraisals, KPI inputs, statements, group commissions, the audit log."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.common.audit import (
    AuditEntry,
    AuditQuery,
    AuditReader,
    AuditWriter,
    StoredAuditEntry,
)
from services.performance.db import tables as t
from services.performance.domain.annual_appraisal import AnnualAppraisal
from services.performance.domain.appraisal import (
    AppraisalState,
    AppraisalWeights,
    MonthlyAppraisal,
    PeerScore,
)
from services.performance.domain.commission_tables import (
    CommissionGroup,
    CommissionTable,
    Tier,
)
from services.performance.domain.grades import Grade
from services.performance.domain.kpi_scoring import Kpi
from services.performance.domain.money import Money
from services.performance.domain.payroll import (
    LineKind,
    PayrollLine,
    PayrollStatement,
    StatementKind,
    StatementState,
)
from services.performance.domain.period import YearMonth
from services.performance.domain.roles import Role
from services.performance.domain.targets import MonthlyTarget, TargetScope

# ---- targets ------------------------------------------------------------------------------------


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
            "amount_minor": current.amount.minor if current else None,
            "amount_currency": current.amount.currency if current else None,
            "set_by": current.set_by if current else "",
            "set_on": current.set_on if current else None,
            "approved_by": current.approved_by if current else None,
            "late": record.late,
            "pending_amount_minor": pending.amount.minor if pending else None,
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


# ---- commission tables, share weights, misconduct ------------------------------------------------


def tiers_to_json(tiers: tuple[Tier, ...]) -> list[dict[str, Any]]:
    return [
        {
            "lower": str(x.lower),
            "lower_inclusive": x.lower_inclusive,
            "upper": None if x.upper is None else str(x.upper),
            "upper_inclusive": x.upper_inclusive,
            "rate": str(x.rate),
            "rate_at_upper": None if x.rate_at_upper is None else str(x.rate_at_upper),
            "source": x.source,
        }
        for x in tiers
    ]


def tiers_from_json(raw: list[dict[str, Any]]) -> tuple[Tier, ...]:
    return tuple(
        Tier(
            Decimal(x["lower"]),
            bool(x["lower_inclusive"]),
            None if x["upper"] is None else Decimal(x["upper"]),
            bool(x["upper_inclusive"]),
            Decimal(x["rate"]),
            None if x.get("rate_at_upper") is None else Decimal(x["rate_at_upper"]),
            x.get("source", ""),
        )
        for x in raw
    )


@dataclass(frozen=True)
class StoredTable:
    table: CommissionTable
    created_by: str


class CommissionRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    async def lock_group(self, group: CommissionGroup) -> None:
        """Serialise version changes of one group (the overlap check reads then writes)."""
        await self._c.execute(
            sa.select(
                sa.func.pg_advisory_xact_lock(
                    sa.func.hashtext(f"performance.commission_tables.{group.value}")
                )
            )
        )

    async def tables(self, group: CommissionGroup | None = None) -> list[StoredTable]:
        c = t.commission_tables
        query = sa.select(c).order_by(c.c.group_name, c.c.version)
        if group is not None:
            query = query.where(c.c.group_name == group.value)
        return [
            StoredTable(
                CommissionTable(
                    CommissionGroup(r.group_name),
                    r.version,
                    r.effective_from,
                    r.effective_to,
                    tiers_from_json(r.tiers),
                ),
                r.created_by,
            )
            for r in await self._c.execute(query)
        ]

    async def insert(self, table: CommissionTable, created_by: str) -> bool:
        result = await self._c.execute(
            pg_insert(t.commission_tables)
            .values(
                group_name=table.group.value,
                version=table.version,
                effective_from=table.effective_from,
                effective_to=table.effective_to,
                tiers=tiers_to_json(table.tiers),
                created_by=created_by,
            )
            .on_conflict_do_nothing()
            .returning(t.commission_tables.c.version)
        )
        return result.first() is not None

    async def set_effective_to(
        self, group: CommissionGroup, version: int, effective_to: date
    ) -> None:
        c = t.commission_tables
        await self._c.execute(
            c.update()
            .where(c.c.group_name == group.value, c.c.version == version)
            .values(effective_to=effective_to)
        )

    async def share_weights(self, month: YearMonth) -> dict[CommissionGroup, dict[str, Decimal]]:
        w = t.share_weights
        result: dict[CommissionGroup, dict[str, Decimal]] = defaultdict(dict)
        for row in await self._c.execute(sa.select(w).where(w.c.month == str(month))):
            result[CommissionGroup(row.group_name)][row.employee_code] = row.weight
        return dict(result)

    async def weights_of(
        self, group: CommissionGroup, month: YearMonth
    ) -> tuple[dict[str, Decimal], str]:
        w = t.share_weights
        rows = list(
            await self._c.execute(
                sa.select(w)
                .where(w.c.group_name == group.value, w.c.month == str(month))
                .order_by(w.c.employee_code)
            )
        )
        return {r.employee_code: r.weight for r in rows}, (rows[0].set_by if rows else "")

    async def set_weights(
        self, group: CommissionGroup, month: YearMonth, weights: dict[str, Decimal], set_by: str
    ) -> None:
        w = t.share_weights
        await self._c.execute(
            sa.delete(w).where(w.c.group_name == group.value, w.c.month == str(month))
        )
        await self._c.execute(
            w.insert(),
            [
                {
                    "group_name": group.value,
                    "month": str(month),
                    "employee_code": code,
                    "weight": weight,
                    "set_by": set_by,
                }
                for code, weight in sorted(weights.items())
            ],
        )

    async def add_finding(
        self,
        finding_id: str,
        employee_code: str,
        found_on: date,
        description: str,
        recorded_by: str,
    ) -> None:
        await self._c.execute(
            t.misconduct_findings.insert().values(
                finding_id=finding_id,
                employee_code=employee_code,
                found_on=found_on,
                description=description,
                recorded_by=recorded_by,
            )
        )

    async def misconduct(self) -> dict[str, date]:
        """The earliest finding per employee."""
        m = t.misconduct_findings
        rows = await self._c.execute(
            sa.select(m.c.employee_code, sa.func.min(m.c.found_on)).group_by(m.c.employee_code)
        )
        return {row[0]: row[1] for row in rows}


# ---- appraisals -------------------------------------------------------------------------------


def weights_to_json(weights: AppraisalWeights) -> dict[str, str]:
    return {name: str(value) for name, value in weights.as_dict().items()}


def weights_from_json(raw: dict[str, str]) -> AppraisalWeights:
    return AppraisalWeights(**{name: Decimal(value) for name, value in raw.items()})


@dataclass
class StoredAppraisal:
    appraisal: MonthlyAppraisal
    role: Role
    review_flag: bool


class AppraisalRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    async def weights(self) -> dict[Role, AppraisalWeights]:
        w = t.appraisal_weights
        return {
            Role(r.role): AppraisalWeights(r.self_assessment, r.supervisor, r.peers, r.kpis)
            for r in await self._c.execute(sa.select(w))
        }

    async def set_weights(self, role: Role, weights: AppraisalWeights, set_by: str) -> None:
        values = {
            "self_assessment": weights.self_assessment,
            "supervisor": weights.supervisor,
            "peers": weights.peers,
            "kpis": weights.kpis,
            "set_by": set_by,
        }
        await self._c.execute(
            pg_insert(t.appraisal_weights)
            .values(role=role.value, **values)
            .on_conflict_do_update(index_elements=["role"], set_=values)
        )

    async def _peers(self, code: str, month: str) -> dict[str, PeerScore]:
        p = t.peer_scores
        rows = await self._c.execute(
            sa.select(p)
            .where(p.c.employee_code == code, p.c.month == month)
            .order_by(p.c.reviewer_code)
        )
        return {
            r.reviewer_code: PeerScore(r.reviewer_code, r.reviewer_department, r.score)
            for r in rows
        }

    async def _stored(self, row: Any) -> StoredAppraisal:
        appraisal = MonthlyAppraisal(
            employee_code=row.employee_code,
            department=row.department_code,
            supervisor_code=row.supervisor_code,
            month=YearMonth.parse(row.month),
            weights=weights_from_json(row.weights),
            state=AppraisalState(row.state),
            self_score=row.self_score,
            self_comment=row.self_comment,
            supervisor_score=row.supervisor_score,
            supervisor_comments=row.supervisor_comments,
            peer_scores=await self._peers(row.employee_code, row.month),
            kpi_score=row.kpi_score,
            total_score=row.total_score,
            grade=Grade(row.grade) if row.grade else None,
            closed_on=row.closed_on,
        )
        return StoredAppraisal(appraisal, Role(row.role), row.review_flag)

    async def get(
        self, code: str, month: YearMonth, for_update: bool = False
    ) -> StoredAppraisal | None:
        a = t.appraisals
        query = sa.select(a).where(a.c.employee_code == code, a.c.month == str(month))
        if for_update:
            query = query.with_for_update()
        row = (await self._c.execute(query)).first()
        return None if row is None else await self._stored(row)

    async def page(
        self, month: YearMonth, codes: set[str] | None, after: str | None, limit: int
    ) -> list[StoredAppraisal]:
        a = t.appraisals
        query = sa.select(a).where(a.c.month == str(month)).order_by(a.c.employee_code)
        if codes is not None:
            query = query.where(a.c.employee_code.in_(sorted(codes)))
        if after is not None:
            query = query.where(a.c.employee_code > after)
        rows = list(await self._c.execute(query.limit(limit)))
        return [await self._stored(row) for row in rows]

    async def create(self, stored: StoredAppraisal) -> bool:
        a = stored.appraisal
        result = await self._c.execute(
            pg_insert(t.appraisals)
            .values(
                employee_code=a.employee_code,
                month=str(a.month),
                role=stored.role.value,
                department_code=a.department,
                supervisor_code=a.supervisor_code,
                state=a.state.value,
                weights=weights_to_json(a.weights),
            )
            .on_conflict_do_nothing()
            .returning(t.appraisals.c.employee_code)
        )
        return result.first() is not None

    async def save(self, stored: StoredAppraisal) -> None:
        a = stored.appraisal
        table = t.appraisals
        await self._c.execute(
            table.update()
            .where(table.c.employee_code == a.employee_code, table.c.month == str(a.month))
            .values(
                state=a.state.value,
                self_score=a.self_score,
                self_comment=a.self_comment,
                supervisor_score=a.supervisor_score,
                supervisor_comments=a.supervisor_comments,
                kpi_score=a.kpi_score,
                total_score=a.total_score,
                grade=a.grade.value if a.grade else None,
                closed_on=a.closed_on,
                review_flag=stored.review_flag,
            )
        )
        p = t.peer_scores
        await self._c.execute(
            sa.delete(p).where(p.c.employee_code == a.employee_code, p.c.month == str(a.month))
        )
        if a.peer_scores:
            await self._c.execute(
                p.insert(),
                [
                    {
                        "employee_code": a.employee_code,
                        "month": str(a.month),
                        "reviewer_code": peer.reviewer_code,
                        "reviewer_department": peer.reviewer_department,
                        "score": peer.score,
                    }
                    for peer in a.peer_scores.values()
                ],
            )

    async def closed_grades(self, month: YearMonth) -> dict[str, Grade]:
        a = t.appraisals
        rows = await self._c.execute(
            sa.select(a.c.employee_code, a.c.grade).where(
                a.c.month == str(month), a.c.state == AppraisalState.CLOSED.value
            )
        )
        return {r.employee_code: Grade(r.grade) for r in rows}

    async def review_flags(self, month: YearMonth) -> frozenset[str]:
        a = t.appraisals
        rows = await self._c.execute(
            sa.select(a.c.employee_code).where(a.c.month == str(month), a.c.review_flag)
        )
        return frozenset(r.employee_code for r in rows)

    async def of_year(self, code: str, year: int) -> list[MonthlyAppraisal]:
        a = t.appraisals
        rows = list(
            await self._c.execute(
                sa.select(a)
                .where(a.c.employee_code == code, a.c.month.like(f"{year:04d}-%"))
                .order_by(a.c.month)
            )
        )
        return [(await self._stored(row)).appraisal for row in rows]

    async def save_annual(self, annual: AnnualAppraisal) -> None:
        values = {
            "score": annual.score,
            "grade": annual.grade.value,
            "months_counted": [str(m) for m in annual.months_counted],
            "months_missing": [str(m) for m in annual.months_missing],
        }
        await self._c.execute(
            pg_insert(t.annual_appraisals)
            .values(employee_code=annual.employee_code, year=annual.year, **values)
            .on_conflict_do_update(index_elements=["employee_code", "year"], set_=values)
        )

    async def annual(self, code: str, year: int) -> AnnualAppraisal | None:
        a = t.annual_appraisals
        row = (
            await self._c.execute(sa.select(a).where(a.c.employee_code == code, a.c.year == year))
        ).first()
        if row is None:
            return None
        return AnnualAppraisal(
            code,
            year,
            row.score,
            Grade(row.grade),
            tuple(YearMonth.parse(m) for m in row.months_counted),
            tuple(YearMonth.parse(m) for m in row.months_missing),
        )

    async def kpi_inputs(self, code: str, month: YearMonth) -> dict[Kpi, Decimal]:
        k = t.kpi_inputs
        rows = await self._c.execute(
            sa.select(k).where(k.c.employee_code == code, k.c.month == str(month))
        )
        return {Kpi(r.kpi): r.value for r in rows}

    async def set_kpi_input(
        self, code: str, month: YearMonth, kpi: Kpi, value: Decimal, entered_by: str
    ) -> None:
        values = {"value": value, "entered_by": entered_by}
        await self._c.execute(
            pg_insert(t.kpi_inputs)
            .values(employee_code=code, month=str(month), kpi=kpi.value, **values)
            .on_conflict_do_update(index_elements=["employee_code", "month", "kpi"], set_=values)
        )


# ---- statements -------------------------------------------------------------------------------


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

    async def save(self, stored: StoredStatement) -> None:
        """Insert or replace a statement (a draft's lines are replaced wholesale)."""
        st = stored.statement
        s, lines = t.statements, t.statement_lines
        key = {"employee_code": st.employee_code, "month": str(st.month), "sequence": st.sequence}
        total = st.total()
        values = {
            "kind": st.kind.value,
            "state": st.state.value,
            "total_minor": total.minor,
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
                        "amount_minor": line.amount.minor,
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
                        "base_minor": x.base.minor,
                        "base_currency": x.base.currency,
                        "completion": x.completion,
                        "rate": x.rate,
                        "table_version": x.table_version,
                        "amount_minor": x.amount.minor,
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


class AuditRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    async def write(self, entries: list[AuditEntry]) -> None:
        await AuditWriter(t.audit_log).write(self._c, entries)

    async def page(
        self, query: AuditQuery, before_id: int | None, limit: int
    ) -> list[StoredAuditEntry]:
        return await AuditReader(t.audit_log).page(self._c, query, before_id, limit)
