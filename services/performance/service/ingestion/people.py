"""People feed → employee snapshots, employment dates, training results, attendance facts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

import sqlalchemy as sa
from google.protobuf.message import Message
from sqlalchemy.dialects.postgresql import insert as pg_insert
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
from services.performance.service.ingestion.page import PageWriter, Slot

M = TypeVar("M", bound=Message)
_KIND = {
    attendance_pb2.AttendanceFact.LATE: "LATE",
    attendance_pb2.AttendanceFact.EARLY_LEAVE: "EARLY_LEAVE",
    attendance_pb2.AttendanceFact.ABSENT_HALF_DAY: "ABSENT_HALF_DAY",
    attendance_pb2.AttendanceFact.ABSENT_FULL_DAY: "ABSENT_FULL_DAY",
}


_employment_facts = tables.employment_facts
_insert_employment = pg_insert(_employment_facts)
# Hire and leave dates per employee (EmployeeHired, EmployeeLeft), the last event's winning.
EMPLOYMENT = Slot(
    "employment_facts",
    _insert_employment.on_conflict_do_update(
        index_elements=[_employment_facts.c.employee_code],
        set_={
            "hire_date": _insert_employment.excluded.hire_date,
            "leave_date": _insert_employment.excluded.leave_date,
        },
    ),
)
# One snapshot per event (keyed by feed:cursor).
SNAPSHOTS = Slot(
    "employee_snapshots", pg_insert(tables.employee_snapshots).on_conflict_do_nothing()
)
_training = tables.training_facts
_insert_training = pg_insert(_training)
TRAINING = Slot(
    "training_facts",
    _insert_training.on_conflict_do_update(
        index_elements=[_training.c.result_key],
        set_={
            column: _insert_training.excluded[column]
            for column in ("employee_code", "course", "score", "passed", "assessed_on")
        },
    ),
)
_LEFT = (
    _employment_facts.update()
    .where(_employment_facts.c.employee_code == sa.bindparam("b_employee_code"))
    .values(leave_date=sa.bindparam("b_leave_date"))
    .returning(_employment_facts.c.hire_date)
)


def _snapshot(
    page: PageWriter,
    context: EventContext,
    code: str,
    effective_on: object,
    name: str,
    department: str,
    position: str,
    supervisor: str,
    salary: tuple[int, str] | None,
) -> None:
    page.add(
        SNAPSHOTS,
        {
            "source": f"{context.feed}:{context.cursor}",
            "employee_code": code,
            "effective_on": effective_on,
            "recorded_at": context.occurred_at,
            "name": name,
            "department_code": department,
            "position_code": position,
            "supervisor_code": supervisor or None,
            "base_salary_minor": salary[0] if salary else None,
            "base_salary_currency": salary[1] if salary else None,
        },
    )


def _employment(page: PageWriter, code: str, hire_date: object, leave_date: object) -> None:
    page.add(EMPLOYMENT, {"employee_code": code, "hire_date": hire_date, "leave_date": leave_date})


async def employee_hired(page: PageWriter, message: Message, context: EventContext) -> None:
    event = _as(message, pe.EmployeeHired)
    hired = parse_day(event.hire_date, "hire_date")
    salary = money(event.base_salary, "base_salary") if event.HasField("base_salary") else None
    _employment(page, event.employee_code, hired, None)
    _snapshot(
        page,
        context,
        event.employee_code,
        hired,
        event.name,
        event.department_code,
        event.position_code,
        event.supervisor_code,
        salary,
    )


async def employee_changed(page: PageWriter, message: Message, context: EventContext) -> None:
    event = _as(message, pe.EmployeeChanged)
    effective = (
        parse_day(event.effective_date, "effective_date")
        if event.effective_date
        else local_day(context.occurred_at, context.tz)
    )
    salary = money(event.base_salary, "base_salary") if event.HasField("base_salary") else None
    _snapshot(
        page,
        context,
        event.employee_code,
        effective,
        event.name,
        event.department_code,
        event.position_code,
        event.supervisor_code,
        salary,
    )


async def employee_left(page: PageWriter, message: Message, context: EventContext) -> None:
    event = _as(message, pe.EmployeeLeft)
    hired = optional_day(event.hire_date, "hire_date")
    left = parse_day(event.leave_date, "leave_date")
    if hired is not None:
        _employment(page, event.employee_code, hired, left)
        return
    # Keeps the hire date on record (an upsert with the stored hire date, in one statement).
    updated = await page.execute(
        _LEFT, {"b_employee_code": event.employee_code, "b_leave_date": left}
    )
    if updated.first() is None:
        raise MalformedEvent(f"{event.employee_code} left but was never hired")


async def training_result(page: PageWriter, message: Message, context: EventContext) -> None:
    event = _as(message, pe.TrainingResultRecorded)
    day = local_day(
        instant(event.assess_time, event.HasField("assess_time"), context.occurred_at), context.tz
    )
    page.add(
        TRAINING,
        {
            "result_key": f"{event.employee_code}:{event.session_id}",
            "employee_code": event.employee_code,
            "course": event.course_code or event.course_title,
            "score": decimal_or_none(event.score, "score"),
            "passed": event.passed,
            "assessed_on": day,
        },
    )


async def attendance_month_closed(
    page: PageWriter, message: Message, context: EventContext
) -> None:
    """A (re-)closed month replaces that month's facts, unless a later revision is stored."""
    event = _as(message, pe.AttendanceMonthClosed)
    values = {
        "revision": event.revision,
        "termination_review": event.termination_review,
        "working_days": event.working_days,
    }
    months = tables.attendance_months
    statement = pg_insert(months).values(
        employee_code=event.employee_code, month=event.month, **values
    )
    taken = await page.execute(
        statement.on_conflict_do_update(
            index_elements=["employee_code", "month"],
            set_=values,
            where=months.c.revision <= statement.excluded.revision,
        ).returning(months.c.revision)
    )
    if taken.first() is None:
        return  # a later revision is stored
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
    facts = tables.attendance_facts
    await page.execute(
        sa.delete(facts).where(
            facts.c.employee_code == event.employee_code, facts.c.month == event.month
        )
    )
    if rows:
        await page.execute(pg_insert(facts).on_conflict_do_nothing(), rows)


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
