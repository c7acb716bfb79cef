"""The people event feed's messages (events.proto), built from domain objects."""

from __future__ import annotations

from datetime import date, datetime

from storeops.people.v1 import events_pb2 as ev

from services.common.proto_convert import to_money, to_timestamp
from services.people.domain.employees import Employee
from services.people.domain.positions import PositionLevel


class Field:
    """Names of `EmployeeChanged.Field` values."""

    POSITION = "POSITION"
    DEPARTMENT = "DEPARTMENT"
    SALARY = "SALARY"
    SUPERVISOR = "SUPERVISOR"
    NAME = "NAME"


def level(value: PositionLevel) -> str:
    return value.value


def employee_hired(employee: Employee, position_level: PositionLevel) -> ev.EmployeeHired:
    return ev.EmployeeHired(
        employee_code=employee.code,
        name=employee.name,
        department_code=employee.department_code,
        position_code=employee.position_code,
        position_level=level(position_level),
        supervisor_code=employee.supervisor_code or "",
        hire_date=employee.hire_date.isoformat(),
        base_salary=to_money(employee.base_salary),
    )


def employee_changed(
    employee: Employee,
    position_level: PositionLevel,
    *,
    effective_date: date,
    changed: list[str],
    reason: str,
    changed_by: str,
) -> ev.EmployeeChanged:
    """`employee` holds the state in force from `effective_date`."""
    return ev.EmployeeChanged(
        employee_code=employee.code,
        effective_date=effective_date.isoformat(),
        changed=changed,
        name=employee.name,
        department_code=employee.department_code,
        position_code=employee.position_code,
        position_level=level(position_level),
        supervisor_code=employee.supervisor_code or "",
        base_salary=to_money(employee.base_salary),
        reason=reason,
        changed_by=changed_by,
    )


def employee_left(
    employee: Employee, access_ends_at: datetime, reason: str, recorded_by: str
) -> ev.EmployeeLeft:
    assert employee.leave_date is not None
    return ev.EmployeeLeft(
        employee_code=employee.code,
        hire_date=employee.hire_date.isoformat(),
        leave_date=employee.leave_date.isoformat(),
        access_end_time=to_timestamp(access_ends_at),
        reason=reason,
        recorded_by=recorded_by,
    )


def roles_changed(
    employee_code: str, before: tuple[str, ...], after: tuple[str, ...], changed_by: str
) -> ev.RolesChanged:
    return ev.RolesChanged(
        employee_code=employee_code,
        roles=sorted(after),
        added=sorted(set(after) - set(before)),
        removed=sorted(set(before) - set(after)),
        changed_by=changed_by,
    )
