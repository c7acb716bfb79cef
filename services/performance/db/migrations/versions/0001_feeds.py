"""Performance first cut: feed cursors and the outbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

from services.common.migration_ops import create_feed_cursors_v1, create_outbox_v1

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_feed_cursors_v1()
    create_outbox_v1()


def downgrade() -> None:
    from alembic import op

    op.drop_table("outbox_events")
    op.drop_table("feed_cursors")
