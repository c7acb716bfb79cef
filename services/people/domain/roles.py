"""Roles: a named set of permission patterns; an account holds roles, a token carries them.

The role table is data (seeded from `default_roles`, stored and edited in the database).
`Role.define` validates an edited role; `compile_roles` turns the roles an employee holds into
one `PermissionMatcher`.

An employee holds their *current* position's default roles, plus roles assigned to them, minus
default roles suppressed for them (`effective_roles`). Only overrides are stored per employee,
so changing a position's defaults changes every holder's roles at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from services.common.errors import InvalidArgument, NotFound, PermissionDenied
from services.people.domain.permission_catalogue import unknown_pattern_error
from services.people.domain.permissions import (
    PermissionChecker,
    PermissionMatcher,
    PermissionPattern,
)
from services.people.domain.validation import validate_code, validate_text


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
            raise InvalidArgument.for_field(
                "patterns", "a role needs at least one permission pattern", reason="REQUIRED"
            )
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


# Permissions that let their holder grant themselves anything: editing roles or who holds them,
# and minting tokens or service credentials. Handing such a role to someone (by hiring them into
# a position that carries it, or by resetting their password) takes the same power.
PRIVILEGED_PERMISSIONS: tuple[str, ...] = ("people.roles.update", "people.tokens.issue")


def is_privileged(matcher: PermissionMatcher) -> bool:
    """True when `matcher` grants a permission that can escalate to everything."""
    return any(matcher.allows(p) for p in PRIVILEGED_PERMISSIONS)


def require_may_confer(
    conferred: PermissionMatcher, caller: PermissionChecker, *, what: str
) -> None:
    """Refuse handing privileged roles (`conferred`) to someone unless the caller is privileged.

    HR hires and resets passwords, but must not thereby create an administrator: doing so needs
    the caller to hold the privileged permissions themselves."""
    if is_privileged(conferred) and not all(caller.allows(p) for p in PRIVILEGED_PERMISSIONS):
        raise PermissionDenied(
            f"{what} would confer administrative roles; only an administrator "
            f"(holding {' and '.join(PRIVILEGED_PERMISSIONS)}) may do that",
            reason="PRIVILEGED_ROLE",
        )


class RoleSource(StrEnum):
    """Why an employee holds a role."""

    POSITION = "POSITION"
    ASSIGNED = "ASSIGNED"


@dataclass(frozen=True)
class RoleOverride:
    """An administrator's decision about one role of one employee: granted, or suppressed."""

    role_code: str
    granted: bool


@dataclass(frozen=True)
class EffectiveRoles:
    """The roles an employee holds: the position's defaults, plus grants, minus suppressions."""

    held: tuple[tuple[str, RoleSource], ...]
    suppressed_position_roles: tuple[str, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        """Role codes held, sorted."""
        return tuple(sorted(code for code, _ in self.held))


def effective_roles(
    position_roles: Iterable[str], overrides: Iterable[RoleOverride]
) -> EffectiveRoles:
    """Combine the current position's default roles with per-employee overrides.

    The position part is read fresh each time, so a position change (even one effective in the
    future) changes the roles on the day it takes effect without any job running."""
    defaults = list(dict.fromkeys(position_roles))
    by_code = {o.role_code: o for o in overrides}
    held: dict[str, RoleSource] = {}
    suppressed: list[str] = []
    for code in defaults:
        override = by_code.get(code)
        if override is not None and not override.granted:
            suppressed.append(code)
        else:
            held[code] = RoleSource.POSITION
    for code, override in by_code.items():
        if override.granted and code not in held:
            held[code] = RoleSource.ASSIGNED
    return EffectiveRoles(
        held=tuple(sorted(held.items())), suppressed_position_roles=tuple(sorted(suppressed))
    )


def override_for_assign(role_code: str, position_roles: Iterable[str]) -> RoleOverride | None:
    """The override that makes the employee hold `role_code` (None: the position gives it)."""
    return None if role_code in set(position_roles) else RoleOverride(role_code, granted=True)


def override_for_unassign(role_code: str, position_roles: Iterable[str]) -> RoleOverride | None:
    """The override that takes `role_code` away (None: just drop an assigned grant)."""
    return RoleOverride(role_code, granted=False) if role_code in set(position_roles) else None
