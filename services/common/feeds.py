"""Event feeds: serving a service's outbox (ListEvents) and following another service's feed."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from storeops.common.v1 import events_pb2

from services.common.outbox import Cursor, EventFeed
from services.common.paging import page_size
from services.common.proto_convert import event_message

log = logging.getLogger(__name__)
R = TypeVar("R")


async def list_events(
    feed: EventFeed, after: str, requested_size: int, response_type: Callable[..., R]
) -> R:
    """One page of the feed after `after`, as the service's own ListEventsResponse message."""
    cursor = Cursor.decode(after, "after")
    stored = await feed.read(cursor, page_size(requested_size, default=100, maximum=1000))
    next_cursor = stored[-1].cursor.encode() if stored else after
    return response_type(events=[event_message(e) for e in stored], next_cursor=next_cursor)


# ---- consuming another service's feed --------------------------------------------------------

FetchPage = Callable[[str, int], Awaitable[tuple[Sequence[events_pb2.Event], str]]]
ApplyEvent = Callable[[AsyncConnection, events_pb2.Event], Awaitable[None]]
ApplyPage = Callable[[AsyncConnection, Sequence[events_pb2.Event]], Awaitable[None]]


def feed_cursors_table(metadata: sa.MetaData) -> sa.Table:
    """Where a consumer stands in each feed it reads (created by `create_feed_cursors_v1`)."""
    return sa.Table(
        "feed_cursors",
        metadata,
        sa.Column("feed", sa.Text, primary_key=True),
        sa.Column("cursor", sa.Text, nullable=False),
        sa.Column("events_applied", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
    )


class FeedConsumer:
    """Follows one feed: each page of events is applied and the cursor advanced in ONE
    transaction, so a crash at any point re-applies nothing and loses nothing; replaying from
    the start (cursor reset) reproduces the same state if `apply` is deterministic.

    `apply_page`, when given, is called once per page (same transaction) instead of `apply` per
    event: for a consumer that writes a page in fewer statements than one event at a time."""

    def __init__(
        self,
        feed: str,
        engine: AsyncEngine,
        cursors: sa.Table,
        fetch: FetchPage,
        apply: ApplyEvent,
        page_size: int = 200,
        idle_seconds: float = 1.0,
        apply_page: ApplyPage | None = None,
    ) -> None:
        self.feed = feed
        self._engine = engine
        self._cursors = cursors
        self._fetch = fetch
        self._apply = apply
        self._apply_page = apply_page
        self._page_size = page_size
        self._idle_seconds = idle_seconds

    async def position(self) -> str:
        async with self._engine.connect() as connection:
            row = await connection.execute(
                sa.select(self._cursors.c.cursor).where(self._cursors.c.feed == self.feed)
            )
            return row.scalar_one_or_none() or ""

    async def run_once(self) -> int:
        """Apply one page; returns how many events were applied."""
        after = await self.position()
        events, next_cursor = await self._fetch(after, self._page_size)
        if not events:
            return 0
        async with self._engine.begin() as connection:
            # Lock our cursor row: two replicas consuming the same feed apply each page once.
            current = await connection.execute(
                sa.select(self._cursors.c.cursor)
                .where(self._cursors.c.feed == self.feed)
                .with_for_update()
            )
            if (current.scalar_one_or_none() or "") != after:
                return 0  # another replica got here first; re-read next time
            if self._apply_page is not None:
                await self._apply_page(connection, events)
            else:
                for event in events:
                    await self._apply(connection, event)
            statement = pg_insert(self._cursors).values(
                feed=self.feed, cursor=next_cursor, events_applied=len(events)
            )
            await connection.execute(
                statement.on_conflict_do_update(
                    index_elements=[self._cursors.c.feed],
                    set_={
                        "cursor": next_cursor,
                        "events_applied": self._cursors.c.events_applied + len(events),
                        "updated_at": sa.func.now(),
                    },
                )
            )
        return len(events)

    async def run(self) -> None:
        """Forever: drain the feed, then poll every `idle_seconds` (a background job)."""
        while True:
            try:
                applied = await self.run_once()
            except Exception as exc:  # the source may be down; try again later
                log.warning("feed %s: %s", self.feed, exc)
                applied = 0
                await asyncio.sleep(self._idle_seconds * 2)
            if applied == 0:
                await asyncio.sleep(self._idle_seconds)
