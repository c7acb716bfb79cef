"""Report aggregations: ranking, KPI trend, commission by group."""

from __future__ import annotations

from decimal import Decimal

import pytest

from services.common.errors import InvalidArgument
from services.common.money import Money
from services.performance.domain.commission_tables import CommissionGroup
from services.performance.domain.kpi_scoring import Kpi
from services.performance.domain.period import YearMonth
from services.performance.domain.reports import (
    CommissionRecord,
    KpiObservation,
    RankBy,
    RankingEntry,
    commission_by_group,
    department_ranking,
    kpi_trend,
)

D = Decimal


def test_ranking_within_department_shares_ranks_on_ties_listed_by_code() -> None:
    entries = [
        RankingEntry("E3", "OPS", D("88.5"), 300),
        RankingEntry("E1", "OPS", D("92"), 100),
        RankingEntry("E2", "OPS", D("88.5"), 200),
        RankingEntry("E4", "OPS", D("70"), None),
        RankingEntry("W1", "WAREHOUSE", None, 500),
    ]
    by_score = department_ranking(entries, RankBy.TOTAL_SCORE)
    assert [(r.rank, r.entry.employee_code) for r in by_score["OPS"]] == [
        (1, "E1"),
        (2, "E2"),
        (2, "E3"),
        (4, "E4"),
    ]
    assert "WAREHOUSE" not in by_score
    by_sales = department_ranking(entries, RankBy.SALES)
    assert [r.entry.employee_code for r in by_sales["OPS"]] == ["E3", "E2", "E1"]
    assert [r.entry.employee_code for r in by_sales["WAREHOUSE"]] == ["W1"]


def test_kpi_trend_orders_months_and_shows_change_from_the_month_before() -> None:
    kpi = Kpi.ORDER_ON_TIME_RATE
    observations = [
        KpiObservation("E1", YearMonth(2024, 3), kpi, D("0.95")),
        KpiObservation("E1", YearMonth(2024, 1), kpi, D("0.90")),
        KpiObservation("E1", YearMonth(2024, 2), kpi, D("0.92")),
        KpiObservation("E1", YearMonth(2024, 5), kpi, D("0.97")),  # April missing
        KpiObservation("E2", YearMonth(2024, 1), kpi, D("0.50")),
        KpiObservation("E1", YearMonth(2024, 1), Kpi.PROMOTION_ROI, D("3")),
    ]
    trend = kpi_trend(observations, "E1", kpi)
    assert [(str(p.month), p.value, p.change) for p in trend] == [
        ("2024-01", D("0.90"), None),
        ("2024-02", D("0.92"), D("0.02")),
        ("2024-03", D("0.95"), D("0.03")),
        ("2024-05", D("0.97"), None),
    ]


def test_kpi_trend_refuses_two_values_for_one_month() -> None:
    month = YearMonth(2024, 1)
    with pytest.raises(InvalidArgument):
        kpi_trend(
            [
                KpiObservation("E1", month, Kpi.PROMOTION_ROI, D("1")),
                KpiObservation("E1", month, Kpi.PROMOTION_ROI, D("2")),
            ],
            "E1",
            Kpi.PROMOTION_ROI,
        )


def test_commission_by_group_sums_the_month_only() -> None:
    may, june = YearMonth(2024, 5), YearMonth(2024, 6)
    cs, promo = CommissionGroup.CUSTOMER_SERVICE, CommissionGroup.PROMOTION
    records = [
        CommissionRecord(cs, may, "E2", Money(100, "CNY")),
        CommissionRecord(cs, may, "E1", Money(150, "CNY")),
        CommissionRecord(promo, may, "P1", Money(70, "CNY")),
        CommissionRecord(cs, june, "E1", Money(999, "CNY")),
    ]
    totals = commission_by_group(records, may, "CNY")
    assert list(totals) == [cs, promo]
    assert totals[cs].total == Money(250, "CNY")
    assert totals[cs].members == ("E1", "E2")
    assert totals[promo].total == Money(70, "CNY")
