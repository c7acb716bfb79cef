"""The people unit of work: one transaction, the repositories bound to it, the outbox and the
audit log (an audited change and its audit row commit together)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.common.audit import AuditEntry, AuditReader, AuditWriter
from services.common.db import UnitOfWork
from services.common.outbox import EventFeed, OutboxWriter
from services.people.db import tables
from services.people.db.access_repo import (
    AccountRepository,
    RevocationRepository,
    RoleOverrideRepository,
    RoleRepository,
    ServiceAccountRepository,
)
from services.people.db.attendance_repo import AttendanceRepository
from services.people.db.organisation_repo import (
    DepartmentRepository,
    EmployeeRepository,
    PositionRepository,
)
from services.people.db.training_repo import TrainingRepository


class PeopleUnitOfWork(UnitOfWork):
    roles: RoleRepository
    role_overrides: RoleOverrideRepository
    service_accounts: ServiceAccountRepository
    accounts: AccountRepository
    revocations: RevocationRepository
    departments: DepartmentRepository
    positions: PositionRepository
    employees: EmployeeRepository
    training: TrainingRepository
    attendance: AttendanceRepository

    def __init__(self, engine: AsyncEngine, outbox: OutboxWriter, audit: AuditWriter) -> None:
        super().__init__(engine, outbox)
        self._audit = audit

    def on_begin(self, connection: AsyncConnection) -> None:
        self.roles = RoleRepository(connection)
        self.role_overrides = RoleOverrideRepository(connection)
        self.service_accounts = ServiceAccountRepository(connection)
        self.accounts = AccountRepository(connection)
        self.revocations = RevocationRepository(connection)
        self.departments = DepartmentRepository(connection)
        self.positions = PositionRepository(connection)
        self.employees = EmployeeRepository(connection)
        self.training = TrainingRepository(connection)
        self.attendance = AttendanceRepository(connection)

    async def audit(self, *entries: AuditEntry) -> None:
        """Append audit rows inside this transaction."""
        await self._audit.write(self.connection, entries)


class PeopleDatabase:
    """Factory of units of work over the people engine, plus the feed and audit readers."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._outbox = OutboxWriter(tables.outbox_events)
        self._audit = AuditWriter(tables.audit_log)
        self.feed = EventFeed(engine, tables.outbox_events)
        self.audit_reader = AuditReader(tables.audit_log)

    def unit_of_work(self) -> PeopleUnitOfWork:
        return PeopleUnitOfWork(self.engine, self._outbox, self._audit)
