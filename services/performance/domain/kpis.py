"""KPI formulas from fact inputs: seed 000 四(一), seed 001 四(一).

Each function takes counts or minor-unit amounts and returns a Decimal rounded to 4 places
ROUND_HALF_UP (`RATE_PLACES`), or None when the KPI is undefined for the period (a zero
denominator: no shipments, no reviews, last period's sales 0). None is not 0: scoring leaves an
undefined KPI out instead of punishing the employee for it. Counts that cannot be negative, or a
part larger than its whole, are rejected as data errors.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from fractions import Fraction

from services.common.errors import InvalidArgument
from services.common.money import Exact, Money, quantize_half_up, to_fraction, total

RATE_PLACES = 4
# Not in the seeds: a customer message answered within 3 minutes counts as timely (a common
# platform service standard); set per shop as needed.
DEFAULT_RESPONSE_THRESHOLD_SECONDS = 180


def _count(value: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidArgument.for_field(
            name, f"must be a count >= 0, got {value!r}", reason="KPI_INVALID_COUNT"
        )
    return value


def share(
    part: int, whole: int, part_name: str = "part", whole_name: str = "whole"
) -> Decimal | None:
    """part / whole for counts, 4 places; None when whole is 0."""
    _count(part, part_name)
    _count(whole, whole_name)
    if part > whole:
        raise InvalidArgument.for_field(
            part_name, f"{part} exceeds {whole_name} {whole}", reason="KPI_PART_EXCEEDS_WHOLE"
        )
    return None if whole == 0 else quantize_half_up(Fraction(part, whole), RATE_PLACES)


def _ratio(numerator: Exact, denominator: Exact) -> Decimal | None:
    den = to_fraction(denominator, "denominator")
    return None if den == 0 else quantize_half_up(to_fraction(numerator) / den, RATE_PLACES)


def sales_amount(orders: Iterable[Money], refunds: Iterable[Money], currency: str) -> Money:
    """销售额 = Σ order amounts − Σ refunds (may be negative in a month of heavy returns)."""
    return total(orders, currency) - total(refunds, currency)


def sales_volume(quantities: Iterable[int]) -> int:
    """销售量 = Σ units sold (net of returned units when the caller passes negatives for them)."""
    return sum(quantities)


def growth_rate(this_period: Exact, last_period: Exact) -> Decimal | None:
    """销售增长率 = (this − last) / last; None when last is 0 (growth from nothing is undefined)."""
    last = to_fraction(last_period, "last_period")
    if last == 0:
        return None
    return quantize_half_up(
        (to_fraction(this_period, "this_period") - last) / abs(last), RATE_PLACES
    )


def order_on_time_rate(on_time: int, shipments: int) -> Decimal | None:
    """订单处理及时率 = orders processed on time / orders processed."""
    return share(on_time, shipments, "on_time", "shipments")


def inventory_turnover(cost_of_goods_sold: int, inventory_values: Sequence[int]) -> Decimal | None:
    """库存周转率 = cost of goods sold / average inventory value (seed 000 gives this formula).

    `inventory_values` are the valuations at the period's snapshots (e.g. opening and closing);
    their plain average is the average inventory. None when it is 0 or no snapshot is given.
    """
    if not inventory_values:
        return None
    average = Fraction(sum(inventory_values), len(inventory_values))
    return _ratio(cost_of_goods_sold, average)


def listing_success_rate(listed: int, submitted: int) -> Decimal | None:
    """产品上架成功率 = listings approved and live / listings submitted."""
    return share(listed, submitted, "listed", "submitted")


def positive_review_rate(positive: int, rated: int) -> Decimal | None:
    """客户好评率 = positively reviewed orders / rated orders.

    Seed 000 divides by all orders; pass the order count as `rated` to follow it literally.
    """
    return share(positive, rated, "positive", "rated")


def after_sales_resolution_rate(resolved: int, cases: int) -> Decimal | None:
    """售后问题解决率 = after-sales cases resolved / cases."""
    return share(resolved, cases, "resolved", "cases")


def complaint_resolution_rate(resolved: int, complaints: int) -> Decimal | None:
    """客户投诉解决率 = complaints resolved / complaints."""
    return share(resolved, complaints, "resolved", "complaints")


def response_timeliness(
    response_seconds: Iterable[int], threshold_seconds: int = DEFAULT_RESPONSE_THRESHOLD_SECONDS
) -> Decimal | None:
    """客户回复及时率 = responses within the threshold (inclusive) / responses."""
    times = [_count(seconds, "response_seconds") for seconds in response_seconds]
    return share(sum(1 for s in times if s <= threshold_seconds), len(times), "timely", "responses")


def promotion_roi(sales: int, spend: int) -> Decimal | None:
    """推广投入产出比 ROI = sales attributed to promotion / promotion spend (seed 001)."""
    _count(spend, "spend")
    return _ratio(sales, spend)


def average_score(scores: Iterable[Decimal]) -> Decimal | None:
    """Mean of 0-100 survey scores (collaboration, customer, supplier satisfaction)."""
    values = [to_fraction(s, "scores") for s in scores]
    if any(not 0 <= v <= 100 for v in values):
        raise InvalidArgument.for_field(
            "scores", "survey scores must be between 0 and 100", reason="KPI_SCORE_OUT_OF_RANGE"
        )
    if not values:
        return None
    return quantize_half_up(sum(values, Fraction(0)) / len(values), RATE_PLACES)


def collaboration_satisfaction(scores: Iterable[Decimal]) -> Decimal | None:
    """内部协作满意度 = mean of other departments' 0-100 scores."""
    return average_score(scores)


def cross_department_project_completion(on_time: int, projects: int) -> Decimal | None:
    """跨部门项目完成情况 = projects completed on time / projects taken part in."""
    return share(on_time, projects, "on_time", "projects")


def sales_vs_budget(actual: int, budget: int) -> Decimal | None:
    """店铺销售额 vs 预算 = actual sales / budgeted sales (manager, seed 001)."""
    _count(budget, "budget")
    return _ratio(max(actual, 0), budget)


def product_data_error_rate(errors: int, listings: int) -> Decimal | None:
    """商品信息错误率 = listings with errors / listings checked (lower is better)."""
    return share(errors, listings, "errors", "listings")


def stock_accuracy(matching: int, counted: int) -> Decimal | None:
    """库存准确率 = counted positions matching the books / positions counted."""
    return share(matching, counted, "matching", "counted")


def conversion_rate(orders: int, visitors: int) -> Decimal | None:
    """页面转化率 = orders / visitors."""
    _count(orders, "orders")
    _count(visitors, "visitors")
    return _ratio(orders, visitors)


def plan_execution_rate(executed: int, planned: int) -> Decimal | None:
    """推广策略执行效果 = planned promotion actions carried out / planned."""
    return share(executed, planned, "executed", "planned")


def report_accuracy(accurate: int, reports: int) -> Decimal | None:
    """数据分析报告准确性 = reports without a correction / reports delivered."""
    return share(accurate, reports, "accurate", "reports")


def report_timeliness(on_time: int, due: int) -> Decimal | None:
    """数据提供及时性 = reports delivered by their due time / reports due."""
    return share(on_time, due, "on_time", "due")
