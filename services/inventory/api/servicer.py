"""InventoryService: protobuf ↔ use cases, nothing else (one part per area, see the mixins)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from storeops.inventory.v1 import inventory_service_pb2_grpc as pb_grpc

from services.common.clock import utc_now
from services.common.outbox import EventFeed
from services.inventory.api.catalogue import CatalogueApi
from services.inventory.api.operations import OperationsApi
from services.inventory.api.receiving import ReceivingApi
from services.inventory.api.stock import StockApi
from services.inventory.db.unit_of_work import InventoryDatabase
from services.inventory.settings import InventorySettings


class InventoryServicer(
    CatalogueApi, ReceivingApi, StockApi, OperationsApi, pb_grpc.InventoryServiceServicer
):
    def __init__(
        self,
        db: InventoryDatabase,
        settings: InventorySettings,
        feed: EventFeed,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._db = db
        self._settings = settings
        self._feed = feed
        self._clock = clock
