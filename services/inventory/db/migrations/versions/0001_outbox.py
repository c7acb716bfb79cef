"""The outbox (event feed).

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

from alembic import op

from services.common.migration_ops import create_outbox_v1

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_outbox_v1()


def downgrade() -> None:
    op.drop_table("outbox_events")
