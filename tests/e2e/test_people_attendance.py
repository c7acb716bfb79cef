"""Attendance end-to-end for a month of records (March 2025, 21 working days): clock events
entered by HR, a half day of leave, the month's classification, closing it and the facts
published for performance."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.test_people_support import Staff, ok, unique_code
from tests.e2e.test_people_training import all_events, rfc3339
from tests.support.system import RunningSystem

pytestmark = pytest.mark.e2e
SHANGHAI = ZoneInfo("Asia/Shanghai")
MONTH = "2025-03"

# day of March → (clock-in, clock-out); missing days are worked 08:55-18:05.
EXCEPTIONS: dict[int, tuple[str | None, str | None]] = {
    3: ("09:05", "18:05"),  # late 5 min: free lateness 1
    4: ("09:15", "18:05"),  # late exactly 15 min: still within the limit, free 2
    5: ("08:55", "17:50"),  # left 10 min early: free 3
    6: ("09:10", "18:05"),  # the 4th lateness event: charged 5% of the bonus
    7: ("09:16", "18:05"),  # 16 min: over the limit, 1 day wage + 10%, half a day of absence
    10: (None, None),  # no record: full-day absence, 3 day wages + 50%
    11: ("13:00", "18:00"),  # morning on approved leave, afternoon on time
}


def punch(
    system: RunningSystem, token: str, code: str, day: date, hhmm: str, direction: str
) -> None:
    moment = datetime.combine(day, time.fromisoformat(hhmm), tzinfo=SHANGHAI)
    ok(
        system.rest(
            "POST",
            "/v1/clockEvents",
            {"employeeCode": code, "direction": direction, "time": rfc3339(moment)},
            token=token,
        )
    )


def working_days() -> list[date]:
    day, days = date(2025, 3, 1), []
    while day.month == 3:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def fact_tuples(facts: list[dict[str, Any]]) -> list[tuple[str, str, int, str]]:
    return [(f["day"], f["kind"], f.get("minutes", 0), f["charge"]) for f in facts]


def test_a_month_of_records_is_classified_closed_and_published(
    system: RunningSystem, admin_token: str
) -> None:
    staff = Staff(system, admin_token)
    supervisor = staff.hire("ops_supervisor", hire_date=date(2024, 1, 2))
    employee = staff.hire("ops_specialist", supervisor=supervisor, hire_date=date(2024, 1, 2))
    colleague = staff.hire("ops_specialist", supervisor=supervisor, hire_date=date(2024, 1, 2))
    hr = staff.hire("hr_specialist", department="hr")
    hr_token, employee_token, supervisor_token, colleague_token = (
        staff.login(c) for c in (hr, employee, supervisor, colleague)
    )
    assert len(working_days()) == 21
    for day in working_days():
        clock_in, clock_out = EXCEPTIONS.get(day.day, ("08:55", "18:05"))
        if clock_in:
            punch(system, hr_token, employee, day, clock_in, "IN")
        if clock_out:
            punch(system, hr_token, employee, day, clock_out, "OUT")
    ok(
        system.rest(
            "POST",
            "/v1/leaveRequests",
            {
                "requestId": f"leave-{unique_code()}",
                "employeeCode": employee,
                "type": "PERSONAL",
                "firstDay": "2025-03-11",
                "lastDay": "2025-03-11",
                "part": "MORNING",
                "reason": "family matter",
                "recordApproved": True,
            },
            token=hr_token,
        )
    )

    month = ok(
        system.rest("GET", f"/v1/employees/{employee}/attendance/{MONTH}", token=employee_token)
    )
    assert fact_tuples(month["facts"]) == [
        ("2025-03-03", "LATE", 5, "FREE_LATENESS"),
        ("2025-03-04", "LATE", 15, "FREE_LATENESS"),
        ("2025-03-05", "EARLY_LEAVE", 10, "FREE_LATENESS"),
        ("2025-03-06", "LATE", 10, "CHARGED_LATENESS"),
        ("2025-03-07", "LATE", 16, "OVER_LIMIT_LATENESS"),
        ("2025-03-10", "ABSENT_FULL_DAY", 0, "FULL_DAY_ABSENCE"),
    ]
    assert month["workingDays"] == 21
    assert (month["latenessEvents"], month["freeLatenessEvents"]) == (4, 3)
    assert (month["chargedLatenessEvents"], month["overLimitEvents"]) == (1, 1)
    assert month["fullDayAbsences"] == 1
    assert month["absenceDays"] == "1.5"
    assert month["totalWageMultiplier"] == "4"
    assert month["totalBonusPercent"] == "65"
    assert month["daysOnLeave"] == "0.5"
    assert month.get("terminationReview", False) is False
    by_supervisor = system.rest(
        "GET", f"/v1/employees/{employee}/attendance/{MONTH}", token=supervisor_token
    )
    assert by_supervisor.status == 200
    by_colleague = system.rest(
        "GET", f"/v1/employees/{employee}/attendance/{MONTH}", token=colleague_token
    )
    assert by_colleague.status == 403

    closed = ok(system.rest("POST", f"/v1/attendanceMonths/{MONTH}:close", {}, token=hr_token))
    assert closed["employees"] >= 3
    assert colleague in closed["terminationReview"]  # 21 days without a record
    assert employee not in closed["terminationReview"]

    flagged = ok(
        system.rest(
            "GET",
            f"/v1/attendanceMonths/{MONTH}/summaries?termination_review_only=true&page_size=500",
            token=hr_token,
        )
    )
    flagged_codes = {s["employeeCode"] for s in flagged["summaries"]}
    assert colleague in flagged_codes
    assert employee not in flagged_codes
    mine = ok(system.rest("GET", f"/v1/attendanceMonths/{MONTH}/summaries", token=employee_token))
    assert [s["employeeCode"] for s in mine["summaries"]] == [employee]

    [event] = [
        e["payload"]
        for e in all_events(system, admin_token)
        if e["type"] == "storeops.people.v1.AttendanceMonthClosed" and e["key"] == employee
    ]
    assert event["month"] == MONTH
    assert event["revision"] == 1
    assert [(f["day"], f["wageMultiplier"], f["bonusPercent"]) for f in event["facts"]] == [
        ("2025-03-03", "0", "0"),
        ("2025-03-04", "0", "0"),
        ("2025-03-05", "0", "0"),
        ("2025-03-06", "0", "5"),
        ("2025-03-07", "1", "10"),
        ("2025-03-10", "3", "50"),
    ]
    audit = ok(
        system.rest(
            "GET", f"/v1/auditEntries?subject={employee}&category=ATTENDANCE", token=admin_token
        )
    )
    readers = {(e["actor"], e.get("basis")) for e in audit["entries"] if e.get("allowed")}
    assert (employee, "SELF") in readers
    assert (supervisor, "REPORTING_LINE") in readers
