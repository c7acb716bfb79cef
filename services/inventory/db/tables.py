"""Tables of the inventory database (the single source for Alembic and the repositories).

The books, and how they hang together (VerifyLedger checks every line of this):
- `ledger_entries` is append-only: every movement of stock, never updated or deleted.
- `warehouse_stock.on_hand` (per SKU and warehouse) = Σ ledger on_hand_delta there.
- `lots.quantity` summed per SKU and warehouse = `warehouse_stock.on_hand`; a lot row is the part
  of one lot lying in one warehouse and bin, so FIFO and bins share one set of rows.
- `sku_availability` (per SKU, over SELLABLE warehouses) is the row the reservation hot path
  updates: on_hand = Σ sellable `warehouse_stock`, reserved = Σ ledger reserved_delta. Its CHECKs
  make overselling impossible whatever the code does.
- Σ lot quantity × unit cost = Σ ledger value_delta (per currency).
"""

from __future__ import annotations

import sqlalchemy as sa

from services.common.outbox import outbox_table

metadata = sa.MetaData()

outbox_events = outbox_table(metadata)

TIMESTAMP = sa.DateTime(timezone=True)


def _now() -> sa.TextClause:
    return sa.text("now()")


warehouses = sa.Table(
    "warehouses",
    metadata,
    sa.Column("code", sa.Text, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("created_at", TIMESTAMP, nullable=False, server_default=_now()),
    sa.CheckConstraint(
        "kind IN ('SELLABLE', 'DEFECTIVE', 'TRANSIT', 'SAMPLES')", name="ck_warehouses_kind"
    ),
)

bins = sa.Table(
    "bins",
    metadata,
    sa.Column("warehouse_code", sa.Text, sa.ForeignKey("warehouses.code"), primary_key=True),
    sa.Column("bin_code", sa.Text, primary_key=True),
    sa.Column("description", sa.Text, nullable=False, server_default=""),
    sa.Column("created_at", TIMESTAMP, nullable=False, server_default=_now()),
)

skus = sa.Table(
    "skus",
    metadata,
    sa.Column("sku_code", sa.Text, primary_key=True),
    sa.Column("style_code", sa.Text, nullable=False),
    sa.Column("color", sa.Text, nullable=False),
    sa.Column("size", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("category", sa.Text, nullable=False, server_default=""),
    sa.Column("unit_cost_minor", sa.BigInteger, nullable=False),
    sa.Column("unit_cost_currency", sa.Text, nullable=False),
    sa.Column("key_product", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("packaging_material", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("safety_stock", sa.Integer),
    sa.Column("reorder_point", sa.Integer),
    sa.Column("max_stock", sa.Integer),
    sa.Column("created_at", TIMESTAMP, nullable=False, server_default=_now()),
    sa.Column("updated_at", TIMESTAMP, nullable=False, server_default=_now()),
    sa.CheckConstraint("unit_cost_minor >= 0", name="ck_skus_unit_cost"),
    sa.Index("ix_skus_style_code", "style_code", "sku_code"),
    sa.Index("ix_skus_category", "category", "sku_code"),
)

sku_availability = sa.Table(
    "sku_availability",
    metadata,
    sa.Column("sku_code", sa.Text, sa.ForeignKey("skus.sku_code"), primary_key=True),
    sa.Column("on_hand", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("reserved", sa.BigInteger, nullable=False, server_default="0"),
    # Copied from skus.reorder_point so the reserve statement can report a low-stock crossing
    # from the row it already updates (no second read on the hot path).
    sa.Column("reorder_point", sa.Integer),
    # When StockLow was last published for the SKU; cleared once it is back above the reorder
    # point. A new SKU starts "alerted": having never had stock is not news.
    sa.Column(
        "low_alerted_at", sa.DateTime(timezone=True), nullable=True, server_default=sa.func.now()
    ),
    sa.CheckConstraint("reserved >= 0", name="ck_sku_availability_reserved"),
    sa.CheckConstraint("on_hand >= reserved", name="ck_sku_availability_on_hand"),
)

warehouse_stock = sa.Table(
    "warehouse_stock",
    metadata,
    sa.Column("sku_code", sa.Text, sa.ForeignKey("skus.sku_code"), primary_key=True),
    sa.Column("warehouse_code", sa.Text, sa.ForeignKey("warehouses.code"), primary_key=True),
    sa.Column("on_hand", sa.BigInteger, nullable=False, server_default="0"),
    sa.CheckConstraint("on_hand >= 0", name="ck_warehouse_stock_on_hand"),
)

lots = sa.Table(
    "lots",
    metadata,
    sa.Column("lot_id", sa.Text, primary_key=True),
    sa.Column("warehouse_code", sa.Text, sa.ForeignKey("warehouses.code"), primary_key=True),
    sa.Column("bin_code", sa.Text, primary_key=True),
    sa.Column("sku_code", sa.Text, sa.ForeignKey("skus.sku_code"), nullable=False),
    sa.Column("received_at", TIMESTAMP, nullable=False),
    sa.Column("unit_cost_minor", sa.BigInteger, nullable=False),
    sa.Column("unit_cost_currency", sa.Text, nullable=False),
    sa.Column("quantity", sa.BigInteger, nullable=False),
    sa.Column("document_type", sa.Text, nullable=False),
    sa.Column("document_id", sa.Text, nullable=False),
    sa.CheckConstraint("quantity >= 0", name="ck_lots_quantity"),
    # FIFO: the SKU's lots with stock, oldest first.
    sa.Index(
        "ix_lots_fifo",
        "sku_code",
        "received_at",
        "lot_id",
        postgresql_where=sa.text("quantity > 0"),
    ),
    # Count plans and bin listings: what lies in a warehouse, by bin.
    sa.Index(
        "ix_lots_location",
        "warehouse_code",
        "bin_code",
        "sku_code",
        postgresql_where=sa.text("quantity > 0"),
    ),
)

ledger_entries = sa.Table(
    "ledger_entries",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(always=True), primary_key=True),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("sku_code", sa.Text, nullable=False),
    # NULL for reservation entries: a reservation holds units of the sellable pool of a SKU.
    sa.Column("warehouse_code", sa.Text),
    sa.Column("bin_code", sa.Text),
    sa.Column("lot_id", sa.Text),
    sa.Column("quantity", sa.BigInteger, nullable=False),
    sa.Column("on_hand_delta", sa.BigInteger, nullable=False),
    sa.Column("reserved_delta", sa.BigInteger, nullable=False),
    sa.Column("value_delta_minor", sa.BigInteger),
    sa.Column("value_currency", sa.Text),
    sa.Column("document_type", sa.Text, nullable=False),
    sa.Column("document_id", sa.Text, nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("created_at", TIMESTAMP, nullable=False),
    sa.Column("reverses_entry_id", sa.BigInteger, sa.ForeignKey("ledger_entries.id")),
    sa.Column("reason", sa.Text, nullable=False, server_default=""),
    sa.CheckConstraint(
        "kind IN ('RECEIPT', 'PUT_AWAY', 'TRANSFER_OUT', 'TRANSFER_IN', 'RESERVATION', "
        "'RELEASE', 'ISSUE', 'RETURN_IN', 'SCRAP', 'COUNT_ADJUSTMENT', 'SUPPLIER_RETURN', "
        "'REVERSAL', 'DEFECT_IN')",
        name="ck_ledger_entries_kind",
    ),
    sa.CheckConstraint("quantity > 0", name="ck_ledger_entries_quantity"),
    sa.CheckConstraint(
        "(value_delta_minor IS NULL) = (value_currency IS NULL)", name="ck_ledger_entries_value"
    ),
    sa.Index("ix_ledger_entries_sku", "sku_code", "id"),
    sa.Index("ix_ledger_entries_document", "document_id", "id"),
    sa.Index("ix_ledger_entries_warehouse", "warehouse_code", "id"),
    sa.Index("ix_ledger_entries_kind_time", "kind", "created_at"),
    sa.Index("ix_ledger_entries_time", "created_at"),
    sa.Index(
        "ux_ledger_entries_reverses",
        "reverses_entry_id",
        unique=True,
        postgresql_where=sa.text("reverses_entry_id IS NOT NULL"),
    ),
)

reservations = sa.Table(
    "reservations",
    metadata,
    sa.Column("reservation_id", sa.Text, primary_key=True),
    sa.Column("state", sa.Text, nullable=False),
    sa.Column("fingerprint", sa.Text, nullable=False),
    sa.Column("created_at", TIMESTAMP, nullable=False),
    sa.Column("expires_at", TIMESTAMP),
    sa.Column("closed_at", TIMESTAMP),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("cost_minor", sa.BigInteger),
    sa.Column("cost_currency", sa.Text),
    sa.CheckConstraint(
        "state IN ('ACTIVE', 'RELEASED', 'COMMITTED', 'EXPIRED')", name="ck_reservations_state"
    ),
    # The expiry job's queue: active reservations with an expiry, soonest first.
    sa.Index(
        "ix_reservations_expiry",
        "expires_at",
        postgresql_where=sa.text("state = 'ACTIVE' AND expires_at IS NOT NULL"),
    ),
)

reservation_lines = sa.Table(
    "reservation_lines",
    metadata,
    sa.Column(
        "reservation_id",
        sa.Text,
        sa.ForeignKey("reservations.reservation_id"),
        primary_key=True,
    ),
    sa.Column("sku_code", sa.Text, primary_key=True),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.CheckConstraint("quantity > 0", name="ck_reservation_lines_quantity"),
)

receipts = sa.Table(
    "receipts",
    metadata,
    sa.Column("receipt_id", sa.Text, primary_key=True),
    sa.Column("warehouse_code", sa.Text, sa.ForeignKey("warehouses.code"), nullable=False),
    sa.Column("supplier", sa.Text, nullable=False),
    sa.Column("supplier_kind", sa.Text, nullable=False),
    sa.Column("fingerprint", sa.Text, nullable=False),
    # Denormalised from the lines (the domain derives it) so lists can filter on it.
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("created_at", TIMESTAMP, nullable=False),
    sa.Column("completed_by", sa.Text),
    sa.Column("completed_at", TIMESTAMP),
    sa.Index("ix_receipts_created", "created_at", "receipt_id"),
    sa.Index("ix_receipts_status", "status", "created_at"),
)

receipt_lines = sa.Table(
    "receipt_lines",
    metadata,
    sa.Column("receipt_id", sa.Text, sa.ForeignKey("receipts.receipt_id"), primary_key=True),
    sa.Column("line_no", sa.Integer, primary_key=True),
    sa.Column("sku_code", sa.Text, sa.ForeignKey("skus.sku_code"), nullable=False),
    sa.Column("lot_id", sa.Text, nullable=False, unique=True),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("unit_cost_minor", sa.BigInteger, nullable=False),
    sa.Column("unit_cost_currency", sa.Text, nullable=False),
    sa.Column("qc_state", sa.Text, nullable=False),
    sa.Column("sample_size", sa.Integer, nullable=False),
    sa.Column("inspected", sa.Integer, nullable=False, server_default="0"),
    sa.Column("defective", sa.Integer, nullable=False, server_default="0"),
    sa.Column("rounds", sa.Integer, nullable=False, server_default="0"),
    sa.UniqueConstraint("receipt_id", "sku_code", name="uq_receipt_lines_sku"),
)

receipt_signatures = sa.Table(
    "receipt_signatures",
    metadata,
    sa.Column("receipt_id", sa.Text, sa.ForeignKey("receipts.receipt_id"), primary_key=True),
    sa.Column("document", sa.Text, primary_key=True),
    sa.Column("role", sa.Text, primary_key=True),
    sa.Column("signer_id", sa.Text, nullable=False),
    sa.Column("signed_at", TIMESTAMP, nullable=False),
)

inspection_rounds = sa.Table(
    "inspection_rounds",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(always=True), primary_key=True),
    sa.Column("receipt_id", sa.Text, sa.ForeignKey("receipts.receipt_id"), nullable=False),
    sa.Column("sku_code", sa.Text, nullable=False),
    sa.Column("inspected", sa.Integer, nullable=False),
    sa.Column("defective", sa.Integer, nullable=False),
    sa.Column("qc_state_after", sa.Text, nullable=False),
    sa.Column("inspector", sa.Text, nullable=False),
    sa.Column("inspected_at", TIMESTAMP, nullable=False),
    sa.Index("ix_inspection_rounds_receipt", "receipt_id", "id"),
)

supplier_returns = sa.Table(
    "supplier_returns",
    metadata,
    sa.Column("return_id", sa.Text, primary_key=True),
    sa.Column("supplier", sa.Text, nullable=False),
    sa.Column("supplier_kind", sa.Text, nullable=False),
    sa.Column("sku_code", sa.Text, nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("listed_on", sa.Date, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("warehouse_code", sa.Text),
    sa.Column("lot_id", sa.Text),
    sa.Column("source_document_type", sa.Text, nullable=False),
    sa.Column("source_document_id", sa.Text, nullable=False),
    sa.Column("cleared_on", sa.Date),
    sa.Column("cleared_by", sa.Text),
    sa.Index("ix_supplier_returns_listed", "listed_on", "return_id"),
    sa.Index(
        "ix_supplier_returns_pending",
        "listed_on",
        "return_id",
        postgresql_where=sa.text("cleared_on IS NULL"),
    ),
)

customer_returns = sa.Table(
    "customer_returns",
    metadata,
    sa.Column("return_id", sa.Text, primary_key=True),
    sa.Column("fingerprint", sa.Text, nullable=False),
    sa.Column("reservation_id", sa.Text, nullable=False, server_default=""),
    sa.Column("reason", sa.Text, nullable=False, server_default=""),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("created_at", TIMESTAMP, nullable=False),
)

customer_return_lines = sa.Table(
    "customer_return_lines",
    metadata,
    sa.Column("return_id", sa.Text, sa.ForeignKey("customer_returns.return_id"), primary_key=True),
    sa.Column("line_no", sa.Integer, primary_key=True),
    sa.Column("sku_code", sa.Text, nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("sellable", sa.Boolean, nullable=False),
    sa.Column("warehouse_code", sa.Text, nullable=False),
    sa.Column("lot_id", sa.Text, nullable=False),
    sa.Column("value_minor", sa.BigInteger, nullable=False),
    sa.Column("value_currency", sa.Text, nullable=False),
)

transfers = sa.Table(
    "transfers",
    metadata,
    sa.Column("transfer_id", sa.Text, primary_key=True),
    sa.Column("source_warehouse_code", sa.Text, nullable=False),
    sa.Column("destination_warehouse_code", sa.Text, nullable=False),
    sa.Column("fingerprint", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("requested_by", sa.Text, nullable=False),
    sa.Column("requested_at", TIMESTAMP, nullable=False),
    sa.Column("shipped_by", sa.Text),
    sa.Column("shipped_at", TIMESTAMP),
    sa.Column("received_by", sa.Text),
    sa.Column("received_at", TIMESTAMP),
    sa.Column("cancelled_at", TIMESTAMP),
    sa.Column("cancel_reason", sa.Text, nullable=False, server_default=""),
    sa.Index("ix_transfers_requested", "requested_at", "transfer_id"),
)

transfer_lines = sa.Table(
    "transfer_lines",
    metadata,
    sa.Column("transfer_id", sa.Text, sa.ForeignKey("transfers.transfer_id"), primary_key=True),
    sa.Column("line_no", sa.Integer, primary_key=True),
    sa.Column("sku_code", sa.Text, nullable=False),
    sa.Column("requested", sa.Integer, nullable=False),
    sa.Column("shipped", sa.Integer, nullable=False, server_default="0"),
    sa.Column("received", sa.Integer, nullable=False, server_default="0"),
)

count_sheets = sa.Table(
    "count_sheets",
    metadata,
    sa.Column("sheet_id", sa.Text, primary_key=True),
    sa.Column("warehouse_code", sa.Text, sa.ForeignKey("warehouses.code"), nullable=False),
    sa.Column("plan", sa.Text, nullable=False),
    sa.Column("fingerprint", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("created_at", TIMESTAMP, nullable=False),
    sa.Column("approved_by", sa.Text),
    sa.Column("posted_at", TIMESTAMP),
    sa.Index("ix_count_sheets_created", "created_at", "sheet_id"),
)

count_lines = sa.Table(
    "count_lines",
    metadata,
    sa.Column("sheet_id", sa.Text, sa.ForeignKey("count_sheets.sheet_id"), primary_key=True),
    sa.Column("sku_code", sa.Text, primary_key=True),
    sa.Column("bin_code", sa.Text, primary_key=True),
    sa.Column("expected", sa.BigInteger, nullable=False),
    sa.Column("counted", sa.BigInteger),
    sa.Column("damaged", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("counted_by", sa.Text),
    sa.Column("reason", sa.Text, nullable=False, server_default=""),
)

sample_loans = sa.Table(
    "sample_loans",
    metadata,
    sa.Column("document_id", sa.Text, primary_key=True),
    sa.Column("borrower_id", sa.Text, nullable=False),
    sa.Column("warehouse_code", sa.Text, nullable=False),
    sa.Column("sku_code", sa.Text, nullable=False),
    sa.Column("style_code", sa.Text, nullable=False),
    sa.Column("color", sa.Text, nullable=False),
    sa.Column("size", sa.Text, nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("borrowed_on", sa.Date, nullable=False),
    sa.Column("due_on", sa.Date, nullable=False),
    sa.Column("extensions", sa.Integer, nullable=False, server_default="0"),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("closed_on", sa.Date),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Index("ix_sample_loans_due", "due_on", "document_id"),
)

customer_holds = sa.Table(
    "customer_holds",
    metadata,
    sa.Column("hold_id", sa.Text, primary_key=True),
    sa.Column("customer_ref", sa.Text, nullable=False),
    sa.Column("sku_code", sa.Text, nullable=False),
    sa.Column("warehouse_code", sa.Text, nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("created_at", TIMESTAMP, nullable=False),
    sa.Column("keep_until", TIMESTAMP),
    sa.Column("expires_at", TIMESTAMP, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("closed_at", TIMESTAMP),
    sa.Index("ix_customer_holds_created", "created_at", "hold_id"),
    # The expiry job's queue.
    sa.Index(
        "ix_customer_holds_expiry",
        "expires_at",
        postgresql_where=sa.text("status = 'ACTIVE'"),
    ),
)

replenishment_plans = sa.Table(
    "replenishment_plans",
    metadata,
    sa.Column("plan_id", sa.Text, primary_key=True),
    sa.Column("plan_date", sa.Date, nullable=False, unique=True),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("created_at", TIMESTAMP, nullable=False),
    sa.Column("decided_by", sa.Text),
    sa.Column("decided_at", TIMESTAMP),
    sa.Column("decision_note", sa.Text, nullable=False, server_default=""),
)

replenishment_lines = sa.Table(
    "replenishment_lines",
    metadata,
    sa.Column("plan_id", sa.Text, sa.ForeignKey("replenishment_plans.plan_id"), primary_key=True),
    sa.Column("sku_code", sa.Text, primary_key=True),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("daily_velocity", sa.Numeric(18, 4), nullable=False),
    sa.Column("cover_days", sa.Numeric(18, 2)),
    sa.Column("order_days", sa.Integer, nullable=False),
    sa.Column("capped_by_max", sa.Boolean, nullable=False),
    sa.Column("key_product", sa.Boolean, nullable=False),
    sa.Column("available", sa.BigInteger, nullable=False),
    sa.Column("on_order", sa.BigInteger, nullable=False),
)

# Generated document numbers (lots, supplier returns): readable, short, never reused.
lot_numbers = sa.Sequence("lot_numbers", metadata=metadata)
supplier_return_numbers = sa.Sequence("supplier_return_numbers", metadata=metadata)
