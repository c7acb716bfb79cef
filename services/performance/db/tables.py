"""Tables of the performance database.

Facts (`*_facts`, `ingested_events`) are derived only from the orders, inventory and people
feeds: `ReplayFeeds` deletes them all and rebuilds them from the first event. Everything else
(targets, tables, weights, appraisals, statements, audit) is this service's own record.
Months are `YYYY-MM` text; days are local dates in the service's time zone; instants timestamptz.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from services.common.audit import audit_table
from services.common.feeds import feed_cursors_table
from services.common.outbox import outbox_table

metadata = sa.MetaData()


def _money(name: str, nullable: bool = False) -> list[sa.Column[object]]:
    return [
        sa.Column(f"{name}_minor", sa.BigInteger, nullable=nullable),
        sa.Column(f"{name}_currency", sa.Text, nullable=nullable),
    ]


feed_cursors = feed_cursors_table(metadata)
outbox_events = outbox_table(metadata)

# ---- facts (rebuilt by replay) ----------------------------------------------------------------

ingested_events = sa.Table(
    "ingested_events",
    metadata,
    sa.Column("feed", sa.Text, primary_key=True),
    sa.Column("cursor", sa.Text, primary_key=True),
    sa.Column("type", sa.Text, nullable=False),
    sa.Column("key", sa.Text, nullable=False),
    sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("outcome", sa.Text, nullable=False),
)

employee_snapshots = sa.Table(
    "employee_snapshots",
    metadata,
    sa.Column("source", sa.Text, primary_key=True),  # feed:cursor of the event
    sa.Column("employee_code", sa.Text, nullable=False, index=True),
    sa.Column("effective_on", sa.Date, nullable=False),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("department_code", sa.Text, nullable=False),
    sa.Column("position_code", sa.Text, nullable=False),
    sa.Column("supervisor_code", sa.Text, nullable=True),
    *_money("base_salary", nullable=True),
)

employment_facts = sa.Table(
    "employment_facts",
    metadata,
    sa.Column("employee_code", sa.Text, primary_key=True),
    sa.Column("hire_date", sa.Date, nullable=False),
    sa.Column("leave_date", sa.Date, nullable=True),
)

order_facts = sa.Table(
    "order_facts",
    metadata,
    sa.Column("order_id", sa.Text, primary_key=True),
    sa.Column("shop", sa.Text, nullable=False),
    sa.Column("handled_by", sa.Text, nullable=False, server_default=""),
    sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("placed_on", sa.Date, nullable=False),
    *_money("total"),
    sa.Column("units", sa.Integer, nullable=False),
    sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("shipped_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("shipped_on", sa.Date, nullable=True),
    sa.Column("ship_due_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("on_time", sa.Boolean, nullable=True),  # as the orders feed judged it, if it did
    sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
    sa.Index("ix_order_facts_placed_on", "placed_on"),
)

payment_facts = sa.Table(
    "payment_facts",
    metadata,
    sa.Column("payment_key", sa.Text, primary_key=True),
    sa.Column("order_id", sa.Text, nullable=False),
    *_money("amount"),
    sa.Column("collected_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("collected_on", sa.Date, nullable=False),
    sa.Index("ix_payment_facts_collected_on", "collected_on"),
)

refund_facts = sa.Table(
    "refund_facts",
    metadata,
    sa.Column("refund_key", sa.Text, primary_key=True),
    sa.Column("order_id", sa.Text, nullable=False),
    *_money("amount"),
    sa.Column("refunded_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("refunded_on", sa.Date, nullable=False),
    sa.Index("ix_refund_facts_refunded_on", "refunded_on"),
)

after_sales_facts = sa.Table(
    "after_sales_facts",
    metadata,
    sa.Column("case_id", sa.Text, primary_key=True),
    sa.Column("order_id", sa.Text, nullable=False, server_default=""),
    sa.Column("kind", sa.Text, nullable=False),  # AFTER_SALES or COMPLAINT
    sa.Column("handled_by", sa.Text, nullable=False, server_default=""),
    sa.Column("opened_on", sa.Date, nullable=False),
    sa.Column("resolved_on", sa.Date, nullable=True),
    sa.Column("outcome", sa.Text, nullable=False, server_default=""),
)

review_facts = sa.Table(
    "review_facts",
    metadata,
    sa.Column("order_id", sa.Text, primary_key=True),
    sa.Column("rating", sa.Integer, nullable=False),
    sa.Column("positive", sa.Boolean, nullable=False),
    sa.Column("reviewed_on", sa.Date, nullable=False),
)

stock_facts = sa.Table(
    "stock_facts",
    metadata,
    sa.Column("source", sa.Text, primary_key=True),  # feed:cursor of the event
    sa.Column("sku_code", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),  # RECEIVED, ISSUED, RETURNED, ADJUSTED
    sa.Column("quantity", sa.BigInteger, nullable=False),
    *_money("value_delta"),
    *_money("cost"),
    sa.Column("occurred_on", sa.Date, nullable=False),
    sa.Index("ix_stock_facts_occurred_on", "occurred_on"),
)

training_facts = sa.Table(
    "training_facts",
    metadata,
    sa.Column("result_key", sa.Text, primary_key=True),
    sa.Column("employee_code", sa.Text, nullable=False),
    sa.Column("course", sa.Text, nullable=False, server_default=""),
    sa.Column("score", sa.Numeric(7, 2), nullable=True),
    sa.Column("passed", sa.Boolean, nullable=True),
    sa.Column("assessed_on", sa.Date, nullable=False),
)

attendance_facts = sa.Table(
    "attendance_facts",
    metadata,
    sa.Column("employee_code", sa.Text, primary_key=True),
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("kind", sa.Text, primary_key=True),
    sa.Column("month", sa.Text, nullable=False),
    sa.Column("minutes", sa.Integer, nullable=False, server_default="0"),
    sa.Column("wage_multiplier", sa.Text, nullable=False, server_default=""),
    sa.Column("bonus_percent", sa.Text, nullable=False, server_default=""),
    sa.Index("ix_attendance_facts_month", "month"),
)

attendance_months = sa.Table(
    "attendance_months",
    metadata,
    sa.Column("employee_code", sa.Text, primary_key=True),
    sa.Column("month", sa.Text, primary_key=True),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("working_days", sa.Integer, nullable=False),
    sa.Column("termination_review", sa.Boolean, nullable=False),
)

FACT_TABLES = (
    ingested_events,
    employee_snapshots,
    employment_facts,
    order_facts,
    payment_facts,
    refund_facts,
    after_sales_facts,
    review_facts,
    stock_facts,
    training_facts,
    attendance_facts,
    attendance_months,
)

# ---- the service's own records ------------------------------------------------------------------

targets = sa.Table(
    "targets",
    metadata,
    sa.Column("scope", sa.Text, primary_key=True),
    sa.Column("subject_code", sa.Text, primary_key=True),
    sa.Column("month", sa.Text, primary_key=True),
    *_money("amount", nullable=True),
    sa.Column("set_by", sa.Text, nullable=False, server_default=""),
    sa.Column("set_on", sa.Date, nullable=True),
    sa.Column("approved_by", sa.Text, nullable=True),
    sa.Column("late", sa.Boolean, nullable=False, server_default=sa.text("false")),
    *_money("pending_amount", nullable=True),
    sa.Column("pending_by", sa.Text, nullable=True),
    sa.Column("pending_on", sa.Date, nullable=True),
    sa.Column("pending_reason", sa.Text, nullable=True),
)

commission_tables = sa.Table(
    "commission_tables",
    metadata,
    sa.Column("group_name", sa.Text, primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("effective_from", sa.Date, nullable=False),
    sa.Column("effective_to", sa.Date, nullable=True),
    sa.Column("tiers", JSONB, nullable=False),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column(
        "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
)

share_weights = sa.Table(
    "share_weights",
    metadata,
    sa.Column("group_name", sa.Text, primary_key=True),
    sa.Column("month", sa.Text, primary_key=True),
    sa.Column("employee_code", sa.Text, primary_key=True),
    sa.Column("weight", sa.Numeric(12, 10), nullable=False),
    sa.Column("set_by", sa.Text, nullable=False),
)

misconduct_findings = sa.Table(
    "misconduct_findings",
    metadata,
    sa.Column("finding_id", sa.Text, primary_key=True),
    sa.Column("employee_code", sa.Text, nullable=False, index=True),
    sa.Column("found_on", sa.Date, nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("recorded_by", sa.Text, nullable=False),
)

appraisal_weights = sa.Table(
    "appraisal_weights",
    metadata,
    sa.Column("role", sa.Text, primary_key=True),
    sa.Column("self_assessment", sa.Numeric(7, 6), nullable=False),
    sa.Column("supervisor", sa.Numeric(7, 6), nullable=False),
    sa.Column("peers", sa.Numeric(7, 6), nullable=False),
    sa.Column("kpis", sa.Numeric(7, 6), nullable=False),
    sa.Column("set_by", sa.Text, nullable=False),
)

appraisals = sa.Table(
    "appraisals",
    metadata,
    sa.Column("employee_code", sa.Text, primary_key=True),
    sa.Column("month", sa.Text, primary_key=True),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("department_code", sa.Text, nullable=False),
    sa.Column("supervisor_code", sa.Text, nullable=False),
    sa.Column("state", sa.Text, nullable=False),
    sa.Column("weights", JSONB, nullable=False),
    sa.Column("self_score", sa.Numeric(5, 2), nullable=True),
    sa.Column("self_comment", sa.Text, nullable=False, server_default=""),
    sa.Column("supervisor_score", sa.Numeric(5, 2), nullable=True),
    sa.Column("supervisor_comments", sa.Text, nullable=False, server_default=""),
    sa.Column("kpi_score", sa.Numeric(5, 2), nullable=True),
    sa.Column("total_score", sa.Numeric(5, 2), nullable=True),
    sa.Column("grade", sa.Text, nullable=True),
    sa.Column("closed_on", sa.Date, nullable=True),
    sa.Column("review_flag", sa.Boolean, nullable=False, server_default=sa.text("false")),
    sa.Index("ix_appraisals_month", "month"),
)

peer_scores = sa.Table(
    "peer_scores",
    metadata,
    sa.Column("employee_code", sa.Text, primary_key=True),
    sa.Column("month", sa.Text, primary_key=True),
    sa.Column("reviewer_code", sa.Text, primary_key=True),
    sa.Column("reviewer_department", sa.Text, nullable=False),
    sa.Column("score", sa.Numeric(5, 2), nullable=False),
    sa.Column("comment", sa.Text, nullable=False, server_default=""),
)

annual_appraisals = sa.Table(
    "annual_appraisals",
    metadata,
    sa.Column("employee_code", sa.Text, primary_key=True),
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("score", sa.Numeric(5, 2), nullable=False),
    sa.Column("grade", sa.Text, nullable=False),
    sa.Column("months_counted", ARRAY(sa.Text), nullable=False),
    sa.Column("months_missing", ARRAY(sa.Text), nullable=False),
)

kpi_inputs = sa.Table(
    "kpi_inputs",
    metadata,
    sa.Column("employee_code", sa.Text, primary_key=True),
    sa.Column("month", sa.Text, primary_key=True),
    sa.Column("kpi", sa.Text, primary_key=True),
    sa.Column("value", sa.Numeric(20, 6), nullable=False),
    sa.Column("entered_by", sa.Text, nullable=False),
)

statements = sa.Table(
    "statements",
    metadata,
    sa.Column("employee_code", sa.Text, primary_key=True),
    sa.Column("month", sa.Text, primary_key=True),
    sa.Column("sequence", sa.Integer, primary_key=True),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("state", sa.Text, nullable=False),
    *_money("total"),
    sa.Column("flags", ARRAY(sa.Text), nullable=False),
    sa.Column("commission_group", sa.Text, nullable=True),
    sa.Column("approved_by", sa.Text, nullable=True),
    sa.Column("approved_on", sa.Date, nullable=True),
    sa.Index("ix_statements_month", "month"),
)

statement_lines = sa.Table(
    "statement_lines",
    metadata,
    sa.Column("employee_code", sa.Text, primary_key=True),
    sa.Column("month", sa.Text, primary_key=True),
    sa.Column("sequence", sa.Integer, primary_key=True),
    sa.Column("line_no", sa.Integer, primary_key=True),
    sa.Column("kind", sa.Text, nullable=False),
    *_money("amount"),
    sa.Column("rule", sa.Text, nullable=False),
    sa.Column("explanation", sa.Text, nullable=False),
    sa.Column("inputs", JSONB, nullable=False),
    sa.ForeignKeyConstraint(
        ["employee_code", "month", "sequence"],
        ["statements.employee_code", "statements.month", "statements.sequence"],
        ondelete="CASCADE",
    ),
)

group_commissions = sa.Table(
    "group_commissions",
    metadata,
    sa.Column("month", sa.Text, primary_key=True),
    sa.Column("group_name", sa.Text, primary_key=True),
    *_money("base"),
    sa.Column("completion", sa.Text, nullable=False),
    sa.Column("rate", sa.Text, nullable=False),
    sa.Column("table_version", sa.Integer, nullable=True),
    *_money("amount"),
    sa.Column("members", ARRAY(sa.Text), nullable=False),
)

# The common append-only audit log (services.common.audit): reads of confidential data and every
# change, with who, when, whose data and on what basis.
audit_log = audit_table(metadata)
