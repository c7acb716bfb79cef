"""The common append-only audit log (services.common.audit) replaces the first audit table.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

from alembic import op

from services.common.audit import create_audit_log_v1

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The rows of the first table move over; the new table refuses updates and deletes.
    op.execute("ALTER TABLE audit_log RENAME TO audit_log_v0")
    op.execute("ALTER INDEX ix_audit_log_subject RENAME TO ix_audit_log_v0_subject")
    create_audit_log_v1()
    op.execute(
        "INSERT INTO audit_log (occurred_at, actor, actor_kind, action, resource, subject, basis,"
        " allowed, details) SELECT at, actor, 'employee', action, resource, subject_code, basis,"
        " action <> 'READ_DENIED', details FROM audit_log_v0 ORDER BY id"
    )
    op.drop_table("audit_log_v0")


def downgrade() -> None:
    raise NotImplementedError("the audit log is append-only: no downgrade")
