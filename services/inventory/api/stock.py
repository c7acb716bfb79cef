"""Servicer part: reservations, the ledger, valuation, the event feed."""

from __future__ import annotations

import grpc
from storeops.inventory.v1 import inventory_service_pb2 as pb
from storeops.inventory.v1 import planning_pb2 as plan
from storeops.inventory.v1 import resources_pb2 as res

from services.common.feeds import list_events
from services.common.proto_convert import to_money, to_timestamp
from services.inventory.api import convert
from services.inventory.api.base import ServicerBase
from services.inventory.db.ledger import LedgerFilter
from services.inventory.domain.stock_lines import SkuQuantity
from services.inventory.service import ledger, reservations
from services.inventory.service.caller import Caller


class StockApi(ServicerBase):
    async def ReserveStock(
        self, request: pb.ReserveStockRequest, context: grpc.aio.ServicerContext
    ) -> res.Reservation:
        view = await reservations.reserve_stock(
            self._db,
            request.reservation_id,
            [SkuQuantity(x.sku_code, x.quantity) for x in request.lines],
            convert.timestamp(request.expire_time, "expire_time", request.HasField("expire_time")),
            Caller.current(),
            self._clock(),
            self._settings,
        )
        return convert.reservation(view)

    async def ReleaseReservation(
        self, request: pb.ReleaseReservationRequest, context: grpc.aio.ServicerContext
    ) -> res.Reservation:
        view = await reservations.release_reservation(
            self._db, request.reservation_id, Caller.current(), self._clock()
        )
        return convert.reservation(view)

    async def CommitReservation(
        self, request: pb.CommitReservationRequest, context: grpc.aio.ServicerContext
    ) -> res.Reservation:
        view = await reservations.commit_reservation(
            self._db, request.reservation_id, Caller.current(), self._clock()
        )
        return convert.reservation(view)

    async def GetReservation(
        self, request: pb.GetReservationRequest, context: grpc.aio.ServicerContext
    ) -> res.Reservation:
        return convert.reservation(
            await reservations.get_reservation(self._db, request.reservation_id)
        )

    async def ListLedgerEntries(
        self, request: pb.ListLedgerEntriesRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListLedgerEntriesResponse:
        page = await ledger.list_entries(
            self._db,
            LedgerFilter(
                sku_code=request.sku_code,
                document_id=request.document_id,
                document_type=request.document_type,
                warehouse_code=request.warehouse_code,
            ),
            request.page_size,
            request.page_token,
        )
        return pb.ListLedgerEntriesResponse(
            entries=[convert.ledger_entry(row) for row in page.items],
            next_page_token=page.next_page_token,
        )

    async def VerifyLedger(
        self, request: pb.VerifyLedgerRequest, context: grpc.aio.ServicerContext
    ) -> pb.LedgerVerification:
        result = await ledger.verify_ledger(
            self._db, request.sku_code, request.max_discrepancies, self._clock()
        )
        return convert.verification(result)

    async def ReverseLedgerEntry(
        self, request: pb.ReverseLedgerEntryRequest, context: grpc.aio.ServicerContext
    ) -> res.LedgerEntry:
        row = await ledger.reverse_entry(
            self._db, request.entry_id, request.reason, Caller.current(), self._clock()
        )
        return convert.ledger_entry(row)

    async def GetStockValue(
        self, request: plan.GetStockValueRequest, context: grpc.aio.ServicerContext
    ) -> plan.StockValue:
        as_of = (
            convert.timestamp(request.as_of, "as_of", request.HasField("as_of")) or self._clock()
        )
        totals, warehouses = await ledger.stock_value(self._db, as_of)
        return plan.StockValue(
            as_of=to_timestamp(as_of),
            totals=[to_money(m) for m in totals],
            warehouses=[convert.warehouse_value(w) for w in warehouses],
        )

    async def GetCostOfGoodsIssued(
        self, request: plan.GetCostOfGoodsIssuedRequest, context: grpc.aio.ServicerContext
    ) -> plan.CostOfGoodsIssued:
        start = convert.timestamp(request.start_time, "start_time")
        end = convert.timestamp(request.end_time, "end_time")
        assert start is not None  # required by the proto rules
        assert end is not None
        figures = await ledger.cost_of_goods_issued(self._db, start, end)
        return plan.CostOfGoodsIssued(
            start_time=request.start_time,
            end_time=request.end_time,
            figures=[convert.cost_figures(f) for f in figures],
        )

    async def ListEvents(
        self, request: pb.ListEventsRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListEventsResponse:
        return await list_events(
            self._feed, request.after, request.page_size, pb.ListEventsResponse
        )
