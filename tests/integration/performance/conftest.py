"""Performance on real PostgreSQL: a fresh migrated database, feeds fed by hand, a fixed clock."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from services.common.context import Principal, principal_var
from services.common.feeds import FeedConsumer
from services.common.permissions import PermissionSet
from services.performance.db import tables
from services.performance.db.unit_of_work import PerformanceDatabase
from services.performance.service.commission import ensure_seed_tables
from services.performance.service.context import Deps
from services.performance.service.ingestion import FactIngestion
from services.performance.settings import PerformanceSettings
from tests.integration.performance.events import Feed
from tests.support.postgres import TestServer

pytestmark = pytest.mark.integration


class Clock:
    def __init__(self, now: datetime) -> None:
        self.current = now

    def __call__(self) -> datetime:
        return self.current

    def set(self, text: str) -> None:
        """`2026-04-05 10:00` in Shanghai time."""
        from tests.integration.performance.events import at

        self.current = at(text).astimezone(UTC)


@contextmanager
def acting_as(
    subject: str, permissions: tuple[str, ...] = ("*",), kind: str = "employee"
) -> Iterator[None]:
    token = principal_var.set(Principal(subject, kind, (), PermissionSet(permissions), "", 0, 0))
    try:
        yield
    finally:
        principal_var.reset(token)


async def consume(engine: AsyncEngine, feeds: dict[str, Feed], page_size: int = 3) -> None:
    """Drain every feed through the real FeedConsumer (small pages: many transactions)."""
    ingestion = FactIngestion(PerformanceSettings().timezone)
    for name, feed in feeds.items():
        consumer = FeedConsumer(
            name,
            engine,
            tables.feed_cursors,
            feed.fetch,
            ingestion.apply_for(name),
            page_size=page_size,
            apply_page=ingestion.apply_page_for(name),
        )
        while await consumer.run_once():
            pass


async def new_deps(pg_server: TestServer) -> tuple[Deps, Clock]:
    engine = create_async_engine(pg_server.database("performance"))
    clock = Clock(datetime(2026, 2, 20, 2, 0, tzinfo=UTC))
    deps = Deps(PerformanceDatabase(engine), PerformanceSettings(), clock)
    await ensure_seed_tables(deps)
    return deps, clock


@pytest.fixture
async def fresh(pg_server: TestServer) -> AsyncIterator[tuple[Deps, Clock]]:
    deps, clock = await new_deps(pg_server)
    yield deps, clock
    await deps.db.engine.dispose()
