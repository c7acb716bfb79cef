"""Tables of the performance database."""

from __future__ import annotations

import sqlalchemy as sa

from services.common.outbox import outbox_table

metadata = sa.MetaData()

feed_cursors = sa.Table(
    "feed_cursors",
    metadata,
    sa.Column("feed", sa.Text, primary_key=True),
    sa.Column("cursor", sa.Text, nullable=False),
    sa.Column("events_applied", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column(
        "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
)

outbox_events = outbox_table(metadata)
