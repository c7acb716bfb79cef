"""People feed → employee snapshots, employment dates, training results, attendance facts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

import sqlalchemy as sa
from google.protobuf.message import Message
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection
from storeops.people.v1 import attendance_pb2
from storeops.people.v1 import events_pb2 as pe

from services.performance.db import tables
from services.performance.service.ingestion import EventContext, Handler
from services.performance.service.ingestion.convert import (
    MalformedEvent,
    decimal_or_none,
    instant,
    local_day,
    money,
    optional_day,
    parse_day,
)

M = TypeVar("M", bound=Message)
_KIND = {
    attendance_pb2.AttendanceFact.LATE: "LATE",
    attendance_pb2.AttendanceFact.EARLY_LEAVE: "EARLY_LEAVE",
    attendance_pb2.AttendanceFact.ABSENT_HALF_DAY: "ABSENT_HALF_DAY",
    attendance_pb2.AttendanceFact.ABSENT_FULL_DAY: "ABSENT_FULL_DAY",
}


async def _snapshot(
    connection: AsyncConnection,
    context: EventContext,
    code: str,
    effective_on: object,
    name: str,
    department: str,
    position: str,
    supervisor: str,
    salary: tuple[int, str] | None,
) -> None:
    await connection.execute(
        pg_insert(tables.employee_snapshots)
        .values(
            source=f"{context.feed}:{context.cursor}",
            employee_code=code,
            effective_on=effective_on,
            recorded_at=context.occurred_at,
            name=name,
            department_code=department,
            position_code=position,
            supervisor_code=supervisor or None,
            base_salary_minor=salary[0] if salary else None,
            base_salary_currency=salary[1] if salary else None,
        )
        .on_conflict_do_nothing()
    )


async def _employment(
    connection: AsyncConnection, code: str, hire_date: object, leave_date: object, set_leave: bool
) -> None:
    values: dict[str, object] = {"employee_code": code, "hire_date": hire_date}
    update: dict[str, object] = {"hire_date": hire_date}
    if set_leave:
        values["leave_date"] = leave_date
        update["leave_date"] = leave_date
    await connection.execute(
        pg_insert(tables.employment_facts)
        .values(**values)
        .on_conflict_do_update(index_elements=["employee_code"], set_=update)
    )


async def employee_hired(
    connection: AsyncConnection, message: Message, context: EventContext
) -> None:
    event = _as(message, pe.EmployeeHired)
    hired = parse_day(event.hire_date, "hire_date")
    salary = money(event.base_salary, "base_salary") if event.HasField("base_salary") else None
    await _employment(connection, event.employee_code, hired, None, set_leave=True)
    await _snapshot(
        connection,
        context,
        event.employee_code,
        hired,
        event.name,
        event.department_code,
        event.position_code,
        event.supervisor_code,
        salary,
    )


async def employee_changed(
    connection: AsyncConnection, message: Message, context: EventContext
) -> None:
    event = _as(message, pe.EmployeeChanged)
    effective = (
        parse_day(event.effective_date, "effective_date")
        if event.effective_date
        else local_day(context.occurred_at, context.tz)
    )
    salary = money(event.base_salary, "base_salary") if event.HasField("base_salary") else None
    await _snapshot(
        connection,
        context,
        event.employee_code,
        effective,
        event.name,
        event.department_code,
        event.position_code,
        event.supervisor_code,
        salary,
    )


async def employee_left(
    connection: AsyncConnection, message: Message, context: EventContext
) -> None:
    event = _as(message, pe.EmployeeLeft)
    hired = optional_day(event.hire_date, "hire_date")
    left = parse_day(event.leave_date, "leave_date")
    if hired is None:
        row = await connection.execute(
            sa.select(tables.employment_facts.c.hire_date).where(
                tables.employment_facts.c.employee_code == event.employee_code
            )
        )
        hired = row.scalar_one_or_none()
        if hired is None:
            raise MalformedEvent(f"{event.employee_code} left but was never hired")
    await _employment(connection, event.employee_code, hired, left, set_leave=True)


async def training_result(
    connection: AsyncConnection, message: Message, context: EventContext
) -> None:
    event = _as(message, pe.TrainingResultRecorded)
    day = local_day(
        instant(event.assess_time, event.HasField("assess_time"), context.occurred_at), context.tz
    )
    values = {
        "employee_code": event.employee_code,
        "course": event.course_code or event.course_title,
        "score": decimal_or_none(event.score, "score"),
        "passed": event.passed,
        "assessed_on": day,
    }
    await connection.execute(
        pg_insert(tables.training_facts)
        .values(result_key=f"{event.employee_code}:{event.session_id}", **values)
        .on_conflict_do_update(index_elements=["result_key"], set_=values)
    )


async def attendance_month_closed(
    connection: AsyncConnection, message: Message, context: EventContext
) -> None:
    """A (re-)closed month replaces that month's facts, unless a later revision is stored."""
    event = _as(message, pe.AttendanceMonthClosed)
    months = tables.attendance_months
    current = await connection.execute(
        sa.select(months.c.revision).where(
            months.c.employee_code == event.employee_code, months.c.month == event.month
        )
    )
    stored = current.scalar_one_or_none()
    if stored is not None and stored > event.revision:
        return
    facts = tables.attendance_facts
    await connection.execute(
        sa.delete(facts).where(
            facts.c.employee_code == event.employee_code, facts.c.month == event.month
        )
    )
    rows = []
    for index, fact in enumerate(event.facts):
        day = parse_day(fact.day, f"facts[{index}].day")
        if day.strftime("%Y-%m") != event.month:
            raise MalformedEvent(f"facts[{index}].day {day} is not in {event.month}")
        if fact.kind not in _KIND:
            raise MalformedEvent(f"facts[{index}].kind is not set")
        rows.append(
            {
                "employee_code": event.employee_code,
                "month": event.month,
                "day": day,
                "kind": _KIND[fact.kind],
                "minutes": fact.minutes,
                "wage_multiplier": fact.wage_multiplier,
                "bonus_percent": fact.bonus_percent,
            }
        )
    if rows:
        await connection.execute(pg_insert(facts).on_conflict_do_nothing(), rows)
    values = {
        "revision": event.revision,
        "termination_review": event.termination_review,
        "working_days": event.working_days,
    }
    await connection.execute(
        pg_insert(months)
        .values(employee_code=event.employee_code, month=event.month, **values)
        .on_conflict_do_update(index_elements=["employee_code", "month"], set_=values)
    )


def _as(message: Message, kind: type[M]) -> M:
    assert isinstance(message, kind)
    return message


HANDLERS: Mapping[str, Handler] = {
    pe.EmployeeHired.DESCRIPTOR.full_name: employee_hired,
    pe.EmployeeChanged.DESCRIPTOR.full_name: employee_changed,
    pe.EmployeeLeft.DESCRIPTOR.full_name: employee_left,
    pe.TrainingResultRecorded.DESCRIPTOR.full_name: training_result,
    pe.AttendanceMonthClosed.DESCRIPTOR.full_name: attendance_month_closed,
}
