"""Targets and commission tables as stored: the deadline and four eyes, audited; the seeded
tables give the seed's rates at every boundary; versions never overlap."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from services.common.errors import (
    AlreadyExists,
    FailedPrecondition,
    InvalidArgument,
    PermissionDenied,
)
from services.common.money import Money
from services.performance.db import tables
from services.performance.domain.commission_tables import CommissionGroup, GapPolicy, Tier
from services.performance.domain.period import YearMonth
from services.performance.domain.targets import TargetScope
from services.performance.service import commission, targets
from services.performance.service.context import Deps
from tests.integration.performance.conftest import Clock, acting_as
from tests.unit.performance.test_commission_tables import CASES

pytestmark = pytest.mark.integration
APRIL = YearMonth(2026, 4)


async def test_a_target_set_by_the_29th_applies_at_once(fresh: tuple[Deps, Clock]) -> None:
    deps, clock = fresh
    clock.set("2026-03-29 23:00")
    with acting_as("M1"):
        record = await targets.upsert_target(
            deps, TargetScope.EMPLOYEE, "P1", APRIL, Money(80_000, "CNY"), "plan"
        )
    assert record.current is not None
    assert record.current.amount.amount_minor == 80_000
    assert record.pending is None
    assert not record.late


async def test_a_late_change_waits_for_someone_else_to_approve_it(
    fresh: tuple[Deps, Clock],
) -> None:
    deps, clock = fresh
    clock.set("2026-03-20 10:00")
    with acting_as("M1"):
        await targets.upsert_target(
            deps, TargetScope.GROUP, "PROMOTION", APRIL, Money(200_000, "CNY"), "plan"
        )
    clock.set("2026-03-30 10:00")
    with acting_as("M1"):
        with pytest.raises(InvalidArgument) as no_reason:
            await targets.upsert_target(
                deps, TargetScope.GROUP, "PROMOTION", APRIL, Money(150_000, "CNY"), ""
            )
        proposed = await targets.upsert_target(
            deps, TargetScope.GROUP, "PROMOTION", APRIL, Money(150_000, "CNY"), "supplier delay"
        )
        with pytest.raises(PermissionDenied) as own:
            await targets.approve_target(deps, TargetScope.GROUP, "PROMOTION", APRIL)
    assert no_reason.value.reason == "TARGET_CHANGE_REASON_MISSING"
    assert proposed.current is not None
    assert proposed.current.amount.amount_minor == 200_000  # still in force
    assert proposed.pending is not None
    assert own.value.reason == "TARGET_SELF_APPROVAL"
    with acting_as("GM1"):
        approved = await targets.approve_target(deps, TargetScope.GROUP, "PROMOTION", APRIL)
        with pytest.raises(FailedPrecondition):
            await targets.approve_target(deps, TargetScope.GROUP, "PROMOTION", APRIL)
    assert approved.current is not None
    assert approved.current.amount.amount_minor == 150_000
    assert approved.current.approved_by == "GM1"
    assert approved.current.set_by == "M1"
    assert approved.late
    async with deps.db.engine.connect() as connection:
        trail = [
            (r.actor, r.action)
            for r in await connection.execute(
                sa.select(tables.audit_log)
                .where(tables.audit_log.c.resource == "targets")
                .order_by(tables.audit_log.c.id)
            )
        ]
    assert trail == [("M1", "TARGET_SET"), ("M1", "TARGET_PROPOSED"), ("GM1", "TARGET_APPROVED")]


async def test_no_target_for_a_month_that_has_ended(fresh: tuple[Deps, Clock]) -> None:
    deps, clock = fresh
    clock.set("2026-05-01 09:00")
    with acting_as("M1"), pytest.raises(FailedPrecondition) as closed:
        await targets.upsert_target(
            deps, TargetScope.EMPLOYEE, "P1", APRIL, Money(80_000, "CNY"), "forgot"
        )
    assert closed.value.reason == "TARGET_MONTH_CLOSED"


async def test_every_group_has_its_seed_table_once(fresh: tuple[Deps, Clock]) -> None:
    deps, _ = fresh
    assert await commission.ensure_seed_tables(deps) == []  # seeded by the fixture already
    stored = await commission.list_tables(deps, None)
    assert sorted(s.table.group.value for s in stored) == sorted(g.value for g in CommissionGroup)
    assert {s.created_by for s in stored} == {"seed"}


async def test_stored_seed_tables_pay_the_seed_rates_at_every_boundary(
    fresh: tuple[Deps, Clock],
) -> None:
    deps, _ = fresh
    async with deps.db.unit_of_work() as uow:
        catalog = await commission.catalog(uow)
    for group, ratio, expected in CASES:
        assert catalog.rate(group, date(2026, 3, 1), Decimal(ratio)) == Decimal(expected), (
            group,
            ratio,
        )


def flat(rate: str) -> list[Tier]:
    return [Tier(Decimal(0), True, None, False, Decimal(rate))]


async def test_table_versions_never_overlap(fresh: tuple[Deps, Clock]) -> None:
    deps, _ = fresh
    group = CommissionGroup.PROMOTION
    with acting_as("ADMIN"):
        with pytest.raises(FailedPrecondition) as overlap:
            await commission.create_table(
                deps, group, 2, date(2026, 5, 1), None, flat("0.01"), None
            )
        with pytest.raises(AlreadyExists):
            await commission.create_table(
                deps, group, 1, date(2030, 1, 1), None, flat("0.01"), None
            )
        await commission.end_table(deps, group, 1, date(2026, 4, 30))
        created = await commission.create_table(
            deps,
            group,
            2,
            date(2026, 5, 1),
            None,
            [
                Tier(Decimal(0), True, Decimal("0.5"), True, Decimal(0)),
                Tier(Decimal("0.8"), True, None, False, Decimal("0.03")),
            ],
            GapPolicy.NEXT_TIER,
        )
        with pytest.raises(InvalidArgument):  # ends before it starts
            await commission.end_table(deps, group, 2, date(2026, 4, 15))
    assert overlap.value.reason == "COMMISSION_TABLE_DATES_OVERLAP"
    assert len(created.table.tiers) == 3  # the (50%, 80%) gap filled at the next tier's 3%
    async with deps.db.unit_of_work() as uow:
        catalog = await commission.catalog(uow)
    assert catalog.rate(group, date(2026, 4, 30), Decimal("0.85")) == Decimal("0.02")
    assert catalog.rate(group, date(2026, 5, 1), Decimal("0.6")) == Decimal("0.03")
