"""Departments, positions and employees: rows ↔ domain objects."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from services.common.money import Money
from services.people.db import tables as t
from services.people.domain.departments import Department, DepartmentTree
from services.people.domain.employees import Contact, Employee, EmploymentStatus
from services.people.domain.employment_history import (
    EmploymentHistory,
    PositionAssignment,
    SalaryChange,
)
from services.people.domain.positions import Position, PositionLevel
from services.people.domain.reporting_lines import ReportingLines

# Transaction-level advisory locks: changes that must see the whole tree/graph take them so two
# concurrent changes cannot together create a cycle that neither would alone.
DEPARTMENT_TREE_LOCK = 0x70656F706C6501
REPORTING_LINES_LOCK = 0x70656F706C6502


@dataclass(frozen=True)
class DepartmentRow:
    department: Department
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class PositionRow:
    position: Position
    default_roles: tuple[str, ...]
    updated_at: datetime


@dataclass(frozen=True)
class EmployeeRow:
    """An employee with department, position and salary as of the day asked for."""

    employee: Employee
    position_effective: date
    salary_effective: date
    created_at: datetime
    updated_at: datetime


async def advisory_lock(connection: AsyncConnection, key: int) -> None:
    await connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


class DepartmentRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    async def tree(self) -> DepartmentTree:
        rows = await self._c.execute(sa.select(t.departments).order_by(t.departments.c.code))
        return DepartmentTree(_department(r) for r in rows.mappings())

    async def rows(self, codes: Iterable[str] | None = None) -> list[DepartmentRow]:
        statement = sa.select(t.departments).order_by(t.departments.c.code)
        if codes is not None:
            statement = statement.where(t.departments.c.code.in_(list(codes)))
        rows = await self._c.execute(statement)
        return [
            DepartmentRow(_department(r), r["created_at"], r["updated_at"]) for r in rows.mappings()
        ]

    async def lock_tree(self) -> None:
        await advisory_lock(self._c, DEPARTMENT_TREE_LOCK)

    async def insert(self, department: Department) -> None:
        await self._c.execute(
            t.departments.insert().values(
                code=department.code,
                name=department.name,
                parent_code=department.parent_code,
                head_employee_code=department.head_employee_code,
            )
        )

    async def update(self, department: Department) -> None:
        await self._c.execute(
            t.departments.update()
            .where(t.departments.c.code == department.code)
            .values(
                name=department.name,
                parent_code=department.parent_code,
                head_employee_code=department.head_employee_code,
                updated_at=sa.func.now(),
            )
        )

    async def delete(self, code: str) -> None:
        await self._c.execute(t.departments.delete().where(t.departments.c.code == code))

    async def in_use(self, code: str) -> bool:
        """True when a position or an employee's history names the department."""
        statement = sa.select(
            sa.exists().where(t.positions.c.department_code == code)
            | sa.exists().where(t.position_history.c.department_code == code)
        )
        return bool((await self._c.execute(statement)).scalar())


def _department(row: Any) -> Department:
    return Department(
        code=row["code"],
        name=row["name"],
        parent_code=row["parent_code"],
        head_employee_code=row["head_employee_code"],
    )


class PositionRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    async def catalogue(self) -> dict[str, Position]:
        rows = await self._c.execute(sa.select(t.positions))
        return {r["code"]: _position(r) for r in rows.mappings()}

    async def rows(
        self, *, department_code: str = "", after: str = "", limit: int = 1000
    ) -> list[PositionRow]:
        statement = (
            sa.select(t.positions)
            .where(t.positions.c.code > after)
            .order_by(t.positions.c.code)
            .limit(limit)
        )
        if department_code:
            statement = statement.where(t.positions.c.department_code == department_code)
        rows = list((await self._c.execute(statement)).mappings())
        roles = await self.roles_of([r["code"] for r in rows])
        return [PositionRow(_position(r), roles.get(r["code"], ()), r["updated_at"]) for r in rows]

    async def get(self, code: str) -> PositionRow | None:
        found = await self.rows_for([code])
        return found[0] if found else None

    async def rows_for(self, codes: Sequence[str]) -> list[PositionRow]:
        rows = list(
            (await self._c.execute(sa.select(t.positions).where(t.positions.c.code.in_(codes))))
            .mappings()
            .all()
        )
        roles = await self.roles_of(codes)
        return [PositionRow(_position(r), roles.get(r["code"], ()), r["updated_at"]) for r in rows]

    async def roles_of(self, codes: Iterable[str]) -> dict[str, tuple[str, ...]]:
        rows = await self._c.execute(
            sa.select(t.position_roles.c.position_code, t.position_roles.c.role_code)
            .where(t.position_roles.c.position_code.in_(list(codes)))
            .order_by(t.position_roles.c.position_code, t.position_roles.c.role_code)
        )
        roles: dict[str, list[str]] = {}
        for position_code, role_code in rows:
            roles.setdefault(position_code, []).append(role_code)
        return {code: tuple(r) for code, r in roles.items()}

    async def insert(self, position: Position, default_roles: Sequence[str]) -> None:
        await self._c.execute(
            t.positions.insert().values(
                code=position.code,
                title=position.title,
                title_zh=position.title_zh,
                department_code=position.department_code,
                level=position.level.value,
            )
        )
        await self.set_roles(position.code, default_roles)

    async def update(self, position: Position) -> None:
        await self._c.execute(
            t.positions.update()
            .where(t.positions.c.code == position.code)
            .values(
                title=position.title,
                title_zh=position.title_zh,
                department_code=position.department_code,
                level=position.level.value,
                updated_at=sa.func.now(),
            )
        )

    async def set_roles(self, code: str, roles: Sequence[str]) -> None:
        await self._c.execute(
            t.position_roles.delete().where(t.position_roles.c.position_code == code)
        )
        if roles:
            await self._c.execute(
                t.position_roles.insert(),
                [{"position_code": code, "role_code": r} for r in roles],
            )
        await self._c.execute(
            t.positions.update().where(t.positions.c.code == code).values(updated_at=sa.func.now())
        )


def _position(row: Any) -> Position:
    return Position(
        code=row["code"],
        title=row["title"],
        title_zh=row["title_zh"],
        department_code=row["department_code"],
        level=PositionLevel(row["level"]),
    )


def _current(table: sa.Table, today: date, *columns: str) -> sa.Subquery:
    """Per employee, the history entry in force on `today` (the first one for a future hire):
    latest effective date on or before today, the last appended winning a tie."""
    c = table.c
    in_force = c.effective_date <= today
    rank = (
        sa.func.row_number()
        .over(
            partition_by=c.employee_code,
            order_by=[
                sa.case((in_force, 0), else_=1),
                sa.case((in_force, c.effective_date)).desc().nulls_last(),
                c.effective_date.asc(),
                c.id.desc(),
            ],
        )
        .label("rank")
    )
    ranked = sa.select(c.employee_code, c.effective_date, *(c[n] for n in columns), rank).subquery()
    return (
        sa.select(*(ranked.c[n] for n in ("employee_code", "effective_date", *columns)))
        .where(ranked.c.rank == 1)
        .subquery()
    )


@dataclass(frozen=True)
class EmployeeFilter:
    """Filters of `EmployeeRepository.page`; empty means "any"."""

    department_codes: frozenset[str] | None = None
    position_code: str = ""
    supervisor_code: str = ""
    status: str = ""


class EmployeeRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    def _select(self, today: date) -> sa.Select[Any]:
        position = _current(t.position_history, today, "position_code", "department_code")
        salary = _current(t.salary_history, today, "base_salary_minor", "base_salary_currency")
        e = t.employees.c
        return (
            sa.select(
                t.employees,
                position.c.position_code,
                position.c.department_code,
                position.c.effective_date.label("position_effective"),
                salary.c.base_salary_minor,
                salary.c.base_salary_currency,
                salary.c.effective_date.label("salary_effective"),
            )
            .join(position, position.c.employee_code == e.code)
            .join(salary, salary.c.employee_code == e.code)
        )

    async def get(self, code: str, today: date) -> EmployeeRow | None:
        statement = self._select(today).where(t.employees.c.code == code)
        row = (await self._c.execute(statement)).mappings().first()
        return None if row is None else _employee_row(row)

    async def get_many(self, codes: Iterable[str], today: date) -> dict[str, EmployeeRow]:
        statement = self._select(today).where(t.employees.c.code.in_(list(codes)))
        rows = (await self._c.execute(statement)).mappings()
        return {r["code"]: _employee_row(r) for r in rows}

    async def lock(self, code: str) -> bool:
        """Lock the employee row for the rest of the transaction; False if there is none."""
        row = await self._c.execute(
            sa.select(t.employees.c.code).where(t.employees.c.code == code).with_for_update()
        )
        return row.first() is not None

    async def exists(self, code: str) -> bool:
        row = await self._c.execute(sa.select(t.employees.c.code).where(t.employees.c.code == code))
        return row.first() is not None

    async def page(
        self, today: date, where: EmployeeFilter, after: str, limit: int
    ) -> list[EmployeeRow]:
        statement = self._select(today).subquery()
        query = (
            sa.select(statement)
            .where(statement.c.code > after)
            .order_by(statement.c.code)
            .limit(limit)
        )
        if where.department_codes is not None:
            query = query.where(statement.c.department_code.in_(sorted(where.department_codes)))
        if where.position_code:
            query = query.where(statement.c.position_code == where.position_code)
        if where.supervisor_code:
            query = query.where(statement.c.supervisor_code == where.supervisor_code)
        if where.status:
            query = query.where(statement.c.status == where.status)
        rows = (await self._c.execute(query)).mappings()
        return [_employee_row(r) for r in rows]

    async def codes_in_positions(self, today: date, position_code: str) -> list[str]:
        position = _current(t.position_history, today, "position_code", "department_code")
        rows = await self._c.execute(
            sa.select(position.c.employee_code).where(position.c.position_code == position_code)
        )
        return sorted(rows.scalars())

    async def employed_between(
        self, first: date, last: date
    ) -> list[tuple[str, date, date | None]]:
        """(code, hire date, leave date) of everyone employed on some day of [first, last]."""
        e = t.employees.c
        rows = await self._c.execute(
            sa.select(e.code, e.hire_date, e.leave_date)
            .where(e.hire_date <= last, sa.or_(e.leave_date.is_(None), e.leave_date >= first))
            .order_by(e.code)
        )
        return [(r.code, r.hire_date, r.leave_date) for r in rows]

    async def reporting_lines(self) -> ReportingLines:
        rows = await self._c.execute(
            sa.select(t.employees.c.code, t.employees.c.supervisor_code).where(
                t.employees.c.supervisor_code.is_not(None)
            )
        )
        return ReportingLines({code: supervisor for code, supervisor in rows})

    async def names(self, codes: Iterable[str]) -> dict[str, str]:
        rows = await self._c.execute(
            sa.select(t.employees.c.code, t.employees.c.name).where(
                t.employees.c.code.in_(list(codes))
            )
        )
        return {code: name for code, name in rows}

    async def lock_reporting_lines(self) -> None:
        await advisory_lock(self._c, REPORTING_LINES_LOCK)

    async def insert(self, employee: Employee) -> None:
        await self._c.execute(
            t.employees.insert().values(
                code=employee.code,
                name=employee.name,
                hire_date=employee.hire_date,
                leave_date=employee.leave_date,
                status=employee.status.value,
                supervisor_code=employee.supervisor_code,
                email=employee.contact.email,
                phone=employee.contact.phone,
            )
        )

    async def update_record(self, employee: Employee) -> None:
        """Name, contact, supervisor, leave date and status (history is appended elsewhere)."""
        await self._c.execute(
            t.employees.update()
            .where(t.employees.c.code == employee.code)
            .values(
                name=employee.name,
                email=employee.contact.email,
                phone=employee.contact.phone,
                supervisor_code=employee.supervisor_code,
                leave_date=employee.leave_date,
                status=employee.status.value,
                updated_at=sa.func.now(),
            )
        )

    async def history(self, code: str) -> EmploymentHistory | None:
        employee = (
            await self._c.execute(
                sa.select(t.employees.c.hire_date, t.employees.c.leave_date).where(
                    t.employees.c.code == code
                )
            )
        ).first()
        if employee is None:
            return None
        ph = t.position_history.c
        positions = await self._c.execute(
            sa.select(t.position_history).where(ph.employee_code == code).order_by(ph.id)
        )
        sh = t.salary_history.c
        salaries = await self._c.execute(
            sa.select(t.salary_history).where(sh.employee_code == code).order_by(sh.id)
        )
        return EmploymentHistory(
            employee_code=code,
            hire_date=employee.hire_date,
            leave_date=employee.leave_date,
            positions=tuple(
                PositionAssignment(
                    effective_date=r["effective_date"],
                    position_code=r["position_code"],
                    department_code=r["department_code"],
                    recorded_at=r["recorded_at"],
                    recorded_by=r["recorded_by"],
                    reason=r["reason"],
                )
                for r in positions.mappings()
            ),
            salaries=tuple(
                SalaryChange(
                    effective_date=r["effective_date"],
                    base_salary=Money(r["base_salary_minor"], r["base_salary_currency"]),
                    recorded_at=r["recorded_at"],
                    recorded_by=r["recorded_by"],
                    reason=r["reason"],
                )
                for r in salaries.mappings()
            ),
        )

    async def append_position(self, code: str, change: PositionAssignment) -> None:
        await self._c.execute(
            t.position_history.insert().values(
                employee_code=code,
                effective_date=change.effective_date,
                position_code=change.position_code,
                department_code=change.department_code,
                reason=change.reason,
                recorded_by=change.recorded_by,
                recorded_at=change.recorded_at,
            )
        )

    async def append_salary(self, code: str, change: SalaryChange) -> None:
        await self._c.execute(
            t.salary_history.insert().values(
                employee_code=code,
                effective_date=change.effective_date,
                base_salary_minor=change.base_salary.amount_minor,
                base_salary_currency=change.base_salary.currency,
                reason=change.reason,
                recorded_by=change.recorded_by,
                recorded_at=change.recorded_at,
            )
        )


def _employee_row(row: Any) -> EmployeeRow:
    employee = Employee(
        code=row["code"],
        name=row["name"],
        department_code=row["department_code"],
        position_code=row["position_code"],
        hire_date=row["hire_date"],
        base_salary=Money(row["base_salary_minor"], row["base_salary_currency"]),
        contact=Contact(email=row["email"], phone=row["phone"]),
        supervisor_code=row["supervisor_code"],
        status=EmploymentStatus(row["status"]),
        leave_date=row["leave_date"],
    )
    return EmployeeRow(
        employee=employee,
        position_effective=row["position_effective"],
        salary_effective=row["salary_effective"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )
