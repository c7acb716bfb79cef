"""Builds the orders service from settings: database, inventory client, servicer, background jobs
(the saga reconciler, the inventory feed consumer and the backorder allocator)."""

from __future__ import annotations

from pathlib import Path

import grpc
from sqlalchemy.ext.asyncio import AsyncEngine
from storeops.orders.v1 import orders_service_pb2 as pb
from storeops.orders.v1 import orders_service_pb2_grpc as pb_grpc

from services.common.clients import CHANNEL_OPTIONS
from services.common.config import Settings
from services.common.fastsql import FastSql
from services.common.feeds import FeedConsumer
from services.common.outbox import EventFeed
from services.common.peers import connect_peers
from services.common.server import Wiring
from services.orders.api.servicer import OrderServicer
from services.orders.db import tables
from services.orders.db.unit_of_work import OrdersDatabase
from services.orders.service.backorders import FEED_NAME, BackorderAllocator, wakeup_applier
from services.orders.service.context import OrdersContext
from services.orders.service.inventory import GrpcInventory
from services.orders.service.reconciler import Reconciler
from services.orders.service.settings import load_orders_settings

MIGRATIONS = Path(__file__).parent / "db" / "migrations"


async def wire(settings: Settings, engine: AsyncEngine) -> Wiring:
    peers = connect_peers(settings)
    orders_settings = load_orders_settings(settings)

    async def call_kwargs(timeout: float) -> dict[str, object]:
        return await peers.call_options().kwargs(timeout)

    # Own channel to inventory: reconnect quickly once it is back (gRPC's default backoff grows
    # to two minutes), so pending saga steps are finished within seconds of its return.
    channel = grpc.aio.insecure_channel(
        settings.inventory_address,
        options=[
            *CHANNEL_OPTIONS,
            ("grpc.initial_reconnect_backoff_ms", 500),
            ("grpc.min_reconnect_backoff_ms", 500),
            ("grpc.max_reconnect_backoff_ms", 3000),
        ],
    )
    inventory = GrpcInventory(channel, call_kwargs, orders_settings.inventory_timeout)
    # The PlaceOrder / saga statements run on psycopg directly (services.common.fastsql).
    fast = FastSql(settings.database_url, settings.db_pool_size, name="orders")
    await fast.open()
    ctx = OrdersContext(OrdersDatabase(engine, fast), inventory, orders_settings)
    servicer = OrderServicer(ctx, EventFeed(engine, tables.outbox_events))
    consumer = FeedConsumer(
        FEED_NAME,
        engine,
        tables.feed_cursors,
        inventory.events,
        wakeup_applier(ctx),
        page_size=orders_settings.feed_page_size,
        idle_seconds=orders_settings.feed_idle,
    )
    return Wiring(
        services=[pb.DESCRIPTOR.services_by_name["OrderService"]],
        register=lambda server: pb_grpc.add_OrderServiceServicer_to_server(servicer, server),
        key_source=peers.key_source,
        background=[Reconciler(ctx).run, consumer.run, BackorderAllocator(ctx).run],
        close=[peers.close, channel.close, fast.close],
    )
