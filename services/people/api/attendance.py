"""Attendance RPCs: schedule, clock events, leave requests, months and their closing."""

from __future__ import annotations

from typing import TypeAlias

import grpc
from storeops.people.v1 import attendance_pb2 as apb

from services.common.proto_convert import enum_filter, parse_date
from services.people.api.base import Base
from services.people.api.convert import instant, parse_time, timestamp
from services.people.db.attendance_repo import StoredClockEvent
from services.people.domain.attendance_day import ClockDirection, ClockSource
from services.people.domain.leave import LeavePart, LeaveRequest, LeaveType
from services.people.domain.working_time import WorkSchedule
from services.people.service import attendance
from services.people.service.attendance import LeaveApplication, ScheduleUpdate

Ctx: TypeAlias = grpc.aio.ServicerContext


def schedule_message(schedule: WorkSchedule) -> apb.WorkSchedule:
    return apb.WorkSchedule(
        time_zone=schedule.tz.key,
        morning_start=schedule.morning_start.strftime("%H:%M"),
        morning_end=schedule.morning_end.strftime("%H:%M"),
        afternoon_start=schedule.afternoon_start.strftime("%H:%M"),
        afternoon_end=schedule.afternoon_end.strftime("%H:%M"),
        working_weekdays=sorted(d + 1 for d in schedule.working_weekdays),
        holidays=sorted(d.isoformat() for d in schedule.holidays),
        extra_working_days=sorted(d.isoformat() for d in schedule.extra_working_days),
    )


def clock_message(record: StoredClockEvent) -> apb.ClockEvent:
    return apb.ClockEvent(
        id=record.id,
        employee_code=record.event.employee_code,
        direction=record.event.direction.value,
        time=timestamp(record.event.at),
        source=record.event.source.value,
        note=record.note,
        recorded_by=record.recorded_by,
    )


def leave_message(request: LeaveRequest) -> apb.LeaveRequest:
    return apb.LeaveRequest(
        request_id=request.request_id,
        employee_code=request.employee_code,
        type=request.leave_type.value,
        first_day=request.first_day.isoformat(),
        last_day=request.last_day.isoformat(),
        part=request.part.value,
        reason=request.reason,
        status=request.status.value,
        request_time=timestamp(request.requested_at),
        decided_by=request.decided_by or "",
        decide_time=timestamp(request.decided_at),
        decision_note=request.decision_note,
    )


class AttendanceRpcs(Base):
    async def GetWorkSchedule(
        self, request: apb.GetWorkScheduleRequest, context: Ctx
    ) -> apb.WorkSchedule:
        return schedule_message(await attendance.get_schedule(self.people))

    async def UpdateWorkSchedule(
        self, request: apb.UpdateWorkScheduleRequest, context: Ctx
    ) -> apb.WorkSchedule:
        ws = request.work_schedule
        update = ScheduleUpdate(
            time_zone=ws.time_zone,
            morning_start=parse_time(ws.morning_start, "work_schedule.morning_start"),
            morning_end=parse_time(ws.morning_end, "work_schedule.morning_end"),
            afternoon_start=parse_time(ws.afternoon_start, "work_schedule.afternoon_start"),
            afternoon_end=parse_time(ws.afternoon_end, "work_schedule.afternoon_end"),
            working_weekdays=frozenset(d - 1 for d in ws.working_weekdays),
            holidays=frozenset(
                parse_date(d, f"work_schedule.holidays[{i}]") for i, d in enumerate(ws.holidays)
            ),
            extra_working_days=frozenset(
                parse_date(d, f"work_schedule.extra_working_days[{i}]")
                for i, d in enumerate(ws.extra_working_days)
            ),
        )
        schedule = await attendance.update_schedule(
            self.people, set(request.update_mask.paths), update
        )
        return schedule_message(schedule)

    async def RecordClockEvent(
        self, request: apb.RecordClockEventRequest, context: Ctx
    ) -> apb.ClockEvent:
        source = (
            ClockSource(apb.ClockEvent.Source.Name(request.source))
            if request.source
            else ClockSource.DEVICE
        )
        record = await attendance.record_clock_event(
            self.people,
            employee_code=request.employee_code,
            direction=ClockDirection(apb.ClockEvent.Direction.Name(request.direction)),
            at=instant(request.time, request.HasField("time"), "time"),
            source=source,
            note=request.note,
        )
        return clock_message(record)

    async def ListClockEvents(
        self, request: apb.ListClockEventsRequest, context: Ctx
    ) -> apb.ListClockEventsResponse:
        events, token = await attendance.list_clock_events(
            self.people,
            code=request.employee_code,
            start=instant(request.from_time, request.HasField("from_time"), "from_time"),
            end=instant(request.to_time, request.HasField("to_time"), "to_time"),
            size=request.page_size,
            token=request.page_token,
        )
        return apb.ListClockEventsResponse(
            clock_events=[clock_message(e) for e in events], next_page_token=token
        )

    async def RequestLeave(
        self, request: apb.RequestLeaveRequest, context: Ctx
    ) -> apb.LeaveRequest:
        part = (
            LeavePart(apb.LeaveRequest.Part.Name(request.part))
            if request.part
            else LeavePart.FULL_DAY
        )
        application = LeaveApplication(
            request_id=request.request_id,
            employee_code=request.employee_code,
            leave_type=LeaveType(apb.LeaveRequest.Type.Name(request.type)),
            first_day=parse_date(request.first_day, "first_day"),
            last_day=parse_date(request.last_day, "last_day"),
            part=part,
            reason=request.reason,
            record_approved=request.record_approved,
        )
        return leave_message(await attendance.request_leave(self.people, application))

    async def GetLeaveRequest(
        self, request: apb.GetLeaveRequestRequest, context: Ctx
    ) -> apb.LeaveRequest:
        return leave_message(await attendance.get_leave(self.people, request.request_id))

    async def ListLeaveRequests(
        self, request: apb.ListLeaveRequestsRequest, context: Ctx
    ) -> apb.ListLeaveRequestsResponse:
        status = enum_filter(apb.LeaveRequest.Status, request.status)
        requests, token = await attendance.list_leave(
            self.people,
            code=request.employee_code,
            status=status,
            size=request.page_size,
            token=request.page_token,
        )
        return apb.ListLeaveRequestsResponse(
            leave_requests=[leave_message(r) for r in requests], next_page_token=token
        )

    async def ApproveLeaveRequest(
        self, request: apb.ApproveLeaveRequestRequest, context: Ctx
    ) -> apb.LeaveRequest:
        decided = await attendance.decide_leave(
            self.people, request.request_id, approve=True, note=request.note
        )
        return leave_message(decided)

    async def RejectLeaveRequest(
        self, request: apb.RejectLeaveRequestRequest, context: Ctx
    ) -> apb.LeaveRequest:
        decided = await attendance.decide_leave(
            self.people, request.request_id, approve=False, note=request.note
        )
        return leave_message(decided)

    async def CancelLeaveRequest(
        self, request: apb.CancelLeaveRequestRequest, context: Ctx
    ) -> apb.LeaveRequest:
        return leave_message(await attendance.cancel_leave(self.people, request.request_id))

    async def GetAttendanceMonth(
        self, request: apb.GetAttendanceMonthRequest, context: Ctx
    ) -> apb.AttendanceMonth:
        return await attendance.get_month(self.people, request.employee_code, request.month)

    async def CloseAttendanceMonth(
        self, request: apb.CloseAttendanceMonthRequest, context: Ctx
    ) -> apb.CloseAttendanceMonthResponse:
        result = await attendance.close_month(self.people, request.month)
        return apb.CloseAttendanceMonthResponse(
            month=result.month,
            employees=result.employees,
            termination_review=list(result.termination_review),
        )

    async def ListAttendanceSummaries(
        self, request: apb.ListAttendanceSummariesRequest, context: Ctx
    ) -> apb.ListAttendanceSummariesResponse:
        summaries, token = await attendance.list_summaries(
            self.people,
            month_text=request.month,
            flagged_only=request.termination_review_only,
            size=request.page_size,
            token=request.page_token,
        )
        return apb.ListAttendanceSummariesResponse(summaries=summaries, next_page_token=token)
