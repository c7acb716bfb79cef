"""Page sizes and opaque page tokens for every List RPC."""

from __future__ import annotations

import base64
import json
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


def decode_token(token: str, required: tuple[str, ...]) -> dict[str, Any] | None:
    """None for the first page; InvalidArgument naming `page_token` for a token we did not issue."""
    if not token:
        return None
    try:
        position = decode_payload(token)
    except ValueError as exc:  # binascii.Error, UnicodeDecodeError and JSONDecodeError among them
        raise InvalidArgument.for_field("page_token", "not a token returned by this list") from exc
    if not isinstance(position, dict) or any(key not in position for key in required):
        raise InvalidArgument.for_field("page_token", "not a token returned by this list")
    return position
