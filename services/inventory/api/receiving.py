"""Servicer part: receipts, labels, supplier returns, customer returns."""

from __future__ import annotations

import grpc
from storeops.inventory.v1 import inventory_service_pb2 as pb
from storeops.inventory.v1 import receiving_pb2 as rcv
from storeops.inventory.v1 import resources_pb2 as res

from services.common.proto_convert import enum_filter
from services.inventory.api import convert
from services.inventory.api.base import ServicerBase
from services.inventory.domain.receipts import InspectionResult
from services.inventory.domain.roles import Role
from services.inventory.domain.stock_lines import SkuQuantity
from services.inventory.domain.supplier_returns import SupplierKind
from services.inventory.service import receiving, returns, supplier_returns
from services.inventory.service.caller import Caller


class ReceivingApi(ServicerBase):
    async def CreateReceipt(
        self, request: pb.CreateReceiptRequest, context: grpc.aio.ServicerContext
    ) -> res.Receipt:
        kind = (
            SupplierKind.SUNDRY
            if request.supplier_kind == res.Receipt.SUNDRY
            else SupplierKind.FACTORY
        )
        stored = await receiving.create_receipt(
            self._db,
            receiving.CreateReceipt(
                request.receipt_id,
                request.warehouse_code,
                request.supplier,
                tuple(SkuQuantity(x.sku_code, x.quantity) for x in request.lines),
                kind,
            ),
            Caller.current(),
            self._clock(),
        )
        return convert.receipt(stored)

    async def RecordInspection(
        self, request: pb.RecordInspectionRequest, context: grpc.aio.ServicerContext
    ) -> res.Receipt:
        stored = await receiving.record_inspection(
            self._db,
            request.receipt_id,
            [InspectionResult(x.sku_code, x.inspected, x.defective) for x in request.lines],
            Caller.current(),
            self._clock(),
            self._settings,
        )
        return convert.receipt(stored)

    async def SignReceipt(
        self, request: rcv.SignReceiptRequest, context: grpc.aio.ServicerContext
    ) -> res.Receipt:
        stored = await receiving.sign_receipt(
            self._db,
            request.receipt_id,
            Role(convert.signature_role(request.role)),
            Caller.current(),
            self._clock(),
        )
        return convert.receipt(stored)

    async def CompleteReceipt(
        self, request: pb.CompleteReceiptRequest, context: grpc.aio.ServicerContext
    ) -> res.Receipt:
        stored = await receiving.complete_receipt(
            self._db, request.receipt_id, Caller.current(), self._clock(), self._settings
        )
        return convert.receipt(stored)

    async def GetReceipt(
        self, request: rcv.GetReceiptRequest, context: grpc.aio.ServicerContext
    ) -> res.Receipt:
        return convert.receipt(await receiving.get_receipt(self._db, request.receipt_id))

    async def ListReceipts(
        self, request: rcv.ListReceiptsRequest, context: grpc.aio.ServicerContext
    ) -> rcv.ListReceiptsResponse:
        status = enum_filter(res.Receipt.Status, request.status)
        page = await receiving.list_receipts(
            self._db,
            status=status,
            warehouse_code=request.warehouse_code,
            supplier=request.supplier,
            page_size=request.page_size,
            page_token=request.page_token,
        )
        return rcv.ListReceiptsResponse(
            receipts=[convert.receipt(r) for r in page.items],
            next_page_token=page.next_page_token,
        )

    async def GetReceiptLabels(
        self, request: rcv.GetReceiptLabelsRequest, context: grpc.aio.ServicerContext
    ) -> rcv.ReceiptLabels:
        labels = await receiving.receipt_labels(self._db, request.receipt_id, self._settings)
        return convert.labels(request.receipt_id, labels)

    async def ListSupplierReturns(
        self, request: rcv.ListSupplierReturnsRequest, context: grpc.aio.ServicerContext
    ) -> rcv.ListSupplierReturnsResponse:
        which = supplier_returns.ReturnFilter.PENDING
        if request.filter != rcv.ListSupplierReturnsRequest.FILTER_UNSPECIFIED:
            which = supplier_returns.ReturnFilter(
                rcv.ListSupplierReturnsRequest.Filter.Name(request.filter)
            )
        page = await supplier_returns.list_supplier_returns(
            self._db,
            which,
            request.supplier,
            self._clock(),
            self._settings,
            request.page_size,
            request.page_token,
        )
        return rcv.ListSupplierReturnsResponse(
            supplier_returns=[convert.supplier_return(x) for x in page.items],
            next_page_token=page.next_page_token,
        )

    async def ClearSupplierReturn(
        self, request: rcv.ClearSupplierReturnRequest, context: grpc.aio.ServicerContext
    ) -> rcv.SupplierReturn:
        cleared = await supplier_returns.clear_supplier_return(
            self._db, request.return_id, Caller.current(), self._clock(), self._settings
        )
        return convert.supplier_return(cleared)

    async def GetSupplierReturnReport(
        self, request: rcv.GetSupplierReturnReportRequest, context: grpc.aio.ServicerContext
    ) -> rcv.SupplierReturnReport:
        report, stored = await supplier_returns.supplier_return_report(
            self._db, request.year, request.month
        )
        return rcv.SupplierReturnReport(
            year=report.year,
            month=report.month,
            as_of=report.as_of.isoformat(),
            suppliers=[
                rcv.SupplierReturnReport.SupplierPending(
                    supplier=group.supplier,
                    supplier_kind=str(group.supplier_kind),
                    units=group.units,
                    returns=[
                        convert.supplier_return(
                            supplier_returns.ListedReturn(
                                stored[line.supplier_return.return_id], line.overdue
                            )
                        )
                        for line in group.lines
                    ],
                )
                for group in report.suppliers
            ],
        )

    async def ReturnStock(
        self, request: rcv.ReturnStockRequest, context: grpc.aio.ServicerContext
    ) -> rcv.StockReturn:
        booked = await returns.return_stock(
            self._db,
            returns.ReturnStock(
                return_id=request.return_id,
                lines=tuple(
                    returns.ReturnLine(x.sku_code, x.quantity, x.sellable) for x in request.lines
                ),
                warehouse_code=request.warehouse_code,
                reservation_id=request.reservation_id,
                supplier=request.supplier,
                reason=request.reason,
            ),
            Caller.current(),
            self._clock(),
            self._settings,
        )
        return convert.stock_return(booked)
