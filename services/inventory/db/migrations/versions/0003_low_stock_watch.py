"""Low stock is watched by a job instead of detected inside each reservation: remember when
StockLow was last published per SKU (SKUs below their reorder point now count as alerted).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "sku_availability",
        sa.Column(
            "low_alerted_at",
            sa.DateTime(timezone=True),
            nullable=True,
            server_default=sa.func.now(),
        ),
    )
    op.execute(
        "UPDATE sku_availability SET low_alerted_at = NULL "
        "WHERE on_hand - reserved >= coalesce(reorder_point, 1)"
    )


def downgrade() -> None:
    op.drop_column("sku_availability", "low_alerted_at")
