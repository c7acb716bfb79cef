"""Which backordered orders to try when stock arrives: oldest first, two policies."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from services.orders.domain.backorder import (
    BackorderCandidate,
    BackorderMode,
    BackorderPolicy,
    StillWaiting,
    backorder_candidates,
    plan_backorder_allocation,
)

from .factories import T0, backordered_order, confirmed_order

STRICT = BackorderPolicy(BackorderMode.STRICT_FIFO_PER_SKU)


def candidate(order_id: str, minutes: int, *needs: tuple[str, int]) -> BackorderCandidate:
    return BackorderCandidate(order_id, T0 + timedelta(minutes=minutes), tuple(needs))


def test_orders_are_tried_oldest_first_regardless_of_input_order() -> None:
    plan = plan_backorder_allocation(
        [candidate("young", 5, ("TEA", 1)), candidate("old", 1, ("TEA", 1))], {"TEA": 5}
    )
    assert plan.to_try == ("old", "young")
    assert plan.stock_left == {"TEA": 3}


def test_equal_times_are_ordered_by_order_id() -> None:
    plan = plan_backorder_allocation(
        [candidate("B", 0, ("TEA", 1)), candidate("A", 0, ("TEA", 1))], {"TEA": 1}
    )
    assert plan.to_try == ("A",)
    assert plan.waiting == (StillWaiting("B", ("TEA",)),)


def test_stock_exactly_enough_serves_the_order() -> None:
    plan = plan_backorder_allocation([candidate("O", 0, ("TEA", 3))], {"TEA": 3})
    assert plan.to_try == ("O",)
    assert plan.stock_left == {"TEA": 0}


def test_stock_one_short_serves_nothing_and_names_the_short_sku() -> None:
    plan = plan_backorder_allocation(
        [candidate("O", 0, ("TEA", 3), ("CUP", 1))], {"TEA": 2, "CUP": 5}
    )
    assert plan.to_try == ()
    assert plan.waiting == (StillWaiting("O", ("TEA",)),)
    assert plan.stock_left == {"TEA": 2, "CUP": 5}  # all or nothing: nothing taken


def test_by_default_an_unservable_older_order_is_skipped_and_younger_ones_go() -> None:
    plan = plan_backorder_allocation(
        [candidate("big-old", 0, ("TEA", 10)), candidate("small-young", 5, ("TEA", 2))],
        {"TEA": 4},
    )
    assert plan.to_try == ("small-young",)
    assert [w.order_id for w in plan.waiting] == ["big-old"]


def test_strict_fifo_holds_a_sku_for_the_older_order() -> None:
    plan = plan_backorder_allocation(
        [candidate("big-old", 0, ("TEA", 10)), candidate("small-young", 5, ("TEA", 2))],
        {"TEA": 4},
        STRICT,
    )
    assert plan.to_try == ()
    assert [w.order_id for w in plan.waiting] == ["big-old", "small-young"]


def test_strict_fifo_still_serves_younger_orders_needing_other_skus() -> None:
    plan = plan_backorder_allocation(
        [
            candidate("old", 0, ("TEA", 10), ("CUP", 1)),
            candidate("young-tea", 5, ("TEA", 1)),
            candidate("young-box", 6, ("BOX", 1)),
            candidate("young-cup", 7, ("CUP", 1)),
        ],
        {"TEA": 4, "CUP": 1, "BOX": 1},
        STRICT,
    )
    # The old order's claim on TEA and on its one CUP holds; BOX is free.
    assert plan.to_try == ("young-box",)


def test_sku_missing_from_the_stock_map_counts_as_none() -> None:
    plan = plan_backorder_allocation([candidate("O", 0, ("NEW", 1))], {})
    assert plan.waiting == (StillWaiting("O", ("NEW",)),)


def test_nothing_waiting_plans_nothing() -> None:
    plan = plan_backorder_allocation([], {"TEA": 5})
    assert plan.to_try == ()
    assert plan.waiting == ()


def test_candidates_come_from_backordered_orders_not_already_retrying() -> None:
    waiting = backordered_order("O-1")
    retrying = backordered_order("O-2")
    retrying.begin_reservation_retry(T0)
    found = backorder_candidates([waiting, retrying, confirmed_order("O-3")])
    assert [c.order_id for c in found] == ["O-1"]
    assert found[0].needs == (("CUP-E", 1), ("TEA-LJ-250", 2))


needs = st.lists(
    st.tuples(st.sampled_from(["A", "B", "C"]), st.integers(1, 5)), min_size=1, max_size=3
).map(lambda pairs: tuple(dict(pairs).items()))


@given(
    orders=st.lists(st.tuples(st.integers(0, 100), needs), max_size=12),
    stock=st.dictionaries(st.sampled_from(["A", "B", "C"]), st.integers(0, 15)),
    strict=st.booleans(),
)
def test_a_plan_never_promises_more_stock_than_arrived(
    orders: list[tuple[int, tuple[tuple[str, int], ...]]], stock: dict[str, int], strict: bool
) -> None:
    candidates = [candidate(f"O-{i}", minute, *n) for i, (minute, n) in enumerate(orders)]
    plan = plan_backorder_allocation(candidates, stock, STRICT if strict else None)
    by_id = {c.order_id: c for c in candidates}
    taken: dict[str, int] = {}
    for order_id in plan.to_try:
        for sku, qty in by_id[order_id].needs:
            taken[sku] = taken.get(sku, 0) + qty
    assert all(taken[sku] <= stock.get(sku, 0) for sku in taken)
    assert {*plan.to_try, *(w.order_id for w in plan.waiting)} == set(by_id)
    times = [by_id[i].placed_at for i in plan.to_try]
    assert times == sorted(times)
