"""TargetRpcs: Monthly targets."""

from __future__ import annotations

from storeops.performance.v1 import targets_pb2 as tg

from services.common.paging import composite_key, decode_token, encode_token, page_size
from services.common.proto_convert import from_money
from services.performance.api import convert as c
from services.performance.api.base import Base, Ctx
from services.performance.service import (
    targets,
)


class TargetRpcs(Base):
    async def UpsertTarget(self, request: tg.UpsertTargetRequest, context: Ctx) -> tg.Target:
        record = await targets.upsert_target(
            self._deps,
            c.scope_in(request.scope),
            request.subject_code,
            c.month(request.month),
            from_money(request.amount),
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
        position = decode_token(request.page_token, {"after": list})
        size = page_size(request.page_size)
        after = composite_key(position, "after", str, str)
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
