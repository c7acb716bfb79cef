"""PerformanceService: protobuf ↔ use cases, nothing else (one mixin per area)."""

from __future__ import annotations

from storeops.performance.v1 import performance_service_pb2_grpc as pb_grpc

from services.performance.api.appraisals import AppraisalRpcs
from services.performance.api.commission import CommissionRpcs
from services.performance.api.facts import FactRpcs
from services.performance.api.kpis import KpiRpcs
from services.performance.api.reports import ReportRpcs
from services.performance.api.statements import StatementRpcs
from services.performance.api.targets import TargetRpcs


class PerformanceServicer(
    FactRpcs,
    TargetRpcs,
    CommissionRpcs,
    AppraisalRpcs,
    KpiRpcs,
    StatementRpcs,
    ReportRpcs,
    pb_grpc.PerformanceServiceServicer,
):
    """Every RPC of storeops.performance.v1.PerformanceService."""
