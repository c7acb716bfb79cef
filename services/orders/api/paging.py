"""Page tokens of the orders service's smaller lists."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TypeVar

from services.common.errors import InvalidArgument
from services.common.paging import decode_token, encode_token, page_size

T = TypeVar("T")


def offset_page(items: Sequence[T], requested: int, token: str) -> tuple[Sequence[T], str]:
    """A page of an already short list (an order's refunds, invoices)."""
    position = decode_token(token, {"o": int})
    start = int(position["o"]) if position else 0
    if start < 0:
        raise InvalidArgument.for_field("page_token", "not a token returned by this list")
    size = page_size(requested)
    end = start + size
    return items[start:end], encode_token({"o": end}) if end < len(items) else ""


def keyset_position(token: str) -> tuple[datetime, str] | None:
    """(time, id) to resume after, from a token of `keyset_token`."""
    position = decode_token(token, ("t", "id"))
    if position is None:
        return None
    try:
        return datetime.fromisoformat(str(position["t"])), str(position["id"])
    except ValueError:
        raise InvalidArgument.for_field("page_token", "not a token returned by this list") from None


def keyset_token(at: datetime, identifier: str) -> str:
    return encode_token({"t": at.isoformat(), "id": identifier})
