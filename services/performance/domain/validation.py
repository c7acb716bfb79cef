"""Building InvalidArgument errors that name the offending field and carry a stable reason."""

from __future__ import annotations

from services.common.errors import FieldViolation, InvalidArgument


def invalid(field_path: str, description: str, reason: str) -> InvalidArgument:
    """An InvalidArgument for one field, with a reason more specific than INVALID_FIELD."""
    return InvalidArgument(
        f"{field_path}: {description}",
        reason=reason,
        violations=[FieldViolation(field_path, description)],
    )
