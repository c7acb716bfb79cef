"""The performance unit of work: one transaction with every repository bound to it."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.common.db import UnitOfWork
from services.common.outbox import OutboxWriter
from services.performance.db import tables
from services.performance.db.appraisals import AppraisalRepository
from services.performance.db.audit import AuditRepository
from services.performance.db.commission import CommissionRepository
from services.performance.db.facts import FactReader
from services.performance.db.statements import StatementRepository
from services.performance.db.targets import TargetRepository


class PerformanceUnitOfWork(UnitOfWork):
    facts: FactReader
    targets: TargetRepository
    commission: CommissionRepository
    appraisals: AppraisalRepository
    statements: StatementRepository
    audit: AuditRepository

    def on_begin(self, connection: AsyncConnection) -> None:
        self.facts = FactReader(connection)
        self.targets = TargetRepository(connection)
        self.commission = CommissionRepository(connection)
        self.appraisals = AppraisalRepository(connection)
        self.statements = StatementRepository(connection)
        self.audit = AuditRepository(connection)


class PerformanceDatabase:
    """Factory of units of work over the performance engine."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._outbox = OutboxWriter(tables.outbox_events)

    def unit_of_work(self) -> PerformanceUnitOfWork:
        return PerformanceUnitOfWork(self.engine, self._outbox)
