"""Roles: a named set of permission patterns; an account holds roles, a token carries them.

The role table is data (seeded from `default_roles`, stored and edited in the database).
`Role.define` validates an edited role; `compile_roles` turns the roles an employee holds into
one `PermissionMatcher`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from services.common.errors import NotFound
from services.people.domain.permission_catalogue import unknown_pattern_error
from services.people.domain.permissions import PermissionMatcher, PermissionPattern
from services.people.domain.validation import invalid, validate_code, validate_text


@dataclass(frozen=True)
class Role:
    """A role code, a display name and its grant patterns."""

    code: str
    name: str
    patterns: tuple[str, ...]
    description: str = ""

    @classmethod
    def define(
        cls, *, code: str, name: str, patterns: Iterable[str], description: str = ""
    ) -> Role:
        """A validated role: each pattern well-formed and granting something known."""
        validate_code(code, field_path="code")
        cleaned: list[str] = []
        for i, text in enumerate(patterns):
            field_path = f"patterns[{i}]"
            pattern = PermissionPattern.parse(text.strip(), field_path=field_path)
            error = unknown_pattern_error(pattern, field_path)
            if error is not None:
                raise error
            if pattern.text not in cleaned:
                cleaned.append(pattern.text)
        if not cleaned:
            raise invalid("patterns", "a role needs at least one permission pattern", "REQUIRED")
        return cls(
            code=code,
            name=validate_text(name, field_path="name", max_length=100),
            patterns=tuple(cleaned),
            description=validate_text(
                description, field_path="description", max_length=500, required=False
            ),
        )


def compile_roles(role_codes: Iterable[str], roles: Mapping[str, Role]) -> PermissionMatcher:
    """One matcher for everything the given roles grant; an unknown role is NotFound."""
    patterns: list[str] = []
    for code in role_codes:
        role = roles.get(code)
        if role is None:
            raise NotFound(f"roles: no role {code!r}", reason="ROLE_NOT_FOUND")
        patterns.extend(role.patterns)
    return PermissionMatcher(patterns)
