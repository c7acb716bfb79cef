"""Hand-built feed events (storeops.common.v1.Event pages), as the three services emit them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from google.protobuf import any_pb2, timestamp_pb2
from google.protobuf.message import Message
from storeops.common.v1 import events_pb2, money_pb2
from storeops.inventory.v1 import events_pb2 as ie
from storeops.orders.v1 import events_pb2 as oe
from storeops.orders.v1 import resources_pb2 as orders_pb
from storeops.people.v1 import attendance_pb2
from storeops.people.v1 import events_pb2 as pe

SHANGHAI = timezone(timedelta(hours=8))


def at(text: str) -> datetime:
    """`2026-03-02 10:00` in Shanghai time."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def stamp(moment: datetime) -> timestamp_pb2.Timestamp:
    result = timestamp_pb2.Timestamp()
    result.FromDatetime(moment)
    return result


def cny(minor: int) -> money_pb2.Money:
    return money_pb2.Money(currency_code="CNY", amount_minor=minor)


@dataclass
class Feed:
    """One service's feed: events in commit order with cursors "1-1", "1-2", …"""

    name: str
    events: list[events_pb2.Event] = field(default_factory=list)

    def add(self, key: str, message: Message, occurred: datetime) -> events_pb2.Event:
        event = events_pb2.Event(
            cursor=f"1-{len(self.events) + 1}",
            type=message.DESCRIPTOR.full_name,
            key=key,
            occurred_at=stamp(occurred),
            payload=any_pb2.Any(
                type_url=f"type.googleapis.com/{message.DESCRIPTOR.full_name}",
                value=message.SerializeToString(),
            ),
        )
        self.events.append(event)
        return event

    async def fetch(self, after: str, size: int) -> tuple[Sequence[events_pb2.Event], str]:
        start = int(after.split("-")[1]) if after else 0
        page = self.events[start : start + size]
        return page, page[-1].cursor if page else after


# ---- people ---------------------------------------------------------------------------------


def hired(
    feed: Feed,
    code: str,
    position: str,
    department: str,
    supervisor: str,
    hire_date: str,
    salary: int,
) -> None:
    feed.add(
        code,
        pe.EmployeeHired(
            employee_code=code,
            name=f"Employee {code}",
            department_code=department,
            position_code=position,
            supervisor_code=supervisor,
            hire_date=hire_date,
            base_salary=cny(salary),
        ),
        at(f"{hire_date} 09:00"),
    )


def left(feed: Feed, code: str, hire_date: str, leave_date: str) -> None:
    feed.add(
        code,
        pe.EmployeeLeft(employee_code=code, hire_date=hire_date, leave_date=leave_date),
        at(f"{leave_date} 18:00"),
    )


def attendance(
    feed: Feed, code: str, month: str, facts: list[tuple[str, str, int]], revision: int = 1
) -> None:
    kinds = attendance_pb2.AttendanceFact.Kind
    feed.add(
        code,
        pe.AttendanceMonthClosed(
            employee_code=code,
            month=month,
            revision=revision,
            facts=[
                attendance_pb2.AttendanceFact(day=day, kind=kinds.Value(kind), minutes=minutes)
                for day, kind, minutes in facts
            ],
        ),
        at(f"{month}-28 20:00"),
    )


def training(feed: Feed, code: str, session: str, score: str, when: str) -> None:
    feed.add(
        code,
        pe.TrainingResultRecorded(
            employee_code=code,
            session_id=session,
            course_code="PLATFORM-RULES",
            score=score,
            pass_mark="60",
            passed=True,
            assess_time=stamp(at(when)),
        ),
        at(when),
    )


# ---- orders -----------------------------------------------------------------------------------


def order_facts(
    order_id: str, by: str, total: int, placed: str, channel: str = "TMALL"
) -> oe.OrderFacts:
    return oe.OrderFacts(
        order_id=order_id,
        channel=orders_pb.Channel.Value(channel),
        total=cny(total),
        handled_by=by,
        place_time=stamp(at(placed)),
    )


def placed(
    feed: Feed,
    order_id: str,
    by: str,
    total: int,
    when: str,
    paid: bool,
    units: int = 1,
    channel: str = "TMALL",
) -> None:
    message = oe.OrderPlaced(
        order_id=order_id,
        channel=orders_pb.Channel.Value(channel),
        total=cny(total),
        paid=paid,
        handled_by=by,
        place_time=stamp(at(when)),
        status=orders_pb.Order.CONFIRMED,
        lines=[oe.EventLine(sku_code="TEA-1", quantity=units, unit_price=cny(total // units))],
    )
    if paid:
        message.paid_time.CopyFrom(stamp(at(when)))
    feed.add(order_id, message, at(when))
    if paid:
        feed.add(
            order_id,
            oe.PaymentReceived(
                order=order_facts(order_id, by, total, when),
                amount=cny(total),
                payment_time=stamp(at(when)),
            ),
            at(when),
        )


def paid(feed: Feed, order_id: str, by: str, total: int, placed_at: str, when: str) -> None:
    feed.add(
        order_id,
        oe.PaymentReceived(
            order=order_facts(order_id, by, total, placed_at),
            amount=cny(total),
            payment_time=stamp(at(when)),
        ),
        at(when),
    )


def shipped(feed: Feed, order_id: str, by: str, total: int, placed_at: str, when: str) -> None:
    feed.add(
        order_id,
        oe.OrderShipped(
            order=order_facts(order_id, by, total, placed_at),
            ship_time=stamp(at(when)),
            shipment_no=1,
            complete=True,
        ),
        at(when),
    )


def refunded(
    feed: Feed,
    refund_id: str,
    order_id: str,
    by: str,
    total: int,
    placed_at: str,
    amount: int,
    when: str,
) -> None:
    feed.add(
        order_id,
        oe.RefundIssued(
            refund_id=refund_id,
            order=order_facts(order_id, by, total, placed_at),
            amount=cny(amount),
            refund_time=stamp(at(when)),
        ),
        at(when),
    )


def rated(
    feed: Feed, order_id: str, by: str, total: int, placed_at: str, stars: int, when: str
) -> None:
    feed.add(
        order_id,
        oe.OrderRated(
            order=order_facts(order_id, by, total, placed_at),
            rating=stars,
            positive=stars >= 4,
            rate_time=stamp(at(when)),
        ),
        at(when),
    )


# ---- inventory ---------------------------------------------------------------------------------


def received(feed: Feed, sku: str, quantity: int, value: int, when: str) -> None:
    feed.add(
        sku,
        ie.StockReceived(
            sku_code=sku,
            warehouse_code="A",
            quantity=quantity,
            value=cny(value),
            value_delta=cny(value),
            sellable=True,
        ),
        at(when),
    )


def issued(feed: Feed, sku: str, quantity: int, cost: int, when: str) -> None:
    feed.add(
        sku,
        ie.StockIssued(sku_code=sku, quantity=quantity, cost=cny(cost), value_delta=cny(-cost)),
        at(when),
    )
