"""Training capacity under real concurrent enrolment, and attendance rules, on PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from services.common.errors import AlreadyExists, FailedPrecondition, PermissionDenied
from services.people.db import tables as t
from services.people.domain.leave import LeavePart, LeaveType
from services.people.domain.training_courses import (
    AssessmentKind,
    Course,
    CourseCategory,
    Trainer,
    TrainingMode,
)
from services.people.domain.training_plans import ScheduledTraining
from services.people.service import attendance, training
from services.people.service.attendance import LeaveApplication
from services.people.service.context import People
from tests.integration.people.conftest import Hiring, caller, patterns_of
from tests.unit.people.builders import cny

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def plan_year(people: People) -> int:
    year = 2031
    with caller():
        await training.create_plan(
            people, year=year, title="plan", goals=["rules"], budget=cny(10_000),
            evaluation_method="exam",
        )  # fmt: skip
        course = Course(
            "rules", "Platform rules", CourseCategory.PLATFORM_RULES, TrainingMode.ONLINE,
            AssessmentKind.EXAM,
        )  # fmt: skip
        await training.add_course(people, year, course)
        await training.schedule_training(
            people, year, ScheduledTraining("rules", date(year, 3, 1), Trainer("Wang Fang"))
        )
        await training.approve_plan(people, year)
    return year


async def new_session(people: People, year: int, capacity: int) -> str:
    session_id = f"s{datetime.now(UTC).timestamp()}-{capacity}"
    starts = datetime.now(UTC) + timedelta(days=30)
    with caller():
        await training.create_session(
            people, session_id=session_id, plan_year=year, course_code="rules",
            trainer=Trainer("Wang Fang"), starts_at=starts, ends_at=starts + timedelta(hours=2),
            capacity=capacity, cost=None,
        )  # fmt: skip
    return session_id


async def test_concurrent_enrolments_fill_exactly_the_capacity(
    people: People, hire: Hiring, plan_year: int
) -> None:
    session_id = await new_session(people, plan_year, capacity=5)
    codes = [await hire() for _ in range(20)]

    async def enrol(code: str) -> str:
        with caller(code, patterns_of("ops_specialist")):
            try:
                await training.enrol(people, session_id, "")
            except FailedPrecondition as error:
                return error.reason
        return "enrolled"

    outcomes = await asyncio.gather(*(enrol(c) for c in codes))
    assert outcomes.count("enrolled") == 5
    assert outcomes.count("SESSION_FULL") == 15
    async with people.db.engine.connect() as connection:
        stored = (
            await connection.execute(
                sa.select(sa.func.count()).where(t.training_enrolments.c.session_id == session_id)
            )
        ).scalar_one()
    assert stored == 5


async def test_the_same_employee_enrolling_twice_at_once_gets_one_place(
    people: People, hire: Hiring, plan_year: int
) -> None:
    session_id = await new_session(people, plan_year, capacity=10)
    code = await hire()

    async def enrol() -> str:
        with caller(code, patterns_of("ops_specialist")):
            try:
                await training.enrol(people, session_id, "")
            except AlreadyExists as error:
                return error.reason
        return "enrolled"

    outcomes = await asyncio.gather(*(enrol() for _ in range(4)))
    assert sorted(outcomes) == ["ALREADY_ENROLLED"] * 3 + ["enrolled"]
    session = await training.get_session(people, session_id)
    assert [e.employee_code for e in session.enrolments] == [code]
    async with people.db.engine.connect() as connection:
        count = (
            await connection.execute(
                sa.select(t.training_sessions.c.enrolled_count).where(
                    t.training_sessions.c.session_id == session_id
                )
            )
        ).scalar_one()
    assert count == 1  # the losers' places were given back with their rollback


async def test_leave_is_decided_by_the_reporting_line_or_hr_never_the_requester(
    people: People, hire: Hiring
) -> None:
    boss = await hire("ops_supervisor")
    worker = await hire(supervisor=boss)
    peer = await hire()
    first = date(2099, 5, 4)
    with caller(worker, patterns_of("ops_specialist")):
        request = await attendance.request_leave(
            people,
            LeaveApplication(
                "req-" + worker, "", LeaveType.ANNUAL, first, first, LeavePart.FULL_DAY,
                "holiday", False,
            ),
        )  # fmt: skip
        with pytest.raises(PermissionDenied):
            await attendance.decide_leave(people, request.request_id, approve=True, note="")
        with pytest.raises(FailedPrecondition) as overlap:
            await attendance.request_leave(
                people,
                LeaveApplication(
                    "req2-" + worker, "", LeaveType.PERSONAL, first, first, LeavePart.MORNING,
                    "again", False,
                ),
            )  # fmt: skip
        assert overlap.value.reason == "LEAVE_OVERLAPS"
    with caller(peer, patterns_of("ops_supervisor")), pytest.raises(PermissionDenied):
        await attendance.decide_leave(people, request.request_id, approve=True, note="")
    with caller(boss, patterns_of("ops_supervisor")):
        approved = await attendance.decide_leave(people, request.request_id, approve=True, note="")
    assert approved.status.value == "APPROVED"
    assert approved.decided_by == boss


async def test_a_back_dated_punch_needs_the_supervisor_or_hr(people: People, hire: Hiring) -> None:
    boss = await hire("ops_supervisor")
    worker = await hire(supervisor=boss)
    yesterday = datetime.now(UTC) - timedelta(days=1)
    with caller(worker, patterns_of("ops_specialist")):
        await attendance.record_clock_event(
            people, employee_code="", direction=attendance.ClockDirection.IN, at=None,
            source=attendance.ClockSource.DEVICE, note="",
        )  # fmt: skip
        with pytest.raises(PermissionDenied):
            await attendance.record_clock_event(
                people, employee_code="", direction=attendance.ClockDirection.IN, at=yesterday,
                source=attendance.ClockSource.DEVICE, note="",
            )  # fmt: skip
    with caller(boss, patterns_of("ops_supervisor")):
        await attendance.record_clock_event(
            people, employee_code=worker, direction=attendance.ClockDirection.IN, at=yesterday,
            source=attendance.ClockSource.CORRECTION, note="forgot to punch",
        )  # fmt: skip


async def test_a_month_that_is_not_over_cannot_be_closed(people: People) -> None:
    this_month = datetime.now(UTC).strftime("%Y-%m")
    with caller(), pytest.raises(FailedPrecondition) as early:
        await attendance.close_month(people, this_month)
    assert early.value.reason == "MONTH_NOT_OVER"
