"""Tables of the inventory database (the single source for Alembic and the repositories)."""

from __future__ import annotations

import sqlalchemy as sa

from services.common.outbox import outbox_table

metadata = sa.MetaData()

outbox_events = outbox_table(metadata)
