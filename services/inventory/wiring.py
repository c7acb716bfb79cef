"""Builds the inventory service from settings."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine
from storeops.inventory.v1 import inventory_service_pb2 as pb
from storeops.inventory.v1 import inventory_service_pb2_grpc as pb_grpc

from services.common.clock import utc_now
from services.common.config import Settings
from services.common.fastsql import FastSql
from services.common.outbox import EventFeed
from services.common.peers import connect_peers
from services.common.server import Wiring
from services.inventory.api.servicer import InventoryServicer
from services.inventory.db import tables
from services.inventory.db.unit_of_work import InventoryDatabase
from services.inventory.service.jobs import expiry_job
from services.inventory.service.low_stock import low_stock_job
from services.inventory.settings import load_inventory_settings

MIGRATIONS = Path(__file__).parent / "db" / "migrations"


async def wire(settings: Settings, engine: AsyncEngine) -> Wiring:
    peers = connect_peers(settings)
    inventory = load_inventory_settings(settings)
    # ReserveStock/ReleaseReservation statements run on psycopg directly (services.common.fastsql).
    fast = FastSql(settings.database_url, settings.db_pool_size, name="inventory")
    await fast.open()
    db = InventoryDatabase(engine, fast)
    servicer = InventoryServicer(db, inventory, EventFeed(engine, tables.outbox_events), utc_now)
    return Wiring(
        services=[pb.DESCRIPTOR.services_by_name["InventoryService"]],
        register=lambda server: pb_grpc.add_InventoryServiceServicer_to_server(servicer, server),
        key_source=peers.key_source,
        background=[expiry_job(db, inventory, utc_now), low_stock_job(db, inventory, utc_now)],
        close=[peers.close, fast.close],
    )
