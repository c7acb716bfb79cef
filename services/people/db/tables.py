"""Tables of the people database (the single source for Alembic and the repositories)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from services.common.outbox import outbox_table

metadata = sa.MetaData()

roles = sa.Table(
    "roles",
    metadata,
    sa.Column("code", sa.Text, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=False, server_default=""),
    sa.Column(
        "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
    sa.Column(
        "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
)

role_permissions = sa.Table(
    "role_permissions",
    metadata,
    sa.Column(
        "role_code", sa.Text, sa.ForeignKey("roles.code", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("pattern", sa.Text, primary_key=True),
)

service_accounts = sa.Table(
    "service_accounts",
    metadata,
    sa.Column("client_id", sa.Text, primary_key=True),
    sa.Column("secret_sha256", sa.Text, nullable=False),
    sa.Column("roles", pg.ARRAY(sa.Text), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column(
        "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
    sa.Column(
        "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
)

outbox_events = outbox_table(metadata)
