"""Facts: feed positions, replay from zero, employees and daily sales as ingested."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from services.common.audit import AuditQuery, StoredAuditEntry
from services.common.context import Viewer
from services.performance.db import tables
from services.performance.db.facts import DailySalesRow
from services.performance.domain.period import YearMonth
from services.performance.domain.staff import EmployeeRecord, StaffAssignment
from services.performance.service.access import audit_change
from services.performance.service.context import Deps


@dataclass(frozen=True)
class Position:
    feed: str
    cursor: str
    events_applied: int
    events_rejected: int = 0
    events_ignored: int = 0


async def positions(deps: Deps) -> list[Position]:
    events = tables.ingested_events
    async with deps.db.engine.connect() as connection:
        rows = await connection.execute(
            sa.select(tables.feed_cursors).order_by(tables.feed_cursors.c.feed)
        )
        counts = await connection.execute(
            sa.select(
                events.c.feed,
                sa.func.count().filter(events.c.outcome.like("REJECTED%")),
                sa.func.count().filter(events.c.outcome == "IGNORED"),
            ).group_by(events.c.feed)
        )
        outcomes = {row[0]: (int(row[1]), int(row[2])) for row in counts}
        return [
            Position(r.feed, r.cursor, r.events_applied, *outcomes.get(r.feed, (0, 0)))
            for r in rows
        ]


async def replay(deps: Deps) -> int:
    """Delete every fact and every cursor in one transaction: the consumers start again from the
    first event of each feed. A consumer applying a page meanwhile either commits before (its
    facts are deleted too) or finds its cursor gone and re-reads from the start."""
    viewer = Viewer.current()
    deleted = 0
    async with deps.db.unit_of_work() as uow:
        connection = uow.connection
        # Wait for pages being applied: they hold their cursor row until they commit.
        await connection.execute(sa.select(tables.feed_cursors).with_for_update())
        for table in tables.FACT_TABLES:
            result = await connection.execute(sa.delete(table))
            deleted += result.rowcount or 0
        await connection.execute(sa.delete(tables.feed_cursors))
        await audit_change(uow, viewer, "FEEDS_REPLAYED", "facts", None, facts_deleted=deleted)
        await uow.commit()
    return deleted


@dataclass(frozen=True)
class EmployeeFact:
    record: EmployeeRecord
    assignment: StaffAssignment | None


async def employees(deps: Deps, after: str | None, limit: int) -> list[EmployeeFact]:
    async with deps.db.unit_of_work() as uow:
        records = await uow.facts.employees(deps.today())
    codes = [code for code in sorted(records) if after is None or code > after][:limit]
    assignments = deps.settings.policy.assignments
    return [EmployeeFact(records[c], assignments.get(records[c].position_code)) for c in codes]


async def daily_sales(
    deps: Deps,
    month: YearMonth,
    employee_code: str | None,
    after: tuple[str, str, str] | None,
    limit: int,
) -> tuple[list[DailySalesRow], dict[str, str]]:
    """Rows, and each row's employee's commission group (as of the month's end)."""
    async with deps.db.unit_of_work() as uow:
        rows = await uow.facts.daily_sales(month, employee_code, after, limit)
        records = await uow.facts.employees(month.last_day())
    groups: dict[str, str] = {}
    for code, record in records.items():
        assignment = deps.settings.policy.assignments.get(record.position_code)
        if assignment is not None and assignment.group is not None:
            groups[code] = assignment.group.value
    return rows, groups


async def audit_entries(
    deps: Deps, query: AuditQuery, before_id: int | None, limit: int
) -> list[StoredAuditEntry]:
    async with deps.db.unit_of_work() as uow:
        return await uow.audit.page(query, before_id, limit)
