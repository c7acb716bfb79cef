"""KPIs computed from the scenario's facts, the three reports with their masking, and sales
facts by day, employee and shop."""

from __future__ import annotations

from decimal import Decimal

import pytest

from services.common.errors import PermissionDenied
from services.common.money import Money
from services.performance.domain.commission_tables import CommissionGroup
from services.performance.domain.kpi_scoring import Kpi
from services.performance.domain.period import YearMonth
from services.performance.domain.reports import RankBy
from services.performance.service import facts, kpis, reports
from services.performance.service.context import Deps
from tests.integration.performance.conftest import Clock, acting_as
from tests.integration.performance.test_statements import (
    MARCH,
    appraise_s1,
    set_up_month,
    statements_for,
)

pytestmark = pytest.mark.integration


async def test_kpis_come_from_the_feeds_with_their_inputs(fresh: tuple[Deps, Clock]) -> None:
    deps, clock = fresh
    await set_up_month(deps, clock)
    clock.set("2026-04-02 10:00")
    with acting_as("HR1"):
        c1 = await kpis.get_employee_kpis(deps, "C1", MARCH)
        await kpis.record_kpi_input(deps, "P1", MARCH, "PROMOTION_ROI", Decimal("1.5"))
        p1 = await kpis.get_employee_kpis(deps, "P1", MARCH)
    values = {r.kpi: r for r in c1.results}
    # C1's only shipment (O2, in at 18:30, out two days later) was late; no after-sales case.
    assert values[Kpi.PROBLEM_RESOLUTION_RATE].value is None
    assert c1.score is None  # nothing of the customer-service set is defined yet
    roi = {r.kpi: r for r in p1.results}[Kpi.PROMOTION_ROI]
    assert roi.value == Decimal("1.5")
    assert roi.score == Decimal("50.00")
    assert p1.score is not None
    assert p1.score.total == Decimal("50.00")


async def test_operations_kpis_from_orders_and_inventory(fresh: tuple[Deps, Clock]) -> None:
    deps, clock = fresh
    await set_up_month(deps, clock)
    async with deps.db.unit_of_work() as uow:
        p1 = await kpis.kpi_facts(deps, uow, "P1", MARCH)
        c1 = await kpis.kpi_facts(deps, uow, "C1", MARCH)
    assert (p1.shipments, p1.shipped_on_time) == (1, 1)
    assert (c1.shipments, c1.shipped_on_time) == (1, 0)
    assert (p1.reviews, p1.positive_reviews) == (1, 1)
    assert (p1.units, p1.units_last_month) == (4, 1)  # O1 3 + O4 1; O0 in February
    assert (p1.sales, p1.sales_last_month) == (100_000, 50_000)
    # Inventory: 2,000.00 received in February; 60 + 40 issued in March.
    assert p1.cost_of_goods_sold == 10_000
    assert p1.inventory_values == (200_000, 190_000)


async def test_kpi_reads_follow_the_appraisal_visibility(fresh: tuple[Deps, Clock]) -> None:
    deps, clock = fresh
    await set_up_month(deps, clock)
    with acting_as("C1", ("performance.kpis.read",)), pytest.raises(PermissionDenied):
        await kpis.get_employee_kpis(deps, "P1", MARCH)


async def test_department_ranking_masks_scores_the_caller_may_not_see(
    fresh: tuple[Deps, Clock],
) -> None:
    deps, clock = fresh
    await set_up_month(deps, clock)
    with acting_as("C1", ("performance.reports.read",)):
        by_sales = await reports.ranking(deps, MARCH, RankBy.SALES)
    assert [
        (r.ranked.entry.employee_code, r.ranked.value, r.ranked.rank)
        for r in by_sales["operations"]
    ] == [("P1", Decimal(100_000), 1), ("S1", 0, 2)]
    assert [r.ranked.entry.employee_code for r in by_sales["customer_service"]] == ["C1", "C2"]
    await appraise_s1(deps, clock)
    with acting_as("C1", ("performance.reports.read",)):
        by_score = await reports.ranking(deps, MARCH, RankBy.TOTAL_SCORE)
    (s1,) = by_score["operations"]
    assert s1.masked  # C1 may not see S1's appraisal
    with acting_as("GM1", ("performance.reports.read",)):
        (s1,) = (await reports.ranking(deps, MARCH, RankBy.TOTAL_SCORE))["operations"]
    assert not s1.masked
    assert s1.ranked.value == Decimal("88.57")


async def test_commission_by_group_masks_what_the_caller_may_not_see(
    fresh: tuple[Deps, Clock],
) -> None:
    deps, clock = fresh
    await set_up_month(deps, clock)
    clock.set("2026-04-01 10:00")
    await statements_for(deps)
    with acting_as("C1", ("performance.reports.read",)):
        groups = {g.record.group: g for g in await reports.commission_by_group(deps, MARCH)}
    cs = groups[CommissionGroup.CUSTOMER_SERVICE]
    assert cs.record.rate == "0.015"
    assert cs.total_masked  # C2's share is not C1's to see
    assert [(m.employee_code, m.amount) for m in cs.members] == [
        ("C1", Money(1_275, "CNY")),
        ("C2", None),
    ]
    assert groups[CommissionGroup.DEPARTMENT_ACTIVITY_FUND].record.amount == Money(850, "CNY")
    with acting_as("HR1", ("performance.reports.read", "performance.commission.read_all")):
        groups = {g.record.group: g for g in await reports.commission_by_group(deps, MARCH)}
    assert not groups[CommissionGroup.CUSTOMER_SERVICE].total_masked
    assert groups[CommissionGroup.CUSTOMER_SERVICE].record.amount == Money(2_550, "CNY")


async def test_kpi_trend_shows_the_change_month_to_month(fresh: tuple[Deps, Clock]) -> None:
    deps, clock = fresh
    await set_up_month(deps, clock)
    with acting_as("S1", ("performance.reports.read",)):
        points = await reports.trend(deps, "P1", "SALES_AMOUNT", YearMonth(2026, 2), MARCH)
    # February has no target for P1: SALES_AMOUNT is undefined without one.
    assert [(str(p.month), p.value) for p in points] == [
        ("2026-02", None),
        ("2026-03", Decimal(100_000)),
    ]


async def test_sales_facts_by_day_employee_and_shop(fresh: tuple[Deps, Clock]) -> None:
    deps, clock = fresh
    await set_up_month(deps, clock)
    rows, groups = await facts.daily_sales(deps, MARCH, "P1", None, 100)
    assert [(str(r.day), r.orders, r.ordered, r.collected, r.refunded, r.units) for r in rows] == [
        ("2026-03-02", 1, 120_000, 120_000, 0, 3),
        ("2026-03-12", 1, 10_000, 0, 0, 1),
        ("2026-03-25", 0, 0, 0, 20_000, 0),
    ]
    assert groups["P1"] == "PROMOTION"
    page1, _ = await facts.daily_sales(deps, MARCH, None, None, 2)
    page2, _ = await facts.daily_sales(
        deps, MARCH, None, (str(page1[-1].day), page1[-1].employee_code, page1[-1].shop), 100
    )
    assert len(page1) + len(page2) == 6
