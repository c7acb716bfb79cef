"""PerformanceService: protobuf → use case → protobuf, nothing else."""

from __future__ import annotations

from typing import TypeAlias

import grpc
from storeops.performance.v1 import appraisals_pb2 as ap
from storeops.performance.v1 import audit_pb2 as au
from storeops.performance.v1 import commission_pb2 as cm
from storeops.performance.v1 import facts_pb2 as fa
from storeops.performance.v1 import kpis_pb2 as kp
from storeops.performance.v1 import performance_service_pb2_grpc as pb_grpc
from storeops.performance.v1 import reports_pb2 as rp
from storeops.performance.v1 import statements_pb2 as st
from storeops.performance.v1 import targets_pb2 as tg

from services.common.audit import AuditQuery
from services.common.errors import InvalidArgument
from services.common.paging import decode_token, encode_token, page_size
from services.common.proto_convert import to_timestamp
from services.performance.api import convert as c
from services.performance.domain.annual_appraisal import AnnualAppraisal
from services.performance.domain.kpi_scoring import DEFAULT_KPI_SETS
from services.performance.domain.kpi_values import KPI_DEFINITIONS
from services.performance.domain.money import Money
from services.performance.domain.reports import RankBy
from services.performance.service import (
    appraisals,
    commission,
    facts,
    kpis,
    reports,
    statements,
    targets,
)
from services.performance.service.context import Deps

Ctx: TypeAlias = grpc.aio.ServicerContext


def _annual_out(annual: AnnualAppraisal) -> ap.AnnualAppraisal:
    return ap.AnnualAppraisal(
        employee_code=annual.employee_code,
        year=annual.year,
        score=str(annual.score),
        grade=annual.grade.value,
        months_counted=[str(m) for m in annual.months_counted],
        months_missing=[str(m) for m in annual.months_missing],
    )


class PerformanceServicer(pb_grpc.PerformanceServiceServicer):
    def __init__(self, deps: Deps) -> None:
        self._deps = deps

    # ---- facts ------------------------------------------------------------------------------

    async def ListFeedPositions(
        self, request: fa.ListFeedPositionsRequest, context: Ctx
    ) -> fa.ListFeedPositionsResponse:
        return fa.ListFeedPositionsResponse(
            positions=[
                fa.FeedPosition(feed=p.feed, cursor=p.cursor, events_applied=p.events_applied)
                for p in await facts.positions(self._deps)
            ]
        )

    async def ReplayFeeds(
        self, request: fa.ReplayFeedsRequest, context: Ctx
    ) -> fa.ReplayFeedsResponse:
        deleted = await facts.replay(self._deps)
        return fa.ReplayFeedsResponse(
            facts_deleted=deleted,
            positions=[
                fa.FeedPosition(feed=p.feed, cursor=p.cursor, events_applied=p.events_applied)
                for p in await facts.positions(self._deps)
            ],
        )

    async def ListAuditEntries(
        self, request: au.ListAuditEntriesRequest, context: Ctx
    ) -> au.ListAuditEntriesResponse:
        position = decode_token(request.page_token, ("before",))
        size = page_size(request.page_size, default=100, maximum=1000)
        rows = await facts.audit_entries(
            self._deps,
            AuditQuery(
                actor=request.actor, subject=request.subject, action_prefix=request.action_prefix
            ),
            int(position["before"]) if position else None,
            size,
        )
        return au.ListAuditEntriesResponse(
            entries=[
                au.AuditEntry(
                    id=r.id,
                    occur_time=to_timestamp(r.occurred_at),
                    actor=r.entry.actor,
                    actor_kind=r.entry.actor_kind,
                    action=r.entry.action,
                    resource=r.entry.resource,
                    subject=r.entry.subject or "",
                    category=r.entry.category or "",
                    basis=r.entry.basis or "",
                    allowed=r.entry.allowed,
                    details=dict(r.entry.details),
                    request_id=r.entry.request_id,
                )
                for r in rows
            ],
            next_page_token=encode_token({"before": rows[-1].id}) if len(rows) == size else "",
        )

    async def ListEmployeeFacts(
        self, request: fa.ListEmployeeFactsRequest, context: Ctx
    ) -> fa.ListEmployeeFactsResponse:
        position = decode_token(request.page_token, ("after",))
        size = page_size(request.page_size)
        rows = await facts.employees(self._deps, position["after"] if position else None, size)
        return fa.ListEmployeeFactsResponse(
            employees=[
                fa.EmployeeFact(
                    employee_code=r.record.code,
                    name=r.record.name,
                    department_code=r.record.department_code,
                    position_code=r.record.position_code,
                    role=c.role_out(r.assignment.role if r.assignment else None),
                    commission_group=(
                        r.assignment.group.value if r.assignment and r.assignment.group else ""
                    ),
                    supervisor_code=r.record.supervisor_code or "",
                    hire_date=str(r.record.hire_date),
                    leave_date=c.text(r.record.leave_date),
                )
                for r in rows
            ],
            next_page_token=encode_token({"after": rows[-1].record.code})
            if len(rows) == size
            else "",
        )

    async def ListSalesFacts(
        self, request: fa.ListSalesFactsRequest, context: Ctx
    ) -> fa.ListSalesFactsResponse:
        position = decode_token(request.page_token, ("after",))
        size = page_size(request.page_size, default=100, maximum=1000)
        after = tuple(position["after"]) if position else None
        rows, groups = await facts.daily_sales(
            self._deps, c.month(request.month), request.employee_code or None, after, size
        )
        return fa.ListSalesFactsResponse(
            sales=[
                fa.DailySales(
                    day=str(r.day),
                    employee_code=r.employee_code,
                    commission_group=groups.get(r.employee_code, ""),
                    shop=r.shop,
                    orders=r.orders,
                    ordered=c.money_out(Money(r.ordered, r.currency)),
                    collected=c.money_out(Money(r.collected, r.currency)),
                    refunded=c.money_out(Money(r.refunded, r.currency)),
                    units=r.units,
                )
                for r in rows
            ],
            next_page_token=encode_token(
                {"after": [str(rows[-1].day), rows[-1].employee_code, rows[-1].shop]}
            )
            if len(rows) == size
            else "",
        )

    # ---- targets ----------------------------------------------------------------------------

    async def UpsertTarget(self, request: tg.UpsertTargetRequest, context: Ctx) -> tg.Target:
        record = await targets.upsert_target(
            self._deps,
            c.scope_in(request.scope),
            request.subject_code,
            c.month(request.month),
            c.money_in(request.amount),
            request.reason,
        )
        return c.target_out(record)

    async def ApproveTargetChange(
        self, request: tg.ApproveTargetChangeRequest, context: Ctx
    ) -> tg.Target:
        return c.target_out(
            await targets.approve_target(
                self._deps, c.scope_in(request.scope), request.subject_code, c.month(request.month)
            )
        )

    async def GetTarget(self, request: tg.GetTargetRequest, context: Ctx) -> tg.Target:
        return c.target_out(
            await targets.get_target(
                self._deps, c.scope_in(request.scope), request.subject_code, c.month(request.month)
            )
        )

    async def ListTargets(
        self, request: tg.ListTargetsRequest, context: Ctx
    ) -> tg.ListTargetsResponse:
        position = decode_token(request.page_token, ("after",))
        size = page_size(request.page_size)
        after = tuple(position["after"]) if position else None
        rows = await targets.list_targets(
            self._deps,
            c.month(request.month),
            c.scope_in(request.scope) if request.scope else None,
            after,
            size,
        )
        return tg.ListTargetsResponse(
            targets=[c.target_out(r) for r in rows],
            next_page_token=encode_token({"after": [rows[-1].scope.value, rows[-1].subject_code]})
            if len(rows) == size
            else "",
        )

    # ---- commission -------------------------------------------------------------------------

    async def CreateCommissionTable(
        self, request: cm.CreateCommissionTableRequest, context: Ctx
    ) -> cm.CommissionTable:
        stored = await commission.create_table(
            self._deps,
            c.group_in(request.group),
            request.version,
            c.day(request.effective_from, "effective_from"),
            c.optional_day(request.effective_to, "effective_to"),
            [c.tier_in(tier, f"tiers[{i}]") for i, tier in enumerate(request.tiers)],
            c.gap_in(request.gap_policy),
        )
        return c.table_out(stored)

    async def GetCommissionTable(
        self, request: cm.GetCommissionTableRequest, context: Ctx
    ) -> cm.CommissionTable:
        return c.table_out(
            await commission.get_table(self._deps, c.group_in(request.group), request.version)
        )

    async def ListCommissionTables(
        self, request: cm.ListCommissionTablesRequest, context: Ctx
    ) -> cm.ListCommissionTablesResponse:
        position = decode_token(request.page_token, ("after",))
        size = page_size(request.page_size)
        rows = await commission.list_tables(
            self._deps, c.group_in(request.group) if request.group else None
        )
        start = int(position["after"]) if position else 0
        page = rows[start : start + size]
        return cm.ListCommissionTablesResponse(
            commission_tables=[c.table_out(r) for r in page],
            next_page_token=encode_token({"after": start + size})
            if start + size < len(rows)
            else "",
        )

    async def EndCommissionTable(
        self, request: cm.EndCommissionTableRequest, context: Ctx
    ) -> cm.CommissionTable:
        return c.table_out(
            await commission.end_table(
                self._deps,
                c.group_in(request.group),
                request.version,
                c.day(request.effective_to, "effective_to"),
            )
        )

    async def SetShareWeights(
        self, request: cm.SetShareWeightsRequest, context: Ctx
    ) -> cm.ShareWeights:
        percents = {}
        for index, weight in enumerate(request.weights):
            if weight.employee_code in percents:
                raise InvalidArgument.for_field(
                    f"weights[{index}].employee_code", "each member may appear once"
                )
            percents[weight.employee_code] = c.decimal(weight.percent, f"weights[{index}].percent")
        group, month = c.group_in(request.group), c.month(request.month)
        weights, set_by = await commission.set_share_weights(self._deps, group, month, percents)
        return c.share_weights_out(group, month, weights, set_by)

    async def GetShareWeights(
        self, request: cm.GetShareWeightsRequest, context: Ctx
    ) -> cm.ShareWeights:
        group, month = c.group_in(request.group), c.month(request.month)
        weights, set_by = await commission.get_share_weights(self._deps, group, month)
        return c.share_weights_out(group, month, weights, set_by)

    async def RecordMisconduct(
        self, request: cm.RecordMisconductRequest, context: Ctx
    ) -> cm.MisconductFinding:
        found_on = c.day(request.found_on, "found_on")
        finding_id, by = await commission.record_misconduct(
            self._deps, request.employee_code, found_on, request.description
        )
        return cm.MisconductFinding(
            finding_id=finding_id,
            employee_code=request.employee_code,
            found_on=str(found_on),
            description=request.description,
            recorded_by=by,
        )

    # ---- appraisals -------------------------------------------------------------------------

    async def SetAppraisalWeights(
        self, request: ap.SetAppraisalWeightsRequest, context: Ctx
    ) -> ap.AppraisalWeights:
        role = c.role_in(request.role)
        weights = await appraisals.set_weights(
            self._deps,
            role,
            {
                "self_assessment": c.decimal(
                    request.self_assessment_percent, "self_assessment_percent"
                ),
                "supervisor": c.decimal(request.supervisor_percent, "supervisor_percent"),
                "peers": c.decimal(request.peers_percent, "peers_percent"),
                "kpis": c.decimal(request.kpis_percent, "kpis_percent"),
            },
        )
        return c.weights_out(role, weights, False)

    async def ListAppraisalWeights(
        self, request: ap.ListAppraisalWeightsRequest, context: Ctx
    ) -> ap.ListAppraisalWeightsResponse:
        rows = await appraisals.list_weights(self._deps)
        return ap.ListAppraisalWeightsResponse(
            appraisal_weights=[
                c.weights_out(role, weights, default) for role, (weights, default) in rows.items()
            ]
        )

    async def OpenAppraisalCycle(
        self, request: ap.OpenAppraisalCycleRequest, context: Ctx
    ) -> ap.AppraisalCycle:
        month = c.month(request.month)
        total, opened = await appraisals.open_cycle(self._deps, month)
        return ap.AppraisalCycle(
            month=str(month),
            opens_on=str(appraisals.CALENDAR.opens_on(month)),
            closes_on=str(appraisals.CALENDAR.closes_on(month)),
            appraisals=total,
            opened=opened,
        )

    async def GetAppraisal(self, request: ap.GetAppraisalRequest, context: Ctx) -> ap.Appraisal:
        return c.appraisal_out(
            await appraisals.get_appraisal(
                self._deps, request.employee_code, c.month(request.month)
            )
        )

    async def ListAppraisals(
        self, request: ap.ListAppraisalsRequest, context: Ctx
    ) -> ap.ListAppraisalsResponse:
        position = decode_token(request.page_token, ("after",))
        size = page_size(request.page_size)
        rows = await appraisals.list_appraisals(
            self._deps,
            c.month(request.month),
            request.employee_code or None,
            position["after"] if position else None,
            size,
        )
        return ap.ListAppraisalsResponse(
            appraisals=[c.appraisal_out(r) for r in rows],
            next_page_token=encode_token({"after": rows[-1].appraisal.employee_code})
            if len(rows) == size
            else "",
        )

    async def RecordSelfAssessment(
        self, request: ap.RecordSelfAssessmentRequest, context: Ctx
    ) -> ap.Appraisal:
        return c.appraisal_out(
            await appraisals.record_self_assessment(
                self._deps,
                request.employee_code,
                c.month(request.month),
                c.decimal(request.score, "score"),
                request.comment,
            )
        )

    async def RecordSupervisorScore(
        self, request: ap.RecordSupervisorScoreRequest, context: Ctx
    ) -> ap.Appraisal:
        return c.appraisal_out(
            await appraisals.record_supervisor_score(
                self._deps,
                request.employee_code,
                c.month(request.month),
                c.decimal(request.score, "score"),
                request.comment,
            )
        )

    async def RecordPeerScore(
        self, request: ap.RecordPeerScoreRequest, context: Ctx
    ) -> ap.Appraisal:
        return c.appraisal_out(
            await appraisals.record_peer_score(
                self._deps,
                request.employee_code,
                c.month(request.month),
                c.decimal(request.score, "score"),
            )
        )

    async def ComputeKpiScore(
        self, request: ap.ComputeKpiScoreRequest, context: Ctx
    ) -> ap.Appraisal:
        return c.appraisal_out(
            await appraisals.compute_kpi_score(
                self._deps, request.employee_code, c.month(request.month)
            )
        )

    async def SubmitAppraisal(
        self, request: ap.SubmitAppraisalRequest, context: Ctx
    ) -> ap.Appraisal:
        return c.appraisal_out(
            await appraisals.submit(self._deps, request.employee_code, c.month(request.month))
        )

    async def ReopenAppraisal(
        self, request: ap.ReopenAppraisalRequest, context: Ctx
    ) -> ap.Appraisal:
        return c.appraisal_out(
            await appraisals.reopen(self._deps, request.employee_code, c.month(request.month))
        )

    async def CloseAppraisal(self, request: ap.CloseAppraisalRequest, context: Ctx) -> ap.Appraisal:
        return c.appraisal_out(
            await appraisals.close(self._deps, request.employee_code, c.month(request.month))
        )

    async def ComputeAnnualAppraisal(
        self, request: ap.ComputeAnnualAppraisalRequest, context: Ctx
    ) -> ap.AnnualAppraisal:
        return _annual_out(
            await appraisals.compute_annual(self._deps, request.employee_code, request.year)
        )

    async def GetAnnualAppraisal(
        self, request: ap.GetAnnualAppraisalRequest, context: Ctx
    ) -> ap.AnnualAppraisal:
        return _annual_out(
            await appraisals.get_annual(self._deps, request.employee_code, request.year)
        )

    # ---- KPIs -------------------------------------------------------------------------------

    async def ListKpiDefinitions(
        self, request: kp.ListKpiDefinitionsRequest, context: Ctx
    ) -> kp.ListKpiDefinitionsResponse:
        return kp.ListKpiDefinitionsResponse(
            definitions=[
                kp.KpiDefinition(
                    kpi=d.kpi.value,
                    formula=d.formula,
                    direction=d.kpi.direction.value,
                    source=d.source.value,
                    default_target=c.text(d.default_target),
                )
                for d in KPI_DEFINITIONS.values()
            ],
            kpi_sets=[
                kp.KpiSet(
                    role=c.role_out(role),
                    weights_percent={
                        kpi.value: c.percent(weight) for kpi, weight in kpi_set.weights.items()
                    },
                )
                for role, kpi_set in DEFAULT_KPI_SETS.items()
            ],
        )

    async def GetEmployeeKpis(
        self, request: kp.GetEmployeeKpisRequest, context: Ctx
    ) -> kp.EmployeeKpis:
        month = c.month(request.month)
        result = await kpis.get_employee_kpis(self._deps, request.employee_code, month)
        return kp.EmployeeKpis(
            employee_code=request.employee_code,
            month=str(month),
            role=c.role_out(result.role),
            values=[
                kp.KpiValue(
                    kpi=r.kpi.value,
                    value=c.text(r.value),
                    target=c.text(r.target),
                    score=c.text(r.score),
                    weight_percent=c.percent(r.weight),
                    formula=KPI_DEFINITIONS[r.kpi].formula,
                    inputs=dict(r.inputs),
                )
                for r in result.results
            ],
            score=c.text(result.score.total if result.score else None),
            excluded=[k.value for k in result.score.excluded]
            if result.score
            else [r.kpi.value for r in result.results],
        )

    async def RecordKpiInput(self, request: kp.RecordKpiInputRequest, context: Ctx) -> kp.KpiInput:
        month = c.month(request.month)
        value = c.decimal(request.value, "value")
        by = await kpis.record_kpi_input(
            self._deps, request.employee_code, month, request.kpi, value
        )
        return kp.KpiInput(
            employee_code=request.employee_code,
            month=str(month),
            kpi=request.kpi,
            value=str(value),
            entered_by=by,
        )

    # ---- statements -------------------------------------------------------------------------

    async def ComputeStatements(
        self, request: st.ComputeStatementsRequest, context: Ctx
    ) -> st.ComputeStatementsResponse:
        rows = await statements.compute_statements(
            self._deps, c.month(request.month), request.employee_codes
        )
        return st.ComputeStatementsResponse(statements=[c.statement_out(r) for r in rows])

    async def GetStatement(self, request: st.GetStatementRequest, context: Ctx) -> st.Statement:
        return c.statement_out(
            await statements.get_statement(
                self._deps, request.employee_code, c.month(request.month), request.sequence
            )
        )

    async def ListStatements(
        self, request: st.ListStatementsRequest, context: Ctx
    ) -> st.ListStatementsResponse:
        position = decode_token(request.page_token, ("after",))
        size = page_size(request.page_size)
        after = (position["after"][0], int(position["after"][1])) if position else None
        rows, last = await statements.list_statements(
            self._deps, c.month(request.month), request.employee_code or None, after, size
        )
        return st.ListStatementsResponse(
            statements=[c.statement_out(r) for r in rows],
            next_page_token=encode_token({"after": list(last)}) if last else "",
        )

    async def ApproveStatement(
        self, request: st.ApproveStatementRequest, context: Ctx
    ) -> st.Statement:
        return c.statement_out(
            await statements.approve_statement(
                self._deps, request.employee_code, c.month(request.month), request.sequence
            )
        )

    async def CreateCorrection(
        self, request: st.CreateCorrectionRequest, context: Ctx
    ) -> st.Statement:
        return c.statement_out(
            await statements.create_correction(
                self._deps,
                request.employee_code,
                c.month(request.month),
                [(c.money_in(a.amount), a.reason) for a in request.adjustments],
            )
        )

    # ---- reports ----------------------------------------------------------------------------

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
                    base=c.money_out(g.record.base),
                    completion=g.record.completion,
                    rate=g.record.rate,
                    table_version=g.record.table_version or 0,
                    total=None if g.total_masked else c.money_out(g.record.amount),
                    masked=g.total_masked,
                    members=[
                        rp.GroupMemberShare(
                            employee_code=m.employee_code,
                            amount=c.money_out(m.amount),
                            masked=m.amount is None,
                        )
                        for m in g.members
                    ],
                )
                for g in groups
            ],
        )
