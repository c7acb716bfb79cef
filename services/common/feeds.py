"""Serving a service's event feed (ListEvents) from its outbox."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from services.common.outbox import Cursor, EventFeed
from services.common.paging import page_size
from services.common.proto_convert import event_message

R = TypeVar("R")


async def list_events(
    feed: EventFeed, after: str, requested_size: int, response_type: Callable[..., R]
) -> R:
    """One page of the feed after `after`, as the service's own ListEventsResponse message."""
    cursor = Cursor.decode(after, "after")
    stored = await feed.read(cursor, page_size(requested_size, default=100, maximum=1000))
    next_cursor = stored[-1].cursor.encode() if stored else after
    return response_type(events=[event_message(e) for e in stored], next_cursor=next_cursor)
