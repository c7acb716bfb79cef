"""Tables of the orders database (the single source for Alembic and the repositories).

Money columns are `<name>_minor bigint` with the currency in `currency_code`; times are
timestamptz in UTC. Small aggregates (after-sales requests, exceptions, complaints) keep their
append-only history as a JSON array next to the row; orders, the hot aggregate, keep theirs in
`order_history`. Every query the service runs has an index (named after what it serves).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from services.common.audit import audit_table
from services.common.feeds import feed_cursors_table
from services.common.outbox import outbox_table

metadata = sa.MetaData()

outbox_events = outbox_table(metadata)
feed_cursors = feed_cursors_table(metadata)
audit_log = audit_table(metadata)

TZ = sa.DateTime(timezone=True)
PENDING_SAGA_STEPS = ("RESERVE_PENDING", "RELEASE_PENDING", "COMMIT_PENDING")

orders = sa.Table(
    "orders",
    metadata,
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
    # When the order became printable (paid and confirmed): the wave reference time.
    sa.Column("printable_at", TZ),
    # When the last parcel left (status SHIPPED).
    sa.Column("shipped_at", TZ),
    sa.Column("delivered_at", TZ),
    sa.Column("carrier", sa.Text),
    sa.Column("weight_grams", sa.Integer),
    sa.Column("cancel_reason", sa.Text, nullable=False, server_default=""),
    sa.Column("release_in_doubt_until", TZ),
    # The reconciler's lease: a pending saga step is retried from this time on.
    sa.Column("saga_attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("saga_next_attempt_at", TZ, nullable=False),
    sa.Column("version", sa.Integer, nullable=False, server_default="0"),
    sa.Column("updated_at", TZ, nullable=False),
    sa.UniqueConstraint("channel", "external_order_id", name="uq_orders_channel_external_id"),
    sa.CheckConstraint("total_minor > 0", name="ck_orders_total_positive"),
    sa.Index("ix_orders_placed", "placed_at", "order_id"),
    sa.Index("ix_orders_status_placed", "status", "placed_at", "order_id"),
    sa.Index("ix_orders_channel_placed", "channel", "placed_at", "order_id"),
    sa.Index(
        "ix_orders_handled_by_placed",
        "handled_by",
        "placed_at",
        "order_id",
        postgresql_where=sa.text("handled_by IS NOT NULL"),
    ),
    sa.Index(
        "ix_orders_saga_due",
        "saga_next_attempt_at",
        postgresql_where=sa.text(
            "saga_state IN ('RESERVE_PENDING', 'RELEASE_PENDING', 'COMMIT_PENDING')"
        ),
    ),
    sa.Index(
        "ix_orders_backordered",
        "placed_at",
        "order_id",
        postgresql_where=sa.text("saga_state = 'BACKORDERED'"),
    ),
    sa.Index(
        "ix_orders_printable",
        "printable_at",
        postgresql_where=sa.text("printable_at IS NOT NULL"),
    ),
    sa.Index(
        "ix_orders_customer_name_trgm",
        "customer_name",
        postgresql_using="gin",
        postgresql_ops={"customer_name": "gin_trgm_ops"},
    ),
    sa.Index("ix_orders_customer_phone", "customer_phone"),
)

order_lines = sa.Table(
    "order_lines",
    metadata,
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
    sa.Index("ix_order_lines_sku", "sku_code", "order_id"),
)

order_history = sa.Table(
    "order_history",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(always=True), primary_key=True),
    sa.Column(
        "order_id", sa.Text, sa.ForeignKey("orders.order_id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("from_status", sa.Text),
    sa.Column("to_status", sa.Text, nullable=False),
    sa.Column("at", TZ, nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    sa.Index("ix_order_history_order", "order_id", "id"),
)

shipments = sa.Table(
    "shipments",
    metadata,
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
    # [[line_no, quantity], ...]
    sa.Column("quantities", pg.JSONB, nullable=False),
    sa.Column("address", sa.Text, nullable=False),
    sa.Column("shipped_at", TZ, nullable=False),
    sa.Column("shipped_by", sa.Text, nullable=False),
)

# SKUs that got stock (from the inventory feed, or released by our own cancellations): the
# backorder allocator tries the orders waiting for them.
backorder_wakeups = sa.Table(
    "backorder_wakeups",
    metadata,
    sa.Column("sku_code", sa.Text, primary_key=True),
    sa.Column("woken_at", TZ, nullable=False),
)

review_batches = sa.Table(
    "review_batches",
    metadata,
    sa.Column("batch_id", sa.Text, primary_key=True),
    sa.Column("order_ids", pg.ARRAY(sa.Text), nullable=False),
    # [{"order_id", "outcome", "findings": [...]}, ...]
    sa.Column("decisions", pg.JSONB, nullable=False),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("created_at", TZ, nullable=False),
)

after_sales_requests = sa.Table(
    "after_sales_requests",
    metadata,
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
    # Returned goods owed to inventory: '' | RETURN_PENDING | RETURNED.
    sa.Column("stock_return_step", sa.Text, nullable=False, server_default=""),
    # Replacement stock: '' | RESERVE_PENDING | COMMIT_PENDING | COMMITTED, with the intent
    # (items, carrier, tracking number, actor) while the reservation is being made.
    sa.Column("replacement_step", sa.Text, nullable=False, server_default=""),
    sa.Column("replacement_intent", pg.JSONB),
    sa.Column("step_attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("step_next_attempt_at", TZ),
    sa.Column("history", pg.JSONB, nullable=False),
    sa.Column("version", sa.Integer, nullable=False, server_default="0"),
    sa.Column("updated_at", TZ, nullable=False),
    sa.Index("ix_after_sales_order", "order_id", "opened_at"),
    sa.Index("ix_after_sales_opened", "opened_at", "request_id"),
    sa.Index("ix_after_sales_status_opened", "status", "opened_at", "request_id"),
    sa.Index(
        "ix_after_sales_handled_by",
        "handled_by",
        "opened_at",
        postgresql_where=sa.text("handled_by IS NOT NULL"),
    ),
    sa.Index(
        "ix_after_sales_steps_due",
        "step_next_attempt_at",
        postgresql_where=sa.text(
            "stock_return_step = 'RETURN_PENDING' "
            "OR replacement_step IN ('RESERVE_PENDING', 'COMMIT_PENDING')"
        ),
    ),
)

refunds = sa.Table(
    "refunds",
    metadata,
    sa.Column("refund_id", sa.Text, primary_key=True),
    sa.Column("order_id", sa.Text, sa.ForeignKey("orders.order_id"), nullable=False),
    # [[line_no, quantity, amount_minor], ...]
    sa.Column("lines", pg.JSONB, nullable=False),
    sa.Column("currency_code", sa.Text, nullable=False),
    sa.Column("total_minor", sa.BigInteger, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("refunded_at", TZ, nullable=False),
    sa.Column("refunded_by", sa.Text, nullable=False),
    sa.Column("source", sa.Text, nullable=False, server_default=""),
    sa.Column("handled_by", sa.Text),
    sa.CheckConstraint("total_minor > 0", name="ck_refunds_total_positive"),
    sa.Index("ix_refunds_order", "order_id", "refunded_at"),
)

invoices = sa.Table(
    "invoices",
    metadata,
    sa.Column("invoice_id", sa.Text, primary_key=True),
    sa.Column("order_id", sa.Text, sa.ForeignKey("orders.order_id"), nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("tax_id", sa.Text, nullable=False, server_default=""),
    sa.Column("currency_code", sa.Text, nullable=False),
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
    sa.Column("requested_at", TZ, nullable=False),
    sa.Column("requested_by", sa.Text, nullable=False),
    sa.Index("ix_invoices_order", "order_id", "requested_at"),
)

logistics_exceptions = sa.Table(
    "logistics_exceptions",
    metadata,
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
    sa.Index("ix_logistics_exceptions_order", "order_id", "opened_at"),
    sa.Index("ix_logistics_exceptions_opened", "opened_at", "exception_id"),
    sa.Index("ix_logistics_exceptions_status", "status", "opened_at", "exception_id"),
)

complaints = sa.Table(
    "complaints",
    metadata,
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
    sa.Index("ix_complaints_opened", "opened_at", "complaint_id"),
    sa.Index("ix_complaints_status", "status", "opened_at", "complaint_id"),
    sa.Index(
        "ix_complaints_order",
        "order_id",
        "opened_at",
        postgresql_where=sa.text("order_id IS NOT NULL"),
    ),
    sa.Index(
        "ix_complaints_handled_by",
        "handled_by",
        "opened_at",
        postgresql_where=sa.text("handled_by IS NOT NULL"),
    ),
)

order_ratings = sa.Table(
    "order_ratings",
    metadata,
    sa.Column("order_id", sa.Text, sa.ForeignKey("orders.order_id"), primary_key=True),
    sa.Column("rating", sa.SmallInteger, nullable=False),
    sa.Column("comment", sa.Text, nullable=False, server_default=""),
    sa.Column("rated_at", TZ, nullable=False),
    sa.CheckConstraint("rating BETWEEN 1 AND 5", name="ck_order_ratings_range"),
)
