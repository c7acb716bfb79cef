from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from services.common.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound
from services.common.money import Money
from services.people.domain.employees import EmploymentStatus
from services.people.domain.training_courses import (
    AssessmentKind,
    Course,
    CourseCategory,
    Trainer,
    TrainingMode,
)
from services.people.domain.training_plans import PlanStatus, ScheduledTraining, TrainingPlan
from services.people.domain.training_reports import plan_completion_report, ratio, training_record
from services.people.domain.training_sessions import (
    EnrolmentPolicy,
    SessionStatus,
    TrainingSession,
    check_can_enrol,
)

from .builders import SHANGHAI, cny

ACTIVE = EmploymentStatus.ACTIVE
START = datetime(2025, 3, 10, 14, 0, tzinfo=SHANGHAI)
END = START + timedelta(hours=3)
BEFORE = START - timedelta(days=1)
AFTER = END + timedelta(hours=1)
TRAINER = Trainer("Li Na", employee_code="E1000")
RULES = Course(
    "tmall_rules", "Tmall platform rules", CourseCategory.PLATFORM_RULES, TrainingMode.INTERNAL,
    AssessmentKind.EXAM,
)  # fmt: skip
EXCEL = Course(
    "excel", "Data analysis with spreadsheets", CourseCategory.DATA_ANALYSIS,
    TrainingMode.HANDS_ON, AssessmentKind.PRACTICAL, pass_mark=Decimal(70),
)  # fmt: skip


def draft() -> TrainingPlan:
    return TrainingPlan.draft(
        year=2025,
        title="2025 operations training",
        goals=["Everyone passes the platform-rules exam"],
        budget=cny(10000),
        evaluation_method="Exam or practical after each course; feedback survey",
    )


def approved_plan() -> TrainingPlan:
    plan = draft().add_course(RULES).add_course(EXCEL)
    plan = plan.schedule_training(ScheduledTraining("tmall_rules", START.date(), TRAINER))
    plan = plan.schedule_training(
        ScheduledTraining("excel", START.date() + timedelta(days=30), TRAINER)
    )
    return plan.approve("E9000", BEFORE - timedelta(days=30))


def session(
    capacity: int = 2, course: str = "tmall_rules", cost: Money | None = None
) -> TrainingSession:
    return TrainingSession.schedule(
        session_id="S1",
        plan=approved_plan(),
        course_code=course,
        trainer=TRAINER,
        starts_at=START,
        ends_at=END,
        capacity=capacity,
        cost=cost,
    )


# --- plans ---------------------------------------------------------------------------------


def test_plan_moves_draft_to_approved_to_closed() -> None:
    plan = approved_plan()
    assert plan.status is PlanStatus.APPROVED
    assert plan.approved_by == "E9000"
    closed = plan.close(datetime(2025, 12, 31, 18, tzinfo=SHANGHAI))
    assert closed.status is PlanStatus.CLOSED
    with pytest.raises(FailedPrecondition):
        closed.close(datetime(2026, 1, 1, tzinfo=SHANGHAI))


def test_draft_plan_cannot_be_closed() -> None:
    with pytest.raises(FailedPrecondition) as caught:
        draft().close(BEFORE)
    assert caught.value.reason == "PLAN_NOT_APPROVED"


def test_incomplete_plan_cannot_be_approved_and_says_what_is_missing() -> None:
    with pytest.raises(FailedPrecondition) as caught:
        draft().add_course(RULES).approve("E9000", BEFORE)
    assert caught.value.reason == "PLAN_INCOMPLETE"
    assert "schedule" in caught.value.message


def test_approved_plan_is_frozen() -> None:
    with pytest.raises(FailedPrecondition) as caught:
        approved_plan().add_course(
            Course(
                "team",
                "Teamwork",
                CourseCategory.TEAMWORK,
                TrainingMode.ONLINE,
                AssessmentKind.ASSIGNMENT,
            )
        )
    assert caught.value.reason == "PLAN_NOT_DRAFT"


def test_plan_lists_its_trainers_once() -> None:
    assert approved_plan().trainers == (TRAINER,)


def test_duplicate_course_and_unknown_course_are_refused() -> None:
    with pytest.raises(AlreadyExists):
        draft().add_course(RULES).add_course(RULES)
    with pytest.raises(NotFound):
        draft().schedule_training(ScheduledTraining("nope", START.date(), TRAINER))


def test_scheduled_training_must_be_in_the_plan_year() -> None:
    with pytest.raises(InvalidArgument, match="planned_date"):
        draft().add_course(RULES).schedule_training(
            ScheduledTraining("tmall_rules", START.date().replace(year=2026), TRAINER)
        )


def test_plan_needs_a_real_year_and_a_non_negative_budget() -> None:
    with pytest.raises(InvalidArgument, match="year"):
        TrainingPlan.draft(year=25, title="t", goals=[], budget=cny(1), evaluation_method="e")
    with pytest.raises(InvalidArgument, match="budget"):
        TrainingPlan.draft(
            year=2025, title="t", goals=[], budget=Money(-1, "CNY"), evaluation_method="e"
        )


def test_sessions_are_scheduled_only_against_an_approved_plan() -> None:
    plan = draft().add_course(RULES)
    with pytest.raises(FailedPrecondition) as caught:
        TrainingSession.schedule(
            session_id="S1", plan=plan, course_code="tmall_rules", trainer=TRAINER,
            starts_at=START, ends_at=END, capacity=5,
        )  # fmt: skip
    assert caught.value.reason == "PLAN_NOT_APPROVED"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ends_at": START}, "ends_at"),
        ({"capacity": 0}, "capacity"),
        ({"cost": Money(1, "USD")}, "cost"),
    ],
)
def test_session_fields_are_validated(changes: dict[str, object], field: str) -> None:
    fields: dict[str, object] = {
        "session_id": "S1", "plan": approved_plan(), "course_code": "tmall_rules",
        "trainer": TRAINER, "starts_at": START, "ends_at": END, "capacity": 5, **changes,
    }  # fmt: skip
    with pytest.raises(InvalidArgument) as caught:
        TrainingSession.schedule(**fields)  # type: ignore[arg-type]
    assert caught.value.violations[0].field == field


# --- enrolment -----------------------------------------------------------------------------


def test_enrolment_fills_the_session_up_to_capacity_then_refuses_session_full() -> None:
    s = session(capacity=2).enrol("E1", ACTIVE, BEFORE).enrol("E2", ACTIVE, BEFORE)
    with pytest.raises(FailedPrecondition) as caught:
        s.enrol("E3", ACTIVE, BEFORE)
    assert caught.value.reason == "SESSION_FULL"
    assert "session full" in caught.value.message


def test_enrolling_twice_is_already_exists() -> None:
    s = session().enrol("E1", ACTIVE, BEFORE)
    with pytest.raises(AlreadyExists) as caught:
        s.enrol("E1", ACTIVE, BEFORE)
    assert caught.value.reason == "ALREADY_ENROLLED"


def test_duplicate_is_reported_before_full() -> None:
    s = session(capacity=1).enrol("E1", ACTIVE, BEFORE)
    with pytest.raises(AlreadyExists):
        s.enrol("E1", ACTIVE, BEFORE)


def test_enrolment_is_open_until_the_last_instant_before_the_start() -> None:
    s = session().enrol("E1", ACTIVE, START - timedelta(microseconds=1))
    assert s.is_enrolled("E1")
    with pytest.raises(FailedPrecondition) as caught:
        session().enrol("E1", ACTIVE, START)
    assert caught.value.reason == "ENROLMENT_CLOSED"


def test_enrolment_cutoff_before_the_start_is_a_setting() -> None:
    policy = EnrolmentPolicy(enrolment_closes_before_start=timedelta(hours=24))
    session().enrol("E1", ACTIVE, START - timedelta(hours=24, seconds=1), policy)
    with pytest.raises(FailedPrecondition):
        session().enrol("E1", ACTIVE, START - timedelta(hours=24), policy)


def test_only_active_employees_enrol() -> None:
    with pytest.raises(FailedPrecondition) as caught:
        session().enrol("E1", EmploymentStatus.LEFT, BEFORE)
    assert caught.value.reason == "EMPLOYEE_NOT_ACTIVE"


def test_cancelled_session_takes_no_enrolments() -> None:
    cancelled = session().cancel(BEFORE)
    assert cancelled.status is SessionStatus.CANCELLED
    with pytest.raises(FailedPrecondition) as caught:
        cancelled.enrol("E1", ACTIVE, BEFORE)
    assert caught.value.reason == "SESSION_CANCELLED"


def test_started_session_cannot_be_cancelled() -> None:
    with pytest.raises(FailedPrecondition):
        session().cancel(START)


def test_withdrawal_frees_a_place_before_the_start_only() -> None:
    full = session(capacity=1).enrol("E1", ACTIVE, BEFORE)
    assert full.withdraw("E1", BEFORE).enrol("E2", ACTIVE, BEFORE).is_enrolled("E2")
    with pytest.raises(FailedPrecondition):
        full.withdraw("E1", START)


def test_enrolment_rule_works_on_counts_for_sql_handlers() -> None:
    with pytest.raises(FailedPrecondition, match="session full"):
        check_can_enrol(
            session_id="S9", starts_at=START, capacity=30, cancelled=False, employee_code="E1",
            employee_status=ACTIVE, already_enrolled=False, enrolled_count=30, now=BEFORE,
        )  # fmt: skip
    check_can_enrol(
        session_id="S9", starts_at=START, capacity=30, cancelled=False, employee_code="E1",
        employee_status=ACTIVE, already_enrolled=False, enrolled_count=29, now=BEFORE,
    )  # fmt: skip


# --- attendance, assessment, feedback -------------------------------------------------------


def attended() -> TrainingSession:
    return (
        session(capacity=3)
        .enrol("E1", ACTIVE, BEFORE)
        .enrol("E2", ACTIVE, BEFORE)
        .enrol("E3", ACTIVE, BEFORE)
        .record_attendance("E1", START)
        .record_attendance("E2", START)
    )


def test_attendance_is_recorded_from_the_start_for_enrolled_employees() -> None:
    s = attended()
    assert s.attendees == {"E1", "E2"}
    assert s.record_attendance("E1", START).attendees == {"E1", "E2"}  # idempotent
    with pytest.raises(FailedPrecondition) as caught:
        s.record_attendance("E9", START)
    assert caught.value.reason == "NOT_ENROLLED"
    with pytest.raises(FailedPrecondition) as caught:
        session().enrol("E1", ACTIVE, BEFORE).record_attendance("E1", START - timedelta(seconds=1))
    assert caught.value.reason == "SESSION_NOT_STARTED"


@pytest.mark.parametrize(
    ("score", "passed"),
    [(Decimal(60), True), (Decimal("59.9"), False), (Decimal(100), True), (Decimal(0), False)],
)
def test_assessment_passes_at_exactly_the_pass_mark(score: Decimal, passed: bool) -> None:
    s = attended().record_assessment("E1", score, AFTER)
    assert s.assessments[0].passed is passed
    assert s.assessments[0].kind is AssessmentKind.EXAM


def test_assessment_uses_the_courses_pass_mark() -> None:
    s = session(course="excel").enrol("E1", ACTIVE, BEFORE).record_attendance("E1", START)
    result = s.record_assessment("E1", Decimal(65), AFTER).assessments[0]
    assert result.pass_mark == Decimal(70)
    assert not result.passed


@pytest.mark.parametrize("score", [Decimal(-1), Decimal("100.1"), Decimal("NaN")])
def test_score_outside_zero_to_hundred_is_refused(score: Decimal) -> None:
    with pytest.raises(InvalidArgument) as caught:
        attended().record_assessment("E1", score, AFTER)
    assert caught.value.violations[0].field == "score"


def test_only_attendees_are_assessed_and_only_once() -> None:
    with pytest.raises(FailedPrecondition) as caught:
        attended().record_assessment("E3", Decimal(80), AFTER)  # enrolled, absent
    assert caught.value.reason == "NOT_AN_ATTENDEE"
    once = attended().record_assessment("E1", Decimal(80), AFTER)
    with pytest.raises(AlreadyExists):
        once.record_assessment("E1", Decimal(90), AFTER)


def feedback(
    s: TrainingSession,
    who: str = "E1",
    now: datetime = AFTER,
    *,
    usefulness: int = 5,
    format: int = 4,
    trainer: int = 3,
) -> TrainingSession:
    return s.submit_feedback(
        who, usefulness=usefulness, format=format, trainer=trainer, comment="useful", now=now
    )


def test_feedback_from_an_attendee_once_after_the_session() -> None:
    s = feedback(attended())
    assert s.feedback[0].usefulness == 5
    with pytest.raises(AlreadyExists) as caught:
        feedback(s)
    assert caught.value.reason == "FEEDBACK_EXISTS"


def test_feedback_only_from_attendees() -> None:
    with pytest.raises(FailedPrecondition) as caught:
        feedback(attended(), who="E3")
    assert caught.value.reason == "NOT_AN_ATTENDEE"


def test_feedback_not_before_the_end_and_not_after_the_window() -> None:
    with pytest.raises(FailedPrecondition) as caught:
        feedback(attended(), now=END - timedelta(seconds=1))
    assert caught.value.reason == "SESSION_NOT_ENDED"
    feedback(attended(), now=END + timedelta(days=30))
    with pytest.raises(FailedPrecondition) as caught:
        feedback(attended(), now=END + timedelta(days=30, seconds=1))
    assert caught.value.reason == "FEEDBACK_CLOSED"


@pytest.mark.parametrize("rating", [0, 6])
def test_ratings_are_one_to_five(rating: int) -> None:
    with pytest.raises(InvalidArgument) as caught:
        feedback(attended(), trainer=rating)
    assert caught.value.violations[0].field == "trainer"


# --- records and reports -------------------------------------------------------------------


def test_training_record_lists_sessions_hours_and_results() -> None:
    s = attended().record_assessment("E1", Decimal(75), AFTER)
    record = training_record("E1", [s])
    assert record.sessions_enrolled == 1
    assert record.sessions_attended == 1
    assert record.hours_attended == Decimal("3.00")
    assert record.assessments_passed == 1
    assert record.assessments_failed == 0
    entry = record.entries[0]
    assert entry.category is CourseCategory.PLATFORM_RULES
    assert entry.score == Decimal(75)


def test_absent_enrollee_has_the_session_on_record_without_hours() -> None:
    record = training_record("E3", [attended()])
    assert record.sessions_enrolled == 1
    assert record.sessions_attended == 0
    assert record.hours_attended == 0
    assert record.entries[0].passed is None


def test_training_record_ignores_cancelled_sessions_and_other_peoples_sessions() -> None:
    cancelled = session().enrol("E1", ACTIVE, BEFORE).cancel(BEFORE)
    assert training_record("E1", [cancelled]).sessions_enrolled == 0
    assert training_record("E7", [attended()]).entries == ()


def test_plan_completion_report_counts_rates_and_budget() -> None:
    s = (
        session(capacity=3, cost=cny(2500))
        .enrol("E1", ACTIVE, BEFORE).enrol("E2", ACTIVE, BEFORE).enrol("E3", ACTIVE, BEFORE)
        .record_attendance("E1", START).record_attendance("E2", START)
        .record_assessment("E1", Decimal(80), AFTER).record_assessment("E2", Decimal(50), AFTER)
    )  # fmt: skip
    s = feedback(s, "E1", usefulness=5, format=4, trainer=4)
    s = feedback(s, "E2", usefulness=4, format=3, trainer=4)
    report = plan_completion_report(approved_plan(), [s], as_of=AFTER + timedelta(hours=1))
    assert (report.sessions_planned, report.sessions_held) == (2, 1)
    assert report.completion_rate == Decimal("0.5000")
    assert report.attendance_rate == Decimal("0.6667")  # 2 of 3, half-up
    assert report.pass_rate == Decimal("0.5000")
    assert report.average_usefulness == Decimal("4.50")
    assert report.average_format == Decimal("3.50")
    assert report.average_trainer == Decimal("4.00")
    assert report.average_feedback == Decimal("4.00")  # 24 / 6
    assert report.budget_used == cny(2500)
    assert report.budget_used_rate == Decimal("0.2500")


def test_plan_report_with_nothing_held_has_no_rates_rather_than_zero() -> None:
    report = plan_completion_report(approved_plan(), [session()], as_of=BEFORE)
    assert report.sessions_held == 0
    assert report.attendance_rate is None
    assert report.pass_rate is None
    assert report.average_feedback is None
    assert report.budget_used == cny(0)
    assert report.budget_used_rate == Decimal("0.0000")


def test_ratio_rounds_half_up() -> None:
    assert ratio(1, 8) == Decimal("0.1250")
    assert ratio(1, 3) == Decimal("0.3333")
    assert ratio(2, 3) == Decimal("0.6667")
    assert ratio(5, 0) is None
    assert ratio(Decimal("0.00005"), 1) == Decimal("0.0001")
