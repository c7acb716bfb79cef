"""An employee's KPI values for a month, computed from facts (seed 000 四(一), seed 001 四(一)).

Each KPI has a formula (`kpis`), a source and a default target (`KPI_DEFINITIONS`). Sources:
- ORDERS feed: sales amount/volume/growth, order on-time rate, positive-review rate, after-sales
  (problem) resolution rate, complaint resolution rate, sales vs budget, promotion sales growth;
- INVENTORY feed: inventory turnover (department-wide: COGS / average inventory value);
- MANUAL: figures no feed carries (survey scores, promotion spend/ROI, traffic, listings,
  report accuracy…), entered per employee and month with `RecordKpiInput`.
A KPI without a value (no shipments, no input) is undefined and left out of the score
(`kpi_scoring.score_kpi_set`), never counted as 0.

Targets: sales amount is scored against the employee's own monthly target; sales volume
against last month's volume (hold the level); the rest against the fixed defaults below
(ours: the seeds name the KPIs but give no figures).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum

from services.common.money import quantize_half_up
from services.performance.domain import kpis as f
from services.performance.domain.kpi_scoring import (
    DEFAULT_KPI_SETS,
    Kpi,
    KpiMeasurement,
    KpiScore,
    KpiSet,
    score_kpi,
    score_kpi_set,
)
from services.performance.domain.roles import Role


class KpiSource(Enum):
    ORDERS = "ORDERS"
    INVENTORY = "INVENTORY"
    MANUAL = "MANUAL"


@dataclass(frozen=True)
class KpiDefinition:
    kpi: Kpi
    formula: str
    source: KpiSource
    default_target: Decimal | None  # None: a target from the facts (see module doc)


def _d(kpi: Kpi, formula: str, source: KpiSource, target: str | None) -> KpiDefinition:
    return KpiDefinition(kpi, formula, source, None if target is None else Decimal(target))


_O, _I, _M = KpiSource.ORDERS, KpiSource.INVENTORY, KpiSource.MANUAL
KPI_DEFINITIONS: Mapping[Kpi, KpiDefinition] = {
    d.kpi: d
    for d in (
        _d(
            Kpi.SALES_AMOUNT,
            "payments collected in the month − refunds issued in the month, on "
            "the orders the employee handled (minor units)",
            _O,
            None,
        ),
        _d(
            Kpi.SALES_VOLUME,
            "units of the orders the employee placed in the month, cancelled orders excluded",
            _O,
            None,
        ),
        _d(
            Kpi.SALES_GROWTH_RATE,
            "(sales this month − sales last month) / sales last month",
            _O,
            "0.10",
        ),
        _d(
            Kpi.ORDER_ON_TIME_RATE,
            "orders shipped on time / orders shipped in the month (on time: "
            "by the end of the day placed when placed before 17:00, else by the end of the next "
            "day)",
            _O,
            "0.98",
        ),
        _d(
            Kpi.INVENTORY_TURNOVER,
            "cost of goods issued in the month (FIFO) / average of the "
            "inventory value at the month's start and end",
            _I,
            "1",
        ),
        _d(Kpi.LISTING_SUCCESS_RATE, "listings live / listings submitted (manual)", _M, "0.95"),
        _d(
            Kpi.POSITIVE_REVIEW_RATE,
            "positive reviews / reviews of the employee's orders in the month",
            _O,
            "0.95",
        ),
        _d(
            Kpi.AFTER_SALES_RESOLUTION_RATE,
            "after-sales cases resolved in the month / cases "
            "opened in the month on the employee's orders",
            _O,
            "0.95",
        ),
        _d(
            Kpi.COLLABORATION_SATISFACTION,
            "mean of other departments' 0-100 scores (manual)",
            _M,
            "90",
        ),
        _d(
            Kpi.CROSS_DEPARTMENT_PROJECT_COMPLETION, "projects on time / projects (manual)", _M, "1"
        ),
        _d(Kpi.SALES_VS_BUDGET, "all-shops sales / the department's target", _O, "1"),
        _d(Kpi.CUSTOMER_SATISFACTION, "mean 0-100 customer survey score (manual)", _M, "90"),
        _d(Kpi.TEAM_COMPLETION, "share of the team meeting its targets (manual)", _M, "1"),
        _d(
            Kpi.PRODUCT_DATA_ERROR_RATE,
            "listings with errors / listings checked (manual; lower is better)",
            _M,
            "0.02",
        ),
        _d(
            Kpi.STOCK_ACCURACY,
            "counted positions matching the books / positions counted (manual)",
            _M,
            "0.99",
        ),
        _d(Kpi.PAGE_CONVERSION_RATE, "orders / visitors (manual)", _M, "0.03"),
        _d(
            Kpi.PROMOTION_SALES_GROWTH,
            "(all-shops sales this month − last month) / last month",
            _O,
            "0.10",
        ),
        _d(Kpi.SUPPLIER_SATISFACTION, "mean 0-100 supplier survey score (manual)", _M, "90"),
        _d(Kpi.PROMOTION_ROI, "sales attributed to promotion / promotion spend (manual)", _M, "3"),
        _d(
            Kpi.TRAFFIC_GROWTH_RATE,
            "(visitors this month − last month) / last month (manual)",
            _M,
            "0.10",
        ),
        _d(
            Kpi.PROMOTION_PLAN_EXECUTION,
            "planned promotion actions carried out / planned (manual)",
            _M,
            "0.95",
        ),
        _d(
            Kpi.RESPONSE_TIMELINESS,
            "customer messages answered within 180 s / messages "
            "(manual: no feed carries response times)",
            _M,
            "0.95",
        ),
        _d(
            Kpi.PROBLEM_RESOLUTION_RATE,
            "after-sales cases resolved / cases opened on the employee's orders",
            _O,
            "0.95",
        ),
        _d(
            Kpi.COMPLAINT_RESOLUTION_RATE,
            "complaints resolved / complaints opened (orders feed)",
            _O,
            "0.95",
        ),
        _d(Kpi.REPORT_ACCURACY, "reports without a correction / reports (manual)", _M, "0.98"),
        _d(Kpi.REPORT_TIMELINESS, "reports on time / reports due (manual)", _M, "0.95"),
    )
}


@dataclass(frozen=True)
class KpiFacts:
    """The month's figures for one employee (amounts in minor units of the payroll currency)."""

    sales: int = 0
    sales_last_month: int = 0
    own_target: int | None = None
    units: int = 0
    units_last_month: int = 0
    shipments: int = 0
    shipped_on_time: int = 0
    reviews: int = 0
    positive_reviews: int = 0
    after_sales_cases: int = 0
    after_sales_resolved: int = 0
    complaints: int = 0
    complaints_resolved: int = 0
    department_sales: int = 0
    department_sales_last_month: int = 0
    department_target: int | None = None
    cost_of_goods_sold: int = 0
    inventory_values: tuple[int, ...] = ()
    manual: Mapping[Kpi, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class KpiResult:
    kpi: Kpi
    value: Decimal | None
    target: Decimal | None
    score: Decimal | None
    weight: Decimal
    inputs: Mapping[str, str]


@dataclass(frozen=True)
class EmployeeKpis:
    role: Role
    results: tuple[KpiResult, ...]
    score: KpiScore | None


def kpi_value(kpi: Kpi, facts: KpiFacts) -> tuple[Decimal | None, Decimal | None, dict[str, str]]:
    """(value, target, inputs) of one KPI; value None = undefined this month."""
    definition = KPI_DEFINITIONS[kpi]
    target = definition.default_target
    if definition.source is KpiSource.MANUAL:
        value = facts.manual.get(kpi)
        return value, target, {"manual_input": "none" if value is None else str(value)}
    growth_inputs = {
        "this_month_minor": str(facts.sales),
        "last_month_minor": str(facts.sales_last_month),
    }
    if kpi is Kpi.SALES_AMOUNT:
        goal = None if facts.own_target is None else Decimal(facts.own_target)
        value = Decimal(facts.sales) if goal is not None else None
        return value, goal, {"sales_minor": str(facts.sales), "target_minor": str(goal)}
    if kpi is Kpi.SALES_VOLUME:
        goal = Decimal(facts.units_last_month) if facts.units_last_month > 0 else None
        value = Decimal(facts.units) if goal is not None else None
        return (
            value,
            goal,
            {"units": str(facts.units), "units_last_month": str(facts.units_last_month)},
        )
    if kpi is Kpi.SALES_GROWTH_RATE:
        return f.growth_rate(facts.sales, facts.sales_last_month), target, growth_inputs
    if kpi is Kpi.PROMOTION_SALES_GROWTH:
        return (
            f.growth_rate(facts.department_sales, facts.department_sales_last_month),
            target,
            {
                "this_month_minor": str(facts.department_sales),
                "last_month_minor": str(facts.department_sales_last_month),
            },
        )
    if kpi is Kpi.ORDER_ON_TIME_RATE:
        return (
            f.order_on_time_rate(facts.shipped_on_time, facts.shipments),
            target,
            {"on_time": str(facts.shipped_on_time), "shipments": str(facts.shipments)},
        )
    if kpi is Kpi.INVENTORY_TURNOVER:
        return (
            f.inventory_turnover(facts.cost_of_goods_sold, facts.inventory_values),
            target,
            {
                "cogs_minor": str(facts.cost_of_goods_sold),
                "inventory_values_minor": ",".join(str(v) for v in facts.inventory_values),
            },
        )
    if kpi is Kpi.POSITIVE_REVIEW_RATE:
        return (
            f.positive_review_rate(facts.positive_reviews, facts.reviews),
            target,
            {"positive": str(facts.positive_reviews), "reviews": str(facts.reviews)},
        )
    if kpi in (Kpi.AFTER_SALES_RESOLUTION_RATE, Kpi.PROBLEM_RESOLUTION_RATE):
        resolved = min(facts.after_sales_resolved, facts.after_sales_cases)
        return (
            f.after_sales_resolution_rate(resolved, facts.after_sales_cases),
            target,
            {"resolved": str(resolved), "cases": str(facts.after_sales_cases)},
        )
    if kpi is Kpi.COMPLAINT_RESOLUTION_RATE:
        resolved = min(facts.complaints_resolved, facts.complaints)
        return (
            f.complaint_resolution_rate(resolved, facts.complaints),
            target,
            {"resolved": str(resolved), "complaints": str(facts.complaints)},
        )
    if kpi is Kpi.SALES_VS_BUDGET:
        budget = facts.department_target
        value = None if not budget else f.sales_vs_budget(facts.department_sales, budget)
        return (
            value,
            target,
            {"sales_minor": str(facts.department_sales), "budget_minor": str(budget)},
        )
    raise AssertionError(f"no formula for {kpi.value}")  # pragma: no cover


def employee_kpis(
    role: Role, facts: KpiFacts, kpi_sets: Mapping[Role, KpiSet] = DEFAULT_KPI_SETS
) -> EmployeeKpis:
    """Every KPI of `role`'s set with its value, target and score, and the weighted score."""
    kpi_set = kpi_sets[role]
    results: list[KpiResult] = []
    measurements: dict[Kpi, KpiMeasurement] = {}
    for kpi, weight in kpi_set.weights.items():
        value, target, inputs = kpi_value(kpi, facts)
        score = None
        if value is not None and target is not None:
            score = quantize_half_up(score_kpi(kpi, value, target), 2)
        else:
            value = None
        measurements[kpi] = KpiMeasurement(value, target if target is not None else Decimal(1))
        results.append(KpiResult(kpi, value, target, score, weight, inputs))
    defined = any(m.actual is not None for m in measurements.values())
    total = score_kpi_set(kpi_set, measurements) if defined else None
    return EmployeeKpis(role, tuple(results), total)
