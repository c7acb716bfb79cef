"""Annual training plans: DRAFT → APPROVED → CLOSED.

Seed 000 §五(一): "每年年初制定...年度培训计划", containing goals, courses, schedule, trainers and
the evaluation of results; seed 002 §六(四) has HR draw it up. Choices:
- a plan is edited only while DRAFT; approval freezes it (sessions are then scheduled against
  it) and requires at least one goal, one course and one scheduled training;
- scheduled trainings must fall in the plan's year and name a course of the plan;
- the approver is recorded for the audit; who may approve is the `people.training.approve`
  permission's business (GM office and operations director by default).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum

from services.common.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound
from services.common.money import Money
from services.people.domain.training_courses import Course, Trainer
from services.people.domain.validation import require_aware, validate_text


class PlanStatus(StrEnum):
    DRAFT = "DRAFT"
    APPROVED = "APPROVED"
    CLOSED = "CLOSED"


@dataclass(frozen=True)
class ScheduledTraining:
    """One planned session of a course: when and by whom."""

    course_code: str
    planned_date: date
    trainer: Trainer


@dataclass(frozen=True)
class TrainingPlan:
    """The year's training plan."""

    year: int
    title: str
    goals: tuple[str, ...]
    budget: Money
    evaluation_method: str
    courses: tuple[Course, ...] = ()
    schedule: tuple[ScheduledTraining, ...] = ()
    status: PlanStatus = PlanStatus.DRAFT
    approved_by: str | None = None
    approved_at: datetime | None = None
    closed_at: datetime | None = None

    @classmethod
    def draft(
        cls,
        *,
        year: int,
        title: str,
        goals: Iterable[str],
        budget: Money,
        evaluation_method: str,
    ) -> TrainingPlan:
        """A new DRAFT plan."""
        if not 2000 <= year <= 2100:
            raise InvalidArgument.for_field(
                "year", "must be a calendar year such as 2025", reason="INVALID_YEAR"
            )
        if budget.is_negative:
            raise InvalidArgument.for_field(
                "budget", "must not be negative", reason="NEGATIVE_BUDGET"
            )
        return cls(
            year=year,
            title=validate_text(title, field_path="title", max_length=200),
            goals=tuple(
                validate_text(g, field_path=f"goals[{i}]", max_length=500)
                for i, g in enumerate(goals)
            ),
            budget=budget,
            evaluation_method=validate_text(
                evaluation_method, field_path="evaluation_method", max_length=1000
            ),
        )

    @property
    def trainers(self) -> tuple[Trainer, ...]:
        """Distinct trainers of the schedule, in order of first appearance."""
        return tuple(dict.fromkeys(entry.trainer for entry in self.schedule))

    def course(self, code: str) -> Course:
        """The plan's course `code`, or NotFound."""
        for course in self.courses:
            if course.code == code:
                return course
        raise NotFound(
            f"course_code: the {self.year} plan has no course {code!r}",
            reason="COURSE_NOT_FOUND",
        )

    def add_course(self, course: Course) -> TrainingPlan:
        """This DRAFT plan with `course` added."""
        self._require_draft()
        if any(c.code == course.code for c in self.courses):
            raise AlreadyExists(
                f"the {self.year} plan already has a course {course.code!r}",
                reason="COURSE_EXISTS",
            )
        return replace(self, courses=(*self.courses, course))

    def schedule_training(self, entry: ScheduledTraining) -> TrainingPlan:
        """This DRAFT plan with one more planned session."""
        self._require_draft()
        self.course(entry.course_code)
        if entry.planned_date.year != self.year:
            raise InvalidArgument.for_field(
                "planned_date",
                f"must be in the plan's year {self.year}",
                reason="OUTSIDE_PLAN_YEAR",
            )
        return replace(self, schedule=(*self.schedule, entry))

    def approve(self, approver_code: str, now: datetime) -> TrainingPlan:
        """DRAFT → APPROVED, once the plan has goals, courses and a schedule."""
        require_aware(now, "now")
        self._require_draft()
        missing = [
            name
            for name, value in (
                ("goals", self.goals),
                ("courses", self.courses),
                ("schedule", self.schedule),
            )
            if not value
        ]
        if missing:
            raise FailedPrecondition(
                f"the {self.year} plan cannot be approved without {', '.join(missing)}; "
                "add them first",
                reason="PLAN_INCOMPLETE",
            )
        return replace(self, status=PlanStatus.APPROVED, approved_by=approver_code, approved_at=now)

    def close(self, now: datetime) -> TrainingPlan:
        """APPROVED → CLOSED at the end of the year's training."""
        require_aware(now, "now")
        if self.status is not PlanStatus.APPROVED:
            raise FailedPrecondition(
                f"only an approved plan can be closed; the {self.year} plan is {self.status.value}",
                reason="PLAN_NOT_APPROVED",
            )
        return replace(self, status=PlanStatus.CLOSED, closed_at=now)

    def require_approved(self) -> None:
        """Sessions are scheduled only against an approved plan."""
        if self.status is not PlanStatus.APPROVED:
            raise FailedPrecondition(
                f"the {self.year} plan is {self.status.value}; sessions can be scheduled only "
                "while it is APPROVED",
                reason="PLAN_NOT_APPROVED",
            )

    def _require_draft(self) -> None:
        if self.status is not PlanStatus.DRAFT:
            raise FailedPrecondition(
                f"the {self.year} plan is {self.status.value} and can no longer be edited",
                reason="PLAN_NOT_DRAFT",
            )
