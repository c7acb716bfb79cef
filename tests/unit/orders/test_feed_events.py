"""The orders feed: which events a change publishes, with amounts and no contact data."""

from __future__ import annotations

from datetime import timedelta

from storeops.orders.v1 import events_pb2 as ev
from storeops.orders.v1 import resources_pb2 as res

from services.orders.db.order_rows import Snapshot
from services.orders.domain.waves import WavePolicy
from services.orders.service.events import order_events

from .factories import CLERK, T0, confirmed_order, placed_order

WAVES = WavePolicy()


def names(events: list[tuple[str, object]]) -> list[str]:
    return [type(e).__name__ for _, e in events]


def test_leaving_pending_announces_the_order_its_payment_and_its_status() -> None:
    order = placed_order()
    before = Snapshot.of(order)
    order.record_reserved(T0 + timedelta(seconds=1))
    events = order_events(order, before, WAVES)
    assert names(events) == ["OrderPlaced", "PaymentReceived", "OrderConfirmed"]
    placed = events[0][1]
    assert isinstance(placed, ev.OrderPlaced)
    assert placed.total.amount_minor == 2 * 12_800 + 3_500
    assert placed.status == res.Order.CONFIRMED
    assert {key for key, _ in events} == {"O-1"}


def test_an_order_still_pending_announces_nothing() -> None:
    order = placed_order()
    assert order_events(order, Snapshot.of(order), WAVES) == []


def test_short_stock_lists_only_the_short_lines() -> None:
    order = placed_order()
    before = Snapshot.of(order)
    order.record_backordered(T0)
    events = order_events(order, before, WAVES, short_skus=["CUP-E"])
    backordered = events[-1][1]
    assert isinstance(backordered, ev.OrderBackordered)
    assert [line.sku_code for line in backordered.lines] == ["CUP-E"]


def test_a_later_payment_is_announced_once_with_its_date() -> None:
    order = placed_order(paid=False)
    order.record_reserved(T0)
    before = Snapshot.of(order)
    paid_at = T0 + timedelta(hours=2)
    order.mark_paid(paid_at, CLERK)
    events = order_events(order, before, WAVES)
    assert names(events) == ["PaymentReceived"]
    payment = events[0][1]
    assert isinstance(payment, ev.PaymentReceived)
    assert payment.payment_time.ToDatetime().replace(tzinfo=paid_at.tzinfo) == paid_at
    assert payment.amount.amount_minor == order.total.amount_minor


def test_shipping_announces_the_parcel_with_its_value_and_on_time_outcome() -> None:
    order = confirmed_order()
    before = Snapshot.of(order)
    order.ship("SF", "SF1234567890", now=T0 + timedelta(minutes=30), actor=CLERK, weight_grams=900)
    events = order_events(order, before, WAVES)
    assert names(events) == ["OrderShipped"]
    shipped = events[0][1]
    assert isinstance(shipped, ev.OrderShipped)
    assert (shipped.complete, shipped.on_time) == (True, True)
    assert shipped.amount.amount_minor == order.total.amount_minor


def test_no_event_carries_the_customers_phone_or_address() -> None:
    order = placed_order()
    before = Snapshot.of(order)
    order.record_reserved(T0)
    for _, event in order_events(order, before, WAVES):
        raw = event.SerializeToString()
        assert order.customer.phone.encode() not in raw
        assert order.customer.address.encode() not in raw


def test_cancel_announces_the_previous_status_and_reason() -> None:
    order = confirmed_order()
    before = Snapshot.of(order)
    order.cancel("out of budget", T0, CLERK)
    events = order_events(order, before, WAVES)
    cancelled = events[0][1]
    assert isinstance(cancelled, ev.OrderCancelled)
    assert (cancelled.reason, cancelled.actor) == ("out of budget", CLERK)


def test_a_payment_recorded_while_pending_is_announced_when_the_order_settles() -> None:
    order = placed_order(paid=False)
    before = Snapshot.of(order)
    order.mark_paid(T0, CLERK)
    assert order_events(order, before, WAVES) == []
    order.record_reserved(T0 + timedelta(seconds=1))
    assert names(order_events(order, before, WAVES)) == [
        "OrderPlaced",
        "PaymentReceived",
        "OrderConfirmed",
    ]
