"""Tables of the people database (the single source for Alembic and the repositories).

Append-only by trigger (migration 0002): `audit_log`, `position_history`, `salary_history`.
Department, position and salary of an employee are not columns of `employees`: they are read
from the effective-dated history as of a day, so a change recorded for a future date takes
effect on that date without any job.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from services.common.audit import audit_table
from services.common.outbox import outbox_table

metadata = sa.MetaData()


def _created() -> sa.Column[datetime]:
    return sa.Column(
        "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    )


def _updated() -> sa.Column[datetime]:
    return sa.Column(
        "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    )


# ---- roles and service accounts (0001) ------------------------------------------------------

roles = sa.Table(
    "roles",
    metadata,
    sa.Column("code", sa.Text, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=False, server_default=""),
    _created(),
    _updated(),
)

role_permissions = sa.Table(
    "role_permissions",
    metadata,
    sa.Column(
        "role_code", sa.Text, sa.ForeignKey("roles.code", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("pattern", sa.Text, primary_key=True),
)

service_accounts = sa.Table(
    "service_accounts",
    metadata,
    sa.Column("client_id", sa.Text, primary_key=True),
    sa.Column("secret_sha256", sa.Text, nullable=False),
    sa.Column("roles", pg.ARRAY(sa.Text), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    _created(),
    _updated(),
)

outbox_events = outbox_table(metadata)

# ---- organisation (0002) ---------------------------------------------------------------------

departments = sa.Table(
    "departments",
    metadata,
    sa.Column("code", sa.Text, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("parent_code", sa.Text, sa.ForeignKey("departments.code"), nullable=True),
    # No foreign key: employees reference departments through their history, and a head who
    # leaves stays recorded until someone else is named.
    sa.Column("head_employee_code", sa.Text, nullable=True),
    _created(),
    _updated(),
)

positions = sa.Table(
    "positions",
    metadata,
    sa.Column("code", sa.Text, primary_key=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("title_zh", sa.Text, nullable=False),
    sa.Column("department_code", sa.Text, sa.ForeignKey("departments.code"), nullable=False),
    sa.Column("level", sa.Text, nullable=False),
    _created(),
    _updated(),
)

position_roles = sa.Table(
    "position_roles",
    metadata,
    sa.Column(
        "position_code",
        sa.Text,
        sa.ForeignKey("positions.code", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "role_code", sa.Text, sa.ForeignKey("roles.code", ondelete="CASCADE"), primary_key=True
    ),
)

employees = sa.Table(
    "employees",
    metadata,
    sa.Column("code", sa.Text, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("hire_date", sa.Date, nullable=False),
    sa.Column("leave_date", sa.Date, nullable=True),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("supervisor_code", sa.Text, sa.ForeignKey("employees.code"), nullable=True),
    sa.Column("email", sa.Text, nullable=True),
    sa.Column("phone", sa.Text, nullable=True),
    _created(),
    _updated(),
    sa.CheckConstraint("leave_date IS NULL OR leave_date >= hire_date", name="leave_after_hire"),
    sa.Index("ix_employees_supervisor", "supervisor_code"),
)

position_history = sa.Table(
    "position_history",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(always=True), primary_key=True),
    sa.Column("employee_code", sa.Text, sa.ForeignKey("employees.code"), nullable=False),
    sa.Column("effective_date", sa.Date, nullable=False),
    sa.Column("position_code", sa.Text, sa.ForeignKey("positions.code"), nullable=False),
    sa.Column("department_code", sa.Text, sa.ForeignKey("departments.code"), nullable=False),
    sa.Column("reason", sa.Text, nullable=False, server_default=""),
    sa.Column("recorded_by", sa.Text, nullable=True),
    sa.Column(
        "recorded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
    sa.Index("ix_position_history_employee", "employee_code", "effective_date", "id"),
)

salary_history = sa.Table(
    "salary_history",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(always=True), primary_key=True),
    sa.Column("employee_code", sa.Text, sa.ForeignKey("employees.code"), nullable=False),
    sa.Column("effective_date", sa.Date, nullable=False),
    sa.Column("base_salary_minor", sa.BigInteger, nullable=False),
    sa.Column("base_salary_currency", sa.Text, nullable=False),
    sa.Column("reason", sa.Text, nullable=False, server_default=""),
    sa.Column("recorded_by", sa.Text, nullable=True),
    sa.Column(
        "recorded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
    sa.CheckConstraint("base_salary_minor > 0", name="salary_positive"),
    sa.Index("ix_salary_history_employee", "employee_code", "effective_date", "id"),
)

# Per-employee role decisions on top of the position's defaults (see domain.roles).
employee_role_overrides = sa.Table(
    "employee_role_overrides",
    metadata,
    sa.Column(
        "employee_code",
        sa.Text,
        sa.ForeignKey("employees.code", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "role_code", sa.Text, sa.ForeignKey("roles.code", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("granted", sa.Boolean, nullable=False),
    sa.Column("assigned_by", sa.Text, nullable=True),
    sa.Column(
        "assigned_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
)

# ---- accounts and tokens (0002) --------------------------------------------------------------

employee_accounts = sa.Table(
    "employee_accounts",
    metadata,
    sa.Column("employee_code", sa.Text, sa.ForeignKey("employees.code"), primary_key=True),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
    _created(),
)

# Keyed by the code typed at login (known or not), so that lockout behaves the same for unknown
# codes and does not reveal which codes exist.
login_attempts = sa.Table(
    "login_attempts",
    metadata,
    sa.Column("employee_code", sa.Text, primary_key=True),
    sa.Column("consecutive_failures", sa.Integer, nullable=False, server_default="0"),
    sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
    _updated(),
)

token_revocations = sa.Table(
    "token_revocations",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(always=True), primary_key=True),
    # Served in commit order like the outbox (see services.common.outbox).
    sa.Column(
        "tx_id",
        sa.BigInteger,
        nullable=False,
        server_default=sa.text("(pg_current_xact_id()::text::bigint)"),
    ),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("created_by", sa.Text, nullable=False),
    _created(),
    sa.Index("ix_token_revocations_position", "tx_id", "id"),
    sa.Index("ix_token_revocations_subject", "subject", "revoked_at"),
)

audit_log = audit_table(metadata)

# ---- training (0003) -------------------------------------------------------------------------

training_plans = sa.Table(
    "training_plans",
    metadata,
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("goals", pg.ARRAY(sa.Text), nullable=False),
    sa.Column("budget_minor", sa.BigInteger, nullable=False),
    sa.Column("budget_currency", sa.Text, nullable=False),
    sa.Column("evaluation_method", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("approved_by", sa.Text, nullable=True),
    sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
    _created(),
    _updated(),
)

training_courses = sa.Table(
    "training_courses",
    metadata,
    sa.Column("plan_year", sa.Integer, sa.ForeignKey("training_plans.year"), primary_key=True),
    sa.Column("code", sa.Text, primary_key=True),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("category", sa.Text, nullable=False),
    sa.Column("mode", sa.Text, nullable=False),
    sa.Column("assessment_kind", sa.Text, nullable=False),
    sa.Column("pass_mark", sa.Numeric(5, 2), nullable=False),
)

training_schedule = sa.Table(
    "training_schedule",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(always=True), primary_key=True),
    sa.Column("plan_year", sa.Integer, nullable=False),
    sa.Column("course_code", sa.Text, nullable=False),
    sa.Column("planned_date", sa.Date, nullable=False),
    sa.Column("trainer_name", sa.Text, nullable=False),
    sa.Column("trainer_employee_code", sa.Text, nullable=True),
    sa.Column("trainer_organisation", sa.Text, nullable=False, server_default=""),
    sa.ForeignKeyConstraint(
        ["plan_year", "course_code"], ["training_courses.plan_year", "training_courses.code"]
    ),
)

training_sessions = sa.Table(
    "training_sessions",
    metadata,
    sa.Column("session_id", sa.Text, primary_key=True),
    sa.Column("plan_year", sa.Integer, nullable=False),
    sa.Column("course_code", sa.Text, nullable=False),
    sa.Column("trainer_name", sa.Text, nullable=False),
    sa.Column("trainer_employee_code", sa.Text, nullable=True),
    sa.Column("trainer_organisation", sa.Text, nullable=False, server_default=""),
    sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("capacity", sa.Integer, nullable=False),
    # Kept by single conditional UPDATEs so concurrent enrolments never exceed the capacity.
    sa.Column("enrolled_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("cost_minor", sa.BigInteger, nullable=True),
    sa.Column("cost_currency", sa.Text, nullable=True),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("created_by", sa.Text, nullable=True),
    _created(),
    _updated(),
    sa.ForeignKeyConstraint(
        ["plan_year", "course_code"], ["training_courses.plan_year", "training_courses.code"]
    ),
    sa.CheckConstraint(
        "enrolled_count >= 0 AND enrolled_count <= capacity", name="enrolment_within_capacity"
    ),
    sa.CheckConstraint("ends_at > starts_at", name="session_ends_after_start"),
    sa.Index("ix_training_sessions_start", "starts_at", "session_id"),
)

training_enrolments = sa.Table(
    "training_enrolments",
    metadata,
    sa.Column(
        "session_id", sa.Text, sa.ForeignKey("training_sessions.session_id"), primary_key=True
    ),
    sa.Column("employee_code", sa.Text, sa.ForeignKey("employees.code"), primary_key=True),
    sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_training_enrolments_employee", "employee_code"),
)

training_attendance = sa.Table(
    "training_attendance",
    metadata,
    sa.Column("session_id", sa.Text, primary_key=True),
    sa.Column("employee_code", sa.Text, primary_key=True),
    sa.Column("recorded_by", sa.Text, nullable=True),
    sa.Column(
        "recorded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
    sa.ForeignKeyConstraint(
        ["session_id", "employee_code"],
        ["training_enrolments.session_id", "training_enrolments.employee_code"],
    ),
)

training_assessments = sa.Table(
    "training_assessments",
    metadata,
    sa.Column("session_id", sa.Text, primary_key=True),
    sa.Column("employee_code", sa.Text, primary_key=True),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("score", sa.Numeric(5, 2), nullable=False),
    sa.Column("pass_mark", sa.Numeric(5, 2), nullable=False),
    sa.Column("assessor_code", sa.Text, nullable=True),
    sa.Column("assessed_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(
        ["session_id", "employee_code"],
        ["training_attendance.session_id", "training_attendance.employee_code"],
    ),
)

training_feedback = sa.Table(
    "training_feedback",
    metadata,
    sa.Column("session_id", sa.Text, primary_key=True),
    sa.Column("employee_code", sa.Text, primary_key=True),
    sa.Column("usefulness", sa.SmallInteger, nullable=False),
    sa.Column("format", sa.SmallInteger, nullable=False),
    sa.Column("trainer", sa.SmallInteger, nullable=False),
    sa.Column("comment", sa.Text, nullable=False, server_default=""),
    sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(
        ["session_id", "employee_code"],
        ["training_attendance.session_id", "training_attendance.employee_code"],
    ),
)

# ---- attendance (0004) -----------------------------------------------------------------------

work_schedule = sa.Table(
    "work_schedule",
    metadata,
    sa.Column("id", sa.SmallInteger, primary_key=True),
    sa.Column("time_zone", sa.Text, nullable=False),
    sa.Column("morning_start", sa.Time, nullable=False),
    sa.Column("morning_end", sa.Time, nullable=False),
    sa.Column("afternoon_start", sa.Time, nullable=False),
    sa.Column("afternoon_end", sa.Time, nullable=False),
    sa.Column("working_weekdays", pg.ARRAY(sa.SmallInteger), nullable=False),
    sa.Column("holidays", pg.ARRAY(sa.Date), nullable=False),
    sa.Column("extra_working_days", pg.ARRAY(sa.Date), nullable=False),
    sa.Column("updated_by", sa.Text, nullable=True),
    _updated(),
    sa.CheckConstraint("id = 1", name="single_schedule"),
)

clock_events = sa.Table(
    "clock_events",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("employee_code", sa.Text, sa.ForeignKey("employees.code"), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("direction", sa.Text, nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    sa.Column("recorded_by", sa.Text, nullable=False),
    sa.Column(
        "recorded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
    sa.Index("ix_clock_events_employee_at", "employee_code", "at"),
)

leave_requests = sa.Table(
    "leave_requests",
    metadata,
    sa.Column("request_id", sa.Text, primary_key=True),
    sa.Column("employee_code", sa.Text, sa.ForeignKey("employees.code"), nullable=False),
    sa.Column("leave_type", sa.Text, nullable=False),
    sa.Column("first_day", sa.Date, nullable=False),
    sa.Column("last_day", sa.Date, nullable=False),
    sa.Column("part", sa.Text, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("decided_by", sa.Text, nullable=True),
    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("decision_note", sa.Text, nullable=False, server_default=""),
    sa.Index("ix_leave_requests_employee", "employee_code", "first_day"),
)

attendance_months = sa.Table(
    "attendance_months",
    metadata,
    sa.Column("employee_code", sa.Text, sa.ForeignKey("employees.code"), primary_key=True),
    sa.Column("month", sa.Date, primary_key=True),  # the first day of the month
    sa.Column("revision", sa.Integer, primary_key=True),
    sa.Column("termination_review", sa.Boolean, nullable=False),
    sa.Column("summary", pg.JSONB, nullable=False),
    sa.Column("closed_by", sa.Text, nullable=False),
    sa.Column(
        "closed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
)
