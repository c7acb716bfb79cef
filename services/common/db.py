"""One async SQLAlchemy engine per service (psycopg 3) and the unit of work around a use case."""

from __future__ import annotations

from types import TracebackType
from typing import Self

import psycopg
from google.protobuf.message import Message
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from services.common.config import Settings
from services.common.outbox import OutboxWriter


def create_engine(settings: Settings) -> AsyncEngine:
    """The pool is sized by settings; nothing connects until first use."""
    return create_async_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout,
        pool_pre_ping=False,
        connect_args={"application_name": f"storeops-{settings.service}"},
    )


def libpq_url(url: str, database: str | None = None) -> str:
    """`postgresql+psycopg://…` → a plain libpq URL for psycopg and command-line tools."""
    parsed = make_url(url).set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


def ensure_database(url: str) -> bool:
    """Create the URL's database if it is missing (via the server's `postgres` database).

    Returns True if it was created."""
    name = make_url(url).database
    if not name:
        raise ValueError(f"database URL has no database name: {url}")
    with psycopg.connect(libpq_url(url, "postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists:
            return False
        conn.execute(f'CREATE DATABASE "{name}"')  # name comes from our own settings
        return True


def drop_database(url: str) -> None:
    name = make_url(url).database
    with psycopg.connect(libpq_url(url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class UnitOfWork:
    """One transaction per use case. Events published here are written to the outbox in the same
    transaction on `commit()`; leaving the block without commit rolls everything back."""

    def __init__(self, engine: AsyncEngine, outbox: OutboxWriter) -> None:
        self._engine = engine
        self._outbox = outbox
        self._events: list[tuple[str, Message]] = []
        self._connection: AsyncConnection | None = None

    @property
    def connection(self) -> AsyncConnection:
        if self._connection is None:
            raise RuntimeError("unit of work used outside `async with`")
        return self._connection

    async def __aenter__(self) -> Self:
        self._connection = await self._engine.connect()
        await self._connection.begin()
        self._events = []
        self.on_begin(self._connection)
        return self

    def on_begin(self, connection: AsyncConnection) -> None:
        """Hook for subclasses to bind their repositories to the connection."""

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        connection = self.connection
        try:
            if connection.in_transaction():
                await connection.rollback()
        finally:
            await connection.close()
            self._connection = None

    def publish(self, key: str, event: Message) -> None:
        """Queue an event for the feed; it is stored only if the transaction commits."""
        self._events.append((key, event))

    async def commit(self) -> None:
        if self._events:
            await self._outbox.write(self.connection, self._events)
            self._events = []
        await self.connection.commit()
