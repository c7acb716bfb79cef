"""The orders database: units of work (one transaction per use case) and autocommit statements."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.common.audit import AuditEntry, AuditWriter
from services.common.db import UnitOfWork
from services.common.fastsql import FastSql
from services.common.outbox import OutboxWriter
from services.orders.db import tables
from services.orders.db.after_sales_store import AfterSalesStore
from services.orders.db.case_store import CaseStore
from services.orders.db.order_store import OrderStore


class OrdersUnitOfWork(UnitOfWork):
    orders: OrderStore
    after_sales: AfterSalesStore
    cases: CaseStore

    def __init__(self, engine: AsyncEngine, outbox: OutboxWriter, audit: AuditWriter) -> None:
        super().__init__(engine, outbox)
        self._audit = audit

    def on_begin(self, connection: AsyncConnection) -> None:
        self.orders = OrderStore(connection)
        self.after_sales = AfterSalesStore(connection)
        self.cases = CaseStore(connection)

    async def audit(self, entries: Sequence[AuditEntry]) -> None:
        await self._audit.write(self.connection, entries)


class OrdersDatabase:
    """Factory of units of work and of single-statement (autocommit) connections."""

    def __init__(self, engine: AsyncEngine, fast: FastSql | None = None) -> None:
        self.engine = engine
        self._fast = fast
        # A single statement is its own transaction: no BEGIN/COMMIT round trips on the hot path.
        self._autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._outbox = OutboxWriter(tables.outbox_events)
        self._audit = AuditWriter(tables.audit_log)

    def unit_of_work(self) -> OrdersUnitOfWork:
        return OrdersUnitOfWork(self.engine, self._outbox, self._audit)

    @asynccontextmanager
    async def statements(self) -> AsyncIterator[OrderStore]:
        """Order statements each committed on its own (psycopg directly when configured: this is
        the PlaceOrder path)."""
        if self._fast is not None:
            async with self._fast.connect() as fast:
                yield OrderStore(fast)
            return
        async with self._autocommit.connect() as connection:
            yield OrderStore(connection)

    @asynccontextmanager
    async def after_sales_statements(self) -> AsyncIterator[AfterSalesStore]:
        async with self._autocommit.connect() as connection:
            yield AfterSalesStore(connection)

    async def audit(self, entries: Sequence[AuditEntry]) -> None:
        """Store audit entries (before the audited data is returned)."""
        async with self._autocommit.connect() as connection:
            await self._audit.write(connection, entries)
