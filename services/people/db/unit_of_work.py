"""The people unit of work: one transaction, the repositories bound to it, the outbox."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.common.db import UnitOfWork
from services.common.outbox import OutboxWriter
from services.people.db import tables
from services.people.db.repositories import RoleRepository, ServiceAccountRepository


class PeopleUnitOfWork(UnitOfWork):
    roles: RoleRepository
    service_accounts: ServiceAccountRepository

    def on_begin(self, connection: AsyncConnection) -> None:
        self.roles = RoleRepository(connection)
        self.service_accounts = ServiceAccountRepository(connection)


class PeopleDatabase:
    """Factory of units of work over the people engine."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._outbox = OutboxWriter(tables.outbox_events)

    def unit_of_work(self) -> PeopleUnitOfWork:
        return PeopleUnitOfWork(self.engine, self._outbox)
