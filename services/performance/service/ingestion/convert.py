"""Reading event payloads: local days, money, decimal strings. A malformed value raises
`MalformedEvent`, which the ingestion records against the event instead of stopping the feed."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal, InvalidOperation

from google.protobuf import timestamp_pb2
from storeops.common.v1 import money_pb2


class MalformedEvent(ValueError):
    """An event whose payload cannot be turned into a fact (recorded as REJECTED)."""


def instant(stamp: timestamp_pb2.Timestamp, present: bool, fallback: datetime) -> datetime:
    """The timestamp as an aware UTC datetime, or `fallback` when the field is unset."""
    if not present:
        return fallback
    return stamp.ToDatetime(tzinfo=UTC)


def local_day(moment: datetime, tz: tzinfo) -> date:
    return moment.astimezone(tz).date()


def parse_day(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise MalformedEvent(f"{field}: {text!r} is not YYYY-MM-DD") from exc


def optional_day(text: str, field: str) -> date | None:
    return parse_day(text, field) if text else None


def money(value: money_pb2.Money, field: str) -> tuple[int, str]:
    if not value.currency_code:
        raise MalformedEvent(f"{field}: no currency")
    return value.amount_minor, value.currency_code


def decimal_or_none(text: str, field: str) -> Decimal | None:
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise MalformedEvent(f"{field}: {text!r} is not a decimal") from exc
    if not value.is_finite():
        raise MalformedEvent(f"{field}: {text!r} is not finite")
    return value


def ship_due(placed_at: datetime, tz: tzinfo, cutoff: time) -> datetime:
    """When an order must have shipped to count as on time (DOMAIN "Orders": orders in before
    17:00 ship the same day): end of the day placed if before `cutoff`, else end of the next."""
    local = placed_at.astimezone(tz)
    day = local.date() if local.time() < cutoff else local.date() + timedelta(days=1)
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
