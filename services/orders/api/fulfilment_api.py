"""OrderService RPCs of the warehouse: review batches, pick lists, steps, waves."""

from __future__ import annotations

import grpc
from storeops.orders.v1 import fulfilment_pb2 as fp
from storeops.orders.v1 import resources_pb2

from services.orders.api import convert
from services.orders.api.base import ApiBase
from services.orders.service import fulfilment, order_actions


class FulfilmentApi(ApiBase):
    async def CreateReviewBatch(
        self, request: fp.CreateReviewBatchRequest, context: grpc.aio.ServicerContext
    ) -> fp.ReviewBatch:
        batch = await fulfilment.create_review_batch(
            self._ctx, request.batch_id, list(request.order_ids)
        )
        return convert.review_batch(batch)

    async def GetReviewBatch(
        self, request: fp.GetReviewBatchRequest, context: grpc.aio.ServicerContext
    ) -> fp.ReviewBatch:
        return convert.review_batch(await fulfilment.get_review_batch(self._ctx, request.batch_id))

    async def ReviewOrder(
        self, request: fp.ReviewOrderRequest, context: grpc.aio.ServicerContext
    ) -> resources_pb2.Order:
        order = await order_actions.review_order(self._ctx, request.order_id, request.notes_checked)
        return self._order(order)

    async def GetOrderPickList(
        self, request: fp.GetOrderPickListRequest, context: grpc.aio.ServicerContext
    ) -> fp.PickList:
        return convert.order_pick_list(
            await fulfilment.order_pick_list(self._ctx, request.order_id)
        )

    async def GetBatchPickList(
        self, request: fp.GetBatchPickListRequest, context: grpc.aio.ServicerContext
    ) -> fp.PickList:
        picks, skipped = await fulfilment.batch_pick_list(self._ctx, request.batch_id)
        if picks is None:
            return convert.batch_pick_list(request.batch_id, (), (), skipped)
        return convert.batch_pick_list(request.batch_id, picks.items, picks.orders, skipped)

    async def PickOrder(
        self, request: fp.PickOrderRequest, context: grpc.aio.ServicerContext
    ) -> resources_pb2.Order:
        return self._order(await order_actions.pick_order(self._ctx, request.order_id))

    async def VerifyOrder(
        self, request: fp.VerifyOrderRequest, context: grpc.aio.ServicerContext
    ) -> fp.Verification:
        order, result = await order_actions.verify_order(
            self._ctx,
            request.order_id,
            {item.sku_code: item.quantity for item in request.scanned},
            request.label_reference or None,
        )
        return convert.verification(result, self._order(order))

    async def PackOrder(
        self, request: fp.PackOrderRequest, context: grpc.aio.ServicerContext
    ) -> resources_pb2.Order:
        return self._order(await order_actions.pack_order(self._ctx, request.order_id))

    async def WeighOrder(
        self, request: fp.WeighOrderRequest, context: grpc.aio.ServicerContext
    ) -> resources_pb2.Order:
        order = await order_actions.weigh_order(self._ctx, request.order_id, request.weight_grams)
        return self._order(order)

    async def ListWaves(
        self, request: fp.ListWavesRequest, context: grpc.aio.ServicerContext
    ) -> fp.ListWavesResponse:
        reports = await fulfilment.waves_of(self._ctx, request.wave_date)
        return fp.ListWavesResponse(waves=[convert.wave(r, with_orders=False) for r in reports])

    async def GetWave(
        self, request: fp.GetWaveRequest, context: grpc.aio.ServicerContext
    ) -> fp.Wave:
        return convert.wave(await fulfilment.get_wave(self._ctx, request.wave_id), with_orders=True)
