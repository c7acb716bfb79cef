"""InventoryService: protobuf ↔ use cases, nothing else."""

from __future__ import annotations

import grpc
from storeops.inventory.v1 import inventory_service_pb2 as pb
from storeops.inventory.v1 import inventory_service_pb2_grpc as pb_grpc

from services.common.feeds import list_events
from services.common.outbox import EventFeed


class InventoryServicer(pb_grpc.InventoryServiceServicer):
    def __init__(self, feed: EventFeed) -> None:
        self._feed = feed

    async def ListEvents(
        self, request: pb.ListEventsRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListEventsResponse:
        return await list_events(
            self._feed, request.after, request.page_size, pb.ListEventsResponse
        )
