"""Use cases: hiring, employee records and views (masked per caller, reads audited), the
effective-dated position and salary history, leaving, and reporting lines."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import date

from services.common.audit import AuditEntry
from services.common.context import Viewer, actor
from services.common.errors import AlreadyExists, InvalidArgument
from services.common.money import Money
from services.common.paging import decode_token, encode_token, page_size
from services.people.db.organisation_repo import EmployeeFilter, EmployeeRow
from services.people.db.unit_of_work import PeopleUnitOfWork
from services.people.domain.confidentiality import DataCategory, EmployeeView, employee_view
from services.people.domain.employees import Contact, Employee, EmploymentStatus
from services.people.domain.employment_history import (
    EmploymentHistory,
    PositionAssignment,
    SalaryChange,
)
from services.people.domain.positions import Position, get_position
from services.people.domain.reporting_lines import ReportingLines, check_supervisor_eligible
from services.people.domain.roles import compile_roles, require_may_confer
from services.people.domain.tokens import access_ends_at
from services.people.domain.validation import validate_person_name, validate_text
from services.people.service import events
from services.people.service.context import (
    People,
    check_mask,
    decide,
    employee_or_404,
    read_entry,
    require_visible,
    today,
)
from services.people.service.roles import (
    LEFT,
    employee_access,
    publish_roles_change,
    revoke_tokens,
)

Field = events.Field


@dataclass(frozen=True)
class EmployeeResult:
    """An employee as this caller may see them."""

    row: EmployeeRow
    view: EmployeeView


@dataclass(frozen=True)
class SalaryResult:
    employee_code: str
    current: SalaryChange
    changes: tuple[SalaryChange, ...]


@dataclass(frozen=True)
class HistoryResult:
    history: EmploymentHistory
    salary_masked: bool


@dataclass(frozen=True)
class ReportingEntry:
    employee_code: str
    name: str
    supervisor_code: str | None
    depth: int


async def _view(
    people: People, uow: PeopleUnitOfWork, rows: list[EmployeeRow], who: Viewer
) -> list[EmployeeResult]:
    """Mask what the caller may not see; audit every confidential field shown (same
    transaction: the caller gets the data only if its audit rows are stored)."""
    lines = await uow.employees.reporting_lines()
    results = []
    entries = []
    for row in rows:
        view = employee_view(
            row.employee,
            viewer_code=who.code,
            viewer_permissions=who.permissions,
            reporting_lines=lines,
            policy=people.policies.confidentiality,
        )
        for decision in view.decisions:
            if decision.allowed:
                entries.append(
                    read_entry(decision, "employee.read", f"employees/{row.employee.code}")
                )
        results.append(EmployeeResult(row, view))
    await uow.audit(*entries)
    return results


async def _position(uow: PeopleUnitOfWork, code: str, field_path: str) -> Position:
    return get_position(code, await uow.positions.catalogue(), field_path=field_path)


async def _confer_position_roles(uow: PeopleUnitOfWork, position_code: str, what: str) -> None:
    """Hiring or moving someone into a position hands them its default roles."""
    role_codes = (await uow.positions.roles_of([position_code])).get(position_code, ())
    roles = {r.role.code: r.role for r in await uow.roles.rows(list(role_codes))}
    require_may_confer(compile_roles(roles, roles), Viewer.current().permissions, what=what)


async def hire(
    people: People,
    *,
    code: str,
    name: str,
    department_code: str,
    position_code: str,
    supervisor_code: str | None,
    hire_date: date,
    base_salary: Money,
    contact: Contact,
) -> EmployeeResult:
    now = people.clock.now()
    employee = Employee.hire(
        code=code,
        name=name,
        department_code=department_code,
        position_code=position_code,
        hire_date=hire_date,
        base_salary=base_salary,
        contact=contact,
        supervisor_code=supervisor_code,
        code_format=people.policies.code_format,
    )
    async with people.db.unit_of_work() as uow:
        await uow.employees.lock_reporting_lines()
        day = await today(uow, now)
        if await uow.employees.exists(code):
            raise AlreadyExists(f"code: employee {code} already exists", reason="EMPLOYEE_EXISTS")
        (await uow.departments.tree()).get(department_code)
        position = await _position(uow, position_code, "position_code")
        if supervisor_code is not None:
            supervisor = await employee_or_404(uow, supervisor_code, day, "supervisor_code")
            check_supervisor_eligible(employee, supervisor.employee, today=day)
        await _confer_position_roles(uow, position_code, f"hiring {code} as {position_code}")
        history = EmploymentHistory.start(
            employee_code=code,
            hire_date=hire_date,
            position_code=position_code,
            department_code=department_code,
            base_salary=base_salary,
            recorded_at=now,
            recorded_by=actor(),
        )
        await uow.employees.insert(employee)
        await uow.employees.append_position(code, history.positions[0])
        await uow.employees.append_salary(code, history.salaries[0])
        await uow.audit(
            AuditEntry.by_caller(
                "employee.create",
                f"employees/{code}",
                subject=code,
                category=DataCategory.PAY.value,
                details={
                    "department_code": department_code,
                    "position_code": position_code,
                    "supervisor_code": supervisor_code or "",
                    "hire_date": hire_date.isoformat(),
                    "base_salary": "set",  # amounts stay out of the log (it is widely readable)
                },
            )
        )
        uow.publish(code, events.employee_hired(employee, position.level))
        await uow.commit()
    return await get_employee(people, code)


async def get_employee(people: People, code: str) -> EmployeeResult:
    async with people.db.unit_of_work() as uow:
        day = await today(uow, people.clock.now())
        row = await employee_or_404(uow, code, day)
        [result] = await _view(people, uow, [row], Viewer.current())
        await uow.commit()
    return result


async def list_employees(
    people: People,
    *,
    department_code: str,
    include_sub_departments: bool,
    position_code: str,
    supervisor_code: str,
    status: str,
    size: int,
    token: str,
) -> tuple[list[EmployeeResult], str]:
    position = decode_token(token, {"after": str})
    limit = page_size(size)
    async with people.db.unit_of_work() as uow:
        day = await today(uow, people.clock.now())
        departments: frozenset[str] | None = None
        if department_code:
            tree = await uow.departments.tree()
            tree.get(department_code)
            departments = frozenset({department_code})
            if include_sub_departments:
                departments |= tree.descendants(department_code)
        rows = await uow.employees.page(
            day,
            EmployeeFilter(departments, position_code, supervisor_code, status),
            str(position["after"]) if position else "",
            limit + 1,
        )
        more = len(rows) > limit
        results = await _view(people, uow, rows[:limit], Viewer.current())
        await uow.commit()
    token_out = encode_token({"after": results[-1].row.employee.code}) if more else ""
    return results, token_out


async def update_employee(
    people: People,
    *,
    code: str,
    mask: Collection[str],
    name: str,
    contact: Contact,
    supervisor_code: str | None,
) -> EmployeeResult:
    check_mask(mask, ("name", "contact", "contact.email", "contact.phone", "supervisor_code"))
    now = people.clock.now()
    async with people.db.unit_of_work() as uow:
        await uow.employees.lock_reporting_lines()
        day = await today(uow, now)
        row = await employee_or_404(uow, code, day)
        before = row.employee
        after = before
        changed: list[str] = []
        details: dict[str, str] = {}
        if "name" in mask:
            after = replace(after, name=validate_person_name(name, field_path="name"))
            if after.name != before.name:
                changed.append(Field.NAME)
                details["name"] = f"{before.name} → {after.name}"
        paths = set(mask)
        if paths & {"contact", "contact.email", "contact.phone"}:
            email = contact.email if paths & {"contact", "contact.email"} else before.contact.email
            phone = contact.phone if paths & {"contact", "contact.phone"} else before.contact.phone
            after = replace(after, contact=Contact(email, phone).validated("contact"))
            details["contact"] = "changed"
        if "supervisor_code" in mask:
            lines = await uow.employees.reporting_lines()
            lines.assign(code, supervisor_code)  # refuses a reporting cycle, naming it
            if supervisor_code is not None:
                supervisor = await employee_or_404(uow, supervisor_code, day, "supervisor_code")
                check_supervisor_eligible(before, supervisor.employee, today=day)
            after = replace(after, supervisor_code=supervisor_code)
            if after.supervisor_code != before.supervisor_code:
                changed.append(Field.SUPERVISOR)
                details["supervisor_code"] = (
                    f"{before.supervisor_code or ''} → {supervisor_code or ''}"
                )
        await uow.employees.update_record(after)
        await uow.audit(
            AuditEntry.by_caller(
                "employee.update", f"employees/{code}", subject=code, details=details
            )
        )
        if changed:
            position = await _position(uow, after.position_code, "position_code")
            uow.publish(
                code,
                events.employee_changed(
                    after, position.level, effective_date=day, changed=changed, reason="",
                    changed_by=actor(),
                ),
            )  # fmt: skip
        await uow.commit()
    return await get_employee(people, code)


async def change_position(
    people: People,
    *,
    code: str,
    position_code: str,
    department_code: str | None,
    effective_date: date,
    reason: str,
) -> EmployeeResult:
    now = people.clock.now()
    reason = validate_text(reason, field_path="reason", max_length=500, required=False)
    async with people.db.unit_of_work() as uow:
        await uow.employees.lock(code)
        day = await today(uow, now)
        row = await employee_or_404(uow, code, day)
        history = await uow.employees.history(code)
        assert history is not None
        position = await _position(uow, position_code, "position_code")
        department = department_code or history.current_position(effective_date).department_code
        (await uow.departments.tree()).get(department)
        await _confer_position_roles(uow, position_code, f"moving {code} to {position_code}")
        before_access = await employee_access(uow, code, day)
        change = PositionAssignment(effective_date, position_code, department, now, actor(), reason)
        updated = history.record_position_change(change, people.policies.history)
        if updated is not history:
            previous = history.current_position(effective_date)
            await uow.employees.append_position(code, change)
            changed = []
            if previous.position_code != position_code:
                changed.append(Field.POSITION)
            if previous.department_code != department:
                changed.append(Field.DEPARTMENT)
            await uow.audit(
                AuditEntry.by_caller(
                    "employee.change_position",
                    f"employees/{code}/history",
                    subject=code,
                    details={
                        "effective_date": effective_date.isoformat(),
                        "position_code": f"{previous.position_code} → {position_code}",
                        "department_code": f"{previous.department_code} → {department}",
                        "reason": reason,
                    },
                )
            )
            salary = updated.current_salary(effective_date).base_salary
            state = replace(
                row.employee,
                position_code=position_code,
                department_code=department,
                base_salary=salary,
            )
            uow.publish(
                code,
                events.employee_changed(
                    state, position.level, effective_date=effective_date, changed=changed,
                    reason=reason, changed_by=actor(),
                ),
            )  # fmt: skip
            after_access = await employee_access(uow, code, day)
            await publish_roles_change(uow, code, before_access.roles, after_access.roles, now)
        await uow.commit()
    return await get_employee(people, code)


async def get_salary(people: People, code: str) -> SalaryResult:
    async with people.db.unit_of_work() as uow:
        day = await today(uow, people.clock.now())
        await employee_or_404(uow, code, day)
        lines = await uow.employees.reporting_lines()
        decision = decide(Viewer.current(), code, DataCategory.PAY, lines, people.policies)
        await require_visible(people, uow, decision, "salary.read", f"employees/{code}/salary")
        history = await uow.employees.history(code)
        assert history is not None
        await uow.commit()
    return SalaryResult(code, history.current_salary(day), history.salaries)


async def change_salary(
    people: People, *, code: str, base_salary: Money, effective_date: date, reason: str
) -> SalaryResult:
    now = people.clock.now()
    reason = validate_text(reason, field_path="reason", max_length=500, required=False)
    async with people.db.unit_of_work() as uow:
        await uow.employees.lock(code)
        day = await today(uow, now)
        row = await employee_or_404(uow, code, day)
        lines = await uow.employees.reporting_lines()
        # Whoever sets a salary sees it: the same rule as reading it.
        decision = decide(Viewer.current(), code, DataCategory.PAY, lines, people.policies)
        await require_visible(people, uow, decision, "salary.read", f"employees/{code}/salary")
        history = await uow.employees.history(code)
        assert history is not None
        change = SalaryChange(effective_date, base_salary, now, actor(), reason)
        updated = history.record_salary_change(change, people.policies.history)
        if updated is not history:
            await uow.employees.append_salary(code, change)
            await uow.audit(
                AuditEntry.by_caller(
                    "salary.change",
                    f"employees/{code}/salary",
                    subject=code,
                    category=DataCategory.PAY.value,
                    basis=decision.basis.value,
                    details={"effective_date": effective_date.isoformat(), "reason": reason},
                )
            )
            assignment = updated.current_position(effective_date)
            position = await _position(uow, assignment.position_code, "position_code")
            state = replace(
                row.employee,
                position_code=assignment.position_code,
                department_code=assignment.department_code,
                base_salary=base_salary,
            )
            uow.publish(
                code,
                events.employee_changed(
                    state, position.level, effective_date=effective_date,
                    changed=[Field.SALARY], reason=reason, changed_by=actor(),
                ),
            )  # fmt: skip
        await uow.commit()
    return SalaryResult(code, updated.current_salary(day), updated.salaries)


async def get_history(people: People, code: str) -> HistoryResult:
    async with people.db.unit_of_work() as uow:
        day = await today(uow, people.clock.now())
        await employee_or_404(uow, code, day)
        history = await uow.employees.history(code)
        assert history is not None
        lines = await uow.employees.reporting_lines()
        decision = decide(Viewer.current(), code, DataCategory.PAY, lines, people.policies)
        if decision.allowed:
            await uow.audit(read_entry(decision, "salary.read", f"employees/{code}/history"))
        await uow.commit()
    if not decision.allowed:
        history = replace(history, salaries=())
    return HistoryResult(history, salary_masked=not decision.allowed)


async def record_leave(
    people: People, *, code: str, leave_date: date, reason: str, end_access_now: bool
) -> EmployeeResult:
    now = people.clock.now()
    reason = validate_text(reason, field_path="reason", max_length=500, required=False)
    async with people.db.unit_of_work() as uow:
        await uow.employees.lock(code)
        schedule = await uow.attendance.schedule()
        row = await employee_or_404(uow, code, schedule.local_date(now))
        left = row.employee.record_leave(leave_date)
        history = await uow.employees.history(code)
        assert history is not None
        if any(c.effective_date > leave_date for c in history.positions) or any(
            c.effective_date > leave_date for c in history.salaries
        ):
            raise InvalidArgument.for_field(
                "leave_date",
                "changes are recorded after this date; a leave date must not precede them",
            )
        await uow.employees.update_record(left)
        ends = access_ends_at(left, tz=schedule.tz, now=now, end_access_now=end_access_now)
        await revoke_tokens(uow, code, ends, LEFT)
        await uow.audit(
            AuditEntry.by_caller(
                "employee.leave",
                f"employees/{code}",
                subject=code,
                details={
                    "leave_date": leave_date.isoformat(),
                    "access_ends_at": ends.isoformat(),
                    "reason": reason,
                },
            )
        )
        uow.publish(code, events.employee_left(left, ends, reason, actor()))
        await uow.commit()
    return await get_employee(people, code)


# ---- reporting lines ------------------------------------------------------------------------


def _depths(lines: ReportingLines, supervisor: str, transitive: bool) -> dict[str, int]:
    depths: dict[str, int] = {}
    frontier = [supervisor]
    depth = 0
    while frontier and (transitive or depth == 0):
        depth += 1
        following = []
        for boss in frontier:
            for report in lines.direct_reports(boss):
                if report not in depths:
                    depths[report] = depth
                    following.append(report)
        frontier = following
    return depths


async def list_reports(
    people: People, *, code: str, transitive: bool, size: int, token: str
) -> tuple[list[ReportingEntry], str]:
    position = decode_token(token, {"offset": int})
    offset = int(position["offset"]) if position else 0
    limit = page_size(size, default=100, maximum=1000)
    async with people.db.unit_of_work() as uow:
        await employee_or_404(uow, code, await today(uow, people.clock.now()))
        lines = await uow.employees.reporting_lines()
        depths = _depths(lines, code, transitive)
        ordered = sorted(depths, key=lambda c: (depths[c], c))
        page = ordered[offset : offset + limit]
        names = await uow.employees.names(page)
    entries = [ReportingEntry(c, names.get(c, ""), lines.supervisor_of(c), depths[c]) for c in page]
    more = offset + limit < len(ordered)
    return entries, encode_token({"offset": offset + limit}) if more else ""


async def reporting_chain(people: People, code: str) -> list[ReportingEntry]:
    async with people.db.unit_of_work() as uow:
        await employee_or_404(uow, code, await today(uow, people.clock.now()))
        lines = await uow.employees.reporting_lines()
        chain = lines.chain_upwards(code)
        names = await uow.employees.names(chain)
    return [
        ReportingEntry(c, names.get(c, ""), lines.supervisor_of(c), depth)
        for depth, c in enumerate(chain, 1)
    ]


def status_filter(value: str) -> str:
    """ "" or a valid EmploymentStatus value."""
    if value and value not in EmploymentStatus.__members__:
        raise InvalidArgument.for_field("status", f"unknown status {value!r}")
    return value
