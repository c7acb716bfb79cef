"""Builds the performance service from settings: servicer, seed tables, the three feed
consumers (background jobs) and the peers they read from."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine
from storeops.common.v1 import events_pb2
from storeops.inventory.v1 import inventory_service_pb2 as inventory_pb
from storeops.inventory.v1 import inventory_service_pb2_grpc as inventory_grpc
from storeops.orders.v1 import orders_service_pb2 as orders_pb
from storeops.orders.v1 import orders_service_pb2_grpc as orders_grpc
from storeops.people.v1 import people_service_pb2 as people_pb
from storeops.people.v1 import people_service_pb2_grpc as people_grpc
from storeops.performance.v1 import performance_service_pb2 as pb
from storeops.performance.v1 import performance_service_pb2_grpc as pb_grpc

from services.common.config import Settings
from services.common.feeds import FeedConsumer, FetchPage
from services.common.peers import Peers, connect_peers
from services.common.server import Wiring
from services.performance.api.servicer import PerformanceServicer
from services.performance.db import tables
from services.performance.db.unit_of_work import PerformanceDatabase
from services.performance.service.commission import ensure_seed_tables
from services.performance.service.context import Deps
from services.performance.service.ingestion import FactIngestion
from services.performance.settings import PerformanceSettings, load_performance_settings

MIGRATIONS = Path(__file__).parent / "db" / "migrations"

ListEvents = Callable[..., Awaitable[Any]]


def _fetcher(
    peers: Peers, list_events: Callable[[], ListEvents], request_type: Callable[..., Any]
) -> FetchPage:
    async def fetch(after: str, size: int) -> tuple[Sequence[events_pb2.Event], str]:
        response = await list_events()(
            request_type(after=after, page_size=size), **await peers.call_options().kwargs()
        )
        return list(response.events), str(response.next_cursor)

    return fetch


def feed_fetchers(settings: Settings, peers: Peers) -> dict[str, FetchPage]:
    """ListEvents of people, orders and inventory, called with this service's own account."""
    people = people_grpc.PeopleServiceStub(peers.people)
    orders = orders_grpc.OrderServiceStub(peers.channel(settings.orders_address))
    inventory = inventory_grpc.InventoryServiceStub(peers.channel(settings.inventory_address))
    return {
        "people": _fetcher(peers, lambda: people.ListEvents, people_pb.ListEventsRequest),
        "orders": _fetcher(peers, lambda: orders.ListEvents, orders_pb.ListEventsRequest),
        "inventory": _fetcher(peers, lambda: inventory.ListEvents, inventory_pb.ListEventsRequest),
    }


def consumers(
    engine: AsyncEngine, fetchers: dict[str, FetchPage], settings: PerformanceSettings
) -> list[FeedConsumer]:
    ingestion = FactIngestion(settings.timezone, settings.ship_cutoff)
    return [
        FeedConsumer(
            feed,
            engine,
            tables.feed_cursors,
            fetch,
            ingestion.apply_for(feed),
            page_size=settings.feed_page_size,
            idle_seconds=settings.feed_idle_seconds,
            apply_page=ingestion.apply_page_for(feed),
        )
        for feed, fetch in fetchers.items()
    ]


async def wire(settings: Settings, engine: AsyncEngine) -> Wiring:
    peers = connect_peers(settings)
    own = load_performance_settings(settings)
    deps = Deps(PerformanceDatabase(engine), own)
    await ensure_seed_tables(deps)
    servicer = PerformanceServicer(deps)
    background = []
    if own.consume_feeds:
        background = [
            consumer.run for consumer in consumers(engine, feed_fetchers(settings, peers), own)
        ]
    return Wiring(
        services=[pb.DESCRIPTOR.services_by_name["PerformanceService"]],
        register=lambda server: pb_grpc.add_PerformanceServiceServicer_to_server(servicer, server),
        key_source=peers.key_source,
        background=list(background),
        close=[peers.close],
    )
