"""The common append-only audit log, on the unit of work's connection."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from services.common.audit import (
    AuditEntry,
    AuditQuery,
    AuditReader,
    AuditWriter,
    StoredAuditEntry,
)
from services.performance.db import tables as t


class AuditRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    async def write(self, entries: list[AuditEntry]) -> None:
        await AuditWriter(t.audit_log).write(self._c, entries)

    async def page(
        self, query: AuditQuery, before_id: int | None, limit: int
    ) -> list[StoredAuditEntry]:
        return await AuditReader(t.audit_log).page(self._c, query, before_id, limit)
