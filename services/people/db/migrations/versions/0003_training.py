"""Training: annual plans, courses, schedule, sessions with capacity, enrolment, attendance,
assessments and feedback.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _now(name: str) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False)


def _roster_key(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["session_id", "employee_code"], [f"{table}.session_id", f"{table}.employee_code"]
    )


def upgrade() -> None:
    op.create_table(
        "training_plans",
        sa.Column("year", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("goals", pg.ARRAY(sa.Text()), nullable=False),
        sa.Column("budget_minor", sa.BigInteger(), nullable=False),
        sa.Column("budget_currency", sa.Text(), nullable=False),
        sa.Column("evaluation_method", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("approved_by", sa.Text(), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        _now("created_at"),
        _now("updated_at"),
    )
    op.create_table(
        "training_courses",
        sa.Column(
            "plan_year", sa.Integer(), sa.ForeignKey("training_plans.year"), primary_key=True
        ),
        sa.Column("code", sa.Text(), primary_key=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("category", sa.Text(), nullable=False),
        sa.Column("mode", sa.Text(), nullable=False),
        sa.Column("assessment_kind", sa.Text(), nullable=False),
        sa.Column("pass_mark", sa.Numeric(precision=5, scale=2), nullable=False),
    )
    course_key = sa.ForeignKeyConstraint(
        ["plan_year", "course_code"], ["training_courses.plan_year", "training_courses.code"]
    )
    op.create_table(
        "training_schedule",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), primary_key=True),
        sa.Column("plan_year", sa.Integer(), nullable=False),
        sa.Column("course_code", sa.Text(), nullable=False),
        sa.Column("planned_date", sa.Date(), nullable=False),
        sa.Column("trainer_name", sa.Text(), nullable=False),
        sa.Column("trainer_employee_code", sa.Text(), nullable=True),
        sa.Column("trainer_organisation", sa.Text(), server_default="", nullable=False),
        course_key,
    )
    op.create_table(
        "training_sessions",
        sa.Column("session_id", sa.Text(), primary_key=True),
        sa.Column("plan_year", sa.Integer(), nullable=False),
        sa.Column("course_code", sa.Text(), nullable=False),
        sa.Column("trainer_name", sa.Text(), nullable=False),
        sa.Column("trainer_employee_code", sa.Text(), nullable=True),
        sa.Column("trainer_organisation", sa.Text(), server_default="", nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("enrolled_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("cost_minor", sa.BigInteger(), nullable=True),
        sa.Column("cost_currency", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=True),
        _now("created_at"),
        _now("updated_at"),
        sa.ForeignKeyConstraint(
            ["plan_year", "course_code"], ["training_courses.plan_year", "training_courses.code"]
        ),
        # The capacity holds even against a buggy or concurrent writer.
        sa.CheckConstraint(
            "enrolled_count >= 0 AND enrolled_count <= capacity", name="enrolment_within_capacity"
        ),
        sa.CheckConstraint("ends_at > starts_at", name="session_ends_after_start"),
    )
    op.create_index("ix_training_sessions_start", "training_sessions", ["starts_at", "session_id"])
    op.create_table(
        "training_enrolments",
        sa.Column(
            "session_id",
            sa.Text(),
            sa.ForeignKey("training_sessions.session_id"),
            primary_key=True,
        ),
        sa.Column("employee_code", sa.Text(), sa.ForeignKey("employees.code"), primary_key=True),
        sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_training_enrolments_employee", "training_enrolments", ["employee_code"])
    op.create_table(
        "training_attendance",
        sa.Column("session_id", sa.Text(), primary_key=True),
        sa.Column("employee_code", sa.Text(), primary_key=True),
        sa.Column("recorded_by", sa.Text(), nullable=True),
        _now("recorded_at"),
        _roster_key("training_enrolments"),
    )
    op.create_table(
        "training_assessments",
        sa.Column("session_id", sa.Text(), primary_key=True),
        sa.Column("employee_code", sa.Text(), primary_key=True),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("score", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("pass_mark", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("assessor_code", sa.Text(), nullable=True),
        sa.Column("assessed_at", sa.DateTime(timezone=True), nullable=False),
        _roster_key("training_attendance"),
    )
    op.create_table(
        "training_feedback",
        sa.Column("session_id", sa.Text(), primary_key=True),
        sa.Column("employee_code", sa.Text(), primary_key=True),
        sa.Column("usefulness", sa.SmallInteger(), nullable=False),
        sa.Column("format", sa.SmallInteger(), nullable=False),
        sa.Column("trainer", sa.SmallInteger(), nullable=False),
        sa.Column("comment", sa.Text(), server_default="", nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        _roster_key("training_attendance"),
    )


def downgrade() -> None:
    for table in (
        "training_feedback",
        "training_assessments",
        "training_attendance",
        "training_enrolments",
        "training_sessions",
        "training_schedule",
        "training_courses",
        "training_plans",
    ):
        op.drop_table(table)
