"""Schema steps every service's first migration shares (frozen: change by adding new steps)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


def create_outbox_v1() -> None:
    """The outbox table of `services.common.outbox`, as first released."""
    op.create_table(
        "outbox_events",
        sa.Column("id", sa.BigInteger, sa.Identity(always=True), primary_key=True),
        sa.Column(
            "tx_id",
            sa.BigInteger,
            nullable=False,
            server_default=sa.text("(pg_current_xact_id()::text::bigint)"),
        ),
        sa.Column("type", sa.Text, nullable=False),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("payload", sa.LargeBinary, nullable=False),
        sa.Column(
            "occurred_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
    )
    op.create_index("ix_outbox_events_position", "outbox_events", ["tx_id", "id"])


def create_feed_cursors_v1() -> None:
    """Where a consumer stands in each feed it reads (see `services.common.feeds`)."""
    op.create_table(
        "feed_cursors",
        sa.Column("feed", sa.Text, primary_key=True),
        sa.Column("cursor", sa.Text, nullable=False),
        sa.Column("events_applied", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
    )
