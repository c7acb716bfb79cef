"""Orders use cases on real PostgreSQL, with a stand-in inventory over real gRPC."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import grpc
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from services.common.context import Principal, principal_var
from services.common.permissions import PermissionSet
from services.orders.db.unit_of_work import OrdersDatabase
from services.orders.service.context import OrdersContext
from services.orders.service.inventory import GrpcInventory
from services.orders.service.settings import OrdersSettings
from tests.integration.orders.stand_in_inventory import RunningStandIn, start_stand_in
from tests.support.postgres import TestServer


class Clock:
    """The use cases' clock, moved by the test (the reconciler's grace and backoff use it)."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture(scope="module")
async def orders_engine(pg_server: TestServer) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(pg_server.database("orders"), pool_size=30, max_overflow=10)
    yield engine
    await engine.dispose()


@pytest.fixture
async def stand_in() -> AsyncIterator[RunningStandIn]:
    running = await start_stand_in()
    yield running
    await running.server.stop(0)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def ctx(
    orders_engine: AsyncEngine, stand_in: RunningStandIn, clock: Clock
) -> AsyncIterator[OrdersContext]:
    channel = grpc.aio.insecure_channel(stand_in.address)

    async def call_kwargs(timeout: float) -> dict[str, object]:
        return {"timeout": timeout}

    settings = OrdersSettings(reserve_grace=5.0, late_reserve_window=30.0)
    yield OrdersContext(
        OrdersDatabase(orders_engine), GrpcInventory(channel, call_kwargs, 2.0), settings, clock
    )
    await channel.close()


@contextlib.contextmanager
def acting_as(subject: str, *permissions: str) -> Iterator[None]:
    """Run use cases as an employee (the actor recorded, the permissions checked)."""
    token = principal_var.set(
        Principal(
            subject=subject,
            kind="employee",
            roles=("test",),
            permissions=PermissionSet(permissions or ("*",)),
            token_id="t",
            issued_at=0.0,
            expires_at=float("inf"),
        )
    )
    try:
        yield
    finally:
        principal_var.reset(token)
