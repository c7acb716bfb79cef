"""Rules for the identifiers and free text that enter the orders domain.

Kept in one place so every aggregate applies the same limits. Violations are collected rather than
raised one at a time, so a client that sends several bad fields learns about all of them at once
(CONTRACT.md: bad input → INVALID_ARGUMENT naming the field and the rule).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from services.common.errors import FieldViolation, InvalidArgument
from services.common.validation import is_aware, is_identifier, is_sku_code

# Employee codes such as E1001 (CONTRACT.md `make token EMPLOYEE=E1001`).
EMPLOYEE_CODE_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,32}")
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

MAX_ACTOR_LENGTH = 64


@dataclass
class Violations:
    """Collects field violations; `raise_if_any` turns them into one InvalidArgument."""

    items: list[FieldViolation] = field(default_factory=list)

    def add(self, field_path: str, description: str) -> None:
        """Record one offending field."""
        self.items.append(FieldViolation(field_path, description))

    def sku_code(self, value: str, field_path: str) -> str:
        """Check a SKU code (returned unchanged: codes are exact, never normalised)."""
        if not is_sku_code(value):
            self.add(field_path, "must be 1–64 characters of A–Z, a–z, 0–9, '.', '_' or '-'")
        return value

    def identifier(self, value: str, field_path: str) -> str:
        """Check an id issued by this system (order id, request id, ...)."""
        if not is_identifier(value):
            self.add(field_path, "must be 1–64 characters of A–Z, a–z, 0–9, '.', '_' or '-'")
        return value

    def employee_code(self, value: str, field_path: str) -> str:
        """Check an employee code (attribution of who handled something)."""
        if not EMPLOYEE_CODE_PATTERN.fullmatch(value):
            self.add(field_path, "must be an employee code: 1–32 characters of A–Z, 0–9, '_', '-'")
        return value

    def text(self, value: str, field_path: str, *, max_length: int, required: bool = False) -> str:
        """Strip surrounding whitespace and check length and control characters."""
        cleaned = value.strip()
        if required and not cleaned:
            self.add(field_path, "is required")
        elif len(cleaned) > max_length:
            self.add(field_path, f"must be at most {max_length} characters (got {len(cleaned)})")
        elif _CONTROL_CHARS.search(cleaned):
            self.add(field_path, "must not contain control characters")
        return cleaned

    def positive_int(self, value: int, field_path: str, *, maximum: int) -> int:
        """Check 1 ≤ value ≤ maximum (bools are rejected although Python treats them as ints)."""
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(field_path, "must be a whole number")
        elif value <= 0:
            self.add(field_path, f"must be greater than 0 (got {value})")
        elif value > maximum:
            self.add(field_path, f"must be at most {maximum} (got {value})")
        return value

    def raise_if_any(self) -> None:
        """Raise one InvalidArgument listing every violation collected so far."""
        if not self.items:
            return
        summary = "; ".join(f"{v.field}: {v.description}" for v in self.items)
        raise InvalidArgument(summary, reason="INVALID_FIELD", violations=list(self.items))


def check_sku_code(value: str, field_path: str = "sku_code") -> str:
    """Return `value` if it is a valid SKU code, else raise InvalidArgument naming `field_path`."""
    violations = Violations()
    violations.sku_code(value, field_path)
    violations.raise_if_any()
    return value


def check_identifier(value: str, field_path: str) -> str:
    """Return `value` if it is a valid id, else raise InvalidArgument naming `field_path`."""
    violations = Violations()
    violations.identifier(value, field_path)
    violations.raise_if_any()
    return value


def check_employee_code(value: str, field_path: str = "employee_code") -> str:
    """Return `value` if it is a valid employee code, else raise InvalidArgument."""
    violations = Violations()
    violations.employee_code(value, field_path)
    violations.raise_if_any()
    return value


def check_text(value: str, field_path: str, *, max_length: int, required: bool = False) -> str:
    """Return the stripped text, or raise InvalidArgument naming `field_path`."""
    violations = Violations()
    cleaned = violations.text(value, field_path, max_length=max_length, required=required)
    violations.raise_if_any()
    return cleaned


def check_actor(actor: str) -> str:
    """Who did something: an employee code or a system name such as `system` or `reconciler`."""
    return check_text(actor, "actor", max_length=MAX_ACTOR_LENGTH, required=True)


def require_aware(moment: datetime, name: str = "now") -> datetime:
    """Reject naive datetimes: every instant in this domain is absolute (ARCHITECTURE.md: UTC).

    A naive `now` is a programming error in the caller, not bad client input, hence ValueError.
    """
    if not is_aware(moment):
        raise ValueError(f"{name} must be timezone-aware, got {moment!r}")
    return moment
