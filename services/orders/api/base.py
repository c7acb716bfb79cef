"""What every part of the OrderService servicer shares."""

from __future__ import annotations

from storeops.orders.v1 import resources_pb2

from services.common.outbox import EventFeed
from services.orders.api import convert
from services.orders.domain.order import Order
from services.orders.service.context import OrdersContext


class ApiBase:
    """Holds the use-case context; renders orders (contact data masked unless `reveal`)."""

    def __init__(self, ctx: OrdersContext, feed: EventFeed) -> None:
        self._ctx = ctx
        self._feed = feed

    def _order(self, order: Order, reveal: bool = False) -> resources_pb2.Order:
        return convert.order(
            order, reveal=reveal, waves=self._ctx.settings.waves, now=self._ctx.clock()
        )
