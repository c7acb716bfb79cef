"""Commission rate tables (versioned, effective-dated), share weights, misconduct findings."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from services.common.context import Viewer
from services.common.errors import FailedPrecondition, InvalidArgument, NotFound
from services.common.money import Money
from services.performance.db.commission import StoredTable
from services.performance.db.unit_of_work import PerformanceUnitOfWork
from services.performance.domain.commission import share_commission
from services.performance.domain.commission_tables import (
    CommissionGroup,
    CommissionTable,
    CommissionTableCatalog,
    GapPolicy,
    Tier,
    fill_gaps,
)
from services.performance.domain.period import YearMonth
from services.performance.domain.seed_tables import seed_commission_table
from services.performance.service.access import audit_change
from services.performance.service.context import Deps

SEED_AUTHOR = "seed"


async def ensure_seed_tables(deps: Deps) -> list[CommissionGroup]:
    """Version 1 of each group's seed-003 table, gaps filled by the configured policy, for every
    group that has no table yet. Returns the groups seeded."""
    seeded = []
    async with deps.db.unit_of_work() as uow:
        for group in CommissionGroup:
            await uow.commission.lock_group(group)
            if await uow.commission.tables(group):
                continue
            table = seed_commission_table(group, deps.settings.gap_policy)
            if await uow.commission.insert(table, SEED_AUTHOR):
                seeded.append(group)
        await uow.commit()
    return seeded


async def catalog(uow: PerformanceUnitOfWork) -> CommissionTableCatalog:
    return CommissionTableCatalog.of(stored.table for stored in await uow.commission.tables())


async def create_table(
    deps: Deps,
    group: CommissionGroup,
    version: int,
    effective_from: date,
    effective_to: date | None,
    tiers: list[Tier],
    gap_policy: GapPolicy | None,
) -> StoredTable:
    viewer = Viewer.current()
    stated = tuple(tiers)
    filled = fill_gaps(stated, gap_policy) if gap_policy is not None else stated
    table = CommissionTable(group, version, effective_from, effective_to, filled)
    async with deps.db.unit_of_work() as uow:
        await uow.commission.lock_group(group)
        existing = [stored.table for stored in await uow.commission.tables(group)]
        CommissionTableCatalog.of(existing).with_table(table)  # refuses overlaps, reused versions
        await uow.commission.insert(table, viewer.subject)
        await audit_change(
            uow,
            viewer,
            "COMMISSION_TABLE_CREATED",
            "commission",
            None,
            group=group.value,
            version=version,
            effective_from=str(effective_from),
            effective_to=str(effective_to) if effective_to else None,
            gap_policy=gap_policy.value if gap_policy else None,
        )
        await uow.commit()
    return StoredTable(table, viewer.subject)


async def end_table(
    deps: Deps, group: CommissionGroup, version: int, effective_to: date
) -> StoredTable:
    viewer = Viewer.current()
    async with deps.db.unit_of_work() as uow:
        await uow.commission.lock_group(group)
        tables = await uow.commission.tables(group)
        current = next((s for s in tables if s.table.version == version), None)
        if current is None:
            raise NotFound(
                f"no {group.value} commission table version {version}",
                reason="COMMISSION_TABLE_NOT_FOUND",
            )
        old = current.table
        if old.effective_to is not None and effective_to > old.effective_to:
            raise FailedPrecondition(
                f"{old.label()} already ends on {old.effective_to}; it cannot be extended "
                "(add a new version instead)",
                reason="COMMISSION_TABLE_CANNOT_EXTEND",
            )
        ended = CommissionTable(group, version, old.effective_from, effective_to, old.tiers)
        CommissionTableCatalog.of(s.table for s in tables if s.table.version != version).with_table(
            ended
        )
        await uow.commission.set_effective_to(group, version, effective_to)
        await audit_change(
            uow,
            viewer,
            "COMMISSION_TABLE_ENDED",
            "commission",
            None,
            group=group.value,
            version=version,
            effective_to=str(effective_to),
            previous_effective_to=str(old.effective_to),
        )
        await uow.commit()
    return StoredTable(ended, current.created_by)


async def list_tables(deps: Deps, group: CommissionGroup | None) -> list[StoredTable]:
    async with deps.db.unit_of_work() as uow:
        return await uow.commission.tables(group)


async def get_table(deps: Deps, group: CommissionGroup, version: int) -> StoredTable:
    for stored in await list_tables(deps, group):
        if stored.table.version == version:
            return stored
    raise NotFound(
        f"no {group.value} commission table version {version}", reason="COMMISSION_TABLE_NOT_FOUND"
    )


def _fraction_of_percent(percent: Decimal) -> Decimal:
    return percent / Decimal(100)


async def set_share_weights(
    deps: Deps, group: CommissionGroup, month: YearMonth, percents: dict[str, Decimal]
) -> tuple[dict[str, Decimal], str]:
    """Weights in percent, summing to exactly 100 (checked by the sharing rule itself)."""
    viewer = Viewer.current()
    weights = {code: _fraction_of_percent(p) for code, p in percents.items()}
    share_commission(Money(0, "CNY"), sorted(weights), weights)  # the rule's own checks
    async with deps.db.unit_of_work() as uow:
        if group is CommissionGroup.DEPARTMENT_ACTIVITY_FUND:
            raise InvalidArgument.for_field(
                "group",
                "the department activity fund is not shared",
                reason="ACTIVITY_FUND_NOT_SHARED",
            )
        await uow.commission.set_weights(group, month, weights, viewer.subject)
        await audit_change(
            uow,
            viewer,
            "SHARE_WEIGHTS_SET",
            "commission",
            None,
            group=group.value,
            month=str(month),
            weights={code: str(w) for code, w in weights.items()},
        )
        await uow.commit()
    return weights, viewer.subject


async def get_share_weights(
    deps: Deps, group: CommissionGroup, month: YearMonth
) -> tuple[dict[str, Decimal], str]:
    async with deps.db.unit_of_work() as uow:
        return await uow.commission.weights_of(group, month)


async def record_misconduct(
    deps: Deps, employee_code: str, found_on: date, description: str
) -> tuple[str, str]:
    viewer = Viewer.current()
    finding_id = uuid.uuid4().hex
    async with deps.db.unit_of_work() as uow:
        await uow.commission.add_finding(
            finding_id, employee_code, found_on, description, viewer.subject
        )
        await audit_change(
            uow,
            viewer,
            "MISCONDUCT_RECORDED",
            "commission",
            employee_code,
            finding_id=finding_id,
            found_on=str(found_on),
        )
        await uow.commit()
    return finding_id, viewer.subject
