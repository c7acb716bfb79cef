"""AppraisalRpcs: Appraisal weights, monthly and annual appraisals."""

from __future__ import annotations

from storeops.performance.v1 import appraisals_pb2 as ap

from services.common.paging import decode_token, encode_token, page_size
from services.performance.api import convert as c
from services.performance.api.base import Base, Ctx
from services.performance.domain.annual_appraisal import AnnualAppraisal
from services.performance.service import (
    appraisals,
)


def _annual_out(annual: AnnualAppraisal) -> ap.AnnualAppraisal:
    return ap.AnnualAppraisal(
        employee_code=annual.employee_code,
        year=annual.year,
        score=str(annual.score),
        grade=annual.grade.value,
        months_counted=[str(m) for m in annual.months_counted],
        months_missing=[str(m) for m in annual.months_missing],
    )


class AppraisalRpcs(Base):
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
        calendar = self._deps.settings.appraisal_calendar
        return ap.AppraisalCycle(
            month=str(month),
            opens_on=str(calendar.opens_on(month)),
            closes_on=str(calendar.closes_on(month)),
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
        position = decode_token(request.page_token, {"after": str})
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
