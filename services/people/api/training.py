"""Training RPCs: plans, courses, sessions, enrolment, attendance, assessments, feedback,
records and the completion report."""

from __future__ import annotations

from typing import TypeAlias

import grpc
from storeops.people.v1 import training_pb2 as tpb

from services.common.errors import InvalidArgument
from services.common.proto_convert import decimal_text, parse_date, to_money
from services.people.api.base import Base
from services.people.api.convert import (
    decimal,
    instant,
    money,
    timestamp,
)
from services.people.domain.training_courses import (
    DEFAULT_PASS_MARK,
    AssessmentKind,
    Course,
    CourseCategory,
    Trainer,
    TrainingMode,
)
from services.people.domain.training_plans import ScheduledTraining, TrainingPlan
from services.people.domain.training_reports import PlanCompletionReport, TrainingRecord
from services.people.domain.training_sessions import (
    Assessment,
    Enrolment,
    Feedback,
    TrainingSession,
)
from services.people.service import training
from services.people.service.training import Ratings

Ctx: TypeAlias = grpc.aio.ServicerContext


def course_message(course: Course) -> tpb.Course:
    return tpb.Course(
        code=course.code,
        title=course.title,
        category=course.category.value,
        mode=course.mode.value,
        assessment_kind=course.assessment_kind.value,
        pass_mark=decimal_text(course.pass_mark),
    )


def trainer_message(trainer: Trainer) -> tpb.Trainer:
    return tpb.Trainer(
        name=trainer.name,
        employee_code=trainer.employee_code or "",
        organisation=trainer.organisation,
    )


def plan_message(plan: TrainingPlan) -> tpb.TrainingPlan:
    return tpb.TrainingPlan(
        year=plan.year,
        title=plan.title,
        goals=list(plan.goals),
        budget=to_money(plan.budget),
        evaluation_method=plan.evaluation_method,
        courses=[course_message(c) for c in plan.courses],
        schedule=[
            tpb.ScheduledTraining(
                course_code=s.course_code,
                planned_date=s.planned_date.isoformat(),
                trainer=trainer_message(s.trainer),
            )
            for s in plan.schedule
        ],
        status=plan.status.value,
        approved_by=plan.approved_by or "",
        approve_time=timestamp(plan.approved_at),
        close_time=timestamp(plan.closed_at),
    )


def session_message(session: TrainingSession) -> tpb.TrainingSession:
    return tpb.TrainingSession(
        session_id=session.session_id,
        plan_year=session.plan_year,
        course=course_message(session.course),
        trainer=trainer_message(session.trainer),
        start_time=timestamp(session.starts_at),
        end_time=timestamp(session.ends_at),
        capacity=session.capacity,
        cost=to_money(session.cost),
        status=session.status.value,
        enrolled=[e.employee_code for e in session.enrolments],
        attendees=sorted(session.attendees),
        assessed_count=len(session.assessments),
        passed_count=sum(1 for a in session.assessments if a.passed),
        feedback_count=len(session.feedback),
    )


def enrolment_message(session_id: str, enrolment: Enrolment) -> tpb.Enrolment:
    return tpb.Enrolment(
        session_id=session_id,
        employee_code=enrolment.employee_code,
        enroll_time=timestamp(enrolment.enrolled_at),
    )


def assessment_message(session_id: str, a: Assessment) -> tpb.Assessment:
    return tpb.Assessment(
        session_id=session_id,
        employee_code=a.employee_code,
        kind=a.kind.value,
        score=decimal_text(a.score),
        pass_mark=decimal_text(a.pass_mark),
        passed=a.passed,
        assessor_code=a.assessor_code or "",
        assess_time=timestamp(a.assessed_at),
    )


def feedback_message(session_id: str, f: Feedback) -> tpb.Feedback:
    return tpb.Feedback(
        session_id=session_id,
        employee_code=f.employee_code,
        usefulness=f.usefulness,
        format=f.format,
        trainer=f.trainer,
        comment=f.comment,
        submit_time=timestamp(f.submitted_at),
    )


def record_message(record: TrainingRecord) -> tpb.TrainingRecord:
    return tpb.TrainingRecord(
        employee_code=record.employee_code,
        entries=[
            tpb.TrainingRecordEntry(
                session_id=e.session_id,
                course_code=e.course_code,
                course_title=e.course_title,
                category=e.category.value,
                mode=e.mode.value,
                start_time=timestamp(e.starts_at),
                attended=e.attended,
                hours=decimal_text(e.hours),
                score=decimal_text(e.score),
                passed=e.passed,
            )
            for e in record.entries
        ],
        sessions_enrolled=record.sessions_enrolled,
        sessions_attended=record.sessions_attended,
        assessments_taken=record.assessments_taken,
        assessments_passed=record.assessments_passed,
        assessments_failed=record.assessments_failed,
        hours_attended=decimal_text(record.hours_attended),
    )


def report_message(r: PlanCompletionReport) -> tpb.PlanCompletionReport:
    return tpb.PlanCompletionReport(
        year=r.year,
        as_of_time=timestamp(r.as_of),
        sessions_planned=r.sessions_planned,
        sessions_held=r.sessions_held,
        sessions_cancelled=r.sessions_cancelled,
        completion_rate=decimal_text(r.completion_rate),
        enrolments=r.enrolments,
        attendances=r.attendances,
        attendance_rate=decimal_text(r.attendance_rate),
        assessments=r.assessments,
        passes=r.passes,
        pass_rate=decimal_text(r.pass_rate),
        feedback_count=r.feedback_count,
        average_usefulness=decimal_text(r.average_usefulness),
        average_format=decimal_text(r.average_format),
        average_trainer=decimal_text(r.average_trainer),
        average_feedback=decimal_text(r.average_feedback),
        budget=to_money(r.budget),
        budget_used=to_money(r.budget_used),
        budget_used_rate=decimal_text(r.budget_used_rate),
    )


def _trainer(message: tpb.Trainer) -> Trainer:
    return Trainer(
        name=message.name,
        employee_code=message.employee_code or None,
        organisation=message.organisation,
    )


def _course(message: tpb.Course) -> Course:
    pass_mark = (
        decimal(message.pass_mark, "course.pass_mark") if message.pass_mark else DEFAULT_PASS_MARK
    )
    return Course(
        code=message.code,
        title=message.title,
        category=CourseCategory(tpb.Course.Category.Name(message.category)),
        mode=TrainingMode(tpb.Course.Mode.Name(message.mode)),
        assessment_kind=AssessmentKind(tpb.Course.AssessmentKind.Name(message.assessment_kind)),
        pass_mark=pass_mark,
    )


class TrainingRpcs(Base):
    async def CreateTrainingPlan(
        self, request: tpb.CreateTrainingPlanRequest, context: Ctx
    ) -> tpb.TrainingPlan:
        plan = await training.create_plan(
            self.people,
            year=request.year,
            title=request.title,
            goals=list(request.goals),
            budget=money(request.budget, "budget"),
            evaluation_method=request.evaluation_method,
        )
        return plan_message(plan)

    async def GetTrainingPlan(
        self, request: tpb.GetTrainingPlanRequest, context: Ctx
    ) -> tpb.TrainingPlan:
        return plan_message(await training.get_plan(self.people, request.year))

    async def ListTrainingPlans(
        self, request: tpb.ListTrainingPlansRequest, context: Ctx
    ) -> tpb.ListTrainingPlansResponse:
        plans, token = await training.list_plans(self.people, request.page_size, request.page_token)
        return tpb.ListTrainingPlansResponse(
            training_plans=[plan_message(p) for p in plans], next_page_token=token
        )

    async def AddTrainingCourse(
        self, request: tpb.AddTrainingCourseRequest, context: Ctx
    ) -> tpb.TrainingPlan:
        plan = await training.add_course(self.people, request.year, _course(request.course))
        return plan_message(plan)

    async def ScheduleTraining(
        self, request: tpb.ScheduleTrainingRequest, context: Ctx
    ) -> tpb.TrainingPlan:
        entry = ScheduledTraining(
            course_code=request.course_code,
            planned_date=parse_date(request.planned_date, "planned_date"),
            trainer=_trainer(request.trainer),
        )
        return plan_message(await training.schedule_training(self.people, request.year, entry))

    async def ApproveTrainingPlan(
        self, request: tpb.ApproveTrainingPlanRequest, context: Ctx
    ) -> tpb.TrainingPlan:
        return plan_message(await training.approve_plan(self.people, request.year))

    async def CloseTrainingPlan(
        self, request: tpb.CloseTrainingPlanRequest, context: Ctx
    ) -> tpb.TrainingPlan:
        return plan_message(await training.close_plan(self.people, request.year))

    async def GetPlanCompletionReport(
        self, request: tpb.GetPlanCompletionReportRequest, context: Ctx
    ) -> tpb.PlanCompletionReport:
        return report_message(await training.completion_report(self.people, request.year))

    async def CreateTrainingSession(
        self, request: tpb.CreateTrainingSessionRequest, context: Ctx
    ) -> tpb.TrainingSession:
        starts_at = instant(request.start_time, True, "start_time")
        ends_at = instant(request.end_time, True, "end_time")
        assert starts_at is not None
        assert ends_at is not None
        session = await training.create_session(
            self.people,
            session_id=request.session_id,
            plan_year=request.plan_year,
            course_code=request.course_code,
            trainer=_trainer(request.trainer),
            starts_at=starts_at,
            ends_at=ends_at,
            capacity=request.capacity,
            cost=money(request.cost, "cost") if request.HasField("cost") else None,
        )
        return session_message(session)

    async def GetTrainingSession(
        self, request: tpb.GetTrainingSessionRequest, context: Ctx
    ) -> tpb.TrainingSession:
        return session_message(await training.get_session(self.people, request.session_id))

    async def ListTrainingSessions(
        self, request: tpb.ListTrainingSessionsRequest, context: Ctx
    ) -> tpb.ListTrainingSessionsResponse:
        sessions, token = await training.list_sessions(
            self.people,
            plan_year=request.plan_year,
            course_code=request.course_code,
            size=request.page_size,
            token=request.page_token,
        )
        return tpb.ListTrainingSessionsResponse(
            training_sessions=[session_message(s) for s in sessions], next_page_token=token
        )

    async def CancelTrainingSession(
        self, request: tpb.CancelTrainingSessionRequest, context: Ctx
    ) -> tpb.TrainingSession:
        return session_message(await training.cancel_session(self.people, request.session_id))

    async def EnrolInSession(
        self, request: tpb.EnrolInSessionRequest, context: Ctx
    ) -> tpb.Enrolment:
        enrolment = await training.enrol(self.people, request.session_id, request.employee_code)
        return enrolment_message(request.session_id, enrolment)

    async def WithdrawFromSession(
        self, request: tpb.WithdrawFromSessionRequest, context: Ctx
    ) -> tpb.WithdrawFromSessionResponse:
        await training.withdraw(self.people, request.session_id, request.employee_code)
        return tpb.WithdrawFromSessionResponse()

    async def RecordTrainingAttendance(
        self, request: tpb.RecordTrainingAttendanceRequest, context: Ctx
    ) -> tpb.TrainingSession:
        session = await training.record_attendance(
            self.people, request.session_id, list(request.employee_codes)
        )
        return session_message(session)

    async def RecordAssessment(
        self, request: tpb.RecordAssessmentRequest, context: Ctx
    ) -> tpb.Assessment:
        score = decimal(request.score, "score")
        if score > 100:
            raise InvalidArgument.for_field("score", "must be a number from 0 to 100")
        _, assessment = await training.record_assessment(
            self.people, request.session_id, request.employee_code, score
        )
        return assessment_message(request.session_id, assessment)

    async def SubmitTrainingFeedback(
        self, request: tpb.SubmitTrainingFeedbackRequest, context: Ctx
    ) -> tpb.Feedback:
        feedback = await training.submit_feedback(
            self.people,
            request.session_id,
            Ratings(request.usefulness, request.format, request.trainer, request.comment),
        )
        return feedback_message(request.session_id, feedback)

    async def GetTrainingRecord(
        self, request: tpb.GetTrainingRecordRequest, context: Ctx
    ) -> tpb.TrainingRecord:
        return record_message(
            await training.get_training_record(self.people, request.employee_code)
        )
