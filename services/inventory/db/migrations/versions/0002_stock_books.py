"""The stock books: catalogue, lots, stock, availability, ledger, reservations, receipts,
supplier and customer returns, transfers, cycle counts, sample loans, holds, replenishment plans.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def _now() -> sa.TextClause:
    return sa.text("now()")


def upgrade() -> None:
    op.execute("CREATE SEQUENCE lot_numbers")
    op.execute("CREATE SEQUENCE supplier_return_numbers")
    op.create_table(
        "warehouses",
        sa.Column("code", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("created_at", TS, nullable=False, server_default=_now()),
        sa.CheckConstraint(
            "kind IN ('SELLABLE', 'DEFECTIVE', 'TRANSIT', 'SAMPLES')", name="ck_warehouses_kind"
        ),
    )
    op.create_table(
        "bins",
        sa.Column("warehouse_code", sa.Text, sa.ForeignKey("warehouses.code"), primary_key=True),
        sa.Column("bin_code", sa.Text, primary_key=True),
        sa.Column("description", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", TS, nullable=False, server_default=_now()),
    )
    op.create_table(
        "skus",
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
        sa.Column("created_at", TS, nullable=False, server_default=_now()),
        sa.Column("updated_at", TS, nullable=False, server_default=_now()),
        sa.CheckConstraint("unit_cost_minor >= 0", name="ck_skus_unit_cost"),
    )
    op.create_index("ix_skus_style_code", "skus", ["style_code", "sku_code"])
    op.create_index("ix_skus_category", "skus", ["category", "sku_code"])
    op.create_table(
        "sku_availability",
        sa.Column("sku_code", sa.Text, sa.ForeignKey("skus.sku_code"), primary_key=True),
        sa.Column("on_hand", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("reserved", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("reorder_point", sa.Integer),
        sa.CheckConstraint("reserved >= 0", name="ck_sku_availability_reserved"),
        sa.CheckConstraint("on_hand >= reserved", name="ck_sku_availability_on_hand"),
    )
    op.create_table(
        "warehouse_stock",
        sa.Column("sku_code", sa.Text, sa.ForeignKey("skus.sku_code"), primary_key=True),
        sa.Column("warehouse_code", sa.Text, sa.ForeignKey("warehouses.code"), primary_key=True),
        sa.Column("on_hand", sa.BigInteger, nullable=False, server_default="0"),
        sa.CheckConstraint("on_hand >= 0", name="ck_warehouse_stock_on_hand"),
    )
    op.create_table(
        "lots",
        sa.Column("lot_id", sa.Text, primary_key=True),
        sa.Column("warehouse_code", sa.Text, sa.ForeignKey("warehouses.code"), primary_key=True),
        sa.Column("bin_code", sa.Text, primary_key=True),
        sa.Column("sku_code", sa.Text, sa.ForeignKey("skus.sku_code"), nullable=False),
        sa.Column("received_at", TS, nullable=False),
        sa.Column("unit_cost_minor", sa.BigInteger, nullable=False),
        sa.Column("unit_cost_currency", sa.Text, nullable=False),
        sa.Column("quantity", sa.BigInteger, nullable=False),
        sa.Column("document_type", sa.Text, nullable=False),
        sa.Column("document_id", sa.Text, nullable=False),
        sa.CheckConstraint("quantity >= 0", name="ck_lots_quantity"),
    )
    op.create_index(
        "ix_lots_fifo",
        "lots",
        ["sku_code", "received_at", "lot_id"],
        postgresql_where=sa.text("quantity > 0"),
    )
    op.create_index(
        "ix_lots_location",
        "lots",
        ["warehouse_code", "bin_code", "sku_code"],
        postgresql_where=sa.text("quantity > 0"),
    )
    op.create_table(
        "ledger_entries",
        sa.Column("id", sa.BigInteger, sa.Identity(always=True), primary_key=True),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("sku_code", sa.Text, nullable=False),
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
        sa.Column("created_at", TS, nullable=False),
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
            "(value_delta_minor IS NULL) = (value_currency IS NULL)",
            name="ck_ledger_entries_value",
        ),
    )
    op.create_index("ix_ledger_entries_sku", "ledger_entries", ["sku_code", "id"])
    op.create_index("ix_ledger_entries_document", "ledger_entries", ["document_id", "id"])
    op.create_index("ix_ledger_entries_warehouse", "ledger_entries", ["warehouse_code", "id"])
    op.create_index("ix_ledger_entries_kind_time", "ledger_entries", ["kind", "created_at"])
    op.create_index("ix_ledger_entries_time", "ledger_entries", ["created_at"])
    op.create_index(
        "ux_ledger_entries_reverses",
        "ledger_entries",
        ["reverses_entry_id"],
        unique=True,
        postgresql_where=sa.text("reverses_entry_id IS NOT NULL"),
    )
    # Append-only: an entry, once posted, is never changed or removed (corrections are
    # reversing entries). Enforced in the database so no code path can forget it.
    op.execute(
        """
        CREATE FUNCTION ledger_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'ledger entries are append-only; post a reversing entry instead';
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries "
        "FOR EACH ROW EXECUTE FUNCTION ledger_entries_append_only()"
    )
    op.create_table(
        "reservations",
        sa.Column("reservation_id", sa.Text, primary_key=True),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("fingerprint", sa.Text, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS),
        sa.Column("closed_at", TS),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("cost_minor", sa.BigInteger),
        sa.Column("cost_currency", sa.Text),
        sa.CheckConstraint(
            "state IN ('ACTIVE', 'RELEASED', 'COMMITTED', 'EXPIRED')",
            name="ck_reservations_state",
        ),
    )
    op.create_index(
        "ix_reservations_expiry",
        "reservations",
        ["expires_at"],
        postgresql_where=sa.text("state = 'ACTIVE' AND expires_at IS NOT NULL"),
    )
    op.create_table(
        "reservation_lines",
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
    op.create_table(
        "receipts",
        sa.Column("receipt_id", sa.Text, primary_key=True),
        sa.Column("warehouse_code", sa.Text, sa.ForeignKey("warehouses.code"), nullable=False),
        sa.Column("supplier", sa.Text, nullable=False),
        sa.Column("supplier_kind", sa.Text, nullable=False),
        sa.Column("fingerprint", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("completed_by", sa.Text),
        sa.Column("completed_at", TS),
    )
    op.create_index("ix_receipts_created", "receipts", ["created_at", "receipt_id"])
    op.create_index("ix_receipts_status", "receipts", ["status", "created_at"])
    op.create_table(
        "receipt_lines",
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
    op.create_table(
        "receipt_signatures",
        sa.Column("receipt_id", sa.Text, sa.ForeignKey("receipts.receipt_id"), primary_key=True),
        sa.Column("document", sa.Text, primary_key=True),
        sa.Column("role", sa.Text, primary_key=True),
        sa.Column("signer_id", sa.Text, nullable=False),
        sa.Column("signed_at", TS, nullable=False),
    )
    op.create_table(
        "inspection_rounds",
        sa.Column("id", sa.BigInteger, sa.Identity(always=True), primary_key=True),
        sa.Column("receipt_id", sa.Text, sa.ForeignKey("receipts.receipt_id"), nullable=False),
        sa.Column("sku_code", sa.Text, nullable=False),
        sa.Column("inspected", sa.Integer, nullable=False),
        sa.Column("defective", sa.Integer, nullable=False),
        sa.Column("qc_state_after", sa.Text, nullable=False),
        sa.Column("inspector", sa.Text, nullable=False),
        sa.Column("inspected_at", TS, nullable=False),
    )
    op.create_index("ix_inspection_rounds_receipt", "inspection_rounds", ["receipt_id", "id"])
    op.create_table(
        "supplier_returns",
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
    )
    op.create_index("ix_supplier_returns_listed", "supplier_returns", ["listed_on", "return_id"])
    op.create_index(
        "ix_supplier_returns_pending",
        "supplier_returns",
        ["listed_on", "return_id"],
        postgresql_where=sa.text("cleared_on IS NULL"),
    )
    op.create_table(
        "customer_returns",
        sa.Column("return_id", sa.Text, primary_key=True),
        sa.Column("fingerprint", sa.Text, nullable=False),
        sa.Column("reservation_id", sa.Text, nullable=False, server_default=""),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "customer_return_lines",
        sa.Column(
            "return_id", sa.Text, sa.ForeignKey("customer_returns.return_id"), primary_key=True
        ),
        sa.Column("line_no", sa.Integer, primary_key=True),
        sa.Column("sku_code", sa.Text, nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("sellable", sa.Boolean, nullable=False),
        sa.Column("warehouse_code", sa.Text, nullable=False),
        sa.Column("lot_id", sa.Text, nullable=False),
        sa.Column("value_minor", sa.BigInteger, nullable=False),
        sa.Column("value_currency", sa.Text, nullable=False),
    )
    op.create_table(
        "transfers",
        sa.Column("transfer_id", sa.Text, primary_key=True),
        sa.Column("source_warehouse_code", sa.Text, nullable=False),
        sa.Column("destination_warehouse_code", sa.Text, nullable=False),
        sa.Column("fingerprint", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("requested_by", sa.Text, nullable=False),
        sa.Column("requested_at", TS, nullable=False),
        sa.Column("shipped_by", sa.Text),
        sa.Column("shipped_at", TS),
        sa.Column("received_by", sa.Text),
        sa.Column("received_at", TS),
        sa.Column("cancelled_at", TS),
        sa.Column("cancel_reason", sa.Text, nullable=False, server_default=""),
    )
    op.create_index("ix_transfers_requested", "transfers", ["requested_at", "transfer_id"])
    op.create_table(
        "transfer_lines",
        sa.Column("transfer_id", sa.Text, sa.ForeignKey("transfers.transfer_id"), primary_key=True),
        sa.Column("line_no", sa.Integer, primary_key=True),
        sa.Column("sku_code", sa.Text, nullable=False),
        sa.Column("requested", sa.Integer, nullable=False),
        sa.Column("shipped", sa.Integer, nullable=False, server_default="0"),
        sa.Column("received", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_table(
        "count_sheets",
        sa.Column("sheet_id", sa.Text, primary_key=True),
        sa.Column("warehouse_code", sa.Text, sa.ForeignKey("warehouses.code"), nullable=False),
        sa.Column("plan", sa.Text, nullable=False),
        sa.Column("fingerprint", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("approved_by", sa.Text),
        sa.Column("posted_at", TS),
    )
    op.create_index("ix_count_sheets_created", "count_sheets", ["created_at", "sheet_id"])
    op.create_table(
        "count_lines",
        sa.Column("sheet_id", sa.Text, sa.ForeignKey("count_sheets.sheet_id"), primary_key=True),
        sa.Column("sku_code", sa.Text, primary_key=True),
        sa.Column("bin_code", sa.Text, primary_key=True),
        sa.Column("expected", sa.BigInteger, nullable=False),
        sa.Column("counted", sa.BigInteger),
        sa.Column("damaged", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("counted_by", sa.Text),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
    )
    op.create_table(
        "sample_loans",
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
    )
    op.create_index("ix_sample_loans_due", "sample_loans", ["due_on", "document_id"])
    op.create_table(
        "customer_holds",
        sa.Column("hold_id", sa.Text, primary_key=True),
        sa.Column("customer_ref", sa.Text, nullable=False),
        sa.Column("sku_code", sa.Text, nullable=False),
        sa.Column("warehouse_code", sa.Text, nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("keep_until", TS),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("closed_at", TS),
    )
    op.create_index("ix_customer_holds_created", "customer_holds", ["created_at", "hold_id"])
    op.create_index(
        "ix_customer_holds_expiry",
        "customer_holds",
        ["expires_at"],
        postgresql_where=sa.text("status = 'ACTIVE'"),
    )
    op.create_table(
        "replenishment_plans",
        sa.Column("plan_id", sa.Text, primary_key=True),
        sa.Column("plan_date", sa.Date, nullable=False, unique=True),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("decided_by", sa.Text),
        sa.Column("decided_at", TS),
        sa.Column("decision_note", sa.Text, nullable=False, server_default=""),
    )
    op.create_table(
        "replenishment_lines",
        sa.Column(
            "plan_id", sa.Text, sa.ForeignKey("replenishment_plans.plan_id"), primary_key=True
        ),
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


def downgrade() -> None:
    for table in (
        "replenishment_lines",
        "replenishment_plans",
        "customer_holds",
        "sample_loans",
        "count_lines",
        "count_sheets",
        "transfer_lines",
        "transfers",
        "customer_return_lines",
        "customer_returns",
        "supplier_returns",
        "inspection_rounds",
        "receipt_signatures",
        "receipt_lines",
        "receipts",
        "reservation_lines",
        "reservations",
    ):
        op.drop_table(table)
    op.execute("DROP TRIGGER ledger_entries_append_only ON ledger_entries")
    op.execute("DROP FUNCTION ledger_entries_append_only()")
    for table in ("ledger_entries", "lots", "warehouse_stock", "sku_availability", "skus", "bins"):
        op.drop_table(table)
    op.drop_table("warehouses")
    op.execute("DROP SEQUENCE supplier_return_numbers")
    op.execute("DROP SEQUENCE lot_numbers")
