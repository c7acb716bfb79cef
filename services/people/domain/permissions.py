"""Permissions `<service>.<resource>.<action>` and grant patterns with `*` segments.

Grammar: a permission is three segments of `[a-z][a-z0-9_]*` (`inventory.receipts.inspect`).
A pattern has one to three segments, each a literal or `*`; a `*` matches exactly one segment,
and a pattern shorter than three segments must end in `*`, which then covers the remaining
segments (`inventory.*` = `inventory.*.*`, `*` = everything). So `inventory.*.read` grants
reading every inventory resource. This agrees with `services.common.permissions` on every
three-segment permission; `inventory.receipts` (no trailing `*`) is refused as ambiguous.

`PermissionMatcher` compiles a set of patterns into a two-level index so that a check is at
most four dictionary look-ups, whatever the number of patterns.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from services.common.errors import InvalidArgument, PermissionDenied

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
        return (
            self.service in (WILDCARD, permission.service)
            and self.resource in (WILDCARD, permission.resource)
            and self.action in (WILDCARD, permission.action)
        )

    def __str__(self) -> str:
        return self.text


class PermissionMatcher:
    """A compiled set of patterns: `allows("orders.orders.place")` in O(1)."""

    __slots__ = ("_index", "_patterns")

    def __init__(self, patterns: Iterable[PermissionPattern | str]) -> None:
        parsed = [
            p if isinstance(p, PermissionPattern) else PermissionPattern.parse(p) for p in patterns
        ]
        index: dict[str, dict[str, set[str]]] = {}
        for pattern in parsed:
            index.setdefault(pattern.service, {}).setdefault(pattern.resource, set()).add(
                pattern.action
            )
        self._index: dict[str, dict[str, frozenset[str]]] = {
            service: {resource: frozenset(actions) for resource, actions in resources.items()}
            for service, resources in index.items()
        }
        self._patterns = tuple(sorted({p.text for p in parsed}))

    @property
    def patterns(self) -> tuple[str, ...]:
        """The distinct patterns, sorted."""
        return self._patterns

    def allows(self, permission: Permission | str) -> bool:
        """True when some pattern grants `permission`."""
        wanted = permission if isinstance(permission, Permission) else Permission.parse(permission)
        for service in (wanted.service, WILDCARD):
            resources = self._index.get(service)
            if resources is None:
                continue
            for resource in (wanted.resource, WILDCARD):
                actions = resources.get(resource)
                if actions is not None and (wanted.action in actions or WILDCARD in actions):
                    return True
        return False

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
        return PermissionMatcher((*self._patterns, *other._patterns))

    def __repr__(self) -> str:
        return f"PermissionMatcher({list(self._patterns)!r})"
