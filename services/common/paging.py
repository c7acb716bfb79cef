"""Page sizes and opaque page tokens for every List RPC."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from services.common.errors import InvalidArgument


def page_size(requested: int, default: int = 50, maximum: int = 500) -> int:
    """0 means the default; larger than the maximum is refused by the proto rules already."""
    if requested < 0:
        raise InvalidArgument.for_field("page_size", "must not be negative")
    return min(requested or default, maximum)


def encode_token(position: dict[str, Any]) -> str:
    raw = json.dumps(position, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_payload(token: str) -> Any:
    """What `encode_token` put into `token`; ValueError for anything that is not base64url JSON
    (for a list that words its own errors; the others use `decode_token`)."""
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    return json.loads(raw)


INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
FieldKind = type[str] | type[int] | type[datetime] | type[list[Any]]


def decode_token(
    token: str, required: tuple[str, ...] | Mapping[str, FieldKind]
) -> dict[str, Any] | None:
    """None for the first page; InvalidArgument naming `page_token` for a token we did not issue.

    With a mapping of field → kind (str, int, datetime or list), each value must be of that kind
    (ints within int64, datetimes ISO-8601 with a zone and returned parsed, lists short and flat),
    so a forged token can never reach a query as a value of the wrong type."""
    if not token:
        return None
    try:
        position = decode_payload(token)
    except ValueError as exc:  # binascii.Error, UnicodeDecodeError and JSONDecodeError among them
        raise _foreign() from exc
    if not isinstance(position, dict) or any(key not in position for key in required):
        raise _foreign()
    if isinstance(required, Mapping):
        for key, kind in required.items():
            position[key] = _typed(position[key], kind)
    return position


def _foreign() -> InvalidArgument:
    return InvalidArgument.for_field("page_token", "not a token returned by this list")


def _typed(value: Any, kind: FieldKind) -> Any:
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _foreign()
        if not INT64_MIN <= value <= INT64_MAX:
            raise _foreign()
        return value
    if kind is list:
        # A composite key: a short list of strings and ints (no nesting).
        if not isinstance(value, list) or not 0 < len(value) <= 8:
            raise _foreign()
        for item in value:
            if isinstance(item, bool) or not isinstance(item, str | int):
                raise _foreign()
            if isinstance(item, int):
                _typed(item, int)
            elif len(item) > 256:
                raise _foreign()
        return value
    if kind is datetime:
        try:
            parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            parsed = None
        if parsed is None or parsed.tzinfo is None:
            raise _foreign()
        return parsed
    if not isinstance(value, str) or len(value) > 256:
        raise _foreign()
    return value


def composite_key(
    position: dict[str, Any] | None, field: str, *kinds: type
) -> tuple[Any, ...] | None:
    """`position[field]` as a tuple with exactly these item kinds (str or int), or None for the
    first page; InvalidArgument naming `page_token` otherwise."""
    if position is None:
        return None
    key = position[field]
    if not isinstance(key, list) or len(key) != len(kinds):
        raise _foreign()
    for item, kind in zip(key, kinds, strict=True):
        if isinstance(item, bool) or not isinstance(item, kind):
            raise _foreign()
    return tuple(key)
