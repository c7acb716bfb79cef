"""Fact ingestion: the orders, inventory and people feeds turned into this service's facts.

`FactIngestion.apply_for(feed)` gives the `apply` function of a `services.common.feeds.
FeedConsumer`, which applies a page of events and advances the cursor in one transaction. Every
event is recorded in `ingested_events` under (feed, cursor) with its outcome: APPLIED; IGNORED (a
type the rules do not use); REJECTED with the reason (a payload that cannot become a fact:
malformed, or a value the fact tables refuse), so one bad event never stalls the feed. An event
already recorded is skipped, so re-applying a page changes nothing. Facts depend only on the events
(business dates come from the payloads, else from `occurred_at`, never from the clock), so
replaying every feed from the start into empty fact tables rebuilds the same facts.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, tzinfo

import sqlalchemy as sa
from google.protobuf import descriptor_pool, message_factory
from google.protobuf.message import DecodeError, Message
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection
from storeops.common.v1 import events_pb2

from services.common.feeds import ApplyEvent
from services.performance.db import tables
from services.performance.service.ingestion.convert import MalformedEvent

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


Handler = Callable[[AsyncConnection, Message, EventContext], Awaitable[None]]


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


class FactIngestion:
    """Applies events of the three feeds to the fact tables."""

    def __init__(self, tz: tzinfo, ship_cutoff: time = time(17, 0)) -> None:
        self._tz = tz
        self._ship_cutoff = ship_cutoff
        self._handlers = _handlers()

    def apply_for(self, feed: str) -> ApplyEvent:
        handlers = self._handlers[feed]

        async def apply(connection: AsyncConnection, event: events_pb2.Event) -> None:
            await self.apply(connection, feed, handlers, event)

        return apply

    async def apply(
        self,
        connection: AsyncConnection,
        feed: str,
        handlers: Mapping[str, Handler],
        event: events_pb2.Event,
    ) -> None:
        seen = await connection.execute(
            sa.select(tables.ingested_events.c.cursor).where(
                tables.ingested_events.c.feed == feed,
                tables.ingested_events.c.cursor == event.cursor,
            )
        )
        if seen.first() is not None:
            return  # applied before: re-application is a no-op
        occurred_at = (
            event.occurred_at.ToDatetime(tzinfo=UTC) if event.HasField("occurred_at") else None
        )
        outcome = await self._outcome(connection, feed, handlers, event, occurred_at)
        await connection.execute(
            pg_insert(tables.ingested_events)
            .values(
                feed=feed,
                cursor=event.cursor,
                type=event.type,
                key=event.key,
                occurred_at=occurred_at,
                outcome=outcome,
            )
            .on_conflict_do_nothing()
        )

    async def _outcome(
        self,
        connection: AsyncConnection,
        feed: str,
        handlers: Mapping[str, Handler],
        event: events_pb2.Event,
        occurred_at: datetime | None,
    ) -> str:
        handler = handlers.get(event.type)
        message_class = _message_class(event.type) if handler is not None else None
        if handler is None or message_class is None:
            return "IGNORED"
        try:
            message = message_class.FromString(event.payload.value)
            if occurred_at is None:
                raise MalformedEvent("event has no occurred_at")
            context = EventContext(
                feed, event.cursor, event.key, occurred_at, self._tz, self._ship_cutoff
            )
            async with connection.begin_nested():
                await handler(connection, message, context)
        except (MalformedEvent, DecodeError, sa.exc.DataError) as exc:
            log.warning(
                "rejected event",
                extra={
                    "feed": feed,
                    "cursor": event.cursor,
                    "type": event.type,
                    "reason": str(exc),
                },
            )
            return f"REJECTED: {exc}"[:500]
        return "APPLIED"
