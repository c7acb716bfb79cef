"""Keyset page tokens of the inventory List RPCs (opaque to clients, see common.paging)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from services.common.errors import InvalidArgument
from services.common.paging import decode_token, encode_token, page_size

# page_size is common's, here so that a List use case reads `paging.page_size(page_size)`.
__all__ = [
    "after_date",
    "after_int",
    "after_key",
    "after_pair",
    "after_time",
    "next_token",
    "page_size",
]


def after_key(token: str) -> str | None:
    """The last key of the previous page (a code), or None on the first page."""
    position = decode_token(token, ("k",))
    if position is None:
        return None
    return _str(position["k"])


def after_int(token: str) -> int:
    """The last id of the previous page, 0 on the first page."""
    position = decode_token(token, ("k",))
    if position is None:
        return 0
    value = position["k"]
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidArgument.for_field("page_token", "not a token returned by this list")
    return value


def after_time(token: str) -> tuple[datetime, str] | None:
    """(time, id) of the last row of the previous page."""
    position = decode_token(token, ("t", "k"))
    if position is None:
        return None
    try:
        return datetime.fromisoformat(_str(position["t"])), _str(position["k"])
    except ValueError as exc:
        raise InvalidArgument.for_field("page_token", "not a token returned by this list") from exc


def after_date(token: str) -> tuple[date, str] | None:
    """(day, id) of the last row of the previous page."""
    position = decode_token(token, ("d", "k"))
    if position is None:
        return None
    try:
        return date.fromisoformat(_str(position["d"])), _str(position["k"])
    except ValueError as exc:
        raise InvalidArgument.for_field("page_token", "not a token returned by this list") from exc


def after_pair(token: str, first: str) -> tuple[str, str] | None:
    """(first key, id) of the last row of the previous page, for two-part keys."""
    position = decode_token(token, (first, "k"))
    if position is None:
        return None
    return _str(position[first]), _str(position["k"])


def next_token(rows: list[Any], limit: int, position: dict[str, Any] | None) -> str:
    """A token for the page after `rows`, or "" when this page was the last."""
    if len(rows) < limit or position is None:
        return ""
    return encode_token(position)


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise InvalidArgument.for_field("page_token", "not a token returned by this list")
    return value
