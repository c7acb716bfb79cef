"""Hot-path statements executed with psycopg 3 directly, on a psycopg_pool connection pool.

SQLAlchemy (Core) stays the one place statements are written and the engine for everything else;
for the few statements a load test hammers, its async pool checkout and execution wrapper cost
more CPU than the statement itself (measured: ~0.39 ms vs ~0.16 ms of CPU per autocommit
statement). Connections here are in autocommit mode, so each statement is its own transaction:
hot-path statements are written as single all-or-nothing statements (CTEs).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager
from functools import lru_cache
from typing import Any

import psycopg
import sqlalchemy as sa
from psycopg_pool import AsyncConnectionPool, PoolTimeout
from sqlalchemy.dialects.postgresql import psycopg as sa_psycopg

from services.common.db import libpq_url

_DIALECT = sa_psycopg.dialect()  # type: ignore[no-untyped-call]

# Failures that mean "the database is not reachable right now" (mapped to UNAVAILABLE).
OUTAGE_ERRORS: tuple[type[BaseException], ...] = (psycopg.OperationalError, PoolTimeout)


@lru_cache(maxsize=512)
def _compiled(sql: str) -> str:
    """`:name` binds of a text() statement → psycopg's `%(name)s` (and `%` escaped)."""
    return str(sa.text(sql).compile(dialect=_DIALECT))


class Row(tuple[Any, ...]):
    """A result row with attribute access by column name (like SQLAlchemy's)."""

    _columns: Mapping[str, int]

    def __getattr__(self, name: str) -> Any:
        try:
            return self[self._columns[name]]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def _mapping(self) -> dict[str, Any]:
        return {name: self[index] for name, index in self._columns.items()}


class Mappings(list[dict[str, Any]]):
    """Rows as dicts, with `first()` like SQLAlchemy's MappingResult."""

    def first(self) -> dict[str, Any] | None:
        return self[0] if self else None


class FastResult:
    """The subset of SQLAlchemy's Result the repositories use, over fetched rows."""

    def __init__(self, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
        index = {name: i for i, name in enumerate(columns)}
        row_type = type("Row", (Row,), {"_columns": index})
        self._columns = list(columns)
        self._rows = [row_type(r) for r in rows]

    def __iter__(self) -> Iterator[Row]:
        return iter(self._rows)

    def first(self) -> Row | None:
        return self._rows[0] if self._rows else None

    def all(self) -> list[Row]:
        return list(self._rows)

    def one(self) -> Row:
        if len(self._rows) != 1:
            raise sa.exc.NoResultFound if not self._rows else sa.exc.MultipleResultsFound
        row: Row = self._rows[0]
        return row

    def scalar(self) -> Any:
        return self._rows[0][0] if self._rows else None

    def scalar_one(self) -> Any:
        return self.one()[0]

    def scalars(self) -> list[Any]:
        return [row[0] for row in self._rows]

    def mappings(self) -> Mappings:
        return Mappings(row._mapping for row in self._rows)


class FastConnection:
    """Executes text() statements (SQLAlchemy's `:name` style) on a psycopg connection."""

    def __init__(self, connection: psycopg.AsyncConnection[Any]) -> None:
        self._c = connection

    async def execute(
        self, statement: sa.TextClause, params: Mapping[str, Any] | None = None
    ) -> FastResult:
        async with self._c.cursor() as cursor:
            await cursor.execute(_compiled(statement.text), params or {})
            if cursor.description is None:
                return FastResult([], [])
            columns = [column.name for column in cursor.description]
            return FastResult(columns, await cursor.fetchall())

    async def scalar(
        self, statement: sa.TextClause, params: Mapping[str, Any] | None = None
    ) -> Any:
        return (await self.execute(statement, params)).scalar()


class FastSql:
    """A pool of autocommit psycopg connections for one service's database."""

    def __init__(self, url: str, max_size: int, name: str = "storeops") -> None:
        self._pool = AsyncConnectionPool(
            conninfo=libpq_url(url),
            min_size=1,
            max_size=max(1, max_size),
            kwargs={"autocommit": True},
            open=False,
            name=name,
            timeout=5.0,
        )

    async def open(self) -> None:
        await self._pool.open(wait=False)

    async def close(self) -> None:
        await self._pool.close()

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[FastConnection]:
        async with self._pool.connection() as connection:
            yield FastConnection(connection)
