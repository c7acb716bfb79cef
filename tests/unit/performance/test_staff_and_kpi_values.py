"""Positions → roles and groups, employment in a month, and KPI values from facts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.common.errors import InvalidArgument
from services.performance.domain.commission_conditions import LeavingRules
from services.performance.domain.commission_tables import CommissionGroup
from services.performance.domain.kpi_scoring import DEFAULT_KPI_SETS, Kpi
from services.performance.domain.kpi_values import (
    KPI_DEFINITIONS,
    KpiFacts,
    KpiSource,
    employee_kpis,
    kpi_value,
)
from services.performance.domain.period import YearMonth
from services.performance.domain.roles import Role
from services.performance.domain.staff import (
    DEFAULT_POSITION_ASSIGNMENTS,
    EmployeeRecord,
    StaffAssignment,
    parse_position_assignments,
)

MAY = YearMonth(2026, 5)


def test_default_assignments_follow_seed_003_groups() -> None:
    assert DEFAULT_POSITION_ASSIGNMENTS["ops_supervisor"] == StaffAssignment(
        Role.SUPERVISOR, CommissionGroup.SUPERVISOR
    )
    assert DEFAULT_POSITION_ASSIGNMENTS["promotion_specialist"].group is CommissionGroup.PROMOTION
    assert "wh_keeper" not in DEFAULT_POSITION_ASSIGNMENTS


def test_assignments_setting_is_parsed_and_checked() -> None:
    parsed = parse_position_assignments("sales_rep=PROMOTION:PROMOTION, data_analyst=DATA_ANALYST")
    assert parsed["sales_rep"] == StaffAssignment(Role.PROMOTION, CommissionGroup.PROMOTION)
    assert parsed["data_analyst"].group is None
    assert parse_position_assignments("") is DEFAULT_POSITION_ASSIGNMENTS
    with pytest.raises(InvalidArgument):
        parse_position_assignments("x=BOSS")


@pytest.mark.parametrize(
    ("hired", "left", "employed"),
    [
        (date(2026, 5, 31), None, True),
        (date(2026, 6, 1), None, False),
        (date(2025, 1, 1), date(2026, 5, 1), True),
        (date(2025, 1, 1), date(2026, 4, 30), False),
    ],
)
def test_employed_during_a_month_means_at_least_one_day(
    hired: date, left: date | None, employed: bool
) -> None:
    record = EmployeeRecord("E1", "E1", "ops", "cs_specialist", None, hired, left)
    assert record.employed_during(MAY) is employed


def test_a_leaver_after_a_year_still_collects_during_the_grace_days() -> None:
    record = EmployeeRecord(
        "E1", "E1", "ops", "cs_specialist", None, date(2024, 1, 1), date(2026, 4, 20)
    )
    assert record.collects_during(MAY, LeavingRules())  # grace to 2026-05-05
    early = EmployeeRecord(
        "E1", "E1", "ops", "cs_specialist", None, date(2024, 1, 1), date(2026, 4, 10)
    )
    assert not early.collects_during(MAY, LeavingRules())  # grace ended 2026-04-25
    first_year = EmployeeRecord(
        "E1", "E1", "ops", "cs_specialist", None, date(2025, 10, 1), date(2026, 4, 29)
    )
    assert not first_year.collects_during(MAY, LeavingRules())


def test_every_kpi_of_every_set_has_a_documented_formula_and_source() -> None:
    for kpi_set in DEFAULT_KPI_SETS.values():
        for kpi in kpi_set.weights:
            definition = KPI_DEFINITIONS[kpi]
            assert definition.formula
            assert definition.source in KpiSource


FACTS = KpiFacts(
    sales=90_000,
    sales_last_month=60_000,
    own_target=100_000,
    units=12,
    units_last_month=10,
    shipments=20,
    shipped_on_time=19,
    reviews=8,
    positive_reviews=6,
    after_sales_cases=4,
    after_sales_resolved=3,
    complaints=2,
    complaints_resolved=2,
    department_sales=300_000,
    department_sales_last_month=200_000,
    department_target=250_000,
    cost_of_goods_sold=50_000,
    inventory_values=(200_000, 300_000),
)


@pytest.mark.parametrize(
    ("kpi", "value"),
    [
        (Kpi.SALES_AMOUNT, "90000"),
        (Kpi.SALES_VOLUME, "12"),
        (Kpi.SALES_GROWTH_RATE, "0.5000"),
        (Kpi.ORDER_ON_TIME_RATE, "0.9500"),
        (Kpi.INVENTORY_TURNOVER, "0.2000"),
        (Kpi.POSITIVE_REVIEW_RATE, "0.7500"),
        (Kpi.AFTER_SALES_RESOLUTION_RATE, "0.7500"),
        (Kpi.PROBLEM_RESOLUTION_RATE, "0.7500"),
        (Kpi.COMPLAINT_RESOLUTION_RATE, "1.0000"),
        (Kpi.SALES_VS_BUDGET, "1.2000"),
        (Kpi.PROMOTION_SALES_GROWTH, "0.5000"),
    ],
)
def test_feed_kpis_follow_their_formula(kpi: Kpi, value: str) -> None:
    assert kpi_value(kpi, FACTS)[0] == Decimal(value)


def test_undefined_kpis_are_left_out_not_counted_as_zero() -> None:
    result = employee_kpis(
        Role.CUSTOMER_SERVICE, KpiFacts(after_sales_cases=4, after_sales_resolved=4)
    )
    assert result.score is not None
    assert result.score.total == Decimal("100.00")
    assert set(result.score.excluded) == {Kpi.RESPONSE_TIMELINESS, Kpi.CUSTOMER_SATISFACTION}


def test_manual_inputs_fill_the_kpis_no_feed_carries() -> None:
    facts = KpiFacts(
        manual={
            Kpi.PROMOTION_ROI: Decimal("1.5"),
            Kpi.TRAFFIC_GROWTH_RATE: Decimal("0.10"),
            Kpi.PROMOTION_PLAN_EXECUTION: Decimal("0.95"),
        }
    )
    result = employee_kpis(Role.PROMOTION, facts)
    assert result.score is not None
    # ROI 1.5 / 3 = 50 (weight 50%), traffic and plan at target (100).
    assert result.score.total == Decimal("75.00")


def test_no_kpi_defined_gives_no_score() -> None:
    assert employee_kpis(Role.DATA_ANALYST, KpiFacts()).score is None
