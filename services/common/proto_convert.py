"""Conversions between protobuf well-known types and Python values, shared by every servicer."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Protocol, overload

from google.protobuf import any_pb2, timestamp_pb2
from storeops.common.v1 import events_pb2, money_pb2

from services.common.errors import InvalidArgument
from services.common.money import Money
from services.common.outbox import TYPE_URL_PREFIX, StoredEvent


class _EnumType(Protocol):
    def Name(self, number: int) -> str: ...


def enum_filter(enum_type: _EnumType, value: int) -> str:
    """A list filter's enum value as its name, or "" for the unspecified 0 (no filter)."""
    return enum_type.Name(value) if value else ""


def to_timestamp(value: datetime | None) -> timestamp_pb2.Timestamp | None:
    if value is None:
        return None
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(value.astimezone(UTC))
    return stamp


def from_timestamp(stamp: timestamp_pb2.Timestamp, present: bool = True) -> datetime | None:
    """None when the field is unset (`present` is the caller's HasField result)."""
    if not present:
        return None
    return stamp.ToDatetime(tzinfo=UTC)


def parse_date(text: str, field_path: str) -> date:
    """A YYYY-MM-DD request field; InvalidArgument naming `field_path` when it is not a date."""
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidArgument.for_field(field_path, f"{text!r} is not a date (YYYY-MM-DD)") from exc


def optional_date(text: str, field_path: str) -> date | None:
    """`parse_date`, with the empty string (an unset field) as None."""
    return parse_date(text, field_path) if text else None


def date_text(value: date | None) -> str:
    """A date as YYYY-MM-DD, "" for none."""
    return "" if value is None else value.isoformat()


@overload
def to_money(value: Money) -> money_pb2.Money: ...
@overload
def to_money(value: None) -> None: ...
def to_money(value: Money | None) -> money_pb2.Money | None:
    """`storeops.common.v1.Money` of `value` (None stays unset)."""
    if value is None:
        return None
    return money_pb2.Money(currency_code=value.currency, amount_minor=value.amount_minor)


def from_money(message: money_pb2.Money) -> Money:
    """The amount a request carries (InvalidArgument naming `currency_code` when it is not one)."""
    return Money(message.amount_minor, message.currency_code)


def decimal_text(value: Decimal | None) -> str:
    """A decimal string field without trailing zeros: `Decimal("0.50")` → "0.5", None → ""."""
    if value is None:
        return ""
    text = f"{value.normalize():f}"
    return "0" if text == "-0" else text


def event_message(event: StoredEvent) -> events_pb2.Event:
    return events_pb2.Event(
        cursor=event.cursor.encode(),
        type=event.type,
        key=event.key,
        occurred_at=to_timestamp(event.occurred_at),
        payload=any_pb2.Any(type_url=TYPE_URL_PREFIX + event.type, value=event.payload),
    )
