"""StatementRpcs: Payroll statements."""

from __future__ import annotations

from storeops.performance.v1 import statements_pb2 as st

from services.common.paging import composite_key, decode_token, encode_token, page_size
from services.common.proto_convert import from_money
from services.performance.api import convert as c
from services.performance.api.base import Base, Ctx
from services.performance.service import (
    statements,
)


class StatementRpcs(Base):
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
        position = decode_token(request.page_token, {"after": list})
        size = page_size(request.page_size)
        after = composite_key(position, "after", str, int)
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
                [(from_money(a.amount), a.reason) for a in request.adjustments],
            )
        )
