"""Permissions `<service>.<resource>.<action>` and grant patterns with `*` segments.

Grammar: a permission is three segments of `[a-z][a-z0-9_]*` (`inventory.receipts.inspect`).
A pattern has one to three segments, each a literal or `*`; a `*` matches exactly one segment,
and a pattern shorter than three segments must end in `*`, which then covers the remaining
segments (`inventory.*` = `inventory.*.*`, `*` = everything). So `inventory.*.read` grants
reading every inventory resource. `inventory.receipts` (no trailing `*`) is refused as ambiguous.

This module checks that grammar (roles are edited here, so a typing mistake must be refused);
whether a pattern grants a permission is decided by `services.common.permissions`, the same
matcher every service's auth uses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from services.common.errors import InvalidArgument, PermissionDenied
from services.common.permissions import PermissionSet, pattern_matches

WILDCARD = "*"
_SEGMENT = re.compile(r"[a-z][a-z0-9_]*")
_SEGMENTS = 3


class PermissionChecker(Protocol):
    """Anything that answers "is this permission granted?" (this matcher, a token's set)."""

    def allows(self, permission: str) -> bool:
        """True when `permission` is granted."""
        ...


@dataclass(frozen=True, slots=True)
class Permission:
    """One concrete permission, e.g. `people.salaries.read`."""

    service: str
    resource: str
    action: str

    @classmethod
    def parse(cls, text: str, *, field_path: str = "permission") -> Permission:
        """Parse `service.resource.action`, or InvalidArgument naming `field_path`."""
        return _parse_permission(text, field_path)

    def __str__(self) -> str:
        return f"{self.service}.{self.resource}.{self.action}"


@lru_cache(maxsize=4096)
def _parse_permission(text: str, field_path: str) -> Permission:
    parts = text.split(".")
    if len(parts) != _SEGMENTS or not all(_SEGMENT.fullmatch(p) for p in parts):
        raise InvalidArgument.for_field(
            field_path,
            f"{text!r} is not a permission of the form <service>.<resource>.<action> "
            "(lower-case letters, digits and underscores)",
            reason="INVALID_PERMISSION",
        )
    return Permission(parts[0], parts[1], parts[2])


@dataclass(frozen=True, slots=True)
class PermissionPattern:
    """A grant pattern normalised to three segments; `text` is the form it was written in."""

    service: str
    resource: str
    action: str
    text: str

    @classmethod
    def parse(cls, text: str, *, field_path: str = "pattern") -> PermissionPattern:
        """Parse and normalise a grant pattern, or InvalidArgument naming `field_path`."""
        parts = text.split(".")
        valid = 1 <= len(parts) <= _SEGMENTS and all(
            p == WILDCARD or _SEGMENT.fullmatch(p) for p in parts
        )
        if valid and len(parts) < _SEGMENTS:
            valid = parts[-1] == WILDCARD
            parts += [WILDCARD] * (_SEGMENTS - len(parts))
        if not valid:
            raise InvalidArgument.for_field(
                field_path,
                f"{text!r} is not a permission pattern: use <service>.<resource>.<action> "
                "where any segment may be *, or end a shorter pattern with * (inventory.*)",
                reason="INVALID_PERMISSION_PATTERN",
            )
        return cls(parts[0], parts[1], parts[2], text)

    def matches(self, permission: Permission) -> bool:
        """True when this pattern grants `permission`."""
        return pattern_matches(self.text, str(permission))

    def __str__(self) -> str:
        return self.text


class PermissionMatcher(PermissionSet):
    """A set of grant patterns written in this grammar: `allows("orders.orders.place")`.

    Construction refuses malformed patterns and `allows` refuses a permission that is not
    concrete (both InvalidArgument); the matching itself is `PermissionSet`'s.
    """

    __slots__ = ()

    def __init__(self, patterns: Iterable[PermissionPattern | str]) -> None:
        super().__init__(
            p.text if isinstance(p, PermissionPattern) else PermissionPattern.parse(p).text
            for p in patterns
        )

    def allows(self, permission: Permission | str) -> bool:
        """True when some pattern grants `permission`."""
        wanted = permission if isinstance(permission, Permission) else Permission.parse(permission)
        return super().allows(str(wanted))

    def require(self, permission: Permission | str) -> None:
        """Raise PermissionDenied naming the missing permission."""
        if not self.allows(permission):
            error = PermissionDenied(
                f"you need the permission {permission} for this; ask an administrator to grant "
                "it to one of your roles",
                reason="PERMISSION_DENIED",
            )
            error.metadata["permission"] = str(permission)
            raise error

    def __or__(self, other: PermissionMatcher) -> PermissionMatcher:
        return PermissionMatcher((*self.patterns, *other.patterns))
