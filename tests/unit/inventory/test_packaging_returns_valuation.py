"""Packaging alerts, supplier returns, stock value and turnover."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest

from services.common.errors import FailedPrecondition, InvalidArgument
from services.common.money import Money
from services.inventory.domain.ledger import Movement, MovementKind
from services.inventory.domain.lots import Lot, issue_fifo
from services.inventory.domain.packaging import (
    AlertReason,
    PackagingPolicy,
    PackagingStock,
    packaging_alerts,
)
from services.inventory.domain.supplier_returns import (
    ClearingPolicy,
    SupplierKind,
    SupplierReturn,
    clearing_due_date,
    monthly_pending_report,
    overdue_returns,
)
from services.inventory.domain.valuation import (
    IssueRecord,
    average_inventory_value,
    cost_of_goods_issued,
    inventory_turnover,
    inventory_value,
)

TODAY = date(2025, 3, 1)
T0 = datetime(2025, 3, 1, tzinfo=UTC)

# --- packaging ------------------------------------------------------------------------------


def test_material_under_ten_days_of_normal_shipping_raises_an_alert():
    # 300 used in 30 days = 10/day; 99 on hand = 9.9 days.
    (alert,) = packaging_alerts([PackagingStock("BOX-S", 99, 300)], TODAY)
    assert alert.reasons == {AlertReason.LOW_COVER}
    assert alert.cover_days == Fraction(99, 10)
    assert alert.promotion_on is None


def test_material_at_exactly_ten_days_raises_nothing():
    assert packaging_alerts([PackagingStock("BOX-S", 100, 300)], TODAY) == ()


def test_unused_material_raises_no_cover_alert():
    assert packaging_alerts([PackagingStock("BOX-S", 0, 0)], TODAY) == ()


def test_promotion_within_fourteen_days_flags_every_material():
    materials = [PackagingStock("TAPE", 1000, 30), PackagingStock("BOX-S", 5, 300)]
    alerts = packaging_alerts(materials, TODAY, promotions=[date(2025, 3, 15), date(2025, 3, 10)])
    assert [a.material_code for a in alerts] == ["BOX-S", "TAPE"]
    assert alerts[0].reasons == {AlertReason.LOW_COVER, AlertReason.PROMOTION_AHEAD}
    assert alerts[1].reasons == {AlertReason.PROMOTION_AHEAD}
    assert alerts[1].promotion_on == date(2025, 3, 10)


@pytest.mark.parametrize(
    ("promotion", "flagged"),
    [
        (date(2025, 3, 15), True),  # 14 days ahead
        (date(2025, 3, 16), False),  # 15 days ahead
        (date(2025, 3, 1), True),  # starts today
        (date(2025, 2, 28), False),  # already started
    ],
)
def test_promotion_lead_window_edges(promotion, flagged):
    alerts = packaging_alerts([PackagingStock("TAPE", 1000, 30)], TODAY, promotions=[promotion])
    assert bool(alerts) is flagged


def test_packaging_thresholds_are_settings():
    policy = PackagingPolicy(min_cover_days=20, promotion_lead_days=0)
    assert packaging_alerts([PackagingStock("BOX-S", 150, 300)], TODAY, (), policy)
    with pytest.raises(InvalidArgument):
        PackagingPolicy(min_cover_days=0)


# --- supplier returns -----------------------------------------------------------------------


def ret(return_id: str, kind: SupplierKind, listed: date, supplier: str = "Hangzhou Tea Co"):
    return SupplierReturn(
        return_id, supplier, kind, "TEA-1", 2, listed, "crushed tins", warehouse_code="DEFECT"
    )


def test_factory_returns_are_due_the_next_day_and_sundry_within_a_week():
    assert clearing_due_date(SupplierKind.FACTORY, TODAY) == date(2025, 3, 2)
    assert clearing_due_date(SupplierKind.SUNDRY, TODAY) == date(2025, 3, 8)


def test_clearing_cadence_is_a_setting():
    policy = ClearingPolicy(factory_days=0, sundry_days=14)
    assert clearing_due_date(SupplierKind.FACTORY, TODAY, policy) == TODAY
    assert clearing_due_date(SupplierKind.SUNDRY, TODAY, policy) == date(2025, 3, 15)


def test_return_is_overdue_only_after_its_due_day():
    r = ret("SR-1", SupplierKind.SUNDRY, TODAY)
    assert not r.is_overdue(date(2025, 3, 8))
    assert r.is_overdue(date(2025, 3, 9))


def test_clearing_books_the_goods_out_of_defective_stock_once():
    cleared, moves = ret("SR-1", SupplierKind.FACTORY, TODAY).clear(date(2025, 3, 2))
    assert cleared.cleared_on == date(2025, 3, 2)
    assert moves == (Movement(MovementKind.SUPPLIER_RETURN, "TEA-1", "DEFECT", 2),)
    again, moves_again = cleared.clear(date(2025, 3, 3))
    assert again is cleared
    assert moves_again == ()


def test_clearing_a_rejected_delivery_never_booked_in_writes_no_movement():
    r = SupplierReturn("SR-2", "S", SupplierKind.FACTORY, "TEA-1", 50, TODAY, "QC rejected", None)
    assert r.clear(TODAY)[1] == ()


def test_clearing_before_listing_is_refused():
    with pytest.raises(InvalidArgument):
        ret("SR-1", SupplierKind.FACTORY, TODAY).clear(date(2025, 2, 28))


def test_overdue_returns_oldest_due_first_and_cleared_ones_left_out():
    returns = [
        ret("SR-1", SupplierKind.SUNDRY, date(2025, 2, 1)),  # due 8 Feb
        ret("SR-2", SupplierKind.FACTORY, date(2025, 2, 5)),  # due 6 Feb
        ret("SR-3", SupplierKind.FACTORY, date(2025, 2, 27)),  # due 28 Feb
        ret("SR-4", SupplierKind.FACTORY, date(2025, 2, 1)).clear(date(2025, 2, 2))[0],
    ]
    assert [r.return_id for r in overdue_returns(returns, date(2025, 2, 28))] == ["SR-2", "SR-1"]


def test_monthly_report_lists_returns_pending_at_month_end_by_supplier():
    returns = [
        ret("SR-1", SupplierKind.SUNDRY, date(2025, 2, 25), supplier="Box Shop"),
        ret("SR-2", SupplierKind.FACTORY, date(2025, 2, 28)),
        ret("SR-3", SupplierKind.FACTORY, date(2025, 2, 10)),
        ret("SR-4", SupplierKind.FACTORY, date(2025, 2, 10)).clear(date(2025, 2, 28))[0],
        ret("SR-5", SupplierKind.FACTORY, date(2025, 2, 10)).clear(date(2025, 3, 1))[0],
        ret("SR-6", SupplierKind.FACTORY, date(2025, 3, 1)),
    ]
    report = monthly_pending_report(returns, 2025, 2)
    assert report.as_of == date(2025, 2, 28)
    assert [s.supplier for s in report.suppliers] == ["Box Shop", "Hangzhou Tea Co"]
    tea = report.suppliers[1]
    assert [(x.supplier_return.return_id, x.overdue) for x in tea.lines] == [
        ("SR-3", True),
        ("SR-5", True),
        ("SR-2", False),
    ]
    assert tea.units == 6
    assert [x.overdue for x in report.suppliers[0].lines] == [False]


def test_monthly_report_handles_leap_february_and_refuses_month_13():
    assert monthly_pending_report([], 2024, 2).as_of == date(2024, 2, 29)
    with pytest.raises(InvalidArgument):
        monthly_pending_report([], 2025, 13)


# --- valuation ------------------------------------------------------------------------------


def lot(lot_id: str, day: int, qty: int, cost: int, currency: str = "CNY") -> Lot:
    return Lot(lot_id, "TEA-1", T0 + timedelta(days=day), qty, Money(cost, currency))


def test_inventory_value_sums_remaining_quantity_times_unit_cost():
    lots = [lot("L1", 0, 3, 100), lot("L2", 1, 2, 250), lot("L3", 2, 0, 999)]
    assert inventory_value(lots, "CNY") == Money(800, "CNY")


def test_inventory_value_at_a_moment_leaves_out_later_lots():
    lots = [lot("L1", 0, 3, 100), lot("L2", 1, 2, 250)]
    assert inventory_value(lots, "CNY", as_of=T0 + timedelta(hours=23)) == Money(300, "CNY")
    assert inventory_value(lots, "CNY", as_of=T0 + timedelta(days=1)) == Money(800, "CNY")


def test_inventory_value_of_nothing_is_zero_and_mixed_currency_refused():
    assert inventory_value([], "CNY") == Money(0, "CNY")
    with pytest.raises(FailedPrecondition):
        inventory_value([lot("L1", 0, 1, 1, "USD")], "CNY")


def test_cost_of_goods_issued_counts_the_half_open_period():
    issue = issue_fifo([lot("L1", 0, 3, 100), lot("L2", 1, 5, 120)], "TEA-1", 4)
    records = [
        IssueRecord(T0, issue.cost),  # start: in
        IssueRecord(T0 + timedelta(days=30), Money(999, "CNY")),  # end: out
        IssueRecord(T0 - timedelta(seconds=1), Money(5, "CNY")),  # before: out
    ]
    assert cost_of_goods_issued(records, T0, T0 + timedelta(days=30), "CNY") == Money(420, "CNY")


def test_cost_of_goods_period_must_not_run_backwards():
    with pytest.raises(InvalidArgument):
        cost_of_goods_issued([], T0, T0 - timedelta(days=1), "CNY")


def test_average_inventory_value_is_exact_half_of_opening_plus_closing():
    assert average_inventory_value(Money(100, "CNY"), Money(201, "CNY")) == Decimal("150.5")


def test_turnover_is_cogs_over_average_inventory_rounded_half_up_to_four_places():
    # 1000 / ((1000 + 2000) / 2) = 0.666666… → 0.6667
    assert inventory_turnover(
        Money(1000, "CNY"), Money(1000, "CNY"), Money(2000, "CNY")
    ) == Decimal("0.6667")


@pytest.mark.parametrize(
    ("cogs", "each_side", "expected"),
    [
        (1, 80000, "0.0000"),  # 2×1/160000 = 0.0000125 → down
        (8, 80000, "0.0001"),  # exactly 0.0001
        (1, 20000, "0.0001"),  # exactly 0.00005 → half up
        (3, 40000, "0.0001"),  # 0.000075 → up
    ],
)
def test_turnover_rounds_half_up_at_the_fourth_place(cogs, each_side, expected):
    opening = closing = Money(each_side, "CNY")
    assert inventory_turnover(Money(cogs, "CNY"), opening, closing) == Decimal(expected)


def test_turnover_keeps_four_places_on_whole_numbers():
    result = inventory_turnover(Money(3000, "CNY"), Money(1000, "CNY"), Money(1000, "CNY"))
    assert str(result) == "3.0000"


def test_turnover_with_zero_average_inventory_is_undefined():
    assert inventory_turnover(Money(500, "CNY"), Money(0, "CNY"), Money(0, "CNY")) is None


def test_turnover_refuses_mixed_currencies():
    with pytest.raises(FailedPrecondition):
        inventory_turnover(Money(1, "USD"), Money(1, "CNY"), Money(1, "CNY"))
