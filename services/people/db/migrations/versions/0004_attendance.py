"""Attendance: the company work schedule (seeded with seed 004's defaults, see
domain.working_time), clock events, leave requests and closed monthly summaries.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from __future__ import annotations

from datetime import datetime, time

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _now(name: str) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False)


def upgrade() -> None:
    schedule = op.create_table(
        "work_schedule",
        sa.Column("id", sa.SmallInteger(), primary_key=True, autoincrement=False),
        sa.Column("time_zone", sa.Text(), nullable=False),
        sa.Column("morning_start", sa.Time(), nullable=False),
        sa.Column("morning_end", sa.Time(), nullable=False),
        sa.Column("afternoon_start", sa.Time(), nullable=False),
        sa.Column("afternoon_end", sa.Time(), nullable=False),
        sa.Column("working_weekdays", pg.ARRAY(sa.SmallInteger()), nullable=False),
        sa.Column("holidays", pg.ARRAY(sa.Date()), nullable=False),
        sa.Column("extra_working_days", pg.ARRAY(sa.Date()), nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=True),
        _now("updated_at"),
        sa.CheckConstraint("id = 1", name="single_schedule"),
    )
    # Frozen default: 09:00-12:00 and 13:00-18:00 Asia/Shanghai, Monday to Friday.
    op.bulk_insert(
        schedule,
        [
            {
                "id": 1,
                "time_zone": "Asia/Shanghai",
                "morning_start": time(9, 0),
                "morning_end": time(12, 0),
                "afternoon_start": time(13, 0),
                "afternoon_end": time(18, 0),
                "working_weekdays": [0, 1, 2, 3, 4],
                "holidays": [],
                "extra_working_days": [],
            }
        ],
    )
    op.create_table(
        "clock_events",
        sa.Column("id", sa.Text(), primary_key=True),
        sa.Column("employee_code", sa.Text(), sa.ForeignKey("employees.code"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("direction", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("recorded_by", sa.Text(), nullable=False),
        _now("recorded_at"),
    )
    op.create_index("ix_clock_events_employee_at", "clock_events", ["employee_code", "at"])
    op.create_table(
        "leave_requests",
        sa.Column("request_id", sa.Text(), primary_key=True),
        sa.Column("employee_code", sa.Text(), sa.ForeignKey("employees.code"), nullable=False),
        sa.Column("leave_type", sa.Text(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("part", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.Text(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), server_default="", nullable=False),
    )
    op.create_index("ix_leave_requests_employee", "leave_requests", ["employee_code", "first_day"])
    op.create_table(
        "attendance_months",
        sa.Column("employee_code", sa.Text(), sa.ForeignKey("employees.code"), primary_key=True),
        sa.Column("month", sa.Date(), primary_key=True),
        sa.Column("revision", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("termination_review", sa.Boolean(), nullable=False),
        sa.Column("summary", pg.JSONB(), nullable=False),
        sa.Column("closed_by", sa.Text(), nullable=False),
        _now("closed_at"),
    )


def downgrade() -> None:
    for table in ("attendance_months", "leave_requests", "clock_events", "work_schedule"):
        op.drop_table(table)
