"""PerformanceService: protobuf ↔ use cases."""

from __future__ import annotations

import grpc
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from storeops.performance.v1 import performance_service_pb2 as pb
from storeops.performance.v1 import performance_service_pb2_grpc as pb_grpc

from services.performance.db import tables


class PerformanceServicer(pb_grpc.PerformanceServiceServicer):
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def ListFeedPositions(
        self, request: pb.ListFeedPositionsRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListFeedPositionsResponse:
        async with self._engine.connect() as connection:
            rows = await connection.execute(
                sa.select(tables.feed_cursors).order_by(tables.feed_cursors.c.feed)
            )
            return pb.ListFeedPositionsResponse(
                positions=[
                    pb.FeedPosition(feed=r.feed, cursor=r.cursor, events_applied=r.events_applied)
                    for r in rows
                ]
            )
