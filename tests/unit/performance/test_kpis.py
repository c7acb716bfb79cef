"""KPI formulas (seed 000/001) and their mapping to a 0-100 score."""

from __future__ import annotations

from decimal import Decimal

import pytest

from services.common.errors import FailedPrecondition, InvalidArgument
from services.common.money import Money
from services.performance.domain import kpis
from services.performance.domain.kpi_scoring import (
    DEFAULT_KPI_SETS,
    Kpi,
    KpiMeasurement,
    KpiSet,
    score_kpi,
    score_kpi_set,
)
from services.performance.domain.roles import Role

D = Decimal


def test_sales_amount_is_orders_minus_refunds() -> None:
    orders = [Money(10_000, "CNY"), Money(5_000, "CNY")]
    assert kpis.sales_amount(orders, [Money(2_000, "CNY")], "CNY") == Money(13_000, "CNY")
    assert kpis.sales_volume([3, 4, -1]) == 6


@pytest.mark.parametrize(
    ("this", "last", "expected"),
    [
        (120, 100, D("0.2000")),
        (80, 100, D("-0.2000")),
        (1, 3, D("-0.6667")),
        (5, 0, None),
    ],
)
def test_growth_rate_is_change_over_last_period(
    this: int, last: int, expected: Decimal | None
) -> None:
    assert kpis.growth_rate(this, last) == expected


def test_rates_are_rounded_half_up_to_four_places() -> None:
    assert kpis.order_on_time_rate(2, 3) == D("0.6667")
    assert kpis.listing_success_rate(1, 8) == D("0.1250")
    assert kpis.positive_review_rate(19_997, 20_000) == D("0.9999")  # 0.99985 → half up
    assert kpis.after_sales_resolution_rate(1, 16) == D("0.0625")
    assert kpis.complaint_resolution_rate(39_999, 40_000) == D("1.0000")  # 0.999975 → 1.0000
    assert kpis.report_accuracy(9, 10) == D("0.9000")
    assert kpis.report_timeliness(3, 4) == D("0.7500")
    assert kpis.stock_accuracy(99, 100) == D("0.9900")
    assert kpis.product_data_error_rate(1, 200) == D("0.0050")
    assert kpis.plan_execution_rate(4, 5) == D("0.8000")
    assert kpis.cross_department_project_completion(1, 2) == D("0.5000")


def test_zero_denominator_makes_the_kpi_undefined_not_zero() -> None:
    assert kpis.order_on_time_rate(0, 0) is None
    assert kpis.promotion_roi(1_000, 0) is None
    assert kpis.inventory_turnover(1_000, []) is None
    assert kpis.response_timeliness([]) is None
    assert kpis.collaboration_satisfaction([]) is None


def test_part_larger_than_whole_is_a_data_error() -> None:
    with pytest.raises(InvalidArgument) as err:
        kpis.order_on_time_rate(11, 10)
    assert err.value.reason == "KPI_PART_EXCEEDS_WHOLE"
    with pytest.raises(InvalidArgument):
        kpis.listing_success_rate(-1, 10)


def test_inventory_turnover_is_cogs_over_average_inventory() -> None:
    # COGS 600,000 / ((100,000 + 200,000) / 2) = 4.0
    assert kpis.inventory_turnover(600_000, [100_000, 200_000]) == D("4.0000")


def test_response_timeliness_counts_the_threshold_itself_as_timely() -> None:
    assert kpis.response_timeliness([30, 180, 181, 600]) == D("0.5000")
    assert kpis.response_timeliness([30, 60, 61], threshold_seconds=60) == D("0.6667")


def test_promotion_roi_and_conversion_and_budget() -> None:
    assert kpis.promotion_roi(350_000, 100_000) == D("3.5000")
    assert kpis.conversion_rate(3, 1_000) == D("0.0030")
    assert kpis.sales_vs_budget(90, 120) == D("0.7500")


def test_satisfaction_is_the_mean_survey_score() -> None:
    assert kpis.collaboration_satisfaction([D("90"), D("85"), D("80.5")]) == D("85.1667")
    with pytest.raises(InvalidArgument):
        kpis.average_score([D("101")])


@pytest.mark.parametrize(
    ("kpi", "actual", "target", "score"),
    [
        (Kpi.ORDER_ON_TIME_RATE, "0.95", "0.95", 100),
        (Kpi.ORDER_ON_TIME_RATE, "0.99", "0.95", 100),  # capped at 100
        (Kpi.ORDER_ON_TIME_RATE, "0.76", "0.95", 80),
        (Kpi.SALES_GROWTH_RATE, "-0.05", "0.10", 0),  # never below 0
        (Kpi.PRODUCT_DATA_ERROR_RATE, "0.01", "0.02", 100),  # lower is better
        (Kpi.PRODUCT_DATA_ERROR_RATE, "0.04", "0.02", 50),
        (Kpi.PRODUCT_DATA_ERROR_RATE, "0", "0", 100),
    ],
)
def test_kpi_score_is_achievement_against_target_capped_at_100(
    kpi: Kpi, actual: str, target: str, score: int
) -> None:
    assert score_kpi(kpi, D(actual), D(target)) == score


def test_higher_is_better_kpi_needs_a_positive_target() -> None:
    with pytest.raises(InvalidArgument) as err:
        score_kpi(Kpi.PROMOTION_ROI, D("3"), D("0"))
    assert err.value.reason == "KPI_INVALID_TARGET"


def test_every_role_has_a_default_set_summing_to_100_percent() -> None:
    assert set(DEFAULT_KPI_SETS) == set(Role)
    for kpi_set in DEFAULT_KPI_SETS.values():
        assert sum(kpi_set.weights.values()) == 1


def test_kpi_set_weights_must_sum_to_100_percent() -> None:
    with pytest.raises(InvalidArgument) as err:
        KpiSet(Role.DATA_ANALYST, {Kpi.REPORT_ACCURACY: D("0.5"), Kpi.REPORT_TIMELINESS: D("0.4")})
    assert err.value.reason == "KPI_WEIGHTS_NOT_100_PERCENT"


def test_customer_service_kpi_score_is_the_weighted_sum() -> None:
    result = score_kpi_set(
        DEFAULT_KPI_SETS[Role.CUSTOMER_SERVICE],
        {
            Kpi.RESPONSE_TIMELINESS: KpiMeasurement(D("0.90"), D("0.95")),  # 94.7368…
            Kpi.PROBLEM_RESOLUTION_RATE: KpiMeasurement(D("0.98"), D("0.95")),  # 100
            Kpi.CUSTOMER_SATISFACTION: KpiMeasurement(D("88"), D("90")),  # 97.7777…
        },
    )
    # 0.35 × 94.736842 + 0.35 × 100 + 0.30 × 97.777778 = 33.157895 + 35 + 29.333333 = 97.49
    assert result.total == D("97.49")
    assert result.per_kpi[Kpi.RESPONSE_TIMELINESS] == D("94.74")
    assert result.excluded == ()


def test_undefined_kpi_is_left_out_and_listed() -> None:
    result = score_kpi_set(
        DEFAULT_KPI_SETS[Role.PROMOTION],
        {
            Kpi.PROMOTION_ROI: KpiMeasurement(D("3"), D("4")),  # 75
            Kpi.TRAFFIC_GROWTH_RATE: KpiMeasurement(None, D("0.1")),
            Kpi.PROMOTION_PLAN_EXECUTION: KpiMeasurement(D("1"), D("1")),  # 100
        },
    )
    # (0.5 × 75 + 0.2 × 100) / 0.7 = 82.142857 → 82.14
    assert result.total == D("82.14")
    assert result.excluded == (Kpi.TRAFFIC_GROWTH_RATE,)


def test_missing_measurement_is_refused() -> None:
    with pytest.raises(FailedPrecondition) as err:
        score_kpi_set(
            DEFAULT_KPI_SETS[Role.DATA_ANALYST],
            {Kpi.REPORT_ACCURACY: KpiMeasurement(D("1"), D("1"))},
        )
    assert err.value.reason == "KPI_MEASUREMENT_MISSING"


def test_all_kpis_undefined_is_refused() -> None:
    with pytest.raises(FailedPrecondition) as err:
        score_kpi_set(
            DEFAULT_KPI_SETS[Role.DATA_ANALYST],
            {
                Kpi.REPORT_ACCURACY: KpiMeasurement(None, D("1")),
                Kpi.REPORT_TIMELINESS: KpiMeasurement(None, D("1")),
            },
        )
    assert err.value.reason == "KPI_ALL_UNDEFINED"
