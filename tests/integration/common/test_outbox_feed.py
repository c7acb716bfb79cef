"""The outbox and event feed on real PostgreSQL: commit order, rollback, consumers."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from storeops.common.v1 import events_pb2, money_pb2

from services.common.db import UnitOfWork
from services.common.feeds import FeedConsumer, feed_cursors_table, list_events
from services.common.outbox import START, EventFeed, OutboxWriter, outbox_table
from tests.support.postgres import TestServer

pytestmark = pytest.mark.integration

metadata = sa.MetaData()
outbox = outbox_table(metadata)
cursors = feed_cursors_table(metadata)


@pytest.fixture(scope="module")
async def engine(pg_server: TestServer) -> AsyncIterator[AsyncEngine]:
    # The performance database has both an outbox and a feed_cursors table.
    engine = create_async_engine(pg_server.database("performance"))
    yield engine
    await engine.dispose()


def money(amount: int) -> money_pb2.Money:
    return money_pb2.Money(currency_code="CNY", amount_minor=amount)


async def test_events_are_written_only_when_the_unit_of_work_commits(engine: AsyncEngine) -> None:
    writer = OutboxWriter(outbox)
    feed = EventFeed(engine, outbox)
    before = len(await feed.read(START, 1000))
    async with UnitOfWork(engine, writer) as uow:
        uow.publish("rolled-back", money(1))
    async with UnitOfWork(engine, writer) as uow:
        uow.publish("kept", money(2))
        await uow.commit()
    events = await feed.read(START, 1000)
    assert len(events) == before + 1
    assert events[-1].key == "kept"
    assert events[-1].type == "storeops.common.v1.Money"


async def test_a_late_commit_is_never_skipped_by_a_cursor(engine: AsyncEngine) -> None:
    feed = EventFeed(engine, outbox)
    start = (await feed.read(START, 10_000))[-1].cursor if await feed.read(START, 1) else START
    slow: AsyncConnection = await engine.connect()
    await slow.begin()
    await slow.execute(outbox.insert(), {"type": "t", "key": "slow", "payload": b"1"})
    async with engine.begin() as fast:
        await fast.execute(outbox.insert(), {"type": "t", "key": "fast", "payload": b"2"})
    # `fast` committed first, but `slow` began first: neither is served while `slow` is open,
    # so no consumer can move past `slow`'s position.
    assert [e.key for e in await feed.read(start, 100)] == []
    await slow.commit()
    await slow.close()
    assert [e.key for e in await feed.read(start, 100)] == ["slow", "fast"]


async def test_list_events_pages_with_next_cursor(engine: AsyncEngine) -> None:
    feed = EventFeed(engine, outbox)
    async with engine.begin() as connection:
        await connection.execute(
            outbox.insert(), [{"type": "t", "key": f"k{i}", "payload": b"x"} for i in range(5)]
        )
    first = await list_events(feed, "", 2, _Page)
    assert len(first.events) == 2
    second = await list_events(feed, first.next_cursor, 2, _Page)
    assert second.events[0].cursor != first.events[-1].cursor
    last = await list_events(feed, "", 1000, _Page)
    empty = await list_events(feed, last.next_cursor, 10, _Page)
    assert empty.events == []
    assert empty.next_cursor == last.next_cursor


class _Page:
    def __init__(self, events: list[events_pb2.Event], next_cursor: str) -> None:
        self.events = events
        self.next_cursor = next_cursor


async def test_consumer_applies_each_event_once_and_survives_a_failed_page(
    engine: AsyncEngine,
) -> None:
    source = [events_pb2.Event(cursor=f"0-{i}", type="t", key=f"e{i}") for i in range(1, 6)]
    applied: list[str] = []
    fail_once = {"e3"}

    async def fetch(after: str, size: int) -> tuple[list[events_pb2.Event], str]:
        start = int(after.split("-")[1]) if after else 0
        page = [e for e in source if int(e.cursor.split("-")[1]) > start][:size]
        return page, page[-1].cursor if page else after

    async def apply(connection: AsyncConnection, event: events_pb2.Event) -> None:
        if event.key in fail_once:
            fail_once.discard(event.key)
            raise RuntimeError("boom")
        applied.append(event.key)

    consumer = FeedConsumer("test-feed", engine, cursors, fetch, apply, page_size=2)
    assert await consumer.run_once() == 2
    with pytest.raises(RuntimeError):
        await consumer.run_once()  # e3 fails: the page (e3, e4) is not applied, cursor stays
    assert await consumer.position() == "0-2"
    applied_before_retry = list(applied)
    assert await consumer.run_once() == 2
    assert await consumer.run_once() == 1
    assert await consumer.run_once() == 0
    assert applied_before_retry == ["e1", "e2"]
    assert applied == ["e1", "e2", "e3", "e4", "e5"]
    assert await consumer.position() == "0-5"
