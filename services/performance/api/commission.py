"""CommissionRpcs: Commission tables, share weights, misconduct findings."""

from __future__ import annotations

from storeops.performance.v1 import commission_pb2 as cm

from services.common.errors import InvalidArgument
from services.common.paging import decode_token, encode_token, page_size
from services.common.proto_convert import optional_date, parse_date
from services.performance.api import convert as c
from services.performance.api.base import Base, Ctx
from services.performance.service import (
    commission,
)


class CommissionRpcs(Base):
    async def CreateCommissionTable(
        self, request: cm.CreateCommissionTableRequest, context: Ctx
    ) -> cm.CommissionTable:
        stored = await commission.create_table(
            self._deps,
            c.group_in(request.group),
            request.version,
            parse_date(request.effective_from, "effective_from"),
            optional_date(request.effective_to, "effective_to"),
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
        position = decode_token(request.page_token, {"after": int})
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
                parse_date(request.effective_to, "effective_to"),
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
        found_on = parse_date(request.found_on, "found_on")
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
