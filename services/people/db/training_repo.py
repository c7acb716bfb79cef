"""Training plans and sessions: rows ↔ `domain.training_plans` / `domain.training_sessions`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from services.common.money import Money
from services.people.db import tables as t
from services.people.domain.training_courses import (
    AssessmentKind,
    Course,
    CourseCategory,
    Trainer,
    TrainingMode,
)
from services.people.domain.training_plans import PlanStatus, ScheduledTraining, TrainingPlan
from services.people.domain.training_sessions import (
    Assessment,
    Enrolment,
    Feedback,
    SessionStatus,
    TrainingSession,
)


class TrainingRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    # ---- plans ---------------------------------------------------------------------------

    async def plan(self, year: int, *, for_update: bool = False) -> TrainingPlan | None:
        statement = sa.select(t.training_plans).where(t.training_plans.c.year == year)
        if for_update:
            statement = statement.with_for_update()
        row = (await self._c.execute(statement)).mappings().first()
        if row is None:
            return None
        plans = await self._assemble([row])
        return plans[0]

    async def plans(self, before_year: int | None, limit: int) -> list[TrainingPlan]:
        statement = (
            sa.select(t.training_plans).order_by(t.training_plans.c.year.desc()).limit(limit)
        )
        if before_year is not None:
            statement = statement.where(t.training_plans.c.year < before_year)
        rows = list((await self._c.execute(statement)).mappings())
        return await self._assemble(rows)

    async def _assemble(self, rows: Sequence[Any]) -> list[TrainingPlan]:
        years = [r["year"] for r in rows]
        courses: dict[int, list[Course]] = {}
        c = t.training_courses.c
        for course in (
            await self._c.execute(
                sa.select(t.training_courses).where(c.plan_year.in_(years)).order_by(c.seq)
            )
        ).mappings():
            courses.setdefault(course["plan_year"], []).append(_course(course))
        schedule: dict[int, list[ScheduledTraining]] = {}
        s = t.training_schedule.c
        for entry in (
            await self._c.execute(
                sa.select(t.training_schedule).where(s.plan_year.in_(years)).order_by(s.id)
            )
        ).mappings():
            schedule.setdefault(entry["plan_year"], []).append(
                ScheduledTraining(entry["course_code"], entry["planned_date"], _trainer(entry))
            )
        return [
            TrainingPlan(
                year=r["year"],
                title=r["title"],
                goals=tuple(r["goals"]),
                budget=Money(r["budget_minor"], r["budget_currency"]),
                evaluation_method=r["evaluation_method"],
                courses=tuple(courses.get(r["year"], ())),
                schedule=tuple(schedule.get(r["year"], ())),
                status=PlanStatus(r["status"]),
                approved_by=r["approved_by"],
                approved_at=r["approved_at"],
                closed_at=r["closed_at"],
            )
            for r in rows
        ]

    async def insert_plan(self, plan: TrainingPlan) -> None:
        await self._c.execute(
            t.training_plans.insert().values(
                year=plan.year,
                title=plan.title,
                goals=list(plan.goals),
                budget_minor=plan.budget.amount_minor,
                budget_currency=plan.budget.currency,
                evaluation_method=plan.evaluation_method,
                status=plan.status.value,
            )
        )

    async def save_plan(self, before: TrainingPlan, after: TrainingPlan) -> None:
        """Write what changed between two versions of a plan (courses and schedule only grow)."""
        await self._c.execute(
            t.training_plans.update()
            .where(t.training_plans.c.year == after.year)
            .values(
                status=after.status.value,
                approved_by=after.approved_by,
                approved_at=after.approved_at,
                closed_at=after.closed_at,
                updated_at=sa.func.now(),
            )
        )
        for seq, course in enumerate(after.courses[len(before.courses) :], len(before.courses)):
            await self._c.execute(
                t.training_courses.insert().values(
                    plan_year=after.year,
                    code=course.code,
                    seq=seq,
                    title=course.title,
                    category=course.category.value,
                    mode=course.mode.value,
                    assessment_kind=course.assessment_kind.value,
                    pass_mark=course.pass_mark,
                )
            )
        for entry in after.schedule[len(before.schedule) :]:
            await self._c.execute(
                t.training_schedule.insert().values(
                    plan_year=after.year,
                    course_code=entry.course_code,
                    planned_date=entry.planned_date,
                    **_trainer_columns(entry.trainer),
                )
            )

    # ---- sessions --------------------------------------------------------------------------

    async def session(self, session_id: str, *, for_update: bool = False) -> TrainingSession | None:
        found = await self.sessions(session_ids=[session_id], for_update=for_update)
        return found[0] if found else None

    async def sessions(
        self,
        *,
        session_ids: Sequence[str] | None = None,
        plan_year: int = 0,
        course_code: str = "",
        employee_code: str = "",
        after: tuple[datetime, str] | None = None,
        limit: int = 100_000,
        for_update: bool = False,
    ) -> list[TrainingSession]:
        s = t.training_sessions.c
        c = t.training_courses.c
        course_columns = (c.code, c.title, c.category, c.mode, c.assessment_kind, c.pass_mark)
        statement = (
            sa.select(t.training_sessions, *course_columns)
            .join(
                t.training_courses,
                sa.and_(
                    t.training_courses.c.plan_year == s.plan_year,
                    t.training_courses.c.code == s.course_code,
                ),
            )
            .order_by(s.starts_at, s.session_id)
            .limit(limit)
        )
        if session_ids is not None:
            statement = statement.where(s.session_id.in_(list(session_ids)))
        if plan_year:
            statement = statement.where(s.plan_year == plan_year)
        if course_code:
            statement = statement.where(s.course_code == course_code)
        if employee_code:
            enrolled = sa.select(t.training_enrolments.c.session_id).where(
                t.training_enrolments.c.employee_code == employee_code
            )
            statement = statement.where(s.session_id.in_(enrolled))
        if after is not None:
            statement = statement.where(sa.tuple_(s.starts_at, s.session_id) > sa.tuple_(*after))
        if for_update:
            statement = statement.with_for_update(of=t.training_sessions)
        rows = list((await self._c.execute(statement)).mappings())
        return await self._sessions(rows)

    async def _sessions(self, rows: Sequence[Any]) -> list[TrainingSession]:
        ids = [r["session_id"] for r in rows]
        enrolments = await self._grouped(t.training_enrolments, ids, "enrolled_at")
        attendance = await self._grouped(t.training_attendance, ids, "recorded_at")
        assessments = await self._grouped(t.training_assessments, ids, "assessed_at")
        feedback = await self._grouped(t.training_feedback, ids, "submitted_at")
        sessions = []
        for r in rows:
            sid = r["session_id"]
            cost = None if r["cost_minor"] is None else Money(r["cost_minor"], r["cost_currency"])
            sessions.append(
                TrainingSession(
                    session_id=sid,
                    plan_year=r["plan_year"],
                    course=_course(r),
                    trainer=_trainer(r),
                    starts_at=r["starts_at"],
                    ends_at=r["ends_at"],
                    capacity=r["capacity"],
                    cost=cost,
                    status=SessionStatus(r["status"]),
                    enrolments=tuple(
                        Enrolment(e["employee_code"], e["enrolled_at"])
                        for e in enrolments.get(sid, ())
                    ),
                    attendees=frozenset(a["employee_code"] for a in attendance.get(sid, ())),
                    assessments=tuple(
                        Assessment(
                            employee_code=a["employee_code"],
                            kind=AssessmentKind(a["kind"]),
                            score=Decimal(a["score"]),
                            pass_mark=Decimal(a["pass_mark"]),
                            assessed_at=a["assessed_at"],
                            assessor_code=a["assessor_code"],
                        )
                        for a in assessments.get(sid, ())
                    ),
                    feedback=tuple(
                        Feedback(
                            f["employee_code"],
                            f["usefulness"],
                            f["format"],
                            f["trainer"],
                            f["comment"],
                            f["submitted_at"],
                        )
                        for f in feedback.get(sid, ())
                    ),
                )
            )
        return sessions

    async def _grouped(
        self, table: sa.Table, session_ids: Iterable[str], order: str
    ) -> dict[str, list[Any]]:
        rows = await self._c.execute(
            sa.select(table)
            .where(table.c.session_id.in_(list(session_ids)))
            .order_by(table.c[order], table.c.employee_code)
        )
        grouped: dict[str, list[Any]] = {}
        for row in rows.mappings():
            grouped.setdefault(row["session_id"], []).append(row)
        return grouped

    async def insert_session(self, session: TrainingSession, created_by: str) -> None:
        await self._c.execute(
            t.training_sessions.insert().values(
                session_id=session.session_id,
                plan_year=session.plan_year,
                course_code=session.course.code,
                starts_at=session.starts_at,
                ends_at=session.ends_at,
                capacity=session.capacity,
                cost_minor=None if session.cost is None else session.cost.amount_minor,
                cost_currency=None if session.cost is None else session.cost.currency,
                status=session.status.value,
                created_by=created_by,
                **_trainer_columns(session.trainer),
            )
        )

    async def set_status(self, session_id: str, status: SessionStatus) -> None:
        await self._c.execute(
            t.training_sessions.update()
            .where(t.training_sessions.c.session_id == session_id)
            .values(status=status.value, updated_at=sa.func.now())
        )

    async def take_place(self, session_id: str) -> bool:
        """One conditional statement: a place is taken only while one is free. Concurrent
        enrolments queue on the row, so exactly `capacity` of them can succeed."""
        s = t.training_sessions.c
        result = await self._c.execute(
            t.training_sessions.update()
            .where(s.session_id == session_id, s.enrolled_count < s.capacity)
            .values(enrolled_count=s.enrolled_count + 1, updated_at=sa.func.now())
            .returning(s.session_id)
        )
        return result.first() is not None

    async def give_back_place(self, session_id: str) -> None:
        s = t.training_sessions.c
        await self._c.execute(
            t.training_sessions.update()
            .where(s.session_id == session_id)
            .values(enrolled_count=s.enrolled_count - 1, updated_at=sa.func.now())
        )

    async def enrolled_count(self, session_id: str) -> int:
        s = t.training_sessions.c
        row = await self._c.execute(sa.select(s.enrolled_count).where(s.session_id == session_id))
        return int(row.scalar_one())

    async def is_enrolled(self, session_id: str, employee_code: str) -> bool:
        e = t.training_enrolments.c
        row = await self._c.execute(
            sa.select(e.session_id).where(
                e.session_id == session_id, e.employee_code == employee_code
            )
        )
        return row.first() is not None

    async def add_enrolment(self, session_id: str, enrolment: Enrolment) -> None:
        await self._c.execute(
            t.training_enrolments.insert().values(
                session_id=session_id,
                employee_code=enrolment.employee_code,
                enrolled_at=enrolment.enrolled_at,
            )
        )

    async def remove_enrolment(self, session_id: str, employee_code: str) -> None:
        e = t.training_enrolments.c
        await self._c.execute(
            t.training_enrolments.delete().where(
                e.session_id == session_id, e.employee_code == employee_code
            )
        )

    async def add_attendees(self, session_id: str, codes: Iterable[str], by: str) -> None:
        rows = [{"session_id": session_id, "employee_code": c, "recorded_by": by} for c in codes]
        if rows:
            await self._c.execute(t.training_attendance.insert(), rows)

    async def add_assessment(self, session_id: str, assessment: Assessment) -> None:
        await self._c.execute(
            t.training_assessments.insert().values(
                session_id=session_id,
                employee_code=assessment.employee_code,
                kind=assessment.kind.value,
                score=assessment.score,
                pass_mark=assessment.pass_mark,
                assessor_code=assessment.assessor_code,
                assessed_at=assessment.assessed_at,
            )
        )

    async def add_feedback(self, session_id: str, feedback: Feedback) -> None:
        await self._c.execute(
            t.training_feedback.insert().values(
                session_id=session_id,
                employee_code=feedback.employee_code,
                usefulness=feedback.usefulness,
                format=feedback.format,
                trainer=feedback.trainer,
                comment=feedback.comment,
                submitted_at=feedback.submitted_at,
            )
        )


def _course(row: Any) -> Course:
    return Course(
        code=row["code"],
        title=row["title"],
        category=CourseCategory(row["category"]),
        mode=TrainingMode(row["mode"]),
        assessment_kind=AssessmentKind(row["assessment_kind"]),
        pass_mark=Decimal(row["pass_mark"]),
    )


def _trainer(row: Any) -> Trainer:
    return Trainer(
        name=row["trainer_name"],
        employee_code=row["trainer_employee_code"],
        organisation=row["trainer_organisation"],
    )


def _trainer_columns(trainer: Trainer) -> dict[str, Any]:
    return {
        "trainer_name": trainer.name,
        "trainer_employee_code": trainer.employee_code,
        "trainer_organisation": trainer.organisation,
    }
