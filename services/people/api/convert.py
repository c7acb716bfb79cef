"""Protobuf ↔ Python values shared by the people servicer (dates, money, decimals, field masks)."""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal, InvalidOperation

from google.protobuf import field_mask_pb2, timestamp_pb2
from storeops.common.v1 import money_pb2

from services.common.errors import InvalidArgument
from services.common.money import Money
from services.common.proto_convert import from_money, from_timestamp, to_timestamp


def parse_time(text: str, field_path: str) -> time | None:
    if not text:
        return None
    try:
        return time.fromisoformat(text)
    except ValueError as exc:
        raise InvalidArgument.for_field(field_path, f"{text!r} is not a time (HH:MM)") from exc


def money(value: money_pb2.Money, field_path: str) -> Money:
    try:
        return from_money(value)
    except InvalidArgument as exc:
        if not exc.violations:
            raise
        sub = exc.violations[0].field
        raise InvalidArgument.for_field(
            f"{field_path}.{sub}" if sub else field_path, exc.violations[0].description
        ) from exc


def decimal(text: str, field_path: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation as exc:
        raise InvalidArgument.for_field(field_path, f"{text!r} is not a number") from exc


def timestamp(value: datetime | None) -> timestamp_pb2.Timestamp | None:
    return to_timestamp(value)


def instant(stamp: timestamp_pb2.Timestamp, present: bool, field_path: str) -> datetime | None:
    """The timestamp as an aware datetime (None when unset); out of range → INVALID_ARGUMENT."""
    try:
        return from_timestamp(stamp, present)
    except (ValueError, OverflowError) as exc:
        raise InvalidArgument.for_field(field_path, "is not a valid timestamp") from exc


def mask_paths(mask: field_mask_pb2.FieldMask) -> set[str]:
    return set(mask.paths)
