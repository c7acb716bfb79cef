"""ReportRpcs: Department ranking, KPI trends, commission by group."""

from __future__ import annotations

from storeops.performance.v1 import reports_pb2 as rp

from services.common.proto_convert import to_money
from services.performance.api import convert as c
from services.performance.api.base import Base, Ctx
from services.performance.domain.reports import RankBy
from services.performance.service import (
    reports,
)


class ReportRpcs(Base):
    async def GetDepartmentRanking(
        self, request: rp.GetDepartmentRankingRequest, context: Ctx
    ) -> rp.DepartmentRanking:
        month = c.month(request.month)
        by = RankBy(request.rank_by or "SALES")
        result = await reports.ranking(self._deps, month, by)
        return rp.DepartmentRanking(
            month=str(month),
            rank_by=by.value,
            departments=[
                rp.DepartmentRankingGroup(
                    department_code=department,
                    entries=[
                        rp.RankingEntry(
                            rank=row.ranked.rank,
                            employee_code=row.ranked.entry.employee_code,
                            value="" if row.masked else str(row.ranked.value),
                            masked=row.masked,
                        )
                        for row in rows
                    ],
                )
                for department, rows in result.items()
            ],
        )

    async def GetKpiTrend(self, request: rp.GetKpiTrendRequest, context: Ctx) -> rp.KpiTrend:
        points = await reports.trend(
            self._deps,
            request.employee_code,
            request.kpi,
            c.month(request.from_month, "from_month"),
            c.month(request.to_month, "to_month"),
        )
        return rp.KpiTrend(
            employee_code=request.employee_code,
            kpi=request.kpi,
            points=[
                rp.KpiTrendPoint(month=str(p.month), value=c.text(p.value), change=c.text(p.change))
                for p in points
            ],
        )

    async def GetCommissionByGroup(
        self, request: rp.GetCommissionByGroupRequest, context: Ctx
    ) -> rp.CommissionByGroup:
        month = c.month(request.month)
        groups = await reports.commission_by_group(self._deps, month)
        return rp.CommissionByGroup(
            month=str(month),
            groups=[
                rp.GroupCommissionReport(
                    group=c.group_out(g.record.group),
                    base=to_money(g.record.base),
                    completion=g.record.completion,
                    rate=g.record.rate,
                    table_version=g.record.table_version or 0,
                    total=None if g.total_masked else to_money(g.record.amount),
                    masked=g.total_masked,
                    members=[
                        rp.GroupMemberShare(
                            employee_code=m.employee_code,
                            amount=to_money(m.amount),
                            masked=m.amount is None,
                        )
                        for m in g.members
                    ],
                )
                for g in groups
            ],
        )
