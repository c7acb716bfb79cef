"""Property tests: no sequence of events, legal or not, leaves an order in an illegal state."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from services.common.errors import DomainError
from services.orders.domain.order import Order
from services.orders.domain.status import (
    LEGAL_SAGA_STATES,
    ORDER_TRANSITIONS,
    SAGA_TRANSITIONS,
    OrderStatus,
)

from .factories import T0, placed_order

TRACKINGS = ["SF0000000001", "SF0000000002", "ZTO000000003"]
Event = Callable[[Order, int, object], object]


def _scan(order: Order, variant: int) -> dict[str, int]:
    scan = order.remaining_by_sku()
    if variant == 1 and scan:  # one unit missing
        sku = next(iter(scan))
        scan[sku] -= 1
        scan = {k: v for k, v in scan.items() if v}
    if variant == 2:  # a wrong item
        scan["WRONG-SKU"] = 1
    return scan


EVENTS: dict[str, Event] = {
    "reserved": lambda o, v, now: o.record_reserved(now),  # type: ignore[arg-type]
    "short": lambda o, v, now: o.record_backordered(now),  # type: ignore[arg-type]
    "retry": lambda o, v, now: o.begin_reservation_retry(now),  # type: ignore[arg-type]
    "released": lambda o, v, now: o.record_released(now),  # type: ignore[arg-type]
    "committed": lambda o, v, now: o.record_committed(now),  # type: ignore[arg-type]
    "paid": lambda o, v, now: o.mark_paid(now, "E1"),  # type: ignore[arg-type]
    "review": lambda o, v, now: o.review(now, "E1", notes_checked=v % 2 == 0),  # type: ignore[arg-type]
    "pick": lambda o, v, now: o.pick(now, "E1"),  # type: ignore[arg-type]
    "verify": lambda o, v, now: o.verify(_scan(o, v), now, "E1"),  # type: ignore[arg-type]
    "pack": lambda o, v, now: o.pack(now, "E1"),  # type: ignore[arg-type]
    "weigh": lambda o, v, now: o.weigh([500, 0, 900, 60_000][v], now, "E1"),  # type: ignore[arg-type]
    "ship": lambda o, v, now: o.ship(
        "SF",
        TRACKINGS[v % 3],
        now=now,
        actor="E1",
        weight_grams=700,  # type: ignore[arg-type]
    ),
    "ship_parcel": lambda o, v, now: o.ship_parcel(
        {1 + v % 2: 1 + v // 2},
        "SF",
        TRACKINGS[v % 3],
        now=now,
        actor="E1",
        weight_grams=300,  # type: ignore[arg-type]
    ),
    "deliver": lambda o, v, now: o.confirm_delivery(now, "E1"),  # type: ignore[arg-type]
    "cancel": lambda o, v, now: o.cancel("test", now, "E1"),  # type: ignore[arg-type]
    "address": lambda o, v, now: o.change_address(f"addr {v}", now, "E1"),  # type: ignore[arg-type]
    "carrier": lambda o, v, now: o.change_carrier(["SF", "ZTO", "EMS", "YTO"][v], now, "E1"),  # type: ignore[arg-type]
}

event_lists = st.lists(
    st.tuples(st.sampled_from(sorted(EVENTS)), st.integers(min_value=0, max_value=3)),
    max_size=40,
)


def assert_invariants(order: Order) -> None:
    assert order.saga in LEGAL_SAGA_STATES[order.status], (order.status, order.saga)
    # History is a chain of legal moves.
    for before, after in zip(order.history, order.history[1:], strict=False):
        assert after.from_status is before.to_status
        if after.to_status is not after.from_status:
            assert after.to_status in ORDER_TRANSITIONS[before.to_status]
    assert order.history[-1].to_status is order.status
    # Shipping never exceeds what was ordered, and the status says how much left.
    remaining = order.remaining_quantities()
    assert all(qty >= 0 for qty in remaining.values())
    shipped_any = bool(order.shipments)
    if order.status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED):
        assert not any(remaining.values())
    elif order.status is OrderStatus.PARTIALLY_SHIPPED:
        assert shipped_any
        assert any(remaining.values())
    else:
        assert not shipped_any
    assert len({s.tracking_number for s in order.shipments}) == len(order.shipments)


@settings(max_examples=400, deadline=None)
@given(events=event_lists, paid=st.booleans(), with_message=st.booleans())
def test_no_sequence_of_events_reaches_an_illegal_state(
    events: list[tuple[str, int]], paid: bool, with_message: bool
) -> None:
    order = placed_order(paid=paid, buyer_message="call me" if with_message else "")
    now = T0
    for name, variant in events:
        now += timedelta(minutes=1)
        saga_before = order.saga
        before = copy.deepcopy(order)
        try:
            EVENTS[name](order, variant, now)
        except DomainError:
            # A refused action changes nothing at all.
            assert order == before
        if order.saga is not saga_before:
            assert order.saga in SAGA_TRANSITIONS[saga_before]
        assert order.version >= before.version
        assert_invariants(order)


@settings(max_examples=200, deadline=None)
@given(events=event_lists)
def test_repeating_any_successful_event_is_a_no_op(events: list[tuple[str, int]]) -> None:
    order = placed_order()
    now = T0
    for name, variant in events:
        now += timedelta(minutes=1)
        if name in ("verify", "weigh"):
            continue  # verify returns a result; weigh with another weight re-weighs on purpose
        try:
            EVENTS[name](order, variant, now)
        except DomainError:
            continue
        snapshot = copy.deepcopy(order)
        try:
            changed = EVENTS[name](order, variant, now)
        except DomainError:
            continue  # e.g. ship_parcel again exceeding what is left: refused, unchanged
        assert changed is False or name in ("retry",), name
        if changed is False:
            assert order == snapshot
