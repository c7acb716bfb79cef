"""OrderService RPCs of logistics exceptions, complaints and ratings."""

from __future__ import annotations

import grpc
from storeops.orders.v1 import cases_pb2 as cp

from services.common.paging import page_size
from services.orders.api import convert
from services.orders.api.base import ApiBase
from services.orders.api.paging import keyset_position, keyset_token
from services.orders.domain.complaints import ComplaintKind
from services.orders.domain.logistics import ExceptionKind, Resolution
from services.orders.service import cases


class CasesApi(ApiBase):
    # ------------------------------------------------------------------ logistics exceptions
    async def OpenLogisticsException(
        self, request: cp.OpenLogisticsExceptionRequest, context: grpc.aio.ServicerContext
    ) -> cp.LogisticsException:
        case = await cases.open_exception(
            self._ctx,
            request.order_id,
            request.exception_id,
            ExceptionKind(cp.LogisticsException.Kind.Name(request.kind)),
            request.description,
            request.tracking_number or None,
            request.handled_by,
        )
        return convert.logistics_exception(case)

    async def GetLogisticsException(
        self, request: cp.GetLogisticsExceptionRequest, context: grpc.aio.ServicerContext
    ) -> cp.LogisticsException:
        async with self._ctx.db.unit_of_work() as uow:
            case = await uow.cases.exception(request.exception_id)
        return convert.logistics_exception(case)

    async def ListLogisticsExceptions(
        self, request: cp.ListLogisticsExceptionsRequest, context: grpc.aio.ServicerContext
    ) -> cp.ListLogisticsExceptionsResponse:
        size = page_size(request.page_size)
        async with self._ctx.db.unit_of_work() as uow:
            rows = await uow.cases.exceptions(
                order_id=request.order_id or None,
                status=cp.LogisticsException.Status.Name(request.status)
                if request.status
                else None,
                before=keyset_position(request.page_token),
                limit=size + 1,
            )
        page = rows[:size]
        token = ""
        if len(rows) > size:
            token = keyset_token(page[-1].opened_at, page[-1].exception_id)
        return cp.ListLogisticsExceptionsResponse(
            exceptions=[convert.logistics_exception(c) for c in page], next_page_token=token
        )

    async def StartLogisticsException(
        self, request: cp.StartLogisticsExceptionRequest, context: grpc.aio.ServicerContext
    ) -> cp.LogisticsException:
        case = await cases.start_exception(self._ctx, request.exception_id)
        return convert.logistics_exception(case)

    async def NotifyExceptionCustomer(
        self, request: cp.NotifyExceptionCustomerRequest, context: grpc.aio.ServicerContext
    ) -> cp.LogisticsException:
        case = await cases.notify_customer(self._ctx, request.exception_id)
        return convert.logistics_exception(case)

    async def ResolveLogisticsException(
        self, request: cp.ResolveLogisticsExceptionRequest, context: grpc.aio.ServicerContext
    ) -> cp.LogisticsException:
        case = await cases.resolve_exception(
            self._ctx,
            request.exception_id,
            Resolution(cp.LogisticsException.Resolution.Name(request.resolution)),
            request.note,
        )
        return convert.logistics_exception(case)

    # ------------------------------------------------------------------ complaints
    async def OpenComplaint(
        self, request: cp.OpenComplaintRequest, context: grpc.aio.ServicerContext
    ) -> cp.Complaint:
        case = await cases.open_new_complaint(
            self._ctx,
            request.complaint_id,
            ComplaintKind(cp.Complaint.Kind.Name(request.kind)),
            request.description,
            request.order_id or None,
            request.handled_by,
        )
        return convert.complaint(case)

    async def GetComplaint(
        self, request: cp.GetComplaintRequest, context: grpc.aio.ServicerContext
    ) -> cp.Complaint:
        async with self._ctx.db.unit_of_work() as uow:
            case = await uow.cases.complaint(request.complaint_id)
        return convert.complaint(case)

    async def ListComplaints(
        self, request: cp.ListComplaintsRequest, context: grpc.aio.ServicerContext
    ) -> cp.ListComplaintsResponse:
        size = page_size(request.page_size)
        async with self._ctx.db.unit_of_work() as uow:
            rows = await uow.cases.complaints(
                order_id=request.order_id or None,
                status=cp.Complaint.Status.Name(request.status) if request.status else None,
                handled_by=request.handled_by or None,
                before=keyset_position(request.page_token),
                limit=size + 1,
            )
        page = rows[:size]
        token = ""
        if len(rows) > size:
            token = keyset_token(page[-1].opened_at, page[-1].complaint_id)
        return cp.ListComplaintsResponse(
            complaints=[convert.complaint(c) for c in page], next_page_token=token
        )

    async def StartComplaint(
        self, request: cp.StartComplaintRequest, context: grpc.aio.ServicerContext
    ) -> cp.Complaint:
        case = await cases.change_complaint(
            self._ctx, request.complaint_id, lambda c, now, who: c.start_work(now, who)
        )
        return convert.complaint(case)

    async def ResolveComplaint(
        self, request: cp.ResolveComplaintRequest, context: grpc.aio.ServicerContext
    ) -> cp.Complaint:
        case = await cases.change_complaint(
            self._ctx,
            request.complaint_id,
            lambda c, now, who: c.resolve(request.resolution, now, who),
        )
        return convert.complaint(case)

    async def CloseComplaint(
        self, request: cp.CloseComplaintRequest, context: grpc.aio.ServicerContext
    ) -> cp.Complaint:
        case = await cases.change_complaint(
            self._ctx,
            request.complaint_id,
            lambda c, now, who: c.close(request.resolution, now, who),
        )
        return convert.complaint(case)

    async def AssignComplaintHandler(
        self, request: cp.AssignComplaintHandlerRequest, context: grpc.aio.ServicerContext
    ) -> cp.Complaint:
        case = await cases.change_complaint(
            self._ctx, request.complaint_id, cases.assign_complaint(request.handled_by)
        )
        return convert.complaint(case)

    # ------------------------------------------------------------------ ratings
    async def RecordOrderRating(
        self, request: cp.RecordOrderRatingRequest, context: grpc.aio.ServicerContext
    ) -> cp.OrderRating:
        review, handler = await cases.rate_order(
            self._ctx, request.order_id, request.rating, request.comment
        )
        return convert.rating(review, handler)

    async def GetOrderRating(
        self, request: cp.GetOrderRatingRequest, context: grpc.aio.ServicerContext
    ) -> cp.OrderRating:
        review, handler = await cases.get_rating(self._ctx, request.order_id)
        return convert.rating(review, handler)
