"""Training through the gateway: plan → course → session → enrolment (capacity, duplicates) →
attendance → assessment → feedback → training record, report and the TrainingResultRecorded
event."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.e2e.test_people_support import Staff, cny, ok, unique_code
from tests.support.system import RunningSystem

pytestmark = pytest.mark.e2e


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def wait_until(moment: datetime) -> None:
    while datetime.now(UTC) < moment:
        time.sleep(0.05)


def all_events(system: RunningSystem, token: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    cursor = ""
    while True:
        page = ok(
            system.rest("GET", f"/v1/people/events?after={cursor}&page_size=1000", token=token)
        )
        events.extend(page.get("events", []))
        if not page.get("events"):
            return events
        cursor = page["nextCursor"]


@pytest.fixture(scope="module")
def plan_year(system: RunningSystem, admin_token: str) -> int:
    """Next year's plan with two courses, approved (one plan per year; this year's belongs to the
    demo data). Sessions of a plan may be held before its year."""
    year = datetime.now(UTC).year + 1
    ok(
        system.rest(
            "POST",
            "/v1/trainingPlans",
            {
                "year": year,
                "title": f"{year} training plan",
                "goals": ["Every specialist passes the platform rules exam"],
                "budget": cny(50_000),
                "evaluationMethod": "exam scores and feedback",
            },
            token=admin_token,
        )
    )
    for code, category, kind in (
        ("platform_rules", "PLATFORM_RULES", "EXAM"),
        ("service_skills", "CUSTOMER_SERVICE", "PRACTICAL"),
    ):
        ok(
            system.rest(
                "POST",
                f"/v1/trainingPlans/{year}/courses",
                {
                    "course": {
                        "code": code,
                        "title": code.replace("_", " ").title(),
                        "category": category,
                        "mode": "INTERNAL",
                        "assessmentKind": kind,
                        "passMark": "60",
                    }
                },
                token=admin_token,
            )
        )
        ok(
            system.rest(
                "POST",
                f"/v1/trainingPlans/{year}:scheduleTraining",
                {
                    "courseCode": code,
                    "plannedDate": f"{year}-12-01",
                    "trainer": {"name": "Wang Fang", "organisation": "Tmall academy"},
                },
                token=admin_token,
            )
        )
    plan = ok(system.rest("POST", f"/v1/trainingPlans/{year}:approve", {}, token=admin_token))
    assert plan["status"] == "APPROVED"
    return year


def new_session(
    system: RunningSystem, token: str, year: int, capacity: int, starts_in: float
) -> tuple[str, datetime, datetime]:
    session_id = f"s-{unique_code()}"
    start = datetime.now(UTC) + timedelta(seconds=starts_in)
    end = start + timedelta(seconds=1)
    ok(
        system.rest(
            "POST",
            "/v1/trainingSessions",
            {
                "sessionId": session_id,
                "planYear": year,
                "courseCode": "platform_rules",
                "trainer": {"name": "Wang Fang"},
                "startTime": rfc3339(start),
                "endTime": rfc3339(end),
                "capacity": capacity,
                "cost": cny(800),
            },
            token=token,
        )
    )
    return session_id, start, end


def test_full_training_flow_ends_in_the_record_and_on_the_feed(
    system: RunningSystem, admin_token: str, plan_year: int
) -> None:
    staff = Staff(system, admin_token)
    supervisor = staff.hire("cs_supervisor", department="customer_service")
    trainee = staff.hire("cs_specialist", department="customer_service", supervisor=supervisor)
    other = staff.hire("cs_specialist", department="customer_service", supervisor=supervisor)
    supervisor_token, trainee_token, other_token = (
        staff.login(c) for c in (supervisor, trainee, other)
    )
    session_id, start, end = new_session(system, supervisor_token, plan_year, 5, starts_in=4)

    enrolment = ok(
        system.rest("POST", f"/v1/trainingSessions/{session_id}:enrol", {}, token=trainee_token)
    )
    assert enrolment["employeeCode"] == trainee
    ok(system.rest("POST", f"/v1/trainingSessions/{session_id}:enrol", {}, token=other_token))
    wait_until(start)
    ok(
        system.rest(
            "POST",
            f"/v1/trainingSessions/{session_id}:recordAttendance",
            {"employeeCodes": [trainee, other]},
            token=supervisor_token,
        )
    )
    assessment = ok(
        system.rest(
            "POST",
            f"/v1/trainingSessions/{session_id}:assess",
            {"employeeCode": trainee, "score": "85.5"},
            token=supervisor_token,
        )
    )
    assert assessment["passed"] is True
    assert assessment["kind"] == "EXAM"
    ok(
        system.rest(
            "POST",
            f"/v1/trainingSessions/{session_id}:assess",
            {"employeeCode": other, "score": "42"},
            token=supervisor_token,
        )
    )
    early = system.rest(
        "POST",
        f"/v1/trainingSessions/{session_id}:submitFeedback",
        {"usefulness": 5, "format": 4, "trainer": 5},
        token=trainee_token,
    )
    assert early.status == 400
    assert early.body["details"][0]["reason"] == "SESSION_NOT_ENDED"
    wait_until(end)
    feedback = ok(
        system.rest(
            "POST",
            f"/v1/trainingSessions/{session_id}:submitFeedback",
            {"usefulness": 5, "format": 4, "trainer": 5, "comment": "clear examples"},
            token=trainee_token,
        )
    )
    assert feedback["usefulness"] == 5

    record = ok(system.rest("GET", f"/v1/employees/{trainee}/trainingRecord", token=trainee_token))
    [entry] = [e for e in record["entries"] if e["sessionId"] == session_id]
    assert (entry["attended"], entry["score"], entry["passed"]) == (True, "85.5", True)
    assert record["assessmentsPassed"] >= 1
    by_supervisor = system.rest(
        "GET", f"/v1/employees/{trainee}/trainingRecord", token=supervisor_token
    )
    assert by_supervisor.status == 200
    by_colleague = system.rest("GET", f"/v1/employees/{trainee}/trainingRecord", token=other_token)
    assert by_colleague.status == 403

    session = ok(system.rest("GET", f"/v1/trainingSessions/{session_id}", token=trainee_token))
    assert (session["assessedCount"], session["passedCount"], session["feedbackCount"]) == (2, 1, 1)
    report = ok(
        system.rest("GET", f"/v1/trainingPlans/{plan_year}/completionReport", token=admin_token)
    )
    assert report["sessionsHeld"] >= 1
    assert report["sessionsPlanned"] == 2

    results = [
        e["payload"]
        for e in all_events(system, admin_token)
        if e["type"] == "storeops.people.v1.TrainingResultRecorded" and e["key"] == trainee
    ]
    assert [(r["sessionId"], r["score"], r["passed"]) for r in results] == [
        (session_id, "85.5", True)
    ]


def test_capacity_and_duplicate_enrolment_are_refused_with_clear_errors(
    system: RunningSystem, admin_token: str, plan_year: int
) -> None:
    staff = Staff(system, admin_token)
    codes = [staff.hire("ops_specialist") for _ in range(3)]
    tokens = [staff.login(c) for c in codes]
    session_id, _, _ = new_session(system, admin_token, plan_year, 2, starts_in=600)
    for token in tokens[:2]:
        ok(system.rest("POST", f"/v1/trainingSessions/{session_id}:enrol", {}, token=token))
    again = system.rest("POST", f"/v1/trainingSessions/{session_id}:enrol", {}, token=tokens[0])
    assert again.status == 409
    assert again.body["details"][0]["reason"] == "ALREADY_ENROLLED"
    full = system.rest("POST", f"/v1/trainingSessions/{session_id}:enrol", {}, token=tokens[2])
    assert full.status == 400
    assert full.body["details"][0]["reason"] == "SESSION_FULL"
    assert "session full" in full.body["message"]
    someone_else = system.rest(
        "POST",
        f"/v1/trainingSessions/{session_id}:enrol",
        {"employeeCode": codes[0]},
        token=tokens[2],
    )
    assert someone_else.status == 403
    ok(system.rest("POST", f"/v1/trainingSessions/{session_id}:withdraw", {}, token=tokens[1]))
    ok(system.rest("POST", f"/v1/trainingSessions/{session_id}:enrol", {}, token=tokens[2]))
