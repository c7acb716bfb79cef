"""The transactional outbox and the event feed served from it.

Events are rows written in the same transaction as the change they describe. The feed serves them
in commit order by a cursor: rows are ordered by (transaction id, id) and only rows of
transactions older than the oldest still running (`pg_snapshot_xmin`) are served, so an event
that commits late can never appear behind a cursor a consumer has already passed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from google.protobuf.message import Message
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.common.errors import InvalidArgument

TYPE_URL_PREFIX = "type.googleapis.com/"
_CURSOR = re.compile(r"^(\d{1,20})-(\d{1,20})$")


def outbox_table(metadata: sa.MetaData) -> sa.Table:
    """The outbox table, declared in each service's own metadata (and migrations)."""
    return sa.Table(
        "outbox_events",
        metadata,
        sa.Column("id", sa.BigInteger, sa.Identity(always=True), primary_key=True),
        sa.Column(
            "tx_id",
            sa.BigInteger,
            nullable=False,
            server_default=sa.text("(pg_current_xact_id()::text::bigint)"),
        ),
        sa.Column("type", sa.Text, nullable=False),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("payload", sa.LargeBinary, nullable=False),
        sa.Column(
            "occurred_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Index("ix_outbox_events_position", "tx_id", "id"),
    )


@dataclass(frozen=True)
class Cursor:
    tx_id: int
    id: int

    def encode(self) -> str:
        return f"{self.tx_id}-{self.id}"

    @classmethod
    def decode(cls, text: str, field: str = "after") -> Cursor:
        if not text:
            return START
        match = _CURSOR.match(text)
        if not match:
            raise InvalidArgument.for_field(field, "not a cursor returned by this feed")
        return cls(int(match.group(1)), int(match.group(2)))


START = Cursor(0, 0)


@dataclass(frozen=True)
class StoredEvent:
    cursor: Cursor
    type: str
    key: str
    payload: bytes
    occurred_at: datetime


class OutboxWriter:
    def __init__(self, table: sa.Table) -> None:
        self._insert = table.insert()

    async def write(
        self, connection: AsyncConnection, events: Sequence[tuple[str, Message]]
    ) -> None:
        rows = [
            {"type": event.DESCRIPTOR.full_name, "key": key, "payload": event.SerializeToString()}
            for key, event in events
        ]
        await connection.execute(self._insert, rows)


class EventFeed:
    """Reads the outbox in commit order."""

    def __init__(self, engine: AsyncEngine, table: sa.Table) -> None:
        self._engine = engine
        self._query = sa.text(
            f"""
            SELECT id, tx_id, type, key, payload, occurred_at FROM {table.name}
            WHERE (tx_id, id) > (:tx_id, :id)
              AND tx_id < pg_snapshot_xmin(pg_current_snapshot())::text::bigint
            ORDER BY tx_id, id
            LIMIT :limit
            """  # noqa: S608 - the table name is ours, values are bound
        )

    async def read(self, after: Cursor, limit: int) -> list[StoredEvent]:
        async with self._engine.connect() as connection:
            result = await connection.execute(
                self._query, {"tx_id": after.tx_id, "id": after.id, "limit": limit}
            )
            return [
                StoredEvent(
                    Cursor(row.tx_id, row.id), row.type, row.key, row.payload, row.occurred_at
                )
                for row in result
            ]
