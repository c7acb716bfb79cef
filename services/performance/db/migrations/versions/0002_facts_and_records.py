"""Facts derived from the feeds, and the service's records: targets, commission tables and
weights, misconduct findings, appraisals, KPI inputs, statements, group commissions, audit log.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "after_sales_facts",
        sa.Column("case_id", sa.Text(), nullable=False),
        sa.Column("order_id", sa.Text(), server_default="", nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("handled_by", sa.Text(), server_default="", nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("resolved_on", sa.Date(), nullable=True),
        sa.Column("outcome", sa.Text(), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("case_id"),
    )
    op.create_table(
        "annual_appraisals",
        sa.Column("employee_code", sa.Text(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("score", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("grade", sa.Text(), nullable=False),
        sa.Column("months_counted", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("months_missing", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("employee_code", "year"),
    )
    op.create_table(
        "appraisal_weights",
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("self_assessment", sa.Numeric(precision=7, scale=6), nullable=False),
        sa.Column("supervisor", sa.Numeric(precision=7, scale=6), nullable=False),
        sa.Column("peers", sa.Numeric(precision=7, scale=6), nullable=False),
        sa.Column("kpis", sa.Numeric(precision=7, scale=6), nullable=False),
        sa.Column("set_by", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("role"),
    )
    op.create_table(
        "appraisals",
        sa.Column("employee_code", sa.Text(), nullable=False),
        sa.Column("month", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("department_code", sa.Text(), nullable=False),
        sa.Column("supervisor_code", sa.Text(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("weights", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("self_score", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("self_comment", sa.Text(), server_default="", nullable=False),
        sa.Column("supervisor_score", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("supervisor_comments", sa.Text(), server_default="", nullable=False),
        sa.Column("kpi_score", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("total_score", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("grade", sa.Text(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("review_flag", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.PrimaryKeyConstraint("employee_code", "month"),
    )
    op.create_index("ix_appraisals_month", "appraisals", ["month"], unique=False)
    op.create_table(
        "attendance_facts",
        sa.Column("employee_code", sa.Text(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("month", sa.Text(), nullable=False),
        sa.Column("minutes", sa.Integer(), server_default="0", nullable=False),
        sa.Column("wage_multiplier", sa.Text(), server_default="", nullable=False),
        sa.Column("bonus_percent", sa.Text(), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("employee_code", "day", "kind"),
    )
    op.create_index("ix_attendance_facts_month", "attendance_facts", ["month"], unique=False)
    op.create_table(
        "attendance_months",
        sa.Column("employee_code", sa.Text(), nullable=False),
        sa.Column("month", sa.Text(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("working_days", sa.Integer(), nullable=False),
        sa.Column("termination_review", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("employee_code", "month"),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("resource", sa.Text(), nullable=False),
        sa.Column("subject_code", sa.Text(), nullable=True),
        sa.Column("basis", sa.Text(), nullable=True),
        sa.Column("details", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_log_subject", "audit_log", ["subject_code"], unique=False)
    op.create_table(
        "commission_tables",
        sa.Column("group_name", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_to", sa.Date(), nullable=True),
        sa.Column("tiers", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("group_name", "version"),
    )
    op.create_table(
        "employee_snapshots",
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("employee_code", sa.Text(), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("department_code", sa.Text(), nullable=False),
        sa.Column("position_code", sa.Text(), nullable=False),
        sa.Column("supervisor_code", sa.Text(), nullable=True),
        sa.Column("base_salary_minor", sa.BigInteger(), nullable=True),
        sa.Column("base_salary_currency", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("source"),
    )
    op.create_index(
        op.f("ix_employee_snapshots_employee_code"),
        "employee_snapshots",
        ["employee_code"],
        unique=False,
    )
    op.create_table(
        "employment_facts",
        sa.Column("employee_code", sa.Text(), nullable=False),
        sa.Column("hire_date", sa.Date(), nullable=False),
        sa.Column("leave_date", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("employee_code"),
    )
    op.create_table(
        "group_commissions",
        sa.Column("month", sa.Text(), nullable=False),
        sa.Column("group_name", sa.Text(), nullable=False),
        sa.Column("base_minor", sa.BigInteger(), nullable=False),
        sa.Column("base_currency", sa.Text(), nullable=False),
        sa.Column("completion", sa.Text(), nullable=False),
        sa.Column("rate", sa.Text(), nullable=False),
        sa.Column("table_version", sa.Integer(), nullable=True),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("amount_currency", sa.Text(), nullable=False),
        sa.Column("members", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("month", "group_name"),
    )
    op.create_table(
        "ingested_events",
        sa.Column("feed", sa.Text(), nullable=False),
        sa.Column("cursor", sa.Text(), nullable=False),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("feed", "cursor"),
    )
    op.create_table(
        "kpi_inputs",
        sa.Column("employee_code", sa.Text(), nullable=False),
        sa.Column("month", sa.Text(), nullable=False),
        sa.Column("kpi", sa.Text(), nullable=False),
        sa.Column("value", sa.Numeric(precision=20, scale=6), nullable=False),
        sa.Column("entered_by", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("employee_code", "month", "kpi"),
    )
    op.create_table(
        "misconduct_findings",
        sa.Column("finding_id", sa.Text(), nullable=False),
        sa.Column("employee_code", sa.Text(), nullable=False),
        sa.Column("found_on", sa.Date(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("finding_id"),
    )
    op.create_index(
        op.f("ix_misconduct_findings_employee_code"),
        "misconduct_findings",
        ["employee_code"],
        unique=False,
    )
    op.create_table(
        "order_facts",
        sa.Column("order_id", sa.Text(), nullable=False),
        sa.Column("shop", sa.Text(), nullable=False),
        sa.Column("handled_by", sa.Text(), server_default="", nullable=False),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("placed_on", sa.Date(), nullable=False),
        sa.Column("total_minor", sa.BigInteger(), nullable=False),
        sa.Column("total_currency", sa.Text(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("shipped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("shipped_on", sa.Date(), nullable=True),
        sa.Column("ship_due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("on_time", sa.Boolean(), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("order_id"),
    )
    op.create_index("ix_order_facts_placed_on", "order_facts", ["placed_on"], unique=False)
    op.create_table(
        "payment_facts",
        sa.Column("payment_key", sa.Text(), nullable=False),
        sa.Column("order_id", sa.Text(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("amount_currency", sa.Text(), nullable=False),
        sa.Column("collected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("collected_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("payment_key"),
    )
    op.create_index(
        "ix_payment_facts_collected_on", "payment_facts", ["collected_on"], unique=False
    )
    op.create_table(
        "peer_scores",
        sa.Column("employee_code", sa.Text(), nullable=False),
        sa.Column("month", sa.Text(), nullable=False),
        sa.Column("reviewer_code", sa.Text(), nullable=False),
        sa.Column("reviewer_department", sa.Text(), nullable=False),
        sa.Column("score", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("comment", sa.Text(), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("employee_code", "month", "reviewer_code"),
    )
    op.create_table(
        "refund_facts",
        sa.Column("refund_key", sa.Text(), nullable=False),
        sa.Column("order_id", sa.Text(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("amount_currency", sa.Text(), nullable=False),
        sa.Column("refunded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("refunded_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("refund_key"),
    )
    op.create_index("ix_refund_facts_refunded_on", "refund_facts", ["refunded_on"], unique=False)
    op.create_table(
        "review_facts",
        sa.Column("order_id", sa.Text(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("positive", sa.Boolean(), nullable=False),
        sa.Column("reviewed_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("order_id"),
    )
    op.create_table(
        "share_weights",
        sa.Column("group_name", sa.Text(), nullable=False),
        sa.Column("month", sa.Text(), nullable=False),
        sa.Column("employee_code", sa.Text(), nullable=False),
        sa.Column("weight", sa.Numeric(precision=12, scale=10), nullable=False),
        sa.Column("set_by", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("group_name", "month", "employee_code"),
    )
    op.create_table(
        "statements",
        sa.Column("employee_code", sa.Text(), nullable=False),
        sa.Column("month", sa.Text(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("total_minor", sa.BigInteger(), nullable=False),
        sa.Column("total_currency", sa.Text(), nullable=False),
        sa.Column("flags", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("commission_group", sa.Text(), nullable=True),
        sa.Column("approved_by", sa.Text(), nullable=True),
        sa.Column("approved_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("employee_code", "month", "sequence"),
    )
    op.create_index("ix_statements_month", "statements", ["month"], unique=False)
    op.create_table(
        "stock_facts",
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("sku_code", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("value_delta_minor", sa.BigInteger(), nullable=False),
        sa.Column("value_delta_currency", sa.Text(), nullable=False),
        sa.Column("cost_minor", sa.BigInteger(), nullable=False),
        sa.Column("cost_currency", sa.Text(), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("source"),
    )
    op.create_index("ix_stock_facts_occurred_on", "stock_facts", ["occurred_on"], unique=False)
    op.create_table(
        "targets",
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("subject_code", sa.Text(), nullable=False),
        sa.Column("month", sa.Text(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=True),
        sa.Column("amount_currency", sa.Text(), nullable=True),
        sa.Column("set_by", sa.Text(), server_default="", nullable=False),
        sa.Column("set_on", sa.Date(), nullable=True),
        sa.Column("approved_by", sa.Text(), nullable=True),
        sa.Column("late", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("pending_amount_minor", sa.BigInteger(), nullable=True),
        sa.Column("pending_amount_currency", sa.Text(), nullable=True),
        sa.Column("pending_by", sa.Text(), nullable=True),
        sa.Column("pending_on", sa.Date(), nullable=True),
        sa.Column("pending_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("scope", "subject_code", "month"),
    )
    op.create_table(
        "training_facts",
        sa.Column("result_key", sa.Text(), nullable=False),
        sa.Column("employee_code", sa.Text(), nullable=False),
        sa.Column("course", sa.Text(), server_default="", nullable=False),
        sa.Column("score", sa.Numeric(precision=7, scale=2), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("result_key"),
    )
    op.create_table(
        "statement_lines",
        sa.Column("employee_code", sa.Text(), nullable=False),
        sa.Column("month", sa.Text(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("amount_currency", sa.Text(), nullable=False),
        sa.Column("rule", sa.Text(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("inputs", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.ForeignKeyConstraint(
            ["employee_code", "month", "sequence"],
            ["statements.employee_code", "statements.month", "statements.sequence"],
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("employee_code", "month", "sequence", "line_no"),
    )


def downgrade() -> None:
    op.drop_table("statement_lines")
    op.drop_table("training_facts")
    op.drop_table("targets")
    op.drop_table("stock_facts")
    op.drop_table("statements")
    op.drop_table("share_weights")
    op.drop_table("review_facts")
    op.drop_table("refund_facts")
    op.drop_table("peer_scores")
    op.drop_table("payment_facts")
    op.drop_table("order_facts")
    op.drop_table("misconduct_findings")
    op.drop_table("kpi_inputs")
    op.drop_table("ingested_events")
    op.drop_table("group_commissions")
    op.drop_table("employment_facts")
    op.drop_table("employee_snapshots")
    op.drop_table("commission_tables")
    op.drop_table("audit_log")
    op.drop_table("attendance_months")
    op.drop_table("attendance_facts")
    op.drop_table("appraisals")
    op.drop_table("appraisal_weights")
    op.drop_table("annual_appraisals")
    op.drop_table("after_sales_facts")
