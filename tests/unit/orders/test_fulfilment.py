"""Pick lists per batch and per order, verification (验货), packing and weighing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.common.errors import FailedPrecondition, InvalidArgument
from services.orders.domain.fulfilment import PickItem, pick_list_for_batch, pick_list_for_order
from services.orders.domain.order import Order
from services.orders.domain.status import OrderStatus
from services.orders.domain.verification import (
    DiscrepancyKind,
    compare_contents,
    count_scans,
)

from .factories import CLERK, T0, TRACKING, backordered_order, confirmed_order, shipped_order

NOW = T0 + timedelta(hours=1)


def picked_order(order_id: str = "O-1") -> Order:
    order = confirmed_order(order_id)
    order.pick(NOW, CLERK)
    return order


# ------------------------------------------------------------------------------ pick lists
def test_batch_pick_list_adds_up_units_per_sku_then_lists_each_order() -> None:
    a = confirmed_order("O-1", lines=[("TEA", 2, 100), ("CUP", 1, 100)])
    b = confirmed_order("O-2", lines=[("TEA", 3, 100)])
    batch = pick_list_for_batch([a, b])
    assert batch.items == (PickItem("CUP", None, 1), PickItem("TEA", None, 5))
    assert [o.order_id for o in batch.orders] == ["O-1", "O-2"]
    assert batch.orders[1].items == (PickItem("TEA", None, 3),)
    assert batch.total_units == 6


def test_batch_pick_list_is_sorted_by_bin_for_one_walk_with_unbinned_skus_last() -> None:
    order = confirmed_order(lines=[("A", 1, 1), ("B", 1, 1), ("C", 1, 1)])
    batch = pick_list_for_batch([order], bins={"A": "B-02", "B": "A-01"})
    assert [(i.bin_code, i.sku_code) for i in batch.items] == [
        ("A-01", "B"),
        ("B-02", "A"),
        (None, "C"),
    ]


def test_order_pick_list_adds_up_lines_of_the_same_sku() -> None:
    order = confirmed_order(lines=[("TEA", 1, 100), ("TEA", 2, 80)])
    assert pick_list_for_order(order).items == (PickItem("TEA", None, 3),)


def test_pick_list_leaves_out_units_already_shipped() -> None:
    order = confirmed_order()
    order.ship_parcel({1: 2}, "SF", TRACKING, now=NOW, actor=CLERK, weight_grams=300)
    assert pick_list_for_order(order).items == (PickItem("CUP-E", None, 1),)


def test_pick_list_refuses_orders_not_confirmed() -> None:
    with pytest.raises(FailedPrecondition) as err:
        pick_list_for_order(backordered_order())
    assert err.value.reason == "ORDER_NOT_CONFIRMED"


def test_pick_list_refuses_orders_already_shipped() -> None:
    with pytest.raises(FailedPrecondition) as err:
        pick_list_for_batch([shipped_order()])
    assert err.value.reason == "ORDER_NOT_PICKABLE"


def test_pick_batch_holds_at_most_200_orders() -> None:
    orders = [confirmed_order(f"O-{i}") for i in range(201)]
    assert len(pick_list_for_batch(orders[:200]).orders) == 200
    with pytest.raises(InvalidArgument) as err:
        pick_list_for_batch(orders)
    assert err.value.reason == "BATCH_TOO_LARGE"


def test_pick_batch_must_not_be_empty_or_list_an_order_twice() -> None:
    with pytest.raises(InvalidArgument):
        pick_list_for_batch([])
    order = confirmed_order()
    with pytest.raises(InvalidArgument):
        pick_list_for_batch([order, order])


# ------------------------------------------------------------------------------ verification
def test_scans_are_counted_per_sku() -> None:
    assert count_scans(["TEA", "CUP", "TEA"]) == {"TEA": 2, "CUP": 1}


def test_matching_scan_passes() -> None:
    result = compare_contents("O-1", {"TEA": 2}, {"TEA": 2})
    assert result.passed
    assert result.describe() == "contents match the order"


def test_wrong_missing_and_extra_items_are_each_reported() -> None:
    result = compare_contents(
        "O-1", {"TEA": 2, "CUP": 1, "BOX": 1}, {"TEA": 1, "CUP": 2, "PEN": 1, "BOX": 1}
    )
    found = {(d.kind, d.sku_code, d.expected, d.scanned) for d in result.discrepancies}
    assert found == {
        (DiscrepancyKind.MISSING, "TEA", 2, 1),
        (DiscrepancyKind.EXTRA, "CUP", 1, 2),
        (DiscrepancyKind.WRONG, "PEN", 0, 1),
    }
    assert not result.passed


def test_a_substitute_shows_as_wrong_item_and_missing_item() -> None:
    result = compare_contents("O-1", {"TEA-S": 1}, {"TEA-L": 1})
    assert {d.kind for d in result.discrepancies} == {
        DiscrepancyKind.WRONG,
        DiscrepancyKind.MISSING,
    }


def test_nothing_scanned_is_all_missing() -> None:
    result = compare_contents("O-1", {"TEA": 2}, {})
    assert [d.kind for d in result.discrepancies] == [DiscrepancyKind.MISSING]


def test_express_label_of_another_order_is_a_discrepancy() -> None:
    result = compare_contents("O-1", {"TEA": 1}, {"TEA": 1}, label_reference="O-2")
    assert [d.kind for d in result.discrepancies] == [DiscrepancyKind.LABEL_MISMATCH]
    assert compare_contents("O-1", {"TEA": 1}, {"TEA": 1}, label_reference="O-1").passed


def test_malformed_scans_are_invalid_argument() -> None:
    with pytest.raises(InvalidArgument):
        compare_contents("O-1", {"TEA": 1}, {"TEA": 0})
    with pytest.raises(InvalidArgument):
        compare_contents("O-1", {"TEA": 1}, {"bad sku": 1})


def test_verified_order_moves_to_verified() -> None:
    order = picked_order()
    result = order.verify({"TEA-LJ-250": 2, "CUP-E": 1}, NOW, "E2001")
    assert result.passed
    assert order.status is OrderStatus.VERIFIED


def test_failed_verification_stays_picked_is_recorded_and_blocks_packing() -> None:
    order = picked_order()
    result = order.verify({"TEA-LJ-250": 1, "CUP-E": 1}, NOW, "E2001")
    assert not result.passed
    assert order.status is OrderStatus.PICKED
    assert "verification failed: TEA-LJ-250: expected 2, scanned 1" in order.history[-1].note
    with pytest.raises(FailedPrecondition) as err:
        order.pack(NOW, CLERK)
    assert err.value.reason == "ORDER_NOT_VERIFIED"


@pytest.mark.parametrize(
    "scan",
    [{"TEA-LJ-250": 2}, {"TEA-LJ-250": 2, "CUP-E": 2}, {"TEA-LJ-250": 2, "CUP-E": 1, "PEN": 1}],
    ids=["missing", "extra", "wrong"],
)
def test_each_kind_of_discrepancy_alone_blocks_packing(scan: dict[str, int]) -> None:
    order = picked_order()
    assert not order.verify(scan, NOW, CLERK).passed
    with pytest.raises(FailedPrecondition):
        order.pack(NOW, CLERK)


def test_corrected_parcel_passes_on_the_second_verification() -> None:
    order = picked_order()
    order.verify({"TEA-LJ-250": 1}, NOW, CLERK)
    assert order.verify({"TEA-LJ-250": 2, "CUP-E": 1}, NOW, CLERK).passed
    assert order.pack(NOW, CLERK) is True


def test_verifying_a_verified_order_again_with_a_match_is_a_no_op() -> None:
    order = picked_order()
    order.verify({"TEA-LJ-250": 2, "CUP-E": 1}, NOW, CLERK)
    version = order.version
    assert order.verify({"TEA-LJ-250": 2, "CUP-E": 1}, NOW, CLERK).passed
    assert order.version == version


def test_verification_before_picking_is_refused() -> None:
    with pytest.raises(FailedPrecondition):
        confirmed_order().verify({"TEA-LJ-250": 2, "CUP-E": 1}, NOW, CLERK)


# ------------------------------------------------------------------------------ pack and weigh
def test_packing_before_any_picking_is_refused() -> None:
    with pytest.raises(FailedPrecondition) as err:
        confirmed_order().pack(NOW, CLERK)
    assert err.value.reason == "ILLEGAL_ORDER_TRANSITION"


def verified_and_packed() -> Order:
    order = picked_order()
    order.verify({"TEA-LJ-250": 2, "CUP-E": 1}, NOW, CLERK)
    order.pack(NOW, CLERK)
    return order


def test_weighing_records_grams_and_reweighing_replaces_them() -> None:
    order = verified_and_packed()
    assert order.weigh(800, NOW, CLERK) is True
    assert order.status is OrderStatus.WEIGHED
    assert order.weigh(800, NOW, CLERK) is False
    assert order.weigh(820, NOW, CLERK) is True
    assert order.weight_grams == 820
    assert order.history[-1].note == "re-weighed: 820 g"


@pytest.mark.parametrize("grams", [0, -5, 50_001])
def test_weight_outside_the_limits_is_invalid_argument(grams: int) -> None:
    with pytest.raises(InvalidArgument) as err:
        verified_and_packed().weigh(grams, NOW, CLERK)
    assert err.value.violations[0].field == "weight_grams"


def test_weight_of_exactly_the_maximum_is_accepted() -> None:
    assert verified_and_packed().weigh(50_000, NOW, CLERK) is True


def test_weighing_before_packing_is_refused() -> None:
    with pytest.raises(FailedPrecondition):
        picked_order().weigh(500, NOW, CLERK)
