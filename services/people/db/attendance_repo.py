"""Work schedule, clock events, leave requests and closed attendance months."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from services.people.db import tables as t
from services.people.domain.attendance_day import ClockDirection, ClockEvent, ClockSource
from services.people.domain.leave import LeavePart, LeaveRequest, LeaveStatus, LeaveType
from services.people.domain.working_time import WorkSchedule


@dataclass(frozen=True)
class StoredClockEvent:
    id: str
    event: ClockEvent
    note: str
    recorded_by: str


@dataclass(frozen=True)
class ClosedMonth:
    employee_code: str
    month: date
    revision: int
    termination_review: bool
    summary: dict[str, Any]
    closed_at: datetime


class AttendanceRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    # ---- schedule ----------------------------------------------------------------------------

    async def schedule(self) -> WorkSchedule:
        row = (await self._c.execute(sa.select(t.work_schedule))).mappings().one()
        return WorkSchedule(
            tz=ZoneInfo(row["time_zone"]),
            morning_start=row["morning_start"],
            morning_end=row["morning_end"],
            afternoon_start=row["afternoon_start"],
            afternoon_end=row["afternoon_end"],
            working_weekdays=frozenset(row["working_weekdays"]),
            holidays=frozenset(row["holidays"]),
            extra_working_days=frozenset(row["extra_working_days"]),
        )

    async def save_schedule(self, schedule: WorkSchedule, by: str) -> None:
        await self._c.execute(
            t.work_schedule.update()
            .where(t.work_schedule.c.id == 1)
            .values(
                time_zone=schedule.tz.key,
                morning_start=schedule.morning_start,
                morning_end=schedule.morning_end,
                afternoon_start=schedule.afternoon_start,
                afternoon_end=schedule.afternoon_end,
                working_weekdays=sorted(schedule.working_weekdays),
                holidays=sorted(schedule.holidays),
                extra_working_days=sorted(schedule.extra_working_days),
                updated_by=by,
                updated_at=sa.func.now(),
            )
        )

    # ---- clock events ---------------------------------------------------------------------------

    async def add_clock_event(self, record: StoredClockEvent) -> None:
        await self._c.execute(
            t.clock_events.insert().values(
                id=record.id,
                employee_code=record.event.employee_code,
                at=record.event.at,
                direction=record.event.direction.value,
                source=record.event.source.value,
                note=record.note,
                recorded_by=record.recorded_by,
            )
        )

    async def clock_events(
        self,
        employee_codes: Iterable[str],
        start: datetime | None,
        end: datetime | None,
        *,
        after: tuple[datetime, str] | None = None,
        limit: int = 1_000_000,
    ) -> list[StoredClockEvent]:
        c = t.clock_events.c
        statement = (
            sa.select(t.clock_events)
            .where(c.employee_code.in_(list(employee_codes)))
            .order_by(c.at, c.id)
            .limit(limit)
        )
        if start is not None:
            statement = statement.where(c.at >= start)
        if end is not None:
            statement = statement.where(c.at < end)
        if after is not None:
            statement = statement.where(sa.tuple_(c.at, c.id) > sa.tuple_(*after))
        rows = await self._c.execute(statement)
        return [
            StoredClockEvent(
                id=r["id"],
                event=ClockEvent(
                    employee_code=r["employee_code"],
                    at=r["at"],
                    direction=ClockDirection(r["direction"]),
                    source=ClockSource(r["source"]),
                ),
                note=r["note"],
                recorded_by=r["recorded_by"],
            )
            for r in rows.mappings()
        ]

    # ---- leave ----------------------------------------------------------------------------------

    async def leave_request(
        self, request_id: str, *, for_update: bool = False
    ) -> LeaveRequest | None:
        statement = sa.select(t.leave_requests).where(t.leave_requests.c.request_id == request_id)
        if for_update:
            statement = statement.with_for_update()
        row = (await self._c.execute(statement)).mappings().first()
        return None if row is None else _leave(row)

    async def leave_requests(
        self,
        *,
        employee_codes: Iterable[str] | None = None,
        status: str = "",
        overlapping: tuple[date, date] | None = None,
        before: tuple[datetime, str] | None = None,
        limit: int = 1_000_000,
    ) -> list[LeaveRequest]:
        lr = t.leave_requests.c
        statement = (
            sa.select(t.leave_requests)
            .order_by(lr.requested_at.desc(), lr.request_id.desc())
            .limit(limit)
        )
        if employee_codes is not None:
            statement = statement.where(lr.employee_code.in_(list(employee_codes)))
        if status:
            statement = statement.where(lr.status == status)
        if overlapping is not None:
            first, last = overlapping
            statement = statement.where(lr.first_day <= last, lr.last_day >= first)
        if before is not None:
            statement = statement.where(
                sa.tuple_(lr.requested_at, lr.request_id) < sa.tuple_(*before)
            )
        rows = await self._c.execute(statement)
        return [_leave(r) for r in rows.mappings()]

    async def lock_employee_leave(self, employee_code: str) -> None:
        """Serialise leave requests of one employee (the overlap rule reads, then writes)."""
        await self._c.execute(
            sa.select(t.employees.c.code)
            .where(t.employees.c.code == employee_code)
            .with_for_update()
        )

    async def insert_leave(self, request: LeaveRequest) -> None:
        await self._c.execute(t.leave_requests.insert().values(**_leave_columns(request)))

    async def save_leave(self, request: LeaveRequest) -> None:
        await self._c.execute(
            t.leave_requests.update()
            .where(t.leave_requests.c.request_id == request.request_id)
            .values(**_leave_columns(request))
        )

    # ---- closed months --------------------------------------------------------------------------

    async def latest_revision(self, employee_code: str, month: date) -> int:
        am = t.attendance_months.c
        row = await self._c.execute(
            sa.select(sa.func.coalesce(sa.func.max(am.revision), 0)).where(
                am.employee_code == employee_code, am.month == month
            )
        )
        return int(row.scalar_one())

    async def add_closed_month(
        self, employee_code: str, month: date, revision: int, flag: bool, summary: dict[str, Any],
        by: str,
    ) -> None:  # fmt: skip
        await self._c.execute(
            t.attendance_months.insert().values(
                employee_code=employee_code,
                month=month,
                revision=revision,
                termination_review=flag,
                summary=summary,
                closed_by=by,
            )
        )

    async def closed_months(
        self,
        month: date,
        *,
        employee_codes: Iterable[str] | None = None,
        flagged_only: bool = False,
        after: str = "",
        limit: int = 1_000_000,
    ) -> list[ClosedMonth]:
        """The latest revision per employee of a closed month, by employee code."""
        am = t.attendance_months.c
        statement = (
            sa.select(t.attendance_months)
            .distinct(am.employee_code)
            .where(am.month == month, am.employee_code > after)
            .order_by(am.employee_code, am.revision.desc())
        )
        if employee_codes is not None:
            statement = statement.where(am.employee_code.in_(list(employee_codes)))
        rows = (await self._c.execute(statement)).mappings()
        closed = [
            ClosedMonth(
                r["employee_code"],
                r["month"],
                r["revision"],
                r["termination_review"],
                r["summary"],
                r["closed_at"],
            )
            for r in rows
        ]
        if flagged_only:
            closed = [c for c in closed if c.termination_review]
        return closed[:limit]


def _leave(row: Any) -> LeaveRequest:
    return LeaveRequest(
        request_id=row["request_id"],
        employee_code=row["employee_code"],
        leave_type=LeaveType(row["leave_type"]),
        first_day=row["first_day"],
        last_day=row["last_day"],
        part=LeavePart(row["part"]),
        reason=row["reason"],
        requested_at=row["requested_at"],
        status=LeaveStatus(row["status"]),
        decided_by=row["decided_by"],
        decided_at=row["decided_at"],
        decision_note=row["decision_note"],
    )


def _leave_columns(request: LeaveRequest) -> dict[str, Any]:
    return {
        "request_id": request.request_id,
        "employee_code": request.employee_code,
        "leave_type": request.leave_type.value,
        "first_day": request.first_day,
        "last_day": request.last_day,
        "part": request.part.value,
        "reason": request.reason,
        "status": request.status.value,
        "requested_at": request.requested_at,
        "decided_by": request.decided_by,
        "decided_at": request.decided_at,
        "decision_note": request.decision_note,
    }
