"""Organisation, accounts, revocations, the audit log; seeds the default departments, positions,
the full default role table and the position → roles map (data frozen in `db/frozen_seeds.py`).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from alembic import op

from services.common.audit import create_audit_log_v1, forbid_changes_sql
from services.people.db import frozen_seeds as seeds

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _now(name: str) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False)


def _organisation() -> None:
    op.create_table(
        "departments",
        sa.Column("code", sa.Text(), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("parent_code", sa.Text(), sa.ForeignKey("departments.code"), nullable=True),
        sa.Column("head_employee_code", sa.Text(), nullable=True),
        _now("created_at"),
        _now("updated_at"),
    )
    op.create_table(
        "positions",
        sa.Column("code", sa.Text(), primary_key=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("title_zh", sa.Text(), nullable=False),
        sa.Column("department_code", sa.Text(), sa.ForeignKey("departments.code"), nullable=False),
        sa.Column("level", sa.Text(), nullable=False),
        _now("created_at"),
        _now("updated_at"),
    )
    op.create_table(
        "position_roles",
        sa.Column(
            "position_code",
            sa.Text(),
            sa.ForeignKey("positions.code", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "role_code",
            sa.Text(),
            sa.ForeignKey("roles.code", ondelete="CASCADE"),
            primary_key=True,
        ),
    )
    op.create_table(
        "employees",
        sa.Column("code", sa.Text(), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("hire_date", sa.Date(), nullable=False),
        sa.Column("leave_date", sa.Date(), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("supervisor_code", sa.Text(), sa.ForeignKey("employees.code"), nullable=True),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("phone", sa.Text(), nullable=True),
        _now("created_at"),
        _now("updated_at"),
        sa.CheckConstraint(
            "leave_date IS NULL OR leave_date >= hire_date", name="leave_after_hire"
        ),
    )
    op.create_index("ix_employees_supervisor", "employees", ["supervisor_code"])
    op.create_table(
        "position_history",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), primary_key=True),
        sa.Column("employee_code", sa.Text(), sa.ForeignKey("employees.code"), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("position_code", sa.Text(), sa.ForeignKey("positions.code"), nullable=False),
        sa.Column("department_code", sa.Text(), sa.ForeignKey("departments.code"), nullable=False),
        sa.Column("reason", sa.Text(), server_default="", nullable=False),
        sa.Column("recorded_by", sa.Text(), nullable=True),
        _now("recorded_at"),
    )
    op.create_index(
        "ix_position_history_employee",
        "position_history",
        ["employee_code", "effective_date", "id"],
    )
    op.create_table(
        "salary_history",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), primary_key=True),
        sa.Column("employee_code", sa.Text(), sa.ForeignKey("employees.code"), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("base_salary_minor", sa.BigInteger(), nullable=False),
        sa.Column("base_salary_currency", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), server_default="", nullable=False),
        sa.Column("recorded_by", sa.Text(), nullable=True),
        _now("recorded_at"),
        sa.CheckConstraint("base_salary_minor > 0", name="salary_positive"),
    )
    op.create_index(
        "ix_salary_history_employee", "salary_history", ["employee_code", "effective_date", "id"]
    )
    # "Never overwritten": the database itself refuses UPDATE and DELETE on the history.
    for table in ("position_history", "salary_history"):
        for statement in forbid_changes_sql(table):
            op.execute(statement)
    op.create_table(
        "employee_role_overrides",
        sa.Column(
            "employee_code",
            sa.Text(),
            sa.ForeignKey("employees.code", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "role_code",
            sa.Text(),
            sa.ForeignKey("roles.code", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("assigned_by", sa.Text(), nullable=True),
        _now("assigned_at"),
    )


def _accounts() -> None:
    op.create_table(
        "employee_accounts",
        sa.Column("employee_code", sa.Text(), sa.ForeignKey("employees.code"), primary_key=True),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        _now("created_at"),
    )
    op.create_table(
        "login_attempts",
        sa.Column("employee_code", sa.Text(), primary_key=True),
        sa.Column("consecutive_failures", sa.Integer(), server_default="0", nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        _now("updated_at"),
    )
    op.create_table(
        "token_revocations",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), primary_key=True),
        sa.Column(
            "tx_id",
            sa.BigInteger(),
            server_default=sa.text("(pg_current_xact_id()::text::bigint)"),
            nullable=False,
        ),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        _now("created_at"),
    )
    op.create_index("ix_token_revocations_position", "token_revocations", ["tx_id", "id"])
    op.create_index("ix_token_revocations_subject", "token_revocations", ["subject", "revoked_at"])


def _seed() -> None:
    meta = sa.MetaData()
    departments = sa.Table(
        "departments", meta, sa.Column("code"), sa.Column("name"), sa.Column("parent_code")
    )
    positions = sa.Table(
        "positions",
        meta,
        *(sa.Column(c) for c in ("code", "title", "title_zh", "department_code", "level")),
    )
    position_roles = sa.Table(
        "position_roles", meta, sa.Column("position_code"), sa.Column("role_code")
    )
    # Parents first: the seed lists the root before its children.
    op.bulk_insert(
        departments,
        [{"code": c, "name": n, "parent_code": p} for c, n, p in seeds.DEPARTMENTS],
    )
    op.bulk_insert(
        positions,
        [
            {"code": c, "title": t, "title_zh": z, "department_code": d, "level": lv}
            for c, t, z, d, lv in seeds.POSITIONS
        ],
    )
    # 0001 seeded admin and the svc_* roles: add what is missing, keep what is there.
    bind = op.get_bind()
    for code, (name, patterns) in seeds.ROLES.items():
        bind.execute(
            sa.text(
                "INSERT INTO roles (code, name) VALUES (:code, :name) ON CONFLICT (code) DO NOTHING"
            ),
            {"code": code, "name": name},
        )
        for pattern in patterns:
            bind.execute(
                sa.text(
                    "INSERT INTO role_permissions (role_code, pattern) VALUES (:code, :pattern) "
                    "ON CONFLICT DO NOTHING"
                ),
                {"code": code, "pattern": pattern},
            )
    op.bulk_insert(
        position_roles,
        [
            {"position_code": p, "role_code": r}
            for p, roles in seeds.POSITION_ROLES.items()
            for r in roles
        ],
    )


def upgrade() -> None:
    _organisation()
    _accounts()
    create_audit_log_v1()
    _seed()


def downgrade() -> None:
    for table in (
        "audit_log",
        "token_revocations",
        "login_attempts",
        "employee_accounts",
        "employee_role_overrides",
        "salary_history",
        "position_history",
        "employees",
        "position_roles",
        "positions",
        "departments",
    ):
        op.drop_table(table)
    op.execute("DROP FUNCTION IF EXISTS storeops_append_only()")
    op.execute(
        "DELETE FROM roles WHERE code NOT IN ('admin', 'svc_orders', 'svc_performance', "
        "'svc_inventory')"
    )
