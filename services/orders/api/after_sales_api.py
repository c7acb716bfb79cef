"""OrderService RPCs of after-sales: requests, goods, QC, approval, refunds, replacements."""

from __future__ import annotations

import grpc
from storeops.orders.v1 import after_sales_pb2 as asp

from services.common.money import Money
from services.common.paging import page_size
from services.orders.api import convert
from services.orders.api.base import ApiBase
from services.orders.api.paging import keyset_position, keyset_token, offset_page
from services.orders.db.after_sales_store import LoadedRequest
from services.orders.domain.after_sales import QcVerdict
from services.orders.domain.after_sales_rules import AfterSalesKind, ReturnReason
from services.orders.domain.returned_goods import UnitDisposition
from services.orders.service import after_sales


class AfterSalesApi(ApiBase):
    async def _render(self, loaded: LoadedRequest) -> asp.AfterSalesRequest:
        async with self._ctx.db.statements() as store:
            order = await store.get(loaded.request.order_id)
        return convert.after_sales(loaded, {line.line_no: line.sku_code for line in order.lines})

    async def OpenAfterSales(
        self, request: asp.OpenAfterSalesRequest, context: grpc.aio.ServicerContext
    ) -> asp.AfterSalesRequest:
        loaded = await after_sales.open_request(
            self._ctx,
            after_sales.OpenRequest(
                order_id=request.order_id,
                request_id=request.request_id,
                kind=AfterSalesKind(asp.AfterSalesRequest.Kind.Name(request.kind)),
                reason=ReturnReason(asp.AfterSalesRequest.Reason.Name(request.reason)),
                quantities={line.line_no: line.quantity for line in request.lines},
                description=request.description,
                handled_by=request.handled_by,
            ),
        )
        return await self._render(loaded)

    async def GetAfterSales(
        self, request: asp.GetAfterSalesRequest, context: grpc.aio.ServicerContext
    ) -> asp.AfterSalesRequest:
        async with self._ctx.db.unit_of_work() as uow:
            loaded = await uow.after_sales.get(request.request_id)
        return await self._render(loaded)

    async def ListAfterSales(
        self, request: asp.ListAfterSalesRequest, context: grpc.aio.ServicerContext
    ) -> asp.ListAfterSalesResponse:
        size = page_size(request.page_size)
        async with self._ctx.db.unit_of_work() as uow:
            rows = await uow.after_sales.page(
                order_id=request.order_id or None,
                status=asp.AfterSalesRequest.Status.Name(request.status)
                if request.status
                else None,
                handled_by=request.handled_by or None,
                before=keyset_position(request.page_token),
                limit=size + 1,
            )
            orders = await uow.orders.get_many(list({r.request.order_id for r in rows}))
        skus = {
            order_id: {line.line_no: line.sku_code for line in order.lines}
            for order_id, order in orders.items()
        }
        page = rows[:size]
        token = ""
        if len(rows) > size:
            token = keyset_token(page[-1].request.opened_at, page[-1].request.request_id)
        return asp.ListAfterSalesResponse(
            requests=[convert.after_sales(r, skus.get(r.request.order_id, {})) for r in page],
            next_page_token=token,
        )

    async def ReceiveAfterSalesGoods(
        self, request: asp.ReceiveAfterSalesGoodsRequest, context: grpc.aio.ServicerContext
    ) -> asp.AfterSalesRequest:
        loaded = await after_sales.receive_goods(
            self._ctx, request.request_id, {ln.line_no: ln.quantity for ln in request.lines}
        )
        return await self._render(loaded)

    async def InspectAfterSalesGoods(
        self, request: asp.InspectAfterSalesGoodsRequest, context: grpc.aio.ServicerContext
    ) -> asp.AfterSalesRequest:
        loaded = await after_sales.inspect_goods(
            self._ctx,
            request.request_id,
            QcVerdict(asp.QcInspection.Verdict.Name(request.verdict)),
            {d.line_no: UnitDisposition(d.sellable, d.defective) for d in request.dispositions},
            request.note,
        )
        return await self._render(loaded)

    async def ApproveAfterSales(
        self, request: asp.ApproveAfterSalesRequest, context: grpc.aio.ServicerContext
    ) -> asp.AfterSalesRequest:
        return await self._render(await after_sales.approve(self._ctx, request.request_id))

    async def RefundAfterSales(
        self, request: asp.RefundAfterSalesRequest, context: grpc.aio.ServicerContext
    ) -> asp.AfterSalesRequest:
        loaded = await after_sales.refund(
            self._ctx, request.request_id, request.refund_id, request.reason
        )
        return await self._render(loaded)

    async def ShipAfterSalesReplacement(
        self, request: asp.ShipAfterSalesReplacementRequest, context: grpc.aio.ServicerContext
    ) -> asp.AfterSalesRequest:
        loaded = await after_sales.ship_replacement(
            self._ctx,
            request.request_id,
            request.carrier,
            request.tracking_number,
            {i.sku_code: i.quantity for i in request.items} or None,
        )
        return await self._render(loaded)

    async def RejectAfterSales(
        self, request: asp.RejectAfterSalesRequest, context: grpc.aio.ServicerContext
    ) -> asp.AfterSalesRequest:
        loaded = await after_sales.reject(self._ctx, request.request_id, request.reason)
        return await self._render(loaded)

    async def CancelAfterSales(
        self, request: asp.CancelAfterSalesRequest, context: grpc.aio.ServicerContext
    ) -> asp.AfterSalesRequest:
        return await self._render(await after_sales.cancel(self._ctx, request.request_id))

    async def AssignAfterSalesHandler(
        self, request: asp.AssignAfterSalesHandlerRequest, context: grpc.aio.ServicerContext
    ) -> asp.AfterSalesRequest:
        loaded = await after_sales.assign_handler(self._ctx, request.request_id, request.handled_by)
        return await self._render(loaded)

    async def IssueRefund(
        self, request: asp.IssueRefundRequest, context: grpc.aio.ServicerContext
    ) -> asp.Refund:
        refund = await after_sales.issue_refund(
            self._ctx,
            request.order_id,
            request.refund_id,
            {
                line.line_no: Money(line.amount.amount_minor, line.amount.currency_code)
                for line in request.lines
            },
            request.reason,
            request.source,
        )
        return convert.refund(refund)

    async def ListRefunds(
        self, request: asp.ListRefundsRequest, context: grpc.aio.ServicerContext
    ) -> asp.ListRefundsResponse:
        refunds = await after_sales.list_refunds(self._ctx, request.order_id)
        page, token = offset_page(refunds, request.page_size, request.page_token)
        return asp.ListRefundsResponse(
            refunds=[convert.refund(r) for r in page], next_page_token=token
        )
