"""Grant the permissions the services declared after the first role table (frozen copy of
`domain.default_roles.GRANTS_ADDED_0005`): holds kept by sales, ledger checks and corrections by
the warehouse supervisor, statistician and finance, transfer cancellation by keepers, shipping by
the order clerk, review ratings by customer service, KPI inputs, commission tables, audit reads.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

GRANTS: dict[str, tuple[str, ...]] = {
    "sales_rep": ("inventory.holds.update",),
    "sales_manager": ("inventory.holds.update",),
    "wh_supervisor": (
        "inventory.ledger.inspect",
        "inventory.ledger.approve",
        "inventory.transfers.cancel",
        "orders.orders.ship",
    ),
    "wh_keeper": ("inventory.transfers.cancel",),
    "wh_statistician": ("inventory.ledger.inspect",),
    "wh_order_clerk": ("orders.orders.ship",),
    "finance_specialist": ("inventory.ledger.inspect", "performance.commission.update"),
    "cs_specialist": ("orders.ratings.create",),
    "cs_supervisor": ("orders.ratings.create",),
    "data_analyst": ("performance.kpis.update",),
    "ops_manager": ("performance.kpis.update",),
    "ops_director": ("performance.kpis.update",),
    "hr_specialist": ("performance.audit.read",),
}


def upgrade() -> None:
    statement = sa.text(
        "INSERT INTO role_permissions (role_code, pattern) "
        "SELECT :role, :pattern WHERE EXISTS (SELECT 1 FROM roles WHERE code = :role) "
        "ON CONFLICT DO NOTHING"
    )
    for role, patterns in GRANTS.items():
        for pattern in patterns:
            op.execute(statement.bindparams(role=role, pattern=pattern))


def downgrade() -> None:
    statement = sa.text(
        "DELETE FROM role_permissions WHERE role_code = :role AND pattern = :pattern"
    )
    for role, patterns in GRANTS.items():
        for pattern in patterns:
            op.execute(statement.bindparams(role=role, pattern=pattern))
