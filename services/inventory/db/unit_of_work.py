"""The inventory unit of work: one transaction, the repositories bound to it, the outbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.common.db import UnitOfWork
from services.common.fastsql import FastConnection, FastSql
from services.common.outbox import OutboxWriter
from services.inventory.db import tables
from services.inventory.db.catalogue import BinRepository, SkuRepository, WarehouseRepository
from services.inventory.db.documents import (
    CountSheetRepository,
    CustomerReturnRepository,
    TransferRepository,
)
from services.inventory.db.ledger import LedgerRepository
from services.inventory.db.loans import HoldRepository, SampleLoanRepository
from services.inventory.db.planning import PlanRepository
from services.inventory.db.receipts import ReceiptRepository, SupplierReturnRepository
from services.inventory.db.reservations import ReservationRepository
from services.inventory.db.stock import StockBook


class InventoryUnitOfWork(UnitOfWork):
    warehouses: WarehouseRepository
    bins: BinRepository
    skus: SkuRepository
    stock: StockBook
    ledger: LedgerRepository
    reservations: ReservationRepository
    receipts: ReceiptRepository
    supplier_returns: SupplierReturnRepository
    customer_returns: CustomerReturnRepository
    transfers: TransferRepository
    counts: CountSheetRepository
    samples: SampleLoanRepository
    holds: HoldRepository
    plans: PlanRepository

    def __init__(self, engine: AsyncEngine, outbox: OutboxWriter) -> None:
        super().__init__(engine, outbox)
        self._writer = outbox

    def on_begin(self, connection: AsyncConnection) -> None:
        self.warehouses = WarehouseRepository(connection)
        self.bins = BinRepository(connection)
        self.skus = SkuRepository(connection)
        self.stock = StockBook(connection)
        self.ledger = LedgerRepository(connection)
        self.reservations = ReservationRepository(connection)
        self.receipts = ReceiptRepository(connection)
        self.supplier_returns = SupplierReturnRepository(connection)
        self.customer_returns = CustomerReturnRepository(connection)
        self.transfers = TransferRepository(connection)
        self.counts = CountSheetRepository(connection)
        self.samples = SampleLoanRepository(connection)
        self.holds = HoldRepository(connection)
        self.plans = PlanRepository(connection)

    async def flush_events(self) -> None:
        """Write the events published so far now, before the availability rows are locked, so
        the commit follows the last lock at once (row locks held for the shortest time)."""
        if self._events:
            await self._writer.write(self.connection, self._events)
            self._events = []


class InventoryDatabase:
    """Factory of units of work over the inventory engine, and of autocommit connections for
    the single-statement hot path (psycopg directly when a FastSql pool is given)."""

    def __init__(self, engine: AsyncEngine, fast: FastSql | None = None) -> None:
        self.engine = engine
        self._fast = fast
        self._autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._outbox = OutboxWriter(tables.outbox_events)

    @asynccontextmanager
    async def statements(self) -> AsyncIterator[AsyncConnection | FastConnection]:
        """A connection whose every statement commits on its own."""
        if self._fast is not None:
            async with self._fast.connect() as fast:
                yield fast
            return
        async with self._autocommit.connect() as connection:
            yield connection

    def unit_of_work(self) -> InventoryUnitOfWork:
        return InventoryUnitOfWork(self.engine, self._outbox)
