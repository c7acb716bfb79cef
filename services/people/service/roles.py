"""Use cases: the role table and who holds which role (every change audited and published)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from services.common.audit import AuditEntry
from services.common.context import Viewer, actor
from services.common.errors import AlreadyExists, InvalidArgument, NotFound
from services.common.paging import decode_token, encode_token, page_size
from services.people.db.access_repo import RoleRow
from services.people.db.organisation_repo import EmployeeRow
from services.people.db.unit_of_work import PeopleUnitOfWork
from services.people.domain.roles import (
    EffectiveRoles,
    Role,
    compile_roles,
    effective_roles,
    override_for_assign,
    override_for_unassign,
    require_may_confer,
)
from services.people.service import events
from services.people.service.context import People, check_mask, employee_or_404, today


@dataclass(frozen=True)
class EmployeeAccess:
    """An employee with the roles they hold today and the permissions those grant."""

    row: EmployeeRow
    roles: EffectiveRoles
    permissions: frozenset[str]


async def employee_access(uow: PeopleUnitOfWork, code: str, day: date) -> EmployeeAccess:
    row = await employee_or_404(uow, code, day)
    held = await _effective(uow, code, row.employee.position_code)
    permissions = await uow.roles.permissions_of(held.codes)
    return EmployeeAccess(row, held, frozenset(permissions))


async def _effective(uow: PeopleUnitOfWork, code: str, position_code: str) -> EffectiveRoles:
    position_roles = (await uow.positions.roles_of([position_code])).get(position_code, ())
    return effective_roles(position_roles, await uow.role_overrides.of(code))


# Revocation reasons (the `reason` column of token_revocations).
LEFT = "LEFT"


async def revoke_tokens(uow: PeopleUnitOfWork, subject: str, at: datetime, reason: str) -> None:
    """Tokens of `subject` issued until `at` stop counting at `at` (every service polls this)."""
    await uow.revocations.add(subject, at, reason, actor())
    await uow.audit(
        AuditEntry.by_caller(
            "tokens.revoke",
            f"revocations/{subject}",
            subject=subject,
            details={"reason": reason, "revoked_at": at.isoformat()},
        )
    )


async def publish_roles_change(
    uow: PeopleUnitOfWork, code: str, before: EffectiveRoles, after: EffectiveRoles, now: datetime
) -> None:
    """Publish RolesChanged when the held roles differ; removals end the employee's tokens
    (their tokens carry the old permissions)."""
    if before.codes == after.codes:
        return
    uow.publish(code, events.roles_changed(code, before.codes, after.codes, actor()))
    if set(before.codes) - set(after.codes):
        await revoke_tokens(uow, code, now, "ROLES_CHANGED")


async def publish_position_role_change(
    uow: PeopleUnitOfWork,
    holders: Iterable[str],
    before_roles: Collection[str],
    after_roles: Collection[str],
    now: datetime,
) -> None:
    for code in holders:
        overrides = await uow.role_overrides.of(code)
        await publish_roles_change(
            uow,
            code,
            effective_roles(before_roles, overrides),
            effective_roles(after_roles, overrides),
            now,
        )


# ---- the role table ---------------------------------------------------------------------------


async def list_roles(people: People, size: int, token: str) -> tuple[list[RoleRow], str]:
    position = decode_token(token, {"after": str})
    limit = page_size(size, default=100)
    async with people.db.unit_of_work() as uow:
        rows = await uow.roles.rows(
            after=str(position["after"]) if position else "", limit=limit + 1
        )
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, encode_token({"after": rows[-1].role.code}) if more else ""


async def get_role(people: People, code: str) -> RoleRow:
    async with people.db.unit_of_work() as uow:
        row = await uow.roles.get(code)
    if row is None:
        raise NotFound(f"role_code: no role {code!r}", reason="ROLE_NOT_FOUND")
    return row


async def create_role(
    people: People, *, code: str, name: str, description: str, patterns: list[str]
) -> RoleRow:
    role = Role.define(code=code, name=name, patterns=patterns, description=description)
    async with people.db.unit_of_work() as uow:
        if await uow.roles.existing([code]):
            raise AlreadyExists(f"role {code!r} already exists", reason="ROLE_EXISTS")
        await uow.roles.insert(role)
        await uow.audit(
            AuditEntry.by_caller(
                "role.create", f"roles/{code}", details={"patterns": ",".join(role.patterns)}
            )
        )
        await uow.commit()
    return await get_role(people, code)


async def update_role(
    people: People,
    *,
    code: str,
    mask: Collection[str],
    name: str,
    description: str,
    patterns: list[str],
) -> RoleRow:
    check_mask(mask, ("name", "description", "patterns"))
    async with people.db.unit_of_work() as uow:
        current = await uow.roles.get(code)
        if current is None:
            raise NotFound(f"role_code: no role {code!r}", reason="ROLE_NOT_FOUND")
        before = current.role
        role = Role.define(
            code=code,
            name=name if "name" in mask else before.name,
            description=description if "description" in mask else before.description,
            patterns=patterns if "patterns" in mask else before.patterns,
        )
        await uow.roles.update(role)
        removed = sorted(set(before.patterns) - set(role.patterns))
        added = sorted(set(role.patterns) - set(before.patterns))
        await uow.audit(
            AuditEntry.by_caller(
                "role.update",
                f"roles/{code}",
                details={
                    "added": ",".join(added),
                    "removed": ",".join(removed),
                    "name": role.name,
                },
            )
        )
        await uow.commit()
    return await get_role(people, code)


# ---- who holds which role ------------------------------------------------------------------------


async def list_employee_roles(people: People, code: str) -> EmployeeAccess:
    async with people.db.unit_of_work() as uow:
        return await employee_access(uow, code, await today(uow, people.clock.now()))


async def assign_role(people: People, code: str, role_code: str) -> EmployeeAccess:
    now = people.clock.now()
    async with people.db.unit_of_work() as uow:
        await uow.employees.lock(code)
        day = await today(uow, now)
        before = await employee_access(uow, code, day)
        role = await uow.roles.get(role_code)
        if role is None:
            raise NotFound(f"role_code: no role {role_code!r}", reason="ROLE_NOT_FOUND")
        require_may_confer(
            compile_roles([role_code], {role_code: role.role}),
            Viewer.current().permissions,
            what=f"assigning {role_code}",
        )
        position_roles = (await uow.positions.roles_of([before.row.employee.position_code])).get(
            before.row.employee.position_code, ()
        )
        override = override_for_assign(role_code, position_roles)
        if override is None:
            await uow.role_overrides.remove(code, role_code)  # lift a suppression
        else:
            await uow.role_overrides.put(code, override, actor())
        after = await employee_access(uow, code, day)
        await uow.audit(
            AuditEntry.by_caller(
                "role.assign", f"employees/{code}/roles", subject=code, details={"role": role_code}
            )
        )
        await publish_roles_change(uow, code, before.roles, after.roles, now)
        await uow.commit()
    return after


async def unassign_role(people: People, code: str, role_code: str) -> EmployeeAccess:
    now = people.clock.now()
    async with people.db.unit_of_work() as uow:
        await uow.employees.lock(code)
        day = await today(uow, now)
        before = await employee_access(uow, code, day)
        if role_code not in before.roles.codes:
            raise InvalidArgument.for_field(
                "role_code", f"{code} does not hold {role_code}; nothing to unassign"
            )
        position_roles = (await uow.positions.roles_of([before.row.employee.position_code])).get(
            before.row.employee.position_code, ()
        )
        override = override_for_unassign(role_code, position_roles)
        if override is None:
            await uow.role_overrides.remove(code, role_code)
        else:
            await uow.role_overrides.put(code, override, actor())
        after = await employee_access(uow, code, day)
        await uow.audit(
            AuditEntry.by_caller(
                "role.unassign",
                f"employees/{code}/roles",
                subject=code,
                details={"role": role_code},
            )
        )
        await publish_roles_change(uow, code, before.roles, after.roles, now)
        await uow.commit()
    return after
