"""Input checks shared by the inventory domain.

Each check raises `InvalidArgument` naming the request field (`field` is the path the caller
wants in the error, e.g. ``lines[2].sku_code``) and returns the value unchanged, so a handler can
write ``code = validate_sku_code(req.sku_code, "sku_code")``.

Rules (CONTRACT.md and the inventory protos):
- SKU codes: 1–64 characters of ``[A-Za-z0-9._-]``.
- Warehouse and bin codes: 1–32 characters of ``[A-Za-z0-9._-]``.
- Quantities are integers; most must be positive (≥ 1), some may be zero.
- Datetimes are timezone-aware (UTC in storage); a naive datetime is refused.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from services.common.errors import InvalidArgument
from services.common.validation import is_aware, is_identifier, is_sku_code

SKU_CODE_MAX_LEN = 64
WAREHOUSE_CODE_MAX_LEN = 32
BIN_CODE_MAX_LEN = 32
DOCUMENT_ID_MAX_LEN = 64

_SHORT_CODE = re.compile(r"[A-Za-z0-9._-]{1,32}")
_CLIENT_KEY = re.compile(r"[A-Za-z0-9._:-]+")
RESERVATION_ID_MAX_LEN = 128


def validate_sku_code(value: str, field: str = "sku_code") -> str:
    """Return `value` if it is a valid SKU code, else raise InvalidArgument naming `field`."""
    if not is_sku_code(value):
        raise InvalidArgument.for_field(
            field, f"must be 1–{SKU_CODE_MAX_LEN} characters of A-Z, a-z, 0-9, '.', '_' or '-'"
        )
    return value


def validate_warehouse_code(value: str, field: str = "warehouse_code") -> str:
    """Return `value` if it is a valid warehouse code, else raise InvalidArgument."""
    if not _SHORT_CODE.fullmatch(value):
        raise InvalidArgument.for_field(
            field,
            f"must be 1–{WAREHOUSE_CODE_MAX_LEN} characters of A-Z, a-z, 0-9, '.', '_' or '-'",
        )
    return value


def validate_bin_code(value: str, field: str = "bin_code") -> str:
    """Return `value` if it is a valid bin (库位) code, else raise InvalidArgument."""
    if not _SHORT_CODE.fullmatch(value):
        raise InvalidArgument.for_field(
            field, f"must be 1–{BIN_CODE_MAX_LEN} characters of A-Z, a-z, 0-9, '.', '_' or '-'"
        )
    return value


def validate_id(value: str, field: str) -> str:
    """Return a document or resource id if it is 1–64 characters of ``[A-Za-z0-9._-]``."""
    if not is_identifier(value):
        raise InvalidArgument.for_field(
            field, f"must be 1–{DOCUMENT_ID_MAX_LEN} characters of A-Z, a-z, 0-9, '.', '_' or '-'"
        )
    return value


def validate_client_key(value: str, field: str, max_len: int = DOCUMENT_ID_MAX_LEN) -> str:
    """Return a client-chosen idempotency key (receipt or reservation id) if it is 1–`max_len`
    characters of ``[A-Za-z0-9._:-]``: callers derive them from their own ids, e.g.
    ``order:AMZ-123`` (CONTRACT.md allows reservation ids up to 128 characters)."""
    if not _CLIENT_KEY.fullmatch(value) or len(value) > max_len:
        raise InvalidArgument.for_field(
            field, f"must be 1–{max_len} characters of A-Z, a-z, 0-9, '.', '_', ':' or '-'"
        )
    return value


def validate_text(value: str, field: str, max_len: int = 200) -> str:
    """Return `value` if it has visible text and at most `max_len` characters."""
    if not value.strip():
        raise InvalidArgument.for_field(field, "must not be empty")
    if len(value) > max_len:
        raise InvalidArgument.for_field(field, f"must be at most {max_len} characters")
    return value


def validate_positive_quantity(value: int, field: str = "quantity") -> int:
    """Return `value` if it is an integer ≥ 1 (bools are refused), else raise InvalidArgument."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidArgument.for_field(field, f"must be a positive whole number, got {value!r}")
    return value


def validate_non_negative_quantity(value: int, field: str = "quantity") -> int:
    """Return `value` if it is an integer ≥ 0 (bools are refused), else raise InvalidArgument."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidArgument.for_field(
            field, f"must be zero or a positive whole number, got {value!r}"
        )
    return value


def validate_aware(value: datetime, field: str) -> datetime:
    """Return `value` if it is timezone-aware; naive datetimes would compare wrongly with UTC."""
    if not is_aware(value):
        raise InvalidArgument.for_field(field, "must be a timezone-aware datetime (UTC)")
    return value


def validate_positive_duration(value: timedelta, field: str) -> timedelta:
    """Return `value` if it is longer than zero."""
    if value <= timedelta(0):
        raise InvalidArgument.for_field(field, "must be longer than zero")
    return value
