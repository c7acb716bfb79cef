"""Training sessions: enrolment, attendance, assessment and feedback.

Rules (seeds 000 §五(三), 004 培训与发展制度 2 and 4):
- a session has a capacity; enrolling when it is full fails with "session full"; enrolling
  twice fails (AlreadyExists); only ACTIVE employees enrol; enrolment closes at the session
  start minus `EnrolmentPolicy.enrolment_closes_before_start` (default 0: up to the start);
- attendance is recorded from the session start, for enrolled employees only;
- each attendee is assessed once (exam, assignment or practical, score 0-100); passed means
  score >= the course's pass mark at the time of assessment;
- feedback (usefulness, format, trainer, each 1-5, plus a comment) comes only from attendees,
  once each, after the session has ended and within `feedback_window` (default 30 days);
- a session may be cancelled before it starts; a cancelled session takes no enrolments.
`check_can_enrol` is the enrolment rule on its own, for handlers that count enrolments in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from services.common.errors import AlreadyExists, FailedPrecondition, InvalidArgument
from services.common.money import Money, quantize_half_up
from services.people.domain.employees import EmploymentStatus
from services.people.domain.training_courses import AssessmentKind, Course, Trainer, validate_score
from services.people.domain.training_plans import TrainingPlan
from services.people.domain.validation import require_aware, validate_text

_HOUR_SECONDS = 3600
_RATING_RANGE = range(1, 6)


@dataclass(frozen=True)
class EnrolmentPolicy:
    """Setting: enrolment cut-off and how long feedback may be given."""

    enrolment_closes_before_start: timedelta = timedelta(0)
    feedback_window: timedelta = timedelta(days=30)


DEFAULT_ENROLMENT_POLICY = EnrolmentPolicy()


class SessionStatus(StrEnum):
    """A session is held when SCHEDULED and over; CANCELLED ones never count."""

    SCHEDULED = "SCHEDULED"
    CANCELLED = "CANCELLED"


@dataclass(frozen=True)
class Enrolment:
    """An employee's place in a session."""

    employee_code: str
    enrolled_at: datetime


@dataclass(frozen=True)
class Assessment:
    """One attendee's result."""

    employee_code: str
    kind: AssessmentKind
    score: Decimal
    pass_mark: Decimal
    assessed_at: datetime
    assessor_code: str | None = None

    @property
    def passed(self) -> bool:
        """Score at or above the pass mark."""
        return self.score >= self.pass_mark


@dataclass(frozen=True)
class Feedback:
    """One attendee's rating of the session (seed 000: 实用性, 方式满意度, 讲师表现)."""

    employee_code: str
    usefulness: int
    format: int
    trainer: int
    comment: str
    submitted_at: datetime


def check_can_enrol(
    *,
    session_id: str,
    starts_at: datetime,
    capacity: int,
    cancelled: bool,
    employee_code: str,
    employee_status: EmploymentStatus,
    already_enrolled: bool,
    enrolled_count: int,
    now: datetime,
    policy: EnrolmentPolicy = DEFAULT_ENROLMENT_POLICY,
) -> None:
    """Raise the first enrolment rule `employee_code` breaks for this session."""
    require_aware(now, "now")
    if employee_status is not EmploymentStatus.ACTIVE:
        raise FailedPrecondition(
            f"{employee_code} is not an active employee and cannot enrol",
            reason="EMPLOYEE_NOT_ACTIVE",
        )
    if cancelled:
        raise FailedPrecondition(
            f"session {session_id} was cancelled; choose another session",
            reason="SESSION_CANCELLED",
        )
    if already_enrolled:
        raise AlreadyExists(
            f"{employee_code} is already enrolled in session {session_id}",
            reason="ALREADY_ENROLLED",
        )
    if now >= starts_at - policy.enrolment_closes_before_start:
        raise FailedPrecondition(
            f"enrolment for session {session_id} has closed (it starts "
            f"{starts_at.isoformat()}); choose a later session",
            reason="ENROLMENT_CLOSED",
        )
    if enrolled_count >= capacity:
        raise FailedPrecondition(
            f"session full: all {capacity} places of session {session_id} are taken; "
            "choose another session",
            reason="SESSION_FULL",
        )


@dataclass(frozen=True)
class TrainingSession:
    """One session of a course of the year's plan, with its roster and results."""

    session_id: str
    plan_year: int
    course: Course
    trainer: Trainer
    starts_at: datetime
    ends_at: datetime
    capacity: int
    cost: Money | None = None
    status: SessionStatus = SessionStatus.SCHEDULED
    enrolments: tuple[Enrolment, ...] = ()
    attendees: frozenset[str] = frozenset()
    assessments: tuple[Assessment, ...] = ()
    feedback: tuple[Feedback, ...] = ()

    @classmethod
    def schedule(
        cls,
        *,
        session_id: str,
        plan: TrainingPlan,
        course_code: str,
        trainer: Trainer,
        starts_at: datetime,
        ends_at: datetime,
        capacity: int,
        cost: Money | None = None,
    ) -> TrainingSession:
        """A new session of a course of an APPROVED plan."""
        plan.require_approved()
        course = plan.course(course_code)
        require_aware(starts_at, "starts_at")
        require_aware(ends_at, "ends_at")
        if ends_at <= starts_at:
            raise InvalidArgument.for_field(
                "ends_at", "must be after starts_at", reason="INVALID_RANGE"
            )
        if capacity < 1:
            raise InvalidArgument.for_field(
                "capacity", "must be at least 1", reason="INVALID_CAPACITY"
            )
        if cost is not None and (cost.is_negative or cost.currency != plan.budget.currency):
            raise InvalidArgument.for_field(
                "cost",
                f"must be a non-negative amount in {plan.budget.currency}",
                reason="INVALID_COST",
            )
        return cls(
            session_id=validate_text(session_id, field_path="session_id", max_length=64),
            plan_year=plan.year,
            course=course,
            trainer=trainer,
            starts_at=starts_at,
            ends_at=ends_at,
            capacity=capacity,
            cost=cost,
        )

    @property
    def hours(self) -> Decimal:
        """Length of the session in hours, to 0.01 (ROUND_HALF_UP)."""
        seconds = (self.ends_at - self.starts_at) // timedelta(seconds=1)
        return quantize_half_up(Fraction(seconds, _HOUR_SECONDS), 2)

    def is_enrolled(self, employee_code: str) -> bool:
        """True when `employee_code` holds a place."""
        return any(e.employee_code == employee_code for e in self.enrolments)

    def is_held(self, as_of: datetime) -> bool:
        """Not cancelled and over by `as_of`."""
        return self.status is SessionStatus.SCHEDULED and self.ends_at <= as_of

    def enrol(
        self,
        employee_code: str,
        employee_status: EmploymentStatus,
        now: datetime,
        policy: EnrolmentPolicy = DEFAULT_ENROLMENT_POLICY,
    ) -> TrainingSession:
        """This session with `employee_code` enrolled."""
        check_can_enrol(
            session_id=self.session_id,
            starts_at=self.starts_at,
            capacity=self.capacity,
            cancelled=self.status is SessionStatus.CANCELLED,
            employee_code=employee_code,
            employee_status=employee_status,
            already_enrolled=self.is_enrolled(employee_code),
            enrolled_count=len(self.enrolments),
            now=now,
            policy=policy,
        )
        return replace(self, enrolments=(*self.enrolments, Enrolment(employee_code, now)))

    def withdraw(self, employee_code: str, now: datetime) -> TrainingSession:
        """This session without `employee_code`, which frees a place; only before the start."""
        require_aware(now, "now")
        if not self.is_enrolled(employee_code):
            raise FailedPrecondition(
                f"{employee_code} is not enrolled in session {self.session_id}",
                reason="NOT_ENROLLED",
            )
        if now >= self.starts_at:
            raise FailedPrecondition(
                f"session {self.session_id} has started; withdrawal is no longer possible",
                reason="SESSION_STARTED",
            )
        kept = tuple(e for e in self.enrolments if e.employee_code != employee_code)
        return replace(self, enrolments=kept)

    def cancel(self, now: datetime) -> TrainingSession:
        """SCHEDULED → CANCELLED before the start."""
        require_aware(now, "now")
        if self.status is SessionStatus.CANCELLED:
            return self
        if now >= self.starts_at:
            raise FailedPrecondition(
                f"session {self.session_id} has started and cannot be cancelled",
                reason="SESSION_STARTED",
            )
        return replace(self, status=SessionStatus.CANCELLED)

    def record_attendance(self, employee_code: str, now: datetime) -> TrainingSession:
        """This session with `employee_code` marked present (idempotent)."""
        require_aware(now, "now")
        self._require_running_or_over(now, "attendance")
        if not self.is_enrolled(employee_code):
            raise FailedPrecondition(
                f"{employee_code} is not enrolled in session {self.session_id}; only enrolled "
                "employees are marked present",
                reason="NOT_ENROLLED",
            )
        return replace(self, attendees=self.attendees | {employee_code})

    def record_assessment(
        self,
        employee_code: str,
        score: Decimal,
        now: datetime,
        assessor_code: str | None = None,
    ) -> TrainingSession:
        """This session with the attendee's one assessment."""
        require_aware(now, "now")
        self._require_attendee(employee_code, "assessed")
        validate_score(score, "score")
        if any(a.employee_code == employee_code for a in self.assessments):
            raise AlreadyExists(
                f"{employee_code} already has an assessment for session {self.session_id}",
                reason="ALREADY_ASSESSED",
            )
        assessment = Assessment(
            employee_code, self.course.assessment_kind, score, self.course.pass_mark, now,
            assessor_code,
        )  # fmt: skip
        return replace(self, assessments=(*self.assessments, assessment))

    def submit_feedback(
        self,
        employee_code: str,
        *,
        usefulness: int,
        format: int,
        trainer: int,
        comment: str,
        now: datetime,
        policy: EnrolmentPolicy = DEFAULT_ENROLMENT_POLICY,
    ) -> TrainingSession:
        """This session with the attendee's one feedback."""
        require_aware(now, "now")
        self._require_attendee(employee_code, "asked for feedback")
        if now < self.ends_at:
            raise FailedPrecondition(
                f"session {self.session_id} has not ended; give feedback afterwards",
                reason="SESSION_NOT_ENDED",
            )
        if now > self.ends_at + policy.feedback_window:
            raise FailedPrecondition(
                f"feedback for session {self.session_id} closed "
                f"{(self.ends_at + policy.feedback_window).isoformat()}",
                reason="FEEDBACK_CLOSED",
            )
        for name, value in (("usefulness", usefulness), ("format", format), ("trainer", trainer)):
            if isinstance(value, bool) or value not in _RATING_RANGE:
                raise InvalidArgument.for_field(
                    name, "must be a whole number from 1 to 5", reason="RATING_OUT_OF_RANGE"
                )
        text = validate_text(comment, field_path="comment", max_length=2000, required=False)
        if any(f.employee_code == employee_code for f in self.feedback):
            raise AlreadyExists(
                f"{employee_code} already gave feedback on session {self.session_id}",
                reason="FEEDBACK_EXISTS",
            )
        entry = Feedback(employee_code, usefulness, format, trainer, text, now)
        return replace(self, feedback=(*self.feedback, entry))

    def _require_running_or_over(self, now: datetime, what: str) -> None:
        if self.status is SessionStatus.CANCELLED:
            raise FailedPrecondition(
                f"session {self.session_id} was cancelled", reason="SESSION_CANCELLED"
            )
        if now < self.starts_at:
            raise FailedPrecondition(
                f"session {self.session_id} has not started; record {what} from "
                f"{self.starts_at.isoformat()}",
                reason="SESSION_NOT_STARTED",
            )

    def _require_attendee(self, employee_code: str, what: str) -> None:
        if employee_code not in self.attendees:
            raise FailedPrecondition(
                f"{employee_code} did not attend session {self.session_id}; only attendees "
                f"are {what}",
                reason="NOT_AN_ATTENDEE",
            )
