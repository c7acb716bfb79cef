"""Use cases: annual training plans, sessions with capacity, enrolment, attendance,
assessments (published for appraisal), feedback, training records and the completion report."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy.exc
from storeops.people.v1 import events_pb2 as ev

from services.common.audit import AuditEntry
from services.common.context import Viewer, actor
from services.common.errors import AlreadyExists, InvalidArgument, NotFound, PermissionDenied
from services.common.money import Money
from services.common.paging import decode_token, encode_token, page_size
from services.common.proto_convert import to_timestamp
from services.people.db.unit_of_work import PeopleUnitOfWork
from services.people.domain.confidentiality import DataCategory
from services.people.domain.training_courses import Course, Trainer
from services.people.domain.training_plans import ScheduledTraining, TrainingPlan
from services.people.domain.training_reports import (
    PlanCompletionReport,
    TrainingRecord,
    plan_completion_report,
    training_record,
)
from services.people.domain.training_sessions import (
    Assessment,
    Enrolment,
    Feedback,
    SessionStatus,
    TrainingSession,
    check_can_enrol,
)
from services.people.service.context import (
    People,
    decide,
    employee_or_404,
    require_visible,
    today,
)

MANAGE_TRAINING = "people.training.update"


# ---- plans ----------------------------------------------------------------------------------


async def _plan(uow: PeopleUnitOfWork, year: int, *, for_update: bool = False) -> TrainingPlan:
    plan = await uow.training.plan(year, for_update=for_update)
    if plan is None:
        raise NotFound(f"year: no training plan for {year}", reason="PLAN_NOT_FOUND")
    return plan


async def create_plan(
    people: People,
    *,
    year: int,
    title: str,
    goals: Sequence[str],
    budget: Money,
    evaluation_method: str,
) -> TrainingPlan:
    plan = TrainingPlan.draft(
        year=year, title=title, goals=goals, budget=budget, evaluation_method=evaluation_method
    )
    async with people.db.unit_of_work() as uow:
        if await uow.training.plan(year) is not None:
            raise AlreadyExists(f"year: the {year} plan already exists", reason="PLAN_EXISTS")
        await uow.training.insert_plan(plan)
        await uow.audit(AuditEntry.by_caller("training_plan.create", f"trainingPlans/{year}"))
        await uow.commit()
    return plan


async def get_plan(people: People, year: int) -> TrainingPlan:
    async with people.db.unit_of_work() as uow:
        return await _plan(uow, year)


async def list_plans(people: People, size: int, token: str) -> tuple[list[TrainingPlan], str]:
    position = decode_token(token, {"before": int})
    limit = page_size(size)
    async with people.db.unit_of_work() as uow:
        plans = await uow.training.plans(int(position["before"]) if position else None, limit + 1)
    more = len(plans) > limit
    plans = plans[:limit]
    return plans, encode_token({"before": plans[-1].year}) if more else ""


async def _change_plan(
    people: People, year: int, action: str, change: Callable[[TrainingPlan], TrainingPlan]
) -> TrainingPlan:
    async with people.db.unit_of_work() as uow:
        before = await _plan(uow, year, for_update=True)
        after = change(before)
        await uow.training.save_plan(before, after)
        await uow.audit(AuditEntry.by_caller(action, f"trainingPlans/{year}"))
        await uow.commit()
    return after


async def add_course(people: People, year: int, course: Course) -> TrainingPlan:
    return await _change_plan(
        people, year, "training_plan.add_course", lambda p: p.add_course(course)
    )


async def schedule_training(people: People, year: int, entry: ScheduledTraining) -> TrainingPlan:
    if entry.trainer.employee_code:
        await _require_employee(people, entry.trainer.employee_code, "trainer.employee_code")
    return await _change_plan(
        people, year, "training_plan.schedule", lambda p: p.schedule_training(entry)
    )


async def approve_plan(people: People, year: int) -> TrainingPlan:
    now = people.clock.now()
    return await _change_plan(
        people, year, "training_plan.approve", lambda p: p.approve(actor(), now)
    )


async def close_plan(people: People, year: int) -> TrainingPlan:
    now = people.clock.now()
    return await _change_plan(people, year, "training_plan.close", lambda p: p.close(now))


async def completion_report(people: People, year: int) -> PlanCompletionReport:
    async with people.db.unit_of_work() as uow:
        plan = await _plan(uow, year)
        sessions = await uow.training.sessions(plan_year=year)
    return plan_completion_report(plan, sessions, as_of=people.clock.now())


async def _require_employee(people: People, code: str, field_path: str) -> None:
    async with people.db.unit_of_work() as uow:
        if not await uow.employees.exists(code):
            raise NotFound(f"{field_path}: no employee {code!r}", reason="EMPLOYEE_NOT_FOUND")


# ---- sessions ---------------------------------------------------------------------------------


async def _session(
    uow: PeopleUnitOfWork, session_id: str, *, for_update: bool = False
) -> TrainingSession:
    session = await uow.training.session(session_id, for_update=for_update)
    if session is None:
        raise NotFound(
            f"session_id: no training session {session_id!r}", reason="SESSION_NOT_FOUND"
        )
    return session


async def create_session(
    people: People,
    *,
    session_id: str,
    plan_year: int,
    course_code: str,
    trainer: Trainer,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    cost: Money | None,
) -> TrainingSession:
    if trainer.employee_code:
        await _require_employee(people, trainer.employee_code, "trainer.employee_code")
    async with people.db.unit_of_work() as uow:
        plan = await _plan(uow, plan_year)
        session = TrainingSession.schedule(
            session_id=session_id,
            plan=plan,
            course_code=course_code,
            trainer=trainer,
            starts_at=starts_at,
            ends_at=ends_at,
            capacity=capacity,
            cost=cost,
        )
        if await uow.training.session(session_id) is not None:
            raise AlreadyExists(
                f"session_id: session {session_id} already exists", reason="SESSION_EXISTS"
            )
        await uow.training.insert_session(session, actor())
        await uow.audit(
            AuditEntry.by_caller("training_session.create", f"trainingSessions/{session_id}")
        )
        await uow.commit()
    return session


async def get_session(people: People, session_id: str) -> TrainingSession:
    async with people.db.unit_of_work() as uow:
        return await _session(uow, session_id)


async def list_sessions(
    people: People, *, plan_year: int, course_code: str, size: int, token: str
) -> tuple[list[TrainingSession], str]:
    position = decode_token(token, {"starts_at": datetime, "session_id": str})
    after = (position["starts_at"], position["session_id"]) if position else None
    limit = page_size(size)
    async with people.db.unit_of_work() as uow:
        sessions = await uow.training.sessions(
            plan_year=plan_year, course_code=course_code, after=after, limit=limit + 1
        )
    more = len(sessions) > limit
    sessions = sessions[:limit]
    token_out = (
        encode_token(
            {"starts_at": sessions[-1].starts_at.isoformat(), "session_id": sessions[-1].session_id}
        )
        if more
        else ""
    )
    return sessions, token_out


async def cancel_session(people: People, session_id: str) -> TrainingSession:
    now = people.clock.now()
    async with people.db.unit_of_work() as uow:
        session = (await _session(uow, session_id, for_update=True)).cancel(now)
        await uow.training.set_status(session_id, session.status)
        await uow.audit(
            AuditEntry.by_caller("training_session.cancel", f"trainingSessions/{session_id}")
        )
        await uow.commit()
    return session


def _participant(who: Viewer, employee_code: str) -> str:
    """The employee an enrolment call is about: the caller, or someone else for a manager."""
    code = employee_code or who.code
    if code is None:
        raise InvalidArgument.for_field("employee_code", "required when a service calls")
    if code != who.code and not who.can(MANAGE_TRAINING):
        raise PermissionDenied(
            f"you may enrol or withdraw only yourself; {MANAGE_TRAINING} is needed for {code}",
            reason="NOT_SELF",
        )
    return code


async def enrol(people: People, session_id: str, employee_code: str) -> Enrolment:
    code = _participant(Viewer.current(), employee_code)
    now = people.clock.now()
    async with people.db.unit_of_work() as uow:
        session = await _session(uow, session_id)
        employee = await employee_or_404(uow, code, await today(uow, now))

        def check(enrolled: int) -> None:
            check_can_enrol(
                session_id=session_id,
                starts_at=session.starts_at,
                capacity=session.capacity,
                cancelled=session.status is SessionStatus.CANCELLED,
                employee_code=code,
                employee_status=employee.employee.status,
                already_enrolled=session.is_enrolled(code),
                enrolled_count=enrolled,
                now=now,
                policy=people.policies.enrolment,
            )

        check(len(session.enrolments))
        if not await uow.training.take_place(session_id):
            check(session.capacity)  # full since we looked: SESSION_FULL
        enrolment = Enrolment(code, now)
        try:
            await uow.training.add_enrolment(session_id, enrolment)
        except sqlalchemy.exc.IntegrityError as exc:  # a concurrent call enrolled them first
            raise AlreadyExists(
                f"{code} is already enrolled in session {session_id}", reason="ALREADY_ENROLLED"
            ) from exc
        await uow.commit()
    return enrolment


async def withdraw(people: People, session_id: str, employee_code: str) -> None:
    code = _participant(Viewer.current(), employee_code)
    now = people.clock.now()
    async with people.db.unit_of_work() as uow:
        session = await _session(uow, session_id, for_update=True)
        session.withdraw(code, now)
        await uow.training.remove_enrolment(session_id, code)
        await uow.training.give_back_place(session_id)
        await uow.commit()


async def record_attendance(
    people: People, session_id: str, codes: Sequence[str]
) -> TrainingSession:
    now = people.clock.now()
    async with people.db.unit_of_work() as uow:
        session = await _session(uow, session_id, for_update=True)
        new = []
        for code in codes:
            if code in session.attendees:
                continue  # recording someone present twice changes nothing
            session = session.record_attendance(code, now)
            new.append(code)
        await uow.training.add_attendees(session_id, new, actor())
        await uow.commit()
    return session


async def record_assessment(
    people: People, session_id: str, employee_code: str, score: Decimal
) -> tuple[TrainingSession, Assessment]:
    now = people.clock.now()
    assessor = Viewer.current().code
    async with people.db.unit_of_work() as uow:
        session = await _session(uow, session_id, for_update=True)
        session = session.record_assessment(employee_code, score, now, assessor)
        assessment = session.assessments[-1]
        await uow.training.add_assessment(session_id, assessment)
        await uow.audit(
            AuditEntry.by_caller(
                "training.assess",
                f"trainingSessions/{session_id}/assessments/{employee_code}",
                subject=employee_code,
                category=DataCategory.APPRAISAL.value,
                details={"passed": str(assessment.passed).lower()},
            )
        )
        uow.publish(employee_code, _result_event(session, assessment))
        await uow.commit()
    return session, assessment


def _result_event(session: TrainingSession, a: Assessment) -> ev.TrainingResultRecorded:
    return ev.TrainingResultRecorded(
        employee_code=a.employee_code,
        session_id=session.session_id,
        plan_year=session.plan_year,
        course_code=session.course.code,
        course_title=session.course.title,
        category=session.course.category.value,
        kind=a.kind.value,
        score=f"{a.score.normalize():f}",
        pass_mark=f"{a.pass_mark.normalize():f}",
        passed=a.passed,
        hours=f"{session.hours:f}",
        assess_time=to_timestamp(a.assessed_at),
    )


@dataclass(frozen=True)
class Ratings:
    usefulness: int
    format: int
    trainer: int
    comment: str


async def submit_feedback(people: People, session_id: str, ratings: Ratings) -> Feedback:
    code = Viewer.current().code
    if code is None:
        raise PermissionDenied("feedback comes from attendees (employees)", reason="NOT_SELF")
    now = people.clock.now()
    async with people.db.unit_of_work() as uow:
        session = await _session(uow, session_id, for_update=True)
        session = session.submit_feedback(
            code,
            usefulness=ratings.usefulness,
            format=ratings.format,
            trainer=ratings.trainer,
            comment=ratings.comment,
            now=now,
            policy=people.policies.enrolment,
        )
        feedback = session.feedback[-1]
        await uow.training.add_feedback(session_id, feedback)
        await uow.commit()
    return feedback


async def get_training_record(people: People, code: str) -> TrainingRecord:
    """Training results feed the appraisal: the appraisal confidentiality rule applies."""
    async with people.db.unit_of_work() as uow:
        await employee_or_404(uow, code, await today(uow, people.clock.now()))
        lines = await uow.employees.reporting_lines()
        decision = decide(Viewer.current(), code, DataCategory.APPRAISAL, lines, people.policies)
        await require_visible(
            people, uow, decision, "training_record.read", f"employees/{code}/trainingRecord"
        )
        sessions = await uow.training.sessions(employee_code=code)
        await uow.commit()
    return training_record(code, sessions)
