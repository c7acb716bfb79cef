"""KpiRpcs: KPI definitions, values and manual inputs."""

from __future__ import annotations

from storeops.performance.v1 import kpis_pb2 as kp

from services.performance.api import convert as c
from services.performance.api.base import Base, Ctx
from services.performance.domain.kpi_scoring import DEFAULT_KPI_SETS
from services.performance.domain.kpi_values import KPI_DEFINITIONS
from services.performance.service import (
    kpis,
)


class KpiRpcs(Base):
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
