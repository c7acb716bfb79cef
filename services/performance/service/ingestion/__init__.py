"""Fact ingestion: the orders, inventory and people feeds turned into this service's facts.

`FactIngestion.apply_page_for(feed)` gives the `apply_page` function of a `services.common.feeds.
FeedConsumer`, which applies a page of events and advances the cursor in one transaction
(`apply_for(feed)` applies one event the same way). Every event is recorded in `ingested_events`
under (feed, cursor) with its outcome: APPLIED; IGNORED (a type the rules do not use); REJECTED
with the reason (a payload that cannot become a fact: malformed, or a value the fact tables
refuse), so one bad event never stalls the feed. An event already recorded is skipped, so
re-applying a page changes nothing. Facts depend only on the events (business dates come from the
payloads, else from `occurred_at`, never from the clock), so replaying every feed from the start
into empty fact tables rebuilds the same facts.

A page is applied in a handful of statements whatever its size: one query for the events already
recorded, the handlers' rows written per statement for the whole page (see `page.PageWriter`), the
`ingested_events` rows in one statement, all under one savepoint. A payload the handlers reject
(`MalformedEvent`, undecodable) adds nothing, so that needs no savepoint of its own. Only when the
database refuses a value (`DataError`, which aborts the statement of the whole page) is the page
rolled back to its savepoint and applied again one event at a time, each under its own savepoint,
so that the bad event alone is REJECTED. Any other error leaves the page to the consumer's
transaction: nothing applied, the cursor unchanged, the page retried.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, tzinfo

import sqlalchemy as sa
from google.protobuf import descriptor_pool, message_factory
from google.protobuf.message import DecodeError, Message
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection
from storeops.common.v1 import events_pb2

from services.common.feeds import ApplyEvent, ApplyPage
from services.performance.db import tables
from services.performance.service.ingestion.convert import MalformedEvent
from services.performance.service.ingestion.page import PageWriter

log = logging.getLogger(__name__)

FEEDS = ("people", "orders", "inventory")


@dataclass(frozen=True)
class EventContext:
    feed: str
    cursor: str
    key: str
    occurred_at: datetime
    tz: tzinfo
    ship_cutoff: time


Handler = Callable[[PageWriter, Message, EventContext], Awaitable[None]]

_events = tables.ingested_events
_SEEN = sa.select(_events.c.cursor).where(
    _events.c.feed == sa.bindparam("b_feed"),
    _events.c.cursor == sa.func.any(sa.bindparam("b_cursors", type_=sa.ARRAY(sa.Text))),
)
_RECORD = pg_insert(_events).on_conflict_do_nothing()


def _handlers() -> Mapping[str, Mapping[str, Handler]]:
    from services.performance.service.ingestion import inventory, orders, people

    return {"people": people.HANDLERS, "orders": orders.HANDLERS, "inventory": inventory.HANDLERS}


def _message_class(type_name: str) -> type[Message] | None:
    try:
        descriptor = descriptor_pool.Default().FindMessageTypeByName(type_name)
    except KeyError:
        return None
    cls: type[Message] = message_factory.GetMessageClass(descriptor)
    return cls


class _Isolate(Exception):
    """The page cannot be applied in one go: apply it one event at a time, with savepoints."""


@dataclass(frozen=True)
class _Handled:
    handler: Handler
    message_class: type[Message]


class FactIngestion:
    """Applies events of the three feeds to the fact tables."""

    def __init__(self, tz: tzinfo, ship_cutoff: time = time(17, 0)) -> None:
        self._tz = tz
        self._ship_cutoff = ship_cutoff
        self._handled: dict[str, dict[str, _Handled]] = {}
        for feed, handlers in _handlers().items():
            self._handled[feed] = {}
            for type_name, handler in handlers.items():
                message_class = _message_class(type_name)
                if message_class is not None:
                    self._handled[feed][type_name] = _Handled(handler, message_class)

    def apply_page_for(self, feed: str) -> ApplyPage:
        handled = self._handled[feed]

        async def apply_page(
            connection: AsyncConnection, events: Sequence[events_pb2.Event]
        ) -> None:
            await self.apply_page(connection, feed, handled, events)

        return apply_page

    def apply_for(self, feed: str) -> ApplyEvent:
        handled = self._handled[feed]

        async def apply(connection: AsyncConnection, event: events_pb2.Event) -> None:
            await self.apply_page(connection, feed, handled, [event])

        return apply

    async def apply_page(
        self,
        connection: AsyncConnection,
        feed: str,
        handled: Mapping[str, _Handled],
        events: Sequence[events_pb2.Event],
    ) -> None:
        """Apply the events not recorded yet and record them, in the caller's transaction."""
        recorded = await connection.scalars(
            _SEEN, {"b_feed": feed, "b_cursors": [event.cursor for event in events]}
        )
        seen = set(recorded)
        fresh = []
        for event in events:
            if event.cursor not in seen:  # applied before: re-application is a no-op
                seen.add(event.cursor)
                fresh.append(event)
        if not fresh:
            return
        try:
            async with connection.begin_nested():
                outcomes = await self._apply_together(connection, feed, handled, fresh)
                await self._record(connection, feed, fresh, outcomes)
        except (_Isolate, sa.exc.DataError) as exc:
            log.info(
                "feed %s: applying the page from %s event by event",
                feed,
                fresh[0].cursor,
                extra={"feed": feed, "reason": str(exc)[:200]},
            )
            outcomes = await self._apply_one_by_one(connection, feed, handled, fresh)
            await self._record(connection, feed, fresh, outcomes)
        for event, outcome in zip(fresh, outcomes, strict=True):
            if outcome.startswith("REJECTED"):
                log.warning(
                    "rejected event",
                    extra={
                        "feed": feed,
                        "cursor": event.cursor,
                        "type": event.type,
                        "reason": outcome.removeprefix("REJECTED: "),
                    },
                )

    async def _apply_together(
        self,
        connection: AsyncConnection,
        feed: str,
        handled: Mapping[str, _Handled],
        events: Sequence[events_pb2.Event],
    ) -> list[str]:
        """The fast path: every handler's rows are written together at the end; a rejected
        event's rows are dropped before they are written."""
        page = PageWriter(connection)
        outcomes = []
        for event in events:
            handling = handled.get(event.type)
            if handling is None:
                outcomes.append("IGNORED")
                continue
            mark = page.begin_event()
            try:
                message, context = self._read(feed, event, handling)
                await handling.handler(page, message, context)
            # ValueError covers MalformedEvent and values the code cannot read (an enum number it
            # does not know): recorded against the event, never a blocked feed.
            except (ValueError, DecodeError) as exc:
                if page.executed:  # it wrote before it failed: only a savepoint undoes that
                    raise _Isolate(f"{event.cursor}: {exc}") from exc
                page.discard(mark)
                outcomes.append(_rejected(exc))
                continue
            outcomes.append("APPLIED")
        await page.flush()
        return outcomes

    async def _apply_one_by_one(
        self,
        connection: AsyncConnection,
        feed: str,
        handled: Mapping[str, _Handled],
        events: Sequence[events_pb2.Event],
    ) -> list[str]:
        """The slow path: each event under its own savepoint, so a value the database refuses
        rejects only its event."""
        outcomes = []
        for event in events:
            handling = handled.get(event.type)
            if handling is None:
                outcomes.append("IGNORED")
                continue
            try:
                message, context = self._read(feed, event, handling)
                async with connection.begin_nested():
                    page = PageWriter(connection)
                    await handling.handler(page, message, context)
                    await page.flush()
            except (ValueError, DecodeError, sa.exc.DataError) as exc:
                outcomes.append(_rejected(exc))
                continue
            outcomes.append("APPLIED")
        return outcomes

    def _read(
        self, feed: str, event: events_pb2.Event, handling: _Handled
    ) -> tuple[Message, EventContext]:
        message = handling.message_class.FromString(event.payload.value)
        if not event.HasField("occurred_at"):
            raise MalformedEvent("event has no occurred_at")
        occurred_at = event.occurred_at.ToDatetime(tzinfo=UTC)
        return message, EventContext(
            feed, event.cursor, event.key, occurred_at, self._tz, self._ship_cutoff
        )

    async def _record(
        self,
        connection: AsyncConnection,
        feed: str,
        events: Sequence[events_pb2.Event],
        outcomes: Sequence[str],
    ) -> None:
        rows = []
        for event, outcome in zip(events, outcomes, strict=True):
            rows.append(
                {
                    "feed": feed,
                    "cursor": event.cursor,
                    "type": event.type,
                    "key": event.key,
                    "occurred_at": (
                        event.occurred_at.ToDatetime(tzinfo=UTC)
                        if event.HasField("occurred_at")
                        else None
                    ),
                    "outcome": outcome,
                }
            )
        await connection.execute(_RECORD, rows)


def _rejected(exc: Exception) -> str:
    return f"REJECTED: {exc}"[:500]
