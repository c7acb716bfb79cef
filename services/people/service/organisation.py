"""Use cases: departments (a tree with a head) and the positions catalogue."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

from services.common.audit import AuditEntry
from services.common.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound
from services.common.paging import decode_token, encode_token, page_size
from services.people.db.organisation_repo import DepartmentRow, PositionRow
from services.people.db.unit_of_work import PeopleUnitOfWork
from services.people.domain.departments import Department
from services.people.domain.positions import Position, PositionLevel
from services.people.service.context import People, check_mask, employee_or_404, today
from services.people.service.roles import publish_position_role_change

NEW_POSITION_ROLES = ("employee",)


async def _department_row(uow: PeopleUnitOfWork, code: str) -> DepartmentRow:
    rows = await uow.departments.rows([code])
    if not rows:
        raise NotFound(f"department_code: no department {code!r}", reason="DEPARTMENT_NOT_FOUND")
    return rows[0]


async def create_department(
    people: People, *, code: str, name: str, parent_code: str | None, head_code: str | None
) -> DepartmentRow:
    now = people.clock.now()
    async with people.db.unit_of_work() as uow:
        await uow.departments.lock_tree()
        tree = await uow.departments.tree()
        department = Department(code=code, name=name, parent_code=parent_code)
        tree = tree.add(department)
        if head_code:
            day = await today(uow, now)
            head = await employee_or_404(uow, head_code, day, "head_employee_code")
            tree = tree.set_head(code, head.employee, today=day)
        await uow.departments.insert(tree.get(code))
        await uow.audit(
            AuditEntry.by_caller(
                "department.create",
                f"departments/{code}",
                details={"name": name, "parent_code": parent_code or "", "head": head_code or ""},
            )
        )
        await uow.commit()
        async with people.db.unit_of_work() as read:
            return await _department_row(read, code)


async def get_department(people: People, code: str) -> DepartmentRow:
    async with people.db.unit_of_work() as uow:
        return await _department_row(uow, code)


async def list_departments(
    people: People, *, parent_code: str, size: int, token: str
) -> tuple[list[DepartmentRow], str]:
    position = decode_token(token, {"after": str})
    after = str(position["after"]) if position else ""
    limit = page_size(size)
    async with people.db.unit_of_work() as uow:
        rows = [
            r
            for r in await uow.departments.rows()
            if r.department.code > after
            and (not parent_code or r.department.parent_code == parent_code)
        ]
    page = rows[:limit]
    more = len(rows) > limit
    return page, encode_token({"after": page[-1].department.code}) if more else ""


async def update_department(
    people: People,
    *,
    code: str,
    mask: Collection[str],
    name: str,
    parent_code: str | None,
    head_code: str | None,
) -> DepartmentRow:
    check_mask(mask, ("name", "parent_code", "head_employee_code"))
    now = people.clock.now()
    async with people.db.unit_of_work() as uow:
        await uow.departments.lock_tree()
        tree = await uow.departments.tree()
        before = tree.get(code)
        if "parent_code" in mask:
            tree = tree.move(code, parent_code)
        if "head_employee_code" in mask:
            day = await today(uow, now)
            head = (
                (await employee_or_404(uow, head_code, day, "head_employee_code")).employee
                if head_code
                else None
            )
            tree = tree.set_head(code, head, today=day)
        after = tree.get(code)
        if "name" in mask:
            after = Department(
                code=after.code,
                name=name,
                parent_code=after.parent_code,
                head_employee_code=after.head_employee_code,
            )
        await uow.departments.update(after)
        await uow.audit(
            AuditEntry.by_caller(
                "department.update",
                f"departments/{code}",
                details=_changes(
                    ("name", before.name, after.name),
                    ("parent_code", before.parent_code, after.parent_code),
                    ("head_employee_code", before.head_employee_code, after.head_employee_code),
                ),
            )
        )
        await uow.commit()
    async with people.db.unit_of_work() as read:
        return await _department_row(read, code)


async def delete_department(people: People, code: str) -> None:
    async with people.db.unit_of_work() as uow:
        await uow.departments.lock_tree()
        tree = await uow.departments.tree()
        tree.remove(code)  # refuses a department with sub-departments
        if await uow.departments.in_use(code):
            raise FailedPrecondition(
                f"department {code!r} still has positions or employees (now or in their "
                "history); move them first",
                reason="DEPARTMENT_IN_USE",
            )
        await uow.departments.delete(code)
        await uow.audit(AuditEntry.by_caller("department.delete", f"departments/{code}"))
        await uow.commit()


def _changes(*triples: tuple[str, object, object]) -> dict[str, str]:
    return {
        name: f"{before if before is not None else ''} → {after if after is not None else ''}"
        for name, before, after in triples
        if before != after
    }


# ---- positions ------------------------------------------------------------------------------


async def _position_row(uow: PeopleUnitOfWork, code: str) -> PositionRow:
    row = await uow.positions.get(code)
    if row is None:
        raise NotFound(f"position_code: no position {code!r}", reason="POSITION_NOT_FOUND")
    return row


async def create_position(
    people: People,
    *,
    code: str,
    title: str,
    title_zh: str,
    department_code: str,
    level: PositionLevel,
) -> PositionRow:
    async with people.db.unit_of_work() as uow:
        tree = await uow.departments.tree()
        tree.get(department_code)
        if await uow.positions.get(code) is not None:
            raise AlreadyExists(f"position {code!r} already exists", reason="POSITION_EXISTS")
        position = Position(code, title, title_zh, department_code, level)
        await uow.positions.insert(position, NEW_POSITION_ROLES)
        await uow.audit(
            AuditEntry.by_caller(
                "position.create",
                f"positions/{code}",
                details={"title": title, "department_code": department_code, "level": level},
            )
        )
        await uow.commit()
    async with people.db.unit_of_work() as read:
        return await _position_row(read, code)


async def get_position(people: People, code: str) -> PositionRow:
    async with people.db.unit_of_work() as uow:
        return await _position_row(uow, code)


async def list_positions(
    people: People, *, department_code: str, size: int, token: str
) -> tuple[list[PositionRow], str]:
    position = decode_token(token, {"after": str})
    after = str(position["after"]) if position else ""
    limit = page_size(size)
    async with people.db.unit_of_work() as uow:
        rows = await uow.positions.rows(
            department_code=department_code, after=after, limit=limit + 1
        )
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, encode_token({"after": rows[-1].position.code}) if more else ""


async def update_position(
    people: People,
    *,
    code: str,
    mask: Collection[str],
    title: str,
    title_zh: str,
    department_code: str,
    level: PositionLevel | None,
) -> PositionRow:
    check_mask(mask, ("title", "title_zh", "department_code", "level"))
    async with people.db.unit_of_work() as uow:
        before = (await _position_row(uow, code)).position
        after = before
        if "title" in mask:
            after = replace(after, title=title)
        if "title_zh" in mask:
            after = replace(after, title_zh=title_zh)
        if "department_code" in mask:
            (await uow.departments.tree()).get(department_code)
            after = replace(after, department_code=department_code)
        if "level" in mask:
            if level is None:
                raise InvalidArgument.for_field("level", "choose a level")
            after = replace(after, level=level)
        after = Position(
            after.code, after.title, after.title_zh, after.department_code, after.level
        )
        await uow.positions.update(after)
        await uow.audit(
            AuditEntry.by_caller(
                "position.update",
                f"positions/{code}",
                details=_changes(
                    ("title", before.title, after.title),
                    ("title_zh", before.title_zh, after.title_zh),
                    ("department_code", before.department_code, after.department_code),
                    ("level", before.level.value, after.level.value),
                ),
            )
        )
        await uow.commit()
    async with people.db.unit_of_work() as read:
        return await _position_row(read, code)


async def set_position_roles(people: People, code: str, roles: list[str]) -> PositionRow:
    now = people.clock.now()
    async with people.db.unit_of_work() as uow:
        before = await _position_row(uow, code)
        unknown = sorted(set(roles) - await uow.roles.existing(roles))
        if unknown:
            raise NotFound(f"roles: no role {', '.join(unknown)}", reason="ROLE_NOT_FOUND")
        day = await today(uow, now)
        holders = await uow.employees.codes_in_positions(day, code)
        await uow.positions.set_roles(code, sorted(roles))
        await uow.audit(
            AuditEntry.by_caller(
                "position.set_roles",
                f"positions/{code}/roles",
                details={
                    "before": ",".join(before.default_roles),
                    "after": ",".join(sorted(roles)),
                },
            )
        )
        await publish_position_role_change(uow, holders, before.default_roles, roles, now)
        await uow.commit()
    async with people.db.unit_of_work() as read:
        return await _position_row(read, code)
