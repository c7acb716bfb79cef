"""Permission patterns: `<service>.<resource>.<action>` where a segment may be `*`.

A `*` in the middle matches one segment; a trailing `*` matches one or more segments, so
`inventory.*` grants every inventory permission and `*` grants everything.
"""

from __future__ import annotations

from collections.abc import Iterable


def pattern_matches(pattern: str, permission: str) -> bool:
    want = permission.split(".")
    have = pattern.split(".")
    for index, segment in enumerate(have):
        if segment == "*" and index == len(have) - 1:
            return len(want) > index
        if index >= len(want) or (segment not in ("*", want[index])):
            return False
    return len(have) == len(want)


class PermissionSet:
    """An immutable set of grant patterns with memoised checks (checked on every call)."""

    __slots__ = ("_cache", "patterns")

    def __init__(self, patterns: Iterable[str]) -> None:
        self.patterns: tuple[str, ...] = tuple(sorted(set(patterns)))
        self._cache: dict[str, bool] = {}

    def allows(self, permission: str) -> bool:
        cached = self._cache.get(permission)
        if cached is None:
            cached = any(pattern_matches(p, permission) for p in self.patterns)
            self._cache[permission] = cached
        return cached

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list(self.patterns)!r})"
