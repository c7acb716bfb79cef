"""Builders for orders in a given state, so each test states only what matters to it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from services.orders.domain.customer import Customer
from services.orders.domain.intake import LineInput, OrderIntake, parse_intake
from services.orders.domain.order import Order

# Monday 2024-05-06 09:00 in Shanghai.
T0 = datetime(2024, 5, 6, 1, 0, tzinfo=UTC)
CLERK = "E1001"
TRACKING = "SF1234567890"

DEFAULT_LINES: tuple[tuple[str, int, int], ...] = (("TEA-LJ-250", 2, 12_800), ("CUP-E", 1, 3_500))


def a_customer(
    name: str = "张三", phone: str = "+86 138-0013-8000", address: str = "杭州市西湖区龙井路 1 号"
) -> Customer:
    return Customer(name, phone, address)


def line_inputs(
    lines: Sequence[tuple[str, int, int]] = DEFAULT_LINES, currency: str = "CNY"
) -> list[LineInput]:
    return [LineInput(sku, qty, price, currency) for sku, qty, price in lines]


def an_intake(
    *,
    lines: Sequence[tuple[str, int, int]] = DEFAULT_LINES,
    channel: str = "TMALL",
    external_order_id: str = "TM-20240506-0001",
    paid: bool = True,
    buyer_message: str = "",
    service_note: str = "",
    customer: Customer | None = None,
) -> OrderIntake:
    return parse_intake(
        channel=channel,
        external_order_id=external_order_id,
        customer=customer or a_customer(),
        lines=line_inputs(lines),
        paid=paid,
        buyer_message=buyer_message,
        service_note=service_note,
    )


def placed_order(order_id: str = "O-1", at: datetime = T0, **intake_args: object) -> Order:
    return Order.place(order_id, an_intake(**intake_args), at)  # type: ignore[arg-type]


def confirmed_order(order_id: str = "O-1", at: datetime = T0, **intake_args: object) -> Order:
    order = placed_order(order_id, at, **intake_args)
    order.record_reserved(at + timedelta(seconds=1))
    return order


def backordered_order(order_id: str = "O-1", at: datetime = T0, **intake_args: object) -> Order:
    order = placed_order(order_id, at, **intake_args)
    order.record_backordered(at + timedelta(seconds=1))
    return order


def weighed_order(order_id: str = "O-1", at: datetime = T0, **intake_args: object) -> Order:
    order = confirmed_order(order_id, at, **intake_args)
    order.review(at, CLERK, notes_checked=True)
    order.pick(at, CLERK)
    order.verify(order.remaining_by_sku(), at, CLERK)
    order.pack(at, CLERK)
    order.weigh(800, at, CLERK)
    return order


def shipped_order(order_id: str = "O-1", at: datetime = T0, **intake_args: object) -> Order:
    order = confirmed_order(order_id, at, **intake_args)
    order.ship("SF", TRACKING, now=at + timedelta(hours=1), actor=CLERK, weight_grams=800)
    return order


def delivered_order(order_id: str = "O-1", at: datetime = T0, **intake_args: object) -> Order:
    order = shipped_order(order_id, at, **intake_args)
    order.confirm_delivery(at + timedelta(days=2), CLERK)
    return order
