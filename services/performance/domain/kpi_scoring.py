"""Per-role KPI sets and the mapping from KPI values to a 0-100 score (seed 001 四(一), 000 四(一)).

Mapping (documented choice): each KPI has a target for the month.
- higher is better: score = min(actual / target, 1) × 100, never below 0 (a negative growth
  scores 0); target must be > 0.
- lower is better (error rates): score = 100 when actual ≤ target, else target / actual × 100.
The KPI score of a role = Σ weight × score over the KPIs with a value, divided by the weights of
those KPIs (an undefined KPI, e.g. growth after a zero month, is left out and listed), rounded to
2 places ROUND_HALF_UP. Per-KPI scores are shown rounded the same way but summed exact.

Default sets follow the seed's lists per role; the weights are ours (sales first for managers and
operations, the seed's named outcome first for the other roles) and must sum to exactly 100%.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from fractions import Fraction

from services.common.errors import FailedPrecondition, InvalidArgument
from services.common.money import quantize_half_up, to_fraction
from services.performance.domain.appraisal import SCORE_PLACES
from services.performance.domain.roles import Role


class Direction(Enum):
    HIGHER_IS_BETTER = "HIGHER_IS_BETTER"
    LOWER_IS_BETTER = "LOWER_IS_BETTER"


class Kpi(Enum):
    """KPI codes; the formula of each is in `kpis`."""

    SALES_AMOUNT = "SALES_AMOUNT"
    SALES_VOLUME = "SALES_VOLUME"
    SALES_GROWTH_RATE = "SALES_GROWTH_RATE"
    ORDER_ON_TIME_RATE = "ORDER_ON_TIME_RATE"
    INVENTORY_TURNOVER = "INVENTORY_TURNOVER"
    LISTING_SUCCESS_RATE = "LISTING_SUCCESS_RATE"
    POSITIVE_REVIEW_RATE = "POSITIVE_REVIEW_RATE"
    AFTER_SALES_RESOLUTION_RATE = "AFTER_SALES_RESOLUTION_RATE"
    COLLABORATION_SATISFACTION = "COLLABORATION_SATISFACTION"
    CROSS_DEPARTMENT_PROJECT_COMPLETION = "CROSS_DEPARTMENT_PROJECT_COMPLETION"
    SALES_VS_BUDGET = "SALES_VS_BUDGET"
    CUSTOMER_SATISFACTION = "CUSTOMER_SATISFACTION"
    TEAM_COMPLETION = "TEAM_COMPLETION"
    PRODUCT_DATA_ERROR_RATE = "PRODUCT_DATA_ERROR_RATE"
    STOCK_ACCURACY = "STOCK_ACCURACY"
    PAGE_CONVERSION_RATE = "PAGE_CONVERSION_RATE"
    PROMOTION_SALES_GROWTH = "PROMOTION_SALES_GROWTH"
    SUPPLIER_SATISFACTION = "SUPPLIER_SATISFACTION"
    PROMOTION_ROI = "PROMOTION_ROI"
    TRAFFIC_GROWTH_RATE = "TRAFFIC_GROWTH_RATE"
    PROMOTION_PLAN_EXECUTION = "PROMOTION_PLAN_EXECUTION"
    RESPONSE_TIMELINESS = "RESPONSE_TIMELINESS"
    PROBLEM_RESOLUTION_RATE = "PROBLEM_RESOLUTION_RATE"
    COMPLAINT_RESOLUTION_RATE = "COMPLAINT_RESOLUTION_RATE"
    REPORT_ACCURACY = "REPORT_ACCURACY"
    REPORT_TIMELINESS = "REPORT_TIMELINESS"

    @property
    def direction(self) -> Direction:
        if self is Kpi.PRODUCT_DATA_ERROR_RATE:
            return Direction.LOWER_IS_BETTER
        return Direction.HIGHER_IS_BETTER


@dataclass(frozen=True)
class KpiSet:
    """A role's KPIs with weights (Decimal fractions summing to exactly 1)."""

    role: Role
    weights: Mapping[Kpi, Decimal]

    def __post_init__(self) -> None:
        if not self.weights:
            raise InvalidArgument.for_field(
                "weights", "a KPI set needs at least one KPI", reason="KPI_SET_EMPTY"
            )
        for kpi, weight in self.weights.items():
            to_fraction(weight, f"weights.{kpi.value}")
            if weight <= 0:
                raise InvalidArgument.for_field(
                    f"weights.{kpi.value}",
                    f"must be > 0, got {weight}",
                    reason="KPI_WEIGHT_NOT_POSITIVE",
                )
        weight_sum = sum(self.weights.values(), Decimal(0))
        if weight_sum != 1:
            raise InvalidArgument.for_field(
                "weights",
                f"must sum to exactly 100%, got {weight_sum * 100}%",
                reason="KPI_WEIGHTS_NOT_100_PERCENT",
            )


def _set(role: Role, **weights: str) -> KpiSet:
    return KpiSet(role, {Kpi[name]: Decimal(w) for name, w in weights.items()})


DEFAULT_KPI_SETS: Mapping[Role, KpiSet] = {
    # Seed 001 四(一)1: sales vs budget, growth, customer satisfaction, team management.
    Role.MANAGER: _set(
        Role.MANAGER,
        SALES_VS_BUDGET="0.40",
        SALES_GROWTH_RATE="0.20",
        CUSTOMER_SATISFACTION="0.20",
        TEAM_COMPLETION="0.20",
    ),
    # Seed 001 四(一)2: data accuracy, page conversion, promotion effect, supplier satisfaction.
    Role.SUPERVISOR: _set(
        Role.SUPERVISOR,
        PRODUCT_DATA_ERROR_RATE="0.20",
        STOCK_ACCURACY="0.20",
        PAGE_CONVERSION_RATE="0.20",
        PROMOTION_SALES_GROWTH="0.25",
        SUPPLIER_SATISFACTION="0.15",
    ),
    # Seed 001 四(一)3: ROI, traffic growth, plan execution.
    Role.PROMOTION: _set(
        Role.PROMOTION,
        PROMOTION_ROI="0.50",
        TRAFFIC_GROWTH_RATE="0.30",
        PROMOTION_PLAN_EXECUTION="0.20",
    ),
    # Seed 001 四(一)5: response timeliness, problem resolution, customer satisfaction.
    Role.CUSTOMER_SERVICE: _set(
        Role.CUSTOMER_SERVICE,
        RESPONSE_TIMELINESS="0.35",
        PROBLEM_RESOLUTION_RATE="0.35",
        CUSTOMER_SATISFACTION="0.30",
    ),
    # Seed 001 四(一)6: report accuracy and timeliness.
    Role.DATA_ANALYST: _set(Role.DATA_ANALYST, REPORT_ACCURACY="0.50", REPORT_TIMELINESS="0.50"),
    # Seed 000 四(一): sales, efficiency, customer and teamwork indicators.
    Role.OPERATIONS_SPECIALIST: _set(
        Role.OPERATIONS_SPECIALIST,
        SALES_AMOUNT="0.15",
        SALES_VOLUME="0.05",
        SALES_GROWTH_RATE="0.10",
        ORDER_ON_TIME_RATE="0.15",
        INVENTORY_TURNOVER="0.10",
        LISTING_SUCCESS_RATE="0.10",
        POSITIVE_REVIEW_RATE="0.10",
        AFTER_SALES_RESOLUTION_RATE="0.10",
        COLLABORATION_SATISFACTION="0.10",
        CROSS_DEPARTMENT_PROJECT_COMPLETION="0.05",
    ),
}


@dataclass(frozen=True)
class KpiMeasurement:
    """The month's value of a KPI (None = undefined this month) and its target."""

    actual: Decimal | None
    target: Decimal


def score_kpi(kpi: Kpi, actual: Decimal, target: Decimal) -> Fraction:
    """The exact 0-100 score of one KPI value against its target."""
    value = to_fraction(actual, f"{kpi.value}.actual")
    goal = to_fraction(target, f"{kpi.value}.target")
    if kpi.direction is Direction.LOWER_IS_BETTER:
        if goal < 0 or value < 0:
            raise InvalidArgument.for_field(
                f"{kpi.value}",
                "a lower-is-better KPI and its target are >= 0",
                reason="KPI_INVALID_TARGET",
            )
        return Fraction(100) if value <= goal else goal / value * 100
    if goal <= 0:
        raise InvalidArgument.for_field(
            f"{kpi.value}.target", f"must be > 0, got {target}", reason="KPI_INVALID_TARGET"
        )
    return max(Fraction(0), min(value / goal, Fraction(1))) * 100


@dataclass(frozen=True)
class KpiScore:
    """A role's KPI score with per-KPI detail."""

    total: Decimal
    per_kpi: Mapping[Kpi, Decimal]
    excluded: tuple[Kpi, ...]


def score_kpi_set(kpi_set: KpiSet, measurements: Mapping[Kpi, KpiMeasurement]) -> KpiScore:
    """Weighted KPI score (0-100) for the appraisal's KPI source."""
    missing = [k.value for k in kpi_set.weights if k not in measurements]
    if missing:
        raise FailedPrecondition(
            f"no measurement supplied for {', '.join(missing)}", reason="KPI_MEASUREMENT_MISSING"
        )
    weighted = Fraction(0)
    weight_present = Fraction(0)
    per_kpi: dict[Kpi, Decimal] = {}
    excluded: list[Kpi] = []
    for kpi, weight in kpi_set.weights.items():
        measurement = measurements[kpi]
        if measurement.actual is None:
            excluded.append(kpi)
            continue
        score = score_kpi(kpi, measurement.actual, measurement.target)
        per_kpi[kpi] = quantize_half_up(score, SCORE_PLACES)
        weighted += Fraction(weight) * score
        weight_present += Fraction(weight)
    if weight_present == 0:
        raise FailedPrecondition(
            "no KPI of the set has a value this month", reason="KPI_ALL_UNDEFINED"
        )
    return KpiScore(
        quantize_half_up(weighted / weight_present, SCORE_PLACES), per_kpi, tuple(excluded)
    )
