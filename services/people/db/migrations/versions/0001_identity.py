"""Identity first cut: roles, their permission patterns, service accounts, the outbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

from services.common.migration_ops import create_outbox_v1

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# The seeded default as it stood when this migration was written (later ones extend it).
SEED_ROLES = {
    "admin": ("Administrator", ["*"]),
    "svc_orders": (
        "Service account: orders",
        [
            "inventory.reservations.*",
            "inventory.stock.read",
            "inventory.events.read",
            "inventory.returns.*",
        ],
    ),
    "svc_performance": (
        "Service account: performance",
        [
            "inventory.events.read",
            "orders.events.read",
            "people.events.read",
            "inventory.valuation.read",
        ],
    ),
    "svc_inventory": ("Service account: inventory", ["orders.events.read"]),
}


def upgrade() -> None:
    roles = op.create_table(
        "roles",
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
    role_permissions = op.create_table(
        "role_permissions",
        sa.Column(
            "role_code", sa.Text, sa.ForeignKey("roles.code", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("pattern", sa.Text, primary_key=True),
    )
    op.create_table(
        "service_accounts",
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
    create_outbox_v1()
    op.bulk_insert(roles, [{"code": code, "name": name} for code, (name, _) in SEED_ROLES.items()])
    op.bulk_insert(
        role_permissions,
        [
            {"role_code": code, "pattern": p}
            for code, (_, patterns) in SEED_ROLES.items()
            for p in patterns
        ],
    )


def downgrade() -> None:
    for table in ("outbox_events", "service_accounts", "role_permissions", "roles"):
        op.drop_table(table)
