"""Monthly attendance as protobuf: the API's AttendanceMonth, the stored closed summary (its JSON
form) and the AttendanceMonthClosed event."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from google.protobuf import json_format
from storeops.people.v1 import attendance_pb2 as apb
from storeops.people.v1 import events_pb2 as ev

from services.common.proto_convert import decimal_text, to_timestamp
from services.people.domain.attendance_month import AttendanceFact, MonthlyAttendance


def fact_message(fact: AttendanceFact) -> apb.AttendanceFact:
    return apb.AttendanceFact(
        day=fact.day.isoformat(),
        kind=fact.kind.value,
        minutes=fact.minutes,
        charge=fact.charge.value,
        wage_multiplier=decimal_text(fact.wage_multiplier),
        bonus_percent=decimal_text(fact.bonus_percent),
        absence_days=decimal_text(fact.absence_days),
    )


def month_message(
    summary: MonthlyAttendance, *, closed: bool = False, revision: int = 0
) -> apb.AttendanceMonth:
    return apb.AttendanceMonth(
        employee_code=summary.employee_code,
        month=f"{summary.year:04d}-{summary.month:02d}",
        through=summary.through.isoformat(),
        days=[
            apb.AttendanceDay(
                day=d.day.isoformat(),
                status=d.status.value,
                late_minutes=d.late_minutes or 0,
                early_minutes=d.early_minutes or 0,
                pending_leave=d.pending_leave,
            )
            for d in summary.days
        ],
        facts=[fact_message(f) for f in summary.facts],
        working_days=summary.working_days,
        days_on_leave=decimal_text(summary.days_on_leave),
        lateness_events=summary.lateness_events,
        free_lateness_events=summary.free_lateness_events,
        charged_lateness_events=summary.charged_lateness_events,
        over_limit_events=summary.over_limit_events,
        half_day_absences=summary.half_day_absences,
        full_day_absences=summary.full_day_absences,
        absence_days=decimal_text(summary.absence_days),
        longest_absence_run=summary.longest_absence_run,
        total_wage_multiplier=decimal_text(summary.total_wage_multiplier),
        total_bonus_percent=decimal_text(summary.total_bonus_percent),
        termination_review=summary.termination_review,
        termination_reasons=list(summary.termination_reasons),
        closed=closed,
        revision=revision,
    )


def stored(message: apb.AttendanceMonth) -> dict[str, Any]:
    return json_format.MessageToDict(message, preserving_proto_field_name=True)


def from_stored(data: dict[str, Any]) -> apb.AttendanceMonth:
    return json_format.ParseDict(data, apb.AttendanceMonth())


def month_closed(message: apb.AttendanceMonth, closed_at: datetime) -> ev.AttendanceMonthClosed:
    return ev.AttendanceMonthClosed(
        employee_code=message.employee_code,
        month=message.month,
        revision=message.revision,
        facts=list(message.facts),
        working_days=message.working_days,
        absence_days=message.absence_days,
        termination_review=message.termination_review,
        termination_reasons=list(message.termination_reasons),
        close_time=to_timestamp(closed_at),
    )
