"""Appraisals (monthly and annual), their weights per role, and manual KPI inputs."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.performance.db import tables as t
from services.performance.domain.annual_appraisal import AnnualAppraisal
from services.performance.domain.appraisal import (
    AppraisalState,
    AppraisalWeights,
    MonthlyAppraisal,
    PeerScore,
)
from services.performance.domain.grades import Grade
from services.performance.domain.kpi_scoring import Kpi
from services.performance.domain.period import YearMonth
from services.performance.domain.roles import Role


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
