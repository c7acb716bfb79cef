"""Orders, lines, history, parcels; backorder wake-ups, the inventory feed cursor; review batches,
after-sales requests, refunds, invoices, logistics exceptions, complaints, ratings; audit log.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

from services.common.audit import create_audit_log_v1
from services.common.migration_ops import create_feed_cursors_v1

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    # Trusted extension (PostgreSQL 13+): the database owner may create it.
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    create_feed_cursors_v1()
    create_audit_log_v1()
    _orders()
    _fulfilment()
    _after_sales()
    _cases()


def _orders() -> None:
    op.create_table(
        "orders",
        sa.Column("order_id", sa.Text, primary_key=True),
        sa.Column("channel", sa.Text, nullable=False),
        sa.Column("external_order_id", sa.Text, nullable=False),
        sa.Column("payload_fingerprint", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("saga_state", sa.Text, nullable=False),
        sa.Column("customer_name", sa.Text, nullable=False),
        sa.Column("customer_phone", sa.Text, nullable=False),
        sa.Column("customer_address", sa.Text, nullable=False),
        sa.Column("currency_code", sa.Text, nullable=False),
        sa.Column("total_minor", sa.BigInteger, nullable=False),
        sa.Column("paid", sa.Boolean, nullable=False),
        sa.Column("paid_at", TZ),
        sa.Column("buyer_message", sa.Text, nullable=False, server_default=""),
        sa.Column("service_note", sa.Text, nullable=False, server_default=""),
        sa.Column("handled_by", sa.Text),
        sa.Column("placed_at", TZ, nullable=False),
        sa.Column("confirmed_at", TZ),
        sa.Column("printable_at", TZ),
        sa.Column("shipped_at", TZ),
        sa.Column("delivered_at", TZ),
        sa.Column("carrier", sa.Text),
        sa.Column("weight_grams", sa.Integer),
        sa.Column("cancel_reason", sa.Text, nullable=False, server_default=""),
        sa.Column("release_in_doubt_until", TZ),
        sa.Column("saga_attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("saga_next_attempt_at", TZ, nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="0"),
        sa.Column("updated_at", TZ, nullable=False),
        sa.UniqueConstraint("channel", "external_order_id", name="uq_orders_channel_external_id"),
        sa.CheckConstraint("total_minor > 0", name="ck_orders_total_positive"),
    )
    op.create_index("ix_orders_placed", "orders", ["placed_at", "order_id"])
    op.create_index("ix_orders_status_placed", "orders", ["status", "placed_at", "order_id"])
    op.create_index("ix_orders_channel_placed", "orders", ["channel", "placed_at", "order_id"])
    op.create_index(
        "ix_orders_handled_by_placed",
        "orders",
        ["handled_by", "placed_at", "order_id"],
        postgresql_where=sa.text("handled_by IS NOT NULL"),
    )
    op.create_index(
        "ix_orders_saga_due",
        "orders",
        ["saga_next_attempt_at"],
        postgresql_where=sa.text(
            "saga_state IN ('RESERVE_PENDING', 'RELEASE_PENDING', 'COMMIT_PENDING')"
        ),
    )
    op.create_index(
        "ix_orders_backordered",
        "orders",
        ["placed_at", "order_id"],
        postgresql_where=sa.text("saga_state = 'BACKORDERED'"),
    )
    op.create_index(
        "ix_orders_printable",
        "orders",
        ["printable_at"],
        postgresql_where=sa.text("printable_at IS NOT NULL"),
    )
    op.create_index(
        "ix_orders_customer_name_trgm",
        "orders",
        ["customer_name"],
        postgresql_using="gin",
        postgresql_ops={"customer_name": "gin_trgm_ops"},
    )
    op.create_index("ix_orders_customer_phone", "orders", ["customer_phone"])

    op.create_table(
        "order_lines",
        sa.Column(
            "order_id",
            sa.Text,
            sa.ForeignKey("orders.order_id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("line_no", sa.Integer, primary_key=True),
        sa.Column("sku_code", sa.Text, nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("unit_price_minor", sa.BigInteger, nullable=False),
        sa.CheckConstraint("quantity > 0", name="ck_order_lines_quantity_positive"),
        sa.CheckConstraint("unit_price_minor > 0", name="ck_order_lines_price_positive"),
    )
    op.create_index("ix_order_lines_sku", "order_lines", ["sku_code", "order_id"])

    op.create_table(
        "order_history",
        sa.Column("id", sa.BigInteger, sa.Identity(always=True), primary_key=True),
        sa.Column(
            "order_id",
            sa.Text,
            sa.ForeignKey("orders.order_id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("from_status", sa.Text),
        sa.Column("to_status", sa.Text, nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
    )
    op.create_index("ix_order_history_order", "order_history", ["order_id", "id"])

    op.create_table(
        "shipments",
        sa.Column(
            "order_id",
            sa.Text,
            sa.ForeignKey("orders.order_id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("shipment_no", sa.Integer, primary_key=True),
        sa.Column("carrier", sa.Text, nullable=False),
        sa.Column("tracking_number", sa.Text, nullable=False),
        sa.Column("weight_grams", sa.Integer),
        sa.Column("quantities", pg.JSONB, nullable=False),
        sa.Column("address", sa.Text, nullable=False),
        sa.Column("shipped_at", TZ, nullable=False),
        sa.Column("shipped_by", sa.Text, nullable=False),
    )

    op.create_table(
        "backorder_wakeups",
        sa.Column("sku_code", sa.Text, primary_key=True),
        sa.Column("woken_at", TZ, nullable=False),
    )


def _fulfilment() -> None:
    op.create_table(
        "review_batches",
        sa.Column("batch_id", sa.Text, primary_key=True),
        sa.Column("order_ids", pg.ARRAY(sa.Text), nullable=False),
        sa.Column("decisions", pg.JSONB, nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )


def _after_sales() -> None:
    op.create_table(
        "after_sales_requests",
        sa.Column("request_id", sa.Text, primary_key=True),
        sa.Column("order_id", sa.Text, sa.ForeignKey("orders.order_id"), nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("requested", pg.JSONB, nullable=False),
        sa.Column("received", pg.JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
        sa.Column("received_by", sa.Text),
        sa.Column("description", sa.Text, nullable=False, server_default=""),
        sa.Column("opened_at", TZ, nullable=False),
        sa.Column("opened_by", sa.Text, nullable=False),
        sa.Column("verdict", sa.Text),
        sa.Column("dispositions", pg.JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
        sa.Column("inspected_by", sa.Text),
        sa.Column("approved_by", sa.Text),
        sa.Column("refund_id", sa.Text),
        sa.Column("replacement", pg.JSONB),
        sa.Column("rejection_reason", sa.Text, nullable=False, server_default=""),
        sa.Column("handled_by", sa.Text),
        sa.Column("goods_booked_at", TZ),
        sa.Column("stock_return_step", sa.Text, nullable=False, server_default=""),
        sa.Column("replacement_step", sa.Text, nullable=False, server_default=""),
        sa.Column("replacement_intent", pg.JSONB),
        sa.Column("step_attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("step_next_attempt_at", TZ),
        sa.Column("history", pg.JSONB, nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="0"),
        sa.Column("updated_at", TZ, nullable=False),
    )
    op.create_index("ix_after_sales_order", "after_sales_requests", ["order_id", "opened_at"])
    op.create_index("ix_after_sales_opened", "after_sales_requests", ["opened_at", "request_id"])
    op.create_index(
        "ix_after_sales_status_opened",
        "after_sales_requests",
        ["status", "opened_at", "request_id"],
    )
    op.create_index(
        "ix_after_sales_handled_by",
        "after_sales_requests",
        ["handled_by", "opened_at"],
        postgresql_where=sa.text("handled_by IS NOT NULL"),
    )
    op.create_index(
        "ix_after_sales_steps_due",
        "after_sales_requests",
        ["step_next_attempt_at"],
        postgresql_where=sa.text(
            "stock_return_step = 'RETURN_PENDING' "
            "OR replacement_step IN ('RESERVE_PENDING', 'COMMIT_PENDING')"
        ),
    )

    op.create_table(
        "refunds",
        sa.Column("refund_id", sa.Text, primary_key=True),
        sa.Column("order_id", sa.Text, sa.ForeignKey("orders.order_id"), nullable=False),
        sa.Column("lines", pg.JSONB, nullable=False),
        sa.Column("currency_code", sa.Text, nullable=False),
        sa.Column("total_minor", sa.BigInteger, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("refunded_at", TZ, nullable=False),
        sa.Column("refunded_by", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False, server_default=""),
        sa.Column("handled_by", sa.Text),
        sa.CheckConstraint("total_minor > 0", name="ck_refunds_total_positive"),
    )
    op.create_index("ix_refunds_order", "refunds", ["order_id", "refunded_at"])

    op.create_table(
        "invoices",
        sa.Column("invoice_id", sa.Text, primary_key=True),
        sa.Column("order_id", sa.Text, sa.ForeignKey("orders.order_id"), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("tax_id", sa.Text, nullable=False, server_default=""),
        sa.Column("currency_code", sa.Text, nullable=False),
        sa.Column("amount_minor", sa.BigInteger, nullable=False),
        sa.Column("requested_at", TZ, nullable=False),
        sa.Column("requested_by", sa.Text, nullable=False),
    )
    op.create_index("ix_invoices_order", "invoices", ["order_id", "requested_at"])


def _cases() -> None:
    op.create_table(
        "logistics_exceptions",
        sa.Column("exception_id", sa.Text, primary_key=True),
        sa.Column("order_id", sa.Text, sa.ForeignKey("orders.order_id"), nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("tracking_number", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("opened_at", TZ, nullable=False),
        sa.Column("customer_notified_at", TZ),
        sa.Column("resolution", sa.Text),
        sa.Column("resolution_note", sa.Text, nullable=False, server_default=""),
        sa.Column("resolved_at", TZ),
        sa.Column("handled_by", sa.Text),
        sa.Column("history", pg.JSONB, nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_index(
        "ix_logistics_exceptions_order", "logistics_exceptions", ["order_id", "opened_at"]
    )
    op.create_index(
        "ix_logistics_exceptions_opened", "logistics_exceptions", ["opened_at", "exception_id"]
    )
    op.create_index(
        "ix_logistics_exceptions_status",
        "logistics_exceptions",
        ["status", "opened_at", "exception_id"],
    )

    op.create_table(
        "complaints",
        sa.Column("complaint_id", sa.Text, primary_key=True),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("order_id", sa.Text, sa.ForeignKey("orders.order_id")),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("resolution", sa.Text, nullable=False, server_default=""),
        sa.Column("opened_at", TZ, nullable=False),
        sa.Column("ended_at", TZ),
        sa.Column("handled_by", sa.Text),
        sa.Column("history", pg.JSONB, nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_index("ix_complaints_opened", "complaints", ["opened_at", "complaint_id"])
    op.create_index("ix_complaints_status", "complaints", ["status", "opened_at", "complaint_id"])
    op.create_index(
        "ix_complaints_order",
        "complaints",
        ["order_id", "opened_at"],
        postgresql_where=sa.text("order_id IS NOT NULL"),
    )
    op.create_index(
        "ix_complaints_handled_by",
        "complaints",
        ["handled_by", "opened_at"],
        postgresql_where=sa.text("handled_by IS NOT NULL"),
    )

    op.create_table(
        "order_ratings",
        sa.Column("order_id", sa.Text, sa.ForeignKey("orders.order_id"), primary_key=True),
        sa.Column("rating", sa.SmallInteger, nullable=False),
        sa.Column("comment", sa.Text, nullable=False, server_default=""),
        sa.Column("rated_at", TZ, nullable=False),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name="ck_order_ratings_range"),
    )


def downgrade() -> None:
    for table in (
        "order_ratings",
        "complaints",
        "logistics_exceptions",
        "invoices",
        "refunds",
        "after_sales_requests",
        "review_batches",
        "backorder_wakeups",
        "shipments",
        "order_history",
        "order_lines",
        "orders",
        "audit_log",
        "feed_cursors",
    ):
        op.drop_table(table)
