"""Lots and first-in-first-out issuing."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.common.errors import FailedPrecondition, InvalidArgument
from services.common.money import Money
from services.inventory.domain.lots import Lot, LotAllocation, fifo_order, issue_fifo

T0 = datetime(2025, 1, 1, 8, 0, tzinfo=UTC)


def lot(lot_id: str, day: int, qty: int, cost: int, currency: str = "CNY", sku: str = "TEA-1"):
    return Lot(lot_id, sku, T0 + timedelta(days=day), qty, Money(cost, currency))


def test_issue_takes_the_oldest_lot_first():
    lots = [lot("L2", 2, 10, 120), lot("L1", 1, 10, 100)]
    issue = issue_fifo(lots, "TEA-1", 4)
    assert issue.allocations == (LotAllocation("L1", 4, Money(100, "CNY"), Money(400, "CNY")),)
    assert issue.cost == Money(400, "CNY")


def test_issue_spans_lots_and_costs_each_part_at_its_own_unit_cost():
    lots = [lot("L1", 1, 3, 100), lot("L2", 2, 10, 120), lot("L3", 3, 10, 150)]
    issue = issue_fifo(lots, "TEA-1", 8)
    assert [(a.lot_id, a.quantity) for a in issue.allocations] == [("L1", 3), ("L2", 5)]
    assert issue.cost == Money(3 * 100 + 5 * 120, "CNY")


def test_issue_of_exactly_everything_empties_every_lot():
    lots = [lot("L1", 1, 3, 100), lot("L2", 2, 2, 120)]
    issue = issue_fifo(lots, "TEA-1", 5)
    assert [x.quantity for x in issue.remaining(lots)] == [0, 0]


def test_issue_of_one_more_than_held_is_refused_with_both_numbers():
    lots = [lot("L1", 1, 3, 100), lot("L2", 2, 2, 120)]
    with pytest.raises(FailedPrecondition) as err:
        issue_fifo(lots, "TEA-1", 6)
    assert err.value.reason == "INSUFFICIENT_STOCK"
    assert "5 available, 6 requested" in err.value.message


def test_issue_from_no_lots_is_refused():
    with pytest.raises(FailedPrecondition):
        issue_fifo([], "TEA-1", 1)


def test_same_receipt_time_is_broken_by_lot_id():
    lots = [lot("L-B", 1, 5, 200), lot("L-A", 1, 5, 100)]
    issue = issue_fifo(lots, "TEA-1", 6)
    assert [(a.lot_id, a.quantity) for a in issue.allocations] == [("L-A", 5), ("L-B", 1)]


def test_empty_lots_are_skipped():
    lots = [lot("L1", 1, 0, 100), lot("L2", 2, 4, 120)]
    issue = issue_fifo(lots, "TEA-1", 2)
    assert [a.lot_id for a in issue.allocations] == ["L2"]


def test_remaining_subtracts_the_issue_in_fifo_order():
    lots = [lot("L2", 2, 10, 120), lot("L1", 1, 3, 100)]
    issue = issue_fifo(lots, "TEA-1", 5)
    assert [(x.lot_id, x.quantity) for x in issue.remaining(lots)] == [("L1", 0), ("L2", 8)]


def test_lots_in_two_currencies_are_refused():
    lots = [lot("L1", 1, 3, 100), lot("L2", 2, 3, 20, currency="USD")]
    with pytest.raises(FailedPrecondition) as err:
        issue_fifo(lots, "TEA-1", 1)
    assert err.value.reason == "CURRENCY_MISMATCH"


def test_lot_of_another_sku_is_refused():
    with pytest.raises(InvalidArgument) as err:
        issue_fifo([lot("L1", 1, 3, 100), lot("L2", 1, 3, 100, sku="TEA-2")], "TEA-1", 1)
    assert err.value.violations[0].field == "lots[1].sku_code"


def test_duplicate_lot_ids_are_refused():
    with pytest.raises(InvalidArgument):
        issue_fifo([lot("L1", 1, 3, 100), lot("L1", 2, 3, 100)], "TEA-1", 1)


@pytest.mark.parametrize("quantity", [0, -2])
def test_issue_quantity_must_be_positive(quantity):
    with pytest.raises(InvalidArgument):
        issue_fifo([lot("L1", 1, 3, 100)], "TEA-1", quantity)


def test_lot_refuses_negative_quantity_negative_cost_and_naive_time():
    with pytest.raises(InvalidArgument):
        lot("L1", 1, -1, 100)
    with pytest.raises(InvalidArgument):
        lot("L1", 1, 1, -100)
    with pytest.raises(InvalidArgument):
        Lot("L1", "TEA-1", datetime(2025, 1, 1), 1, Money(1, "CNY"))


def test_lot_value_is_quantity_times_unit_cost():
    assert lot("L1", 1, 7, 1250).value == Money(8750, "CNY")


lots_strategy = st.lists(
    st.tuples(st.integers(0, 30), st.integers(0, 50), st.integers(0, 10_000)),
    min_size=1,
    max_size=12,
).map(lambda rows: [lot(f"L{i:02d}", day, qty, cost) for i, (day, qty, cost) in enumerate(rows)])


@given(lots_strategy, st.integers(1, 700))
def test_fifo_issue_takes_exactly_the_quantity_oldest_first_and_costs_it_exactly(lots, quantity):
    held = sum(x.quantity for x in lots)
    if quantity > held:
        with pytest.raises(FailedPrecondition):
            issue_fifo(lots, "TEA-1", quantity)
        return
    issue = issue_fifo(lots, "TEA-1", quantity)
    assert sum(a.quantity for a in issue.allocations) == quantity
    assert all(a.quantity > 0 for a in issue.allocations)
    assert issue.cost.amount_minor == sum(
        a.quantity * a.unit_cost.amount_minor for a in issue.allocations
    )
    # Every lot before the last one touched is emptied; no later lot is touched.
    order = [x.lot_id for x in fifo_order(lots) if x.quantity > 0]
    touched = [a.lot_id for a in issue.allocations]
    assert touched == order[: len(touched)]
    by_id = {x.lot_id: x for x in lots}
    for a in issue.allocations[:-1]:
        assert a.quantity == by_id[a.lot_id].quantity
    remaining = issue.remaining(lots)
    assert sum(x.quantity for x in remaining) == held - quantity
    assert all(x.quantity >= 0 for x in remaining)


@given(lots_strategy, st.integers(1, 50), st.randoms())
def test_fifo_issue_does_not_depend_on_the_order_lots_are_given_in(lots, quantity, rnd):
    shuffled = list(lots)
    rnd.shuffle(shuffled)
    try:
        first = issue_fifo(lots, "TEA-1", quantity)
    except FailedPrecondition:
        return
    assert issue_fifo(shuffled, "TEA-1", quantity) == first


def test_one_lot_in_two_places_is_issued_from_both_in_location_order():
    here = Lot("L1", "TEA-1", T0, 2, Money(100, "CNY"), location="WH-B/UNASSIGNED")
    there = Lot("L1", "TEA-1", T0, 3, Money(100, "CNY"), location="WH-A/A-01")
    issue = issue_fifo([here, there], "TEA-1", 4)
    assert [(a.location, a.quantity) for a in issue.allocations] == [
        ("WH-A/A-01", 3),
        ("WH-B/UNASSIGNED", 1),
    ]
    assert issue.cost == Money(400, "CNY")
    assert [x.quantity for x in issue.remaining([here, there])] == [0, 1]


def test_the_same_lot_twice_in_the_same_place_is_refused():
    first = Lot("L1", "TEA-1", T0, 2, Money(100, "CNY"), location="WH-A/A-01")
    with pytest.raises(InvalidArgument):
        issue_fifo([first, first], "TEA-1", 1)
