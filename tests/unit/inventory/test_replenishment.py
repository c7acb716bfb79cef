"""Replenishment planning (补货规划) and plan approval."""

from datetime import UTC, date, datetime
from fractions import Fraction

import pytest

from services.common.errors import FailedPrecondition, InvalidArgument, PermissionDenied
from services.inventory.domain.replenishment import (
    PlanReason,
    PlanStatus,
    ReplenishmentPlan,
    ReplenishmentPolicy,
    SkuDemand,
    StockLimits,
    cover_days,
    daily_velocity,
    plan_line,
    plan_replenishment,
)
from services.inventory.domain.roles import Role

NOW = datetime(2025, 3, 1, 18, 0, tzinfo=UTC)
WEEK = 7  # default velocity window


def key(per_day: int, available: int, **kw) -> SkuDemand:
    return SkuDemand("TEA-K", True, per_day * WEEK, available, **kw)


def other(per_day: int, available: int, **kw) -> SkuDemand:
    return SkuDemand("TEA-O", False, per_day * WEEK, available, **kw)


def test_velocity_is_units_over_window_days_exactly():
    assert daily_velocity(10, 7) == Fraction(10, 7)
    assert cover_days(20, Fraction(10, 7)) == 14
    assert cover_days(5, Fraction(0)) is None


def test_key_product_under_two_days_cover_orders_seven_days_worth():
    line = plan_line(key(10, 19))
    assert line is not None
    assert (line.quantity, line.reason, line.order_days) == (70, PlanReason.LOW_COVER, 7)
    assert line.cover_days == Fraction(19, 10)


def test_key_product_at_exactly_two_days_cover_orders_nothing():
    assert plan_line(key(10, 20)) is None


def test_key_product_selling_exactly_100_a_day_orders_seven_days_worth():
    line = plan_line(key(100, 199))
    assert line is not None
    assert (line.quantity, line.order_days) == (700, 7)


def test_key_product_selling_101_a_day_orders_three_days_worth():
    line = plan_line(key(101, 201))
    assert line is not None
    assert (line.quantity, line.order_days) == (303, 3)


def test_other_product_under_five_days_cover_orders_fifteen_days_worth():
    line = plan_line(other(4, 19))
    assert line is not None
    assert (line.quantity, line.order_days) == (60, 15)


def test_other_product_at_exactly_five_days_cover_orders_nothing():
    assert plan_line(other(4, 20)) is None


def test_other_product_is_never_shortened_to_three_days_even_when_fast():
    line = plan_line(other(200, 0))
    assert line is not None
    assert (line.quantity, line.order_days) == (3000, 15)


def test_fractional_velocity_rounds_the_order_up_to_whole_units():
    # 10 units in 7 days, nothing in stock: 15 × 10/7 = 21.43 → 22.
    line = plan_line(SkuDemand("TEA-O", False, 10, 0))
    assert line is not None
    assert line.quantity == 22


def test_nothing_sold_and_no_limits_orders_nothing():
    assert plan_line(other(0, 0)) is None


def test_goods_on_order_count_towards_cover():
    assert plan_line(key(10, 10, on_order=10)) is None
    assert plan_line(key(10, 10, on_order=9)) is not None


def test_reorder_point_replaces_the_cover_rule_as_trigger():
    # Cover 10 days (no order by the cover rule) but below the reorder point of 120.
    line = plan_line(other(10, 100, limits=StockLimits(reorder_point=120)))
    assert line is not None
    assert (line.reason, line.quantity) == (PlanReason.BELOW_REORDER_POINT, 150)


def test_stock_at_the_reorder_point_orders_nothing_even_with_low_cover():
    assert plan_line(key(10, 5, limits=StockLimits(reorder_point=5))) is None


def test_reorder_point_order_reaches_at_least_the_reorder_point():
    line = plan_line(other(0, 2, limits=StockLimits(reorder_point=10)))
    assert line is not None
    assert line.quantity == 8


def test_below_safety_stock_triggers_and_tops_up_to_it():
    line = plan_line(other(1, 40, limits=StockLimits(safety_stock=100)))
    assert line is not None
    assert (line.reason, line.quantity) == (PlanReason.BELOW_SAFETY_STOCK, 60)


def test_at_safety_stock_orders_nothing():
    assert plan_line(other(1, 100, limits=StockLimits(safety_stock=100))) is None


def test_safety_stock_raises_a_cover_order_that_would_stay_below_it():
    line = plan_line(key(10, 5, limits=StockLimits(safety_stock=200)))
    assert line is not None
    assert (line.reason, line.quantity) == (PlanReason.LOW_COVER, 195)


def test_order_never_plans_above_maximum_stock():
    line = plan_line(other(10, 30, limits=StockLimits(max_stock=100)))
    assert line is not None
    assert (line.quantity, line.capped_by_max) == (70, True)


def test_order_exactly_reaching_maximum_is_not_capped():
    line = plan_line(other(10, 30, limits=StockLimits(max_stock=180)))
    assert line is not None
    assert (line.quantity, line.capped_by_max) == (150, False)


def test_stock_at_maximum_orders_nothing_even_with_low_cover():
    assert plan_line(key(100, 50, limits=StockLimits(max_stock=50))) is None


def test_limits_must_be_consistent():
    with pytest.raises(InvalidArgument) as err:
        StockLimits(reorder_point=10, max_stock=5)
    assert err.value.violations[0].field == "reorder_point"
    with pytest.raises(InvalidArgument):
        StockLimits(safety_stock=-1)


def test_negative_stock_is_refused():
    with pytest.raises(InvalidArgument):
        plan_line(other(1, -1))


def test_rule_numbers_are_settings():
    policy = ReplenishmentPolicy(velocity_window_days=1, other_cover_days=1, other_order_days=2)
    line = plan_line(SkuDemand("TEA-O", False, 10, 9), policy)
    assert line is not None
    assert line.quantity == 20


def test_plan_lists_only_skus_that_need_an_order_sorted_by_code():
    demands = [
        SkuDemand("Z", False, 70, 0),
        SkuDemand("M", True, 70, 1000),
        SkuDemand("A", True, 70, 0),
    ]
    assert [x.sku_code for x in plan_replenishment(demands)] == ["A", "Z"]


def plan() -> ReplenishmentPlan:
    return ReplenishmentPlan.propose(
        "RP-20250301", date(2025, 3, 1), plan_replenishment([key(10, 0)])
    )


@pytest.mark.parametrize("role", [Role.GM_OFFICE, Role.PURCHASING])
def test_gm_office_or_purchasing_approves(role):
    approved = plan().approve("E7", {role}, NOW)
    assert approved.status is PlanStatus.APPROVED
    assert (approved.decided_by, approved.decided_at) == ("E7", NOW)


def test_other_roles_cannot_decide_a_plan():
    with pytest.raises(PermissionDenied) as err:
        plan().approve("E7", {Role.WAREHOUSE_SUPERVISOR}, NOW)
    assert err.value.reason == "NOT_A_PLAN_APPROVER"
    with pytest.raises(PermissionDenied):
        plan().reject("E7", set(), NOW, "too much")


def test_approving_again_is_a_no_op_and_rejecting_an_approved_plan_is_refused():
    approved = plan().approve("E7", {Role.PURCHASING}, NOW)
    assert approved.approve("E8", {Role.PURCHASING}, NOW) is approved
    with pytest.raises(FailedPrecondition) as err:
        approved.reject("E8", {Role.GM_OFFICE}, NOW, "changed mind")
    assert err.value.reason == "PLAN_ALREADY_DECIDED"


def test_rejecting_keeps_the_reason_and_approving_a_rejected_plan_is_refused():
    rejected = plan().reject("E7", {Role.GM_OFFICE}, NOW, "supplier closed for holiday")
    assert rejected.status is PlanStatus.REJECTED
    assert rejected.decision_note == "supplier closed for holiday"
    assert rejected.reject("E7", {Role.GM_OFFICE}, NOW, "again") is rejected
    with pytest.raises(FailedPrecondition):
        rejected.approve("E7", {Role.GM_OFFICE}, NOW)


def test_rejecting_needs_a_reason():
    with pytest.raises(InvalidArgument):
        plan().reject("E7", {Role.GM_OFFICE}, NOW, "")


def test_a_plan_with_nothing_to_order_is_refused():
    with pytest.raises(InvalidArgument):
        ReplenishmentPlan.propose("RP-1", date(2025, 3, 1), [])
