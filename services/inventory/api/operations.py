"""Servicer part: transfers, cycle counts, photo samples, customer holds, replenishment."""

from __future__ import annotations

import grpc
from storeops.inventory.v1 import loans_pb2 as loans
from storeops.inventory.v1 import movements_pb2 as mov
from storeops.inventory.v1 import planning_pb2 as plan

from services.common.proto_convert import enum_filter, parse_date
from services.inventory.api import convert
from services.inventory.api.base import ServicerBase
from services.inventory.domain.abc_classes import AbcClass
from services.inventory.domain.cycle_counts import CountEntry
from services.inventory.domain.stock_lines import SkuQuantity
from services.inventory.service import counts, planning, transfers
from services.inventory.service import loans as loan_cases
from services.inventory.service.caller import Caller


class OperationsApi(ServicerBase):
    # ---- transfers ----

    async def CreateTransfer(
        self, request: mov.CreateTransferRequest, context: grpc.aio.ServicerContext
    ) -> mov.Transfer:
        stored = await transfers.create_transfer(
            self._db,
            transfers.CreateTransfer(
                request.transfer_id,
                request.source_warehouse_code,
                request.destination_warehouse_code,
                tuple(SkuQuantity(x.sku_code, x.quantity) for x in request.lines),
            ),
            Caller.current(),
            self._clock(),
        )
        return convert.transfer(stored)

    async def ShipTransfer(
        self, request: mov.ShipTransferRequest, context: grpc.aio.ServicerContext
    ) -> mov.Transfer:
        stored = await transfers.ship_transfer(
            self._db, request.transfer_id, Caller.current(), self._clock(), self._settings
        )
        return convert.transfer(stored)

    async def ReceiveTransfer(
        self, request: mov.ReceiveTransferRequest, context: grpc.aio.ServicerContext
    ) -> mov.Transfer:
        received = (
            [SkuQuantity(x.sku_code, x.quantity) for x in request.lines] if request.lines else None
        )
        stored = await transfers.receive_transfer(
            self._db, request.transfer_id, received, Caller.current(), self._clock(), self._settings
        )
        return convert.transfer(stored)

    async def CancelTransfer(
        self, request: mov.CancelTransferRequest, context: grpc.aio.ServicerContext
    ) -> mov.Transfer:
        stored = await transfers.cancel_transfer(
            self._db, request.transfer_id, request.reason, self._clock()
        )
        return convert.transfer(stored)

    async def GetTransfer(
        self, request: mov.GetTransferRequest, context: grpc.aio.ServicerContext
    ) -> mov.Transfer:
        return convert.transfer(await transfers.get_transfer(self._db, request.transfer_id))

    async def ListTransfers(
        self, request: mov.ListTransfersRequest, context: grpc.aio.ServicerContext
    ) -> mov.ListTransfersResponse:
        status = enum_filter(mov.Transfer.Status, request.status)
        page = await transfers.list_transfers(
            self._db, status, request.warehouse_code, request.page_size, request.page_token
        )
        return mov.ListTransfersResponse(
            transfers=[convert.transfer(x) for x in page.items],
            next_page_token=page.next_page_token,
        )

    # ---- cycle counts ----

    async def CreateCountSheet(
        self, request: mov.CreateCountSheetRequest, context: grpc.aio.ServicerContext
    ) -> mov.CountSheet:
        stored = await counts.create_count_sheet(
            self._db,
            counts.PlanCount(
                request.sheet_id,
                request.warehouse_code,
                tuple(request.bin_codes),
                tuple(AbcClass(c) for c in request.abc_classes),
            ),
            Caller.current(),
            self._clock(),
        )
        return convert.count_sheet(stored, counts.status_of(stored.sheet))

    async def RecordCounts(
        self, request: mov.RecordCountsRequest, context: grpc.aio.ServicerContext
    ) -> mov.CountSheet:
        stored = await counts.record_counts(
            self._db,
            request.sheet_id,
            [CountEntry(e.sku_code, e.bin_code, e.counted, e.damaged) for e in request.entries],
            Caller.current(),
        )
        return convert.count_sheet(stored, counts.status_of(stored.sheet))

    async def PostCountSheet(
        self, request: mov.PostCountSheetRequest, context: grpc.aio.ServicerContext
    ) -> mov.CountSheet:
        stored = await counts.post_count_sheet(
            self._db,
            request.sheet_id,
            {(r.sku_code, r.bin_code): r.reason for r in request.reasons},
            Caller.current(),
            self._clock(),
            self._settings,
        )
        return convert.count_sheet(stored, counts.status_of(stored.sheet))

    async def GetCountSheet(
        self, request: mov.GetCountSheetRequest, context: grpc.aio.ServicerContext
    ) -> mov.CountSheet:
        stored = await counts.get_count_sheet(self._db, request.sheet_id)
        return convert.count_sheet(stored, counts.status_of(stored.sheet))

    async def ListCountSheets(
        self, request: mov.ListCountSheetsRequest, context: grpc.aio.ServicerContext
    ) -> mov.ListCountSheetsResponse:
        status = enum_filter(mov.CountSheet.Status, request.status)
        page = await counts.list_count_sheets(
            self._db, request.warehouse_code, status, request.page_size, request.page_token
        )
        return mov.ListCountSheetsResponse(
            count_sheets=[convert.count_sheet(x, counts.status_of(x.sheet)) for x in page.items],
            next_page_token=page.next_page_token,
        )

    # ---- photo samples ----

    async def LendSamples(
        self, request: loans.LendSamplesRequest, context: grpc.aio.ServicerContext
    ) -> loans.SampleLoan:
        now = self._clock()
        loan = await loan_cases.lend_samples(
            self._db,
            loan_cases.LendSamples(
                request.document_id,
                request.borrower_id,
                request.warehouse_code,
                request.sku_code,
                request.quantity,
            ),
            Caller.current(),
            now,
            self._settings,
        )
        return convert.sample_loan(loan, self._settings.business_date(now))

    async def ExtendSampleLoan(
        self, request: loans.ExtendSampleLoanRequest, context: grpc.aio.ServicerContext
    ) -> loans.SampleLoan:
        now = self._clock()
        loan = await loan_cases.extend_sample_loan(
            self._db, request.document_id, now, self._settings
        )
        return convert.sample_loan(loan, self._settings.business_date(now))

    async def ReturnSamples(
        self, request: loans.ReturnSamplesRequest, context: grpc.aio.ServicerContext
    ) -> loans.SampleLoan:
        now = self._clock()
        loan = await loan_cases.return_samples(
            self._db, request.document_id, Caller.current(), now, self._settings
        )
        return convert.sample_loan(loan, self._settings.business_date(now))

    async def ReclaimSamples(
        self, request: loans.ReclaimSamplesRequest, context: grpc.aio.ServicerContext
    ) -> loans.SampleLoan:
        now = self._clock()
        loan = await loan_cases.return_samples(
            self._db, request.document_id, Caller.current(), now, self._settings, reclaim=True
        )
        return convert.sample_loan(loan, self._settings.business_date(now))

    async def ListSampleLoans(
        self, request: loans.ListSampleLoansRequest, context: grpc.aio.ServicerContext
    ) -> loans.ListSampleLoansResponse:
        now = self._clock()
        status = enum_filter(loans.SampleLoan.Status, request.status)
        page = await loan_cases.list_sample_loans(
            self._db,
            status,
            request.overdue_only,
            now,
            self._settings,
            request.page_size,
            request.page_token,
        )
        today = self._settings.business_date(now)
        return loans.ListSampleLoansResponse(
            sample_loans=[convert.sample_loan(x, today) for x in page.items],
            next_page_token=page.next_page_token,
        )

    # ---- customer holds ----

    async def CreateHold(
        self, request: loans.CreateHoldRequest, context: grpc.aio.ServicerContext
    ) -> loans.CustomerHold:
        hold = await loan_cases.create_hold(
            self._db,
            loan_cases.CreateHold(
                request.hold_id,
                request.customer_ref,
                request.sku_code,
                request.warehouse_code,
                request.quantity,
            ),
            Caller.current(),
            self._clock(),
            self._settings,
        )
        return convert.hold(hold, self._settings.holds)

    async def KeepHold(
        self, request: loans.KeepHoldRequest, context: grpc.aio.ServicerContext
    ) -> loans.CustomerHold:
        until = convert.timestamp(request.keep_until, "keep_until")
        assert until is not None  # required by the proto rules
        hold = await loan_cases.keep_hold(
            self._db, request.hold_id, until, self._clock(), self._settings
        )
        return convert.hold(hold, self._settings.holds)

    async def ReleaseHold(
        self, request: loans.ReleaseHoldRequest, context: grpc.aio.ServicerContext
    ) -> loans.CustomerHold:
        hold = await loan_cases.release_hold(
            self._db, request.hold_id, Caller.current(), self._clock(), self._settings
        )
        return convert.hold(hold, self._settings.holds)

    async def ListHolds(
        self, request: loans.ListHoldsRequest, context: grpc.aio.ServicerContext
    ) -> loans.ListHoldsResponse:
        status = enum_filter(loans.CustomerHold.Status, request.status)
        page = await loan_cases.list_holds(
            self._db, status, request.sku_code, request.page_size, request.page_token
        )
        return loans.ListHoldsResponse(
            holds=[convert.hold(x, self._settings.holds) for x in page.items],
            next_page_token=page.next_page_token,
        )

    # ---- replenishment and packaging ----

    async def GenerateReplenishmentPlan(
        self, request: plan.GenerateReplenishmentPlanRequest, context: grpc.aio.ServicerContext
    ) -> plan.ReplenishmentPlan:
        day = parse_date(request.plan_date, "plan_date") if request.plan_date else None
        stored = await planning.generate_plan(
            self._db, day, Caller.current(), self._clock(), self._settings
        )
        return convert.replenishment_plan(stored)

    async def ApproveReplenishmentPlan(
        self, request: plan.ApproveReplenishmentPlanRequest, context: grpc.aio.ServicerContext
    ) -> plan.ReplenishmentPlan:
        stored = await planning.decide_plan(
            self._db, request.plan_id, Caller.current(), self._clock(), approve=True
        )
        return convert.replenishment_plan(stored)

    async def RejectReplenishmentPlan(
        self, request: plan.RejectReplenishmentPlanRequest, context: grpc.aio.ServicerContext
    ) -> plan.ReplenishmentPlan:
        stored = await planning.decide_plan(
            self._db,
            request.plan_id,
            Caller.current(),
            self._clock(),
            approve=False,
            reason=request.reason,
        )
        return convert.replenishment_plan(stored)

    async def GetReplenishmentPlan(
        self, request: plan.GetReplenishmentPlanRequest, context: grpc.aio.ServicerContext
    ) -> plan.ReplenishmentPlan:
        return convert.replenishment_plan(await planning.get_plan(self._db, request.plan_id))

    async def ListReplenishmentPlans(
        self, request: plan.ListReplenishmentPlansRequest, context: grpc.aio.ServicerContext
    ) -> plan.ListReplenishmentPlansResponse:
        status = enum_filter(plan.ReplenishmentPlan.Status, request.status)
        page = await planning.list_plans(self._db, status, request.page_size, request.page_token)
        return plan.ListReplenishmentPlansResponse(
            replenishment_plans=[convert.replenishment_plan(x) for x in page.items],
            next_page_token=page.next_page_token,
        )

    async def ListPackagingAlerts(
        self, request: plan.ListPackagingAlertsRequest, context: grpc.aio.ServicerContext
    ) -> plan.ListPackagingAlertsResponse:
        promotions = [
            parse_date(text, f"promotion_dates[{i}]")
            for i, text in enumerate(request.promotion_dates)
        ]
        today, alerts = await planning.list_packaging_alerts(
            self._db, promotions, self._clock(), self._settings
        )
        return plan.ListPackagingAlertsResponse(
            alerts=[convert.packaging_alert(a) for a in alerts], as_of=today.isoformat()
        )
