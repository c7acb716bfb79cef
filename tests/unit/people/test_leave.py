from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from services.common.errors import FailedPrecondition, InvalidArgument, PermissionDenied
from services.people.domain.leave import (
    LeavePart,
    LeavePolicy,
    LeaveRequest,
    LeaveStatus,
    LeaveType,
    check_can_decide,
    check_no_overlap,
    leave_coverage,
)
from services.people.domain.reporting_lines import ReportingLines
from services.people.domain.working_time import HalfDay, WorkSchedule

from .builders import SHANGHAI, at

SCHEDULE = WorkSchedule()
MONDAY = date(2025, 3, 3)
FRIDAY_BEFORE = datetime(2025, 2, 28, 17, tzinfo=SHANGHAI)
LINES = ReportingLines({"E1001": "E1000", "E1000": "E0900"})


def request(
    first: date = MONDAY,
    last: date | None = None,
    *,
    part: LeavePart = LeavePart.FULL_DAY,
    kind: LeaveType = LeaveType.ANNUAL,
    now: datetime = FRIDAY_BEFORE,
    request_id: str = "L1",
    policy: LeavePolicy | None = None,
) -> LeaveRequest:
    return LeaveRequest.submit(
        request_id=request_id,
        employee_code="E1001",
        leave_type=kind,
        first_day=first,
        last_day=last or first,
        part=part,
        reason="family matters",
        now=now,
        schedule=SCHEDULE,
        policy=policy or LeavePolicy(),
    )


def test_leave_is_requested_then_approved() -> None:
    pending = request()
    assert pending.status is LeaveStatus.REQUESTED
    approved = pending.approve("E1000", FRIDAY_BEFORE + timedelta(hours=1))
    assert approved.status is LeaveStatus.APPROVED
    assert approved.decided_by == "E1000"


def test_a_decided_request_cannot_be_decided_again() -> None:
    rejected = request().reject("E1000", FRIDAY_BEFORE, "busy week, sorry")
    assert rejected.status is LeaveStatus.REJECTED
    assert rejected.decision_note == "busy week, sorry"
    with pytest.raises(FailedPrecondition) as caught:
        rejected.approve("E1000", FRIDAY_BEFORE)
    assert caught.value.reason == "LEAVE_NOT_PENDING"


def test_leave_must_be_requested_before_it_starts() -> None:
    request(now=at(MONDAY, "08:59:59"))
    with pytest.raises(FailedPrecondition) as caught:
        request(now=at(MONDAY, "09:00:00"))
    assert caught.value.reason == "LEAVE_NOT_IN_ADVANCE"


def test_afternoon_leave_may_be_requested_in_the_morning() -> None:
    r = request(part=LeavePart.AFTERNOON, now=at(MONDAY, "12:59:00"))
    assert r.halves_on(MONDAY) == {HalfDay.AFTERNOON}


def test_sick_leave_may_be_requested_up_to_three_days_after_its_first_day() -> None:
    request(kind=LeaveType.SICK, now=at(MONDAY + timedelta(days=3), "23:59:59"))
    with pytest.raises(FailedPrecondition) as caught:
        request(kind=LeaveType.SICK, now=at(MONDAY + timedelta(days=4), "00:00:00"))
    assert caught.value.reason == "LEAVE_REQUEST_TOO_LATE"


def test_half_day_leave_covers_one_day_only() -> None:
    with pytest.raises(InvalidArgument) as caught:
        request(MONDAY, MONDAY + timedelta(days=1), part=LeavePart.MORNING)
    assert caught.value.violations[0].field == "part"


def test_last_day_before_first_day_is_refused() -> None:
    with pytest.raises(InvalidArgument, match="last_day"):
        request(MONDAY, MONDAY - timedelta(days=1))


def test_request_length_is_capped() -> None:
    request(MONDAY, MONDAY + timedelta(days=179))
    with pytest.raises(InvalidArgument) as caught:
        request(MONDAY, MONDAY + timedelta(days=180))
    assert caught.value.reason == "LEAVE_TOO_LONG"


def test_supervisors_up_the_line_and_hr_decide_but_not_the_requester_or_a_peer() -> None:
    r = request()
    check_can_decide(r, approver_code="E1000", reporting_lines=LINES, approver_is_hr=False)
    check_can_decide(r, approver_code="E0900", reporting_lines=LINES, approver_is_hr=False)
    check_can_decide(r, approver_code="E5000", reporting_lines=LINES, approver_is_hr=True)
    with pytest.raises(PermissionDenied) as caught:
        check_can_decide(r, approver_code="E1001", reporting_lines=LINES, approver_is_hr=True)
    assert caught.value.reason == "SELF_APPROVAL"
    with pytest.raises(PermissionDenied) as caught:
        check_can_decide(r, approver_code="E1002", reporting_lines=LINES, approver_is_hr=False)
    assert caught.value.reason == "NOT_IN_REPORTING_LINE"


def test_overlapping_open_requests_are_refused_but_adjacent_halves_are_fine() -> None:
    week = request(MONDAY, MONDAY + timedelta(days=4))
    with pytest.raises(FailedPrecondition) as caught:
        check_no_overlap(request(MONDAY + timedelta(days=2), request_id="L2"), [week])
    assert caught.value.reason == "LEAVE_OVERLAPS"
    morning = request(part=LeavePart.MORNING, request_id="L3")
    check_no_overlap(request(part=LeavePart.AFTERNOON, request_id="L4"), [morning])
    rejected = week.reject("E1000", FRIDAY_BEFORE, "no")
    check_no_overlap(request(MONDAY + timedelta(days=2), request_id="L2"), [rejected])


def test_cancel_before_the_start_only() -> None:
    approved = request().approve("E1000", FRIDAY_BEFORE)
    assert approved.cancel(at(MONDAY, "08:00:00"), SCHEDULE).status is LeaveStatus.CANCELLED
    with pytest.raises(FailedPrecondition) as caught:
        approved.cancel(at(MONDAY, "09:00:00"), SCHEDULE)
    assert caught.value.reason == "LEAVE_ALREADY_STARTED"


def test_coverage_separates_approved_from_pending_halves() -> None:
    approved = request(part=LeavePart.MORNING, request_id="L1").approve("E1000", FRIDAY_BEFORE)
    pending = request(part=LeavePart.AFTERNOON, request_id="L2")
    coverage = leave_coverage([approved, pending], MONDAY)
    assert coverage.approved == {HalfDay.MORNING}
    assert coverage.pending == {HalfDay.AFTERNOON}
    assert leave_coverage([approved], MONDAY + timedelta(days=1)).approved == frozenset()


def test_working_days_exclude_weekends_and_holidays_and_include_make_up_days() -> None:
    schedule = WorkSchedule(
        holidays=frozenset({date(2025, 5, 1)}), extra_working_days=frozenset({date(2025, 4, 27)})
    )
    assert schedule.is_working_day(date(2025, 4, 30))
    assert not schedule.is_working_day(date(2025, 5, 1))
    assert not schedule.is_working_day(date(2025, 5, 3))
    assert schedule.is_working_day(date(2025, 4, 27))  # a Sunday made a working day


def test_default_working_hours_are_nine_to_six_in_shanghai() -> None:
    start, _ = SCHEDULE.half_window(MONDAY, HalfDay.MORNING)
    _, end = SCHEDULE.half_window(MONDAY, HalfDay.AFTERNOON)
    assert start.isoformat() == "2025-03-03T09:00:00+08:00"
    assert end.isoformat() == "2025-03-03T18:00:00+08:00"


def test_inconsistent_working_hours_are_refused() -> None:
    with pytest.raises(InvalidArgument):
        WorkSchedule(morning_start=time(13), morning_end=time(12))
