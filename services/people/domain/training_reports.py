"""Training records per employee and the plan-completion report.

Seed 004 培训与发展制度 4: every employee has a training file (sessions, results, feedback) that
feeds appraisal and career decisions; seed 000 §五(三) asks for the effect of training to be
evaluated and the plan adjusted.

Arithmetic: rates are fractions (0.8333 = 83.33%) quantised to 4 decimal places, averages of
1-5 ratings to 2, hours to 2, all ROUND_HALF_UP (the commercial rounding used for money in
China); a rate with nothing to divide by is None, not zero, so "no data" is not read as 0%.
Definitions: a session is *held* when not cancelled and ended by `as_of`; attendance rate =
attendees / enrolments of held sessions; pass rate = passed / assessed; budget used = cost of
held sessions; completion rate = held sessions / planned sessions of the plan's schedule.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from fractions import Fraction

from services.common.money import Money, quantize_half_up
from services.people.domain.training_courses import CourseCategory, TrainingMode
from services.people.domain.training_plans import TrainingPlan
from services.people.domain.training_sessions import SessionStatus, TrainingSession
from services.people.domain.validation import require_aware

_RATE_PLACES = 4
_AVERAGE_PLACES = 2


def ratio(
    numerator: int | Decimal, denominator: int | Decimal, places: int = _RATE_PLACES
) -> Decimal | None:
    """numerator / denominator, ROUND_HALF_UP to `places`; None when the denominator is 0."""
    if denominator == 0:
        return None
    return quantize_half_up(Fraction(numerator) / Fraction(denominator), places)


@dataclass(frozen=True)
class TrainingRecordEntry:
    """One session in an employee's training file."""

    session_id: str
    course_code: str
    course_title: str
    category: CourseCategory
    mode: TrainingMode
    starts_at: datetime
    attended: bool
    hours: Decimal
    score: Decimal | None
    passed: bool | None


@dataclass(frozen=True)
class TrainingRecord:
    """An employee's training file: every non-cancelled session they enrolled in."""

    employee_code: str
    entries: tuple[TrainingRecordEntry, ...]
    sessions_enrolled: int
    sessions_attended: int
    assessments_taken: int
    assessments_passed: int
    assessments_failed: int
    hours_attended: Decimal


def training_record(employee_code: str, sessions: Iterable[TrainingSession]) -> TrainingRecord:
    """Build `employee_code`'s training file from the sessions (others' sessions ignored)."""
    entries: list[TrainingRecordEntry] = []
    for session in sorted(sessions, key=lambda s: s.starts_at):
        if session.status is SessionStatus.CANCELLED or not session.is_enrolled(employee_code):
            continue
        attended = employee_code in session.attendees
        assessment = next(
            (a for a in session.assessments if a.employee_code == employee_code), None
        )
        entries.append(
            TrainingRecordEntry(
                session_id=session.session_id,
                course_code=session.course.code,
                course_title=session.course.title,
                category=session.course.category,
                mode=session.course.mode,
                starts_at=session.starts_at,
                attended=attended,
                hours=session.hours if attended else Decimal(0),
                score=None if assessment is None else assessment.score,
                passed=None if assessment is None else assessment.passed,
            )
        )
    taken = [e for e in entries if e.passed is not None]
    return TrainingRecord(
        employee_code=employee_code,
        entries=tuple(entries),
        sessions_enrolled=len(entries),
        sessions_attended=sum(1 for e in entries if e.attended),
        assessments_taken=len(taken),
        assessments_passed=sum(1 for e in taken if e.passed),
        assessments_failed=sum(1 for e in taken if not e.passed),
        hours_attended=sum((e.hours for e in entries), Decimal(0)),
    )


@dataclass(frozen=True)
class PlanCompletionReport:
    """How far the year's plan was carried out, and how well."""

    year: int
    as_of: datetime
    sessions_planned: int
    sessions_held: int
    sessions_cancelled: int
    completion_rate: Decimal | None
    enrolments: int
    attendances: int
    attendance_rate: Decimal | None
    assessments: int
    passes: int
    pass_rate: Decimal | None
    feedback_count: int
    average_usefulness: Decimal | None
    average_format: Decimal | None
    average_trainer: Decimal | None
    average_feedback: Decimal | None
    budget: Money
    budget_used: Money
    budget_used_rate: Decimal | None


def plan_completion_report(
    plan: TrainingPlan, sessions: Iterable[TrainingSession], *, as_of: datetime
) -> PlanCompletionReport:
    """The completion report of `plan` as of `as_of` (sessions of other years are ignored)."""
    require_aware(as_of, "as_of")
    mine = [s for s in sessions if s.plan_year == plan.year]
    held = [s for s in mine if s.is_held(as_of)]
    enrolments = sum(len(s.enrolments) for s in held)
    attendances = sum(len(s.attendees) for s in held)
    assessed = [a for s in held for a in s.assessments]
    passes = sum(1 for a in assessed if a.passed)
    feedback = [f for s in held for f in s.feedback]
    used = Money.zero(plan.budget.currency)
    for session in held:
        if session.cost is not None:
            used = used + session.cost
    n = len(feedback)
    usefulness = sum(f.usefulness for f in feedback)
    format_ = sum(f.format for f in feedback)
    trainer = sum(f.trainer for f in feedback)
    return PlanCompletionReport(
        year=plan.year,
        as_of=as_of,
        sessions_planned=len(plan.schedule),
        sessions_held=len(held),
        sessions_cancelled=sum(1 for s in mine if s.status is SessionStatus.CANCELLED),
        completion_rate=ratio(len(held), len(plan.schedule)),
        enrolments=enrolments,
        attendances=attendances,
        attendance_rate=ratio(attendances, enrolments),
        assessments=len(assessed),
        passes=passes,
        pass_rate=ratio(passes, len(assessed)),
        feedback_count=n,
        average_usefulness=ratio(usefulness, n, _AVERAGE_PLACES),
        average_format=ratio(format_, n, _AVERAGE_PLACES),
        average_trainer=ratio(trainer, n, _AVERAGE_PLACES),
        average_feedback=ratio(usefulness + format_ + trainer, 3 * n, _AVERAGE_PLACES),
        budget=plan.budget,
        budget_used=used,
        budget_used_rate=ratio(used.amount_minor, plan.budget.amount_minor),
    )
