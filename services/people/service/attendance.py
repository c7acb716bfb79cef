"""Use cases: the work schedule, clock events, leave requests with approval, monthly summaries
and closing a month (publishing the facts the performance service prices).

Who may do what beyond the RPC's permission (attendance data is confidential like pay):
- an employee punches and requests leave for themselves, at the current time;
- someone else's punch, a back-dated punch or a CORRECTION, and leave for someone else, need a
  supervisor in the employee's reporting line or HR (`people.attendance.update`);
- reading attendance follows `confidentiality` (self, reporting line upwards, HR), audited.
"""

from __future__ import annotations

import calendar
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from storeops.people.v1 import attendance_pb2 as apb

from services.common.audit import AuditEntry
from services.common.context import Viewer, actor
from services.common.errors import (
    AlreadyExists,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PermissionDenied,
)
from services.common.ids import new_id
from services.common.paging import decode_token, encode_token, page_size
from services.people.db.attendance_repo import StoredClockEvent
from services.people.db.unit_of_work import PeopleUnitOfWork
from services.people.domain.attendance_day import ClockDirection, ClockEvent, ClockSource
from services.people.domain.attendance_month import MonthlyAttendance, summarise_month
from services.people.domain.confidentiality import DataCategory
from services.people.domain.leave import (
    LeavePart,
    LeaveRequest,
    LeaveType,
    check_can_decide,
    check_no_overlap,
)
from services.people.domain.reporting_lines import ReportingLines
from services.people.domain.working_time import WorkSchedule
from services.people.service import attendance_messages as msg
from services.people.service.context import (
    People,
    check_mask,
    decide,
    employee_or_404,
    read_entry,
    require_visible,
)

MANAGE_ATTENDANCE = "people.attendance.update"
HR_ATTENDANCE = "people.attendance.read_all"
# A punch stamped by a device within this much of the server's clock counts as "now".
PUNCH_SKEW = timedelta(minutes=5)


def _may_manage(who: Viewer, employee_code: str, lines: ReportingLines) -> bool:
    return who.can(MANAGE_ATTENDANCE) or (
        who.code is not None and lines.is_in_line_upwards(who.code, employee_code)
    )


def _require_manager(who: Viewer, employee_code: str, lines: ReportingLines, what: str) -> None:
    if not _may_manage(who, employee_code, lines):
        raise PermissionDenied(
            f"{what} for {employee_code} needs their supervisor or HR", reason="NOT_IN_LINE"
        )


def parse_month(text: str) -> tuple[int, int]:
    year, month = (int(part) for part in text.split("-"))
    return year, month


# ---- schedule ------------------------------------------------------------------------------------


async def get_schedule(people: People) -> WorkSchedule:
    async with people.db.unit_of_work() as uow:
        return await uow.attendance.schedule()


@dataclass(frozen=True)
class ScheduleUpdate:
    time_zone: str
    morning_start: time | None
    morning_end: time | None
    afternoon_start: time | None
    afternoon_end: time | None
    working_weekdays: frozenset[int]
    holidays: frozenset[date]
    extra_working_days: frozenset[date]


async def update_schedule(
    people: People, mask: Collection[str], update: ScheduleUpdate
) -> WorkSchedule:
    fields = (
        "time_zone", "morning_start", "morning_end", "afternoon_start", "afternoon_end",
        "working_weekdays", "holidays", "extra_working_days",
    )  # fmt: skip
    check_mask(mask, fields)
    async with people.db.unit_of_work() as uow:
        schedule = await uow.attendance.schedule()
        changes: dict[str, object] = {}
        if "time_zone" in mask:
            try:
                changes["tz"] = ZoneInfo(update.time_zone)
            except (ZoneInfoNotFoundError, ValueError) as exc:
                raise InvalidArgument.for_field(
                    "work_schedule.time_zone", "not a known IANA time zone"
                ) from exc
        for name in ("morning_start", "morning_end", "afternoon_start", "afternoon_end"):
            if name in mask:
                value = getattr(update, name)
                if value is None:
                    raise InvalidArgument.for_field(f"work_schedule.{name}", "must be HH:MM")
                changes[name] = value
        for name in ("working_weekdays", "holidays", "extra_working_days"):
            if name in mask:
                changes[name] = getattr(update, name)
        schedule = WorkSchedule(**{**schedule.__dict__, **changes})  # validates the hours
        await uow.attendance.save_schedule(schedule, actor())
        await uow.audit(
            AuditEntry.by_caller(
                "work_schedule.update", "workSchedule", details={"fields": ",".join(sorted(mask))}
            )
        )
        await uow.commit()
    return schedule


# ---- clock events -----------------------------------------------------------------------------


async def record_clock_event(
    people: People,
    *,
    employee_code: str,
    direction: ClockDirection,
    at: datetime | None,
    source: ClockSource,
    note: str,
) -> StoredClockEvent:
    who = Viewer.current()
    code = employee_code or who.code
    if code is None:
        raise InvalidArgument.for_field("employee_code", "required when a service calls")
    now = people.clock.now()
    stamped = at or now
    async with people.db.unit_of_work() as uow:
        schedule = await uow.attendance.schedule()
        row = await employee_or_404(uow, code, schedule.local_date(stamped))
        lines = await uow.employees.reporting_lines()
        on_behalf = (
            code != who.code or source is ClockSource.CORRECTION or abs(stamped - now) > PUNCH_SKEW
        )
        if on_behalf:
            _require_manager(who, code, lines, "a correction or someone else's punch")
        if not row.employee.is_employed_on(schedule.local_date(stamped)):
            raise FailedPrecondition(
                f"{code} is not employed on {schedule.local_date(stamped)}",
                reason="NOT_EMPLOYED",
            )
        record = StoredClockEvent(
            id=new_id(),
            event=ClockEvent(code, stamped, direction, source),
            note=note,
            recorded_by=who.subject,
        )
        await uow.attendance.add_clock_event(record)
        if on_behalf:
            await uow.audit(
                AuditEntry.by_caller(
                    "attendance.clock_correction",
                    f"employees/{code}/clockEvents/{record.id}",
                    subject=code,
                    category=DataCategory.ATTENDANCE.value,
                    details={"at": stamped.isoformat(), "direction": direction, "note": note},
                )
            )
        await uow.commit()
    return record


async def _require_attendance_visible(
    people: People, uow: PeopleUnitOfWork, code: str, action: str, resource: str
) -> None:
    lines = await uow.employees.reporting_lines()
    decision = decide(Viewer.current(), code, DataCategory.ATTENDANCE, lines, people.policies)
    await require_visible(people, uow, decision, action, resource)


async def list_clock_events(
    people: People,
    *,
    code: str,
    start: datetime | None,
    end: datetime | None,
    size: int,
    token: str,
) -> tuple[list[StoredClockEvent], str]:
    position = decode_token(token, {"at": datetime, "id": str})
    after = (position["at"], position["id"]) if position else None
    limit = page_size(size, default=100, maximum=1000)
    async with people.db.unit_of_work() as uow:
        await employee_or_404(uow, code, people.clock.now().date())
        await _require_attendance_visible(
            people, uow, code, "attendance.read", f"employees/{code}/clockEvents"
        )
        events = await uow.attendance.clock_events([code], start, end, after=after, limit=limit + 1)
        await uow.commit()
    more = len(events) > limit
    events = events[:limit]
    last = events[-1] if events else None
    token_out = (
        encode_token({"at": last.event.at.isoformat(), "id": last.id}) if more and last else ""
    )
    return events, token_out


# ---- leave ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LeaveApplication:
    request_id: str
    employee_code: str
    leave_type: LeaveType
    first_day: date
    last_day: date
    part: LeavePart
    reason: str
    record_approved: bool


async def request_leave(people: People, application: LeaveApplication) -> LeaveRequest:
    who = Viewer.current()
    code = application.employee_code or who.code
    if code is None:
        raise InvalidArgument.for_field("employee_code", "required when a service calls")
    if application.record_approved and not who.can(MANAGE_ATTENDANCE):
        raise PermissionDenied(
            f"recording leave as approved needs {MANAGE_ATTENDANCE} (HR)", reason="NOT_HR"
        )
    now = people.clock.now()
    async with people.db.unit_of_work() as uow:
        await uow.attendance.lock_employee_leave(code)
        schedule = await uow.attendance.schedule()
        await employee_or_404(uow, code, schedule.local_date(now))
        if code != who.code:
            _require_manager(who, code, await uow.employees.reporting_lines(), "requesting leave")
        if application.record_approved:
            request = LeaveRequest.record_approved(
                request_id=application.request_id, employee_code=code,
                leave_type=application.leave_type, first_day=application.first_day,
                last_day=application.last_day, part=application.part, reason=application.reason,
                recorded_by=who.subject, now=now, policy=people.policies.leave,
            )  # fmt: skip
        else:
            request = LeaveRequest.submit(
                request_id=application.request_id, employee_code=code,
                leave_type=application.leave_type, first_day=application.first_day,
                last_day=application.last_day, part=application.part, reason=application.reason,
                now=now, schedule=schedule, policy=people.policies.leave,
            )  # fmt: skip
        if await uow.attendance.leave_request(request.request_id) is not None:
            raise AlreadyExists(
                f"request_id: leave request {request.request_id} already exists",
                reason="LEAVE_REQUEST_EXISTS",
            )
        overlapping = await uow.attendance.leave_requests(
            employee_codes=[code], overlapping=(request.first_day, request.last_day)
        )
        check_no_overlap(request, overlapping)
        await uow.attendance.insert_leave(request)
        await uow.audit(_leave_entry("leave.request", request))
        await uow.commit()
    return request


def _leave_entry(action: str, request: LeaveRequest) -> AuditEntry:
    return AuditEntry.by_caller(
        action,
        f"leaveRequests/{request.request_id}",
        subject=request.employee_code,
        category=DataCategory.ATTENDANCE.value,
        details={
            "status": request.status.value,
            "days": f"{request.first_day}..{request.last_day} {request.part.value}",
        },
    )


async def _leave_or_404(
    uow: PeopleUnitOfWork, request_id: str, *, for_update: bool = False
) -> LeaveRequest:
    request = await uow.attendance.leave_request(request_id, for_update=for_update)
    if request is None:
        raise NotFound(
            f"request_id: no leave request {request_id!r}", reason="LEAVE_REQUEST_NOT_FOUND"
        )
    return request


async def get_leave(people: People, request_id: str) -> LeaveRequest:
    async with people.db.unit_of_work() as uow:
        request = await _leave_or_404(uow, request_id)
        await _require_attendance_visible(
            people, uow, request.employee_code, "leave.read", f"leaveRequests/{request_id}"
        )
        await uow.commit()
    return request


def _visible_codes(who: Viewer, lines: ReportingLines) -> frozenset[str] | None:
    """Whose attendance the caller may see: None = everybody's."""
    if who.can(HR_ATTENDANCE):
        return None
    if who.code is None:
        return frozenset()
    return frozenset({who.code}) | lines.all_reports(who.code)


async def list_leave(
    people: People, *, code: str, status: str, size: int, token: str
) -> tuple[list[LeaveRequest], str]:
    position = decode_token(token, {"requested_at": datetime, "request_id": str})
    before = (position["requested_at"], position["request_id"]) if position else None
    limit = page_size(size)
    who = Viewer.current()
    async with people.db.unit_of_work() as uow:
        lines = await uow.employees.reporting_lines()
        if code:
            await _require_attendance_visible(
                people, uow, code, "leave.read", f"employees/{code}/leaveRequests"
            )
            codes: frozenset[str] | None = frozenset({code})
        else:
            codes = _visible_codes(who, lines)
        requests = await uow.attendance.leave_requests(
            employee_codes=codes, status=status, before=before, limit=limit + 1
        )
        more = len(requests) > limit
        requests = requests[:limit]
        if not code:
            for subject in sorted({r.employee_code for r in requests}):
                decision = decide(who, subject, DataCategory.ATTENDANCE, lines, people.policies)
                await uow.audit(read_entry(decision, "leave.read", "leaveRequests"))
        await uow.commit()
    last = requests[-1] if requests else None
    token_out = (
        encode_token({"requested_at": last.requested_at.isoformat(), "request_id": last.request_id})
        if more and last
        else ""
    )
    return requests, token_out


async def decide_leave(
    people: People, request_id: str, *, approve: bool, note: str
) -> LeaveRequest:
    who = Viewer.current()
    if who.code is None:
        raise PermissionDenied("leave is decided by a person", reason="NOT_AN_EMPLOYEE")
    now = people.clock.now()
    async with people.db.unit_of_work() as uow:
        request = await _leave_or_404(uow, request_id, for_update=True)
        check_can_decide(
            request,
            approver_code=who.code,
            reporting_lines=await uow.employees.reporting_lines(),
            approver_is_hr=who.can(HR_ATTENDANCE),
        )
        request = (
            request.approve(who.code, now, note) if approve else request.reject(who.code, now, note)
        )
        await uow.attendance.save_leave(request)
        await uow.audit(_leave_entry("leave.approve" if approve else "leave.reject", request))
        await uow.commit()
    return request


async def cancel_leave(people: People, request_id: str) -> LeaveRequest:
    who = Viewer.current()
    now = people.clock.now()
    async with people.db.unit_of_work() as uow:
        request = await _leave_or_404(uow, request_id, for_update=True)
        if request.employee_code != who.code:
            _require_manager(
                who, request.employee_code, await uow.employees.reporting_lines(), "cancelling"
            )
        request = request.cancel(now, await uow.attendance.schedule())
        await uow.attendance.save_leave(request)
        await uow.audit(_leave_entry("leave.cancel", request))
        await uow.commit()
    return request


# ---- months --------------------------------------------------------------------------------------


def _bounds(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


async def _summarise(
    uow: PeopleUnitOfWork,
    people: People,
    schedule: WorkSchedule,
    employees: list[tuple[str, date, date | None]],
    year: int,
    month: int,
    through: date,
) -> list[MonthlyAttendance]:
    """Classify and summarise `employees`' month through `through`; the previous month is
    classified too, so that a run of absences continues across the month boundary."""
    first, last = _bounds(year, month)
    previous_first = (first - timedelta(days=1)).replace(day=1)
    codes = [code for code, _, _ in employees]
    start = datetime.combine(previous_first, time(0), tzinfo=schedule.tz).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=schedule.tz).astimezone(UTC)
    events = [e.event for e in await uow.attendance.clock_events(codes, start, end)]
    leave = await uow.attendance.leave_requests(
        employee_codes=codes, overlapping=(previous_first, last)
    )
    summaries = []
    for code, hire_date, leave_date in employees:
        previous = summarise_month(
            employee_code=code, year=previous_first.year, month=previous_first.month,
            clock_events=events, leave_requests=leave, hire_date=hire_date,
            leave_date=leave_date, schedule=schedule, policy=people.policies.attendance,
        )  # fmt: skip
        summaries.append(
            summarise_month(
                employee_code=code,
                year=year,
                month=month,
                clock_events=events,
                leave_requests=leave,
                hire_date=hire_date,
                leave_date=leave_date,
                schedule=schedule,
                policy=people.policies.attendance,
                through=through,
                preceding_days=previous.days,
            )
        )
    return summaries


async def get_month(people: People, code: str, month_text: str) -> apb.AttendanceMonth:
    year, month = parse_month(month_text)
    first, last = _bounds(year, month)
    async with people.db.unit_of_work() as uow:
        schedule = await uow.attendance.schedule()
        today = schedule.local_date(people.clock.now())
        if first > today:
            raise InvalidArgument.for_field("month", "is in the future")
        row = await employee_or_404(uow, code, today)
        await _require_attendance_visible(
            people, uow, code, "attendance.read", f"employees/{code}/attendance/{month_text}"
        )
        # The running month is judged through yesterday: today is not over yet.
        through = min(last, today - timedelta(days=1))
        employee = row.employee
        if through < first:
            summary = summarise_month(
                employee_code=code, year=year, month=month, clock_events=(), leave_requests=(),
                hire_date=employee.hire_date, leave_date=employee.leave_date, schedule=schedule,
                policy=people.policies.attendance, through=first - timedelta(days=1),
            )  # fmt: skip
        else:
            [summary] = await _summarise(
                uow, people, schedule, [(code, employee.hire_date, employee.leave_date)],
                year, month, through,
            )  # fmt: skip
        revision = await uow.attendance.latest_revision(code, first)
        await uow.commit()
    return msg.month_message(summary, closed=revision > 0, revision=revision)


@dataclass(frozen=True)
class ClosedMonthResult:
    month: str
    employees: int
    termination_review: tuple[str, ...]


async def close_month(people: People, month_text: str) -> ClosedMonthResult:
    year, month = parse_month(month_text)
    first, last = _bounds(year, month)
    now = people.clock.now()
    async with people.db.unit_of_work() as uow:
        schedule = await uow.attendance.schedule()
        if last >= schedule.local_date(now):
            raise FailedPrecondition(
                f"{month_text} is not over yet; close it from {last + timedelta(days=1)}",
                reason="MONTH_NOT_OVER",
            )
        employees = await uow.employees.employed_between(first, last)
        summaries = await _summarise(uow, people, schedule, employees, year, month, last)
        flagged = []
        for summary in summaries:
            code = summary.employee_code
            revision = await uow.attendance.latest_revision(code, first) + 1
            message = msg.month_message(summary, closed=True, revision=revision)
            await uow.attendance.add_closed_month(
                code, first, revision, summary.termination_review, msg.stored(message), actor()
            )
            uow.publish(code, msg.month_closed(message, now))
            if summary.termination_review:
                flagged.append(code)
        await uow.audit(
            AuditEntry.by_caller(
                "attendance.close_month",
                f"attendanceMonths/{month_text}",
                category=DataCategory.ATTENDANCE.value,
                details={"employees": str(len(summaries)), "termination_review": ",".join(flagged)},
            )
        )
        await uow.commit()
    return ClosedMonthResult(month_text, len(summaries), tuple(flagged))


async def list_summaries(
    people: People, *, month_text: str, flagged_only: bool, size: int, token: str
) -> tuple[list[apb.AttendanceMonth], str]:
    year, month = parse_month(month_text)
    position = decode_token(token, {"after": str})
    limit = page_size(size)
    who = Viewer.current()
    async with people.db.unit_of_work() as uow:
        lines = await uow.employees.reporting_lines()
        codes = _visible_codes(who, lines)
        closed = await uow.attendance.closed_months(
            date(year, month, 1),
            employee_codes=codes,
            flagged_only=flagged_only,
            after=str(position["after"]) if position else "",
            limit=limit + 1,
        )
        more = len(closed) > limit
        closed = closed[:limit]
        for entry in closed:
            decision = decide(
                who, entry.employee_code, DataCategory.ATTENDANCE, lines, people.policies
            )
            await uow.audit(
                read_entry(decision, "attendance.read", f"attendanceMonths/{month_text}")
            )
        await uow.commit()
    token_out = encode_token({"after": closed[-1].employee_code}) if more else ""
    return [msg.from_stored(c.summary) for c in closed], token_out
