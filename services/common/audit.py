"""The append-only audit log: who read or changed what, whose data, on what basis, when.

Each service that keeps confidential data declares the table in its own metadata
(`audit_table`) and creates it in a migration with `create_audit_log_v1`, which also installs a
trigger refusing UPDATE, DELETE and TRUNCATE: rows can only be added, whatever the caller.

Entries are written with `AuditWriter.write` on the unit of work's connection, so an audited
change and its audit row commit or roll back together, and a confidential read is returned only
after its audit row is stored. `AuditEntry.by_caller` fills the actor and request id from the
call context.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.ext.asyncio import AsyncConnection

from services.common.context import current_principal, request_id_var

TABLE_NAME = "audit_log"


def audit_table(metadata: sa.MetaData) -> sa.Table:
    """The audit table, declared in each service's own metadata (and created by its migration)."""
    return sa.Table(
        TABLE_NAME,
        metadata,
        sa.Column("id", sa.BigInteger, sa.Identity(always=True), primary_key=True),
        sa.Column(
            "occurred_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("actor_kind", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("resource", sa.Text, nullable=False),
        sa.Column("subject", sa.Text, nullable=True),
        sa.Column("category", sa.Text, nullable=True),
        sa.Column("basis", sa.Text, nullable=True),
        sa.Column("allowed", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("details", pg.JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("request_id", sa.Text, nullable=False, server_default=""),
        sa.Index("ix_audit_log_subject", "subject", "id"),
        sa.Index("ix_audit_log_actor", "actor", "id"),
    )


_FORBID_FUNCTION = """
CREATE OR REPLACE FUNCTION storeops_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'table % is append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$
"""


def forbid_changes_sql(table: str) -> list[str]:
    """SQL that makes `table` append-only (rows may be inserted, never updated or deleted)."""
    return [
        _FORBID_FUNCTION,
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION storeops_append_only()",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION storeops_append_only()",
    ]


def create_audit_log_v1() -> None:
    """Migration step: the audit table as first released, append-only (frozen: a later change to
    `audit_table` needs a new step, never an edit here)."""
    from alembic import op

    op.create_table(
        TABLE_NAME,
        sa.Column("id", sa.BigInteger, sa.Identity(always=True), primary_key=True),
        sa.Column(
            "occurred_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("actor_kind", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("resource", sa.Text, nullable=False),
        sa.Column("subject", sa.Text, nullable=True),
        sa.Column("category", sa.Text, nullable=True),
        sa.Column("basis", sa.Text, nullable=True),
        sa.Column("allowed", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("details", pg.JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("request_id", sa.Text, nullable=False, server_default=""),
    )
    op.create_index("ix_audit_log_subject", TABLE_NAME, ["subject", "id"])
    op.create_index("ix_audit_log_actor", TABLE_NAME, ["actor", "id"])
    for statement in forbid_changes_sql(TABLE_NAME):
        op.execute(statement)


@dataclass(frozen=True)
class AuditEntry:
    """One audited read or change. `subject` is whose personal data it concerns."""

    action: str
    resource: str
    actor: str
    actor_kind: str
    subject: str | None = None
    category: str | None = None
    basis: str | None = None
    allowed: bool = True
    details: Mapping[str, Any] = field(default_factory=dict)
    request_id: str = ""

    @classmethod
    def by_caller(
        cls,
        action: str,
        resource: str,
        *,
        subject: str | None = None,
        category: str | None = None,
        basis: str | None = None,
        allowed: bool = True,
        details: Mapping[str, Any] | None = None,
    ) -> AuditEntry:
        """An entry whose actor and request id come from the current call."""
        principal = current_principal()
        return cls(
            action=action,
            resource=resource,
            actor=principal.subject,
            actor_kind=principal.kind,
            subject=subject,
            category=category,
            basis=basis,
            allowed=allowed,
            details=dict(details or {}),
            request_id=request_id_var.get(),
        )


@dataclass(frozen=True)
class StoredAuditEntry:
    """An entry as read back, with its position and time."""

    id: int
    occurred_at: datetime
    entry: AuditEntry


class AuditWriter:
    """Inserts entries on a connection inside the caller's transaction."""

    def __init__(self, table: sa.Table) -> None:
        self._table = table

    async def write(self, connection: AsyncConnection, entries: Sequence[AuditEntry]) -> None:
        if not entries:
            return
        await connection.execute(
            self._table.insert(),
            [
                {
                    "actor": e.actor,
                    "actor_kind": e.actor_kind,
                    "action": e.action,
                    "resource": e.resource,
                    "subject": e.subject,
                    "category": e.category,
                    "basis": e.basis,
                    "allowed": e.allowed,
                    "details": {k: _text(v) for k, v in e.details.items()},
                    "request_id": e.request_id,
                }
                for e in entries
            ],
        )


def _text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


@dataclass(frozen=True)
class AuditQuery:
    """Filters of `AuditReader.page`; every one optional."""

    actor: str = ""
    subject: str = ""
    action_prefix: str = ""
    category: str = ""
    from_time: datetime | None = None
    to_time: datetime | None = None


class AuditReader:
    """Reads the log newest first, in pages keyed by id."""

    def __init__(self, table: sa.Table) -> None:
        self._table = table

    async def page(
        self, connection: AsyncConnection, query: AuditQuery, before_id: int | None, limit: int
    ) -> list[StoredAuditEntry]:
        t = self._table
        statement = sa.select(t).order_by(t.c.id.desc()).limit(limit)
        if before_id is not None:
            statement = statement.where(t.c.id < before_id)
        if query.actor:
            statement = statement.where(t.c.actor == query.actor)
        if query.subject:
            statement = statement.where(t.c.subject == query.subject)
        if query.action_prefix:
            escaped = query.action_prefix.replace("\\", "\\\\").replace("%", r"\%")
            statement = statement.where(t.c.action.like(escaped.replace("_", r"\_") + "%"))
        if query.category:
            statement = statement.where(t.c.category == query.category)
        if query.from_time is not None:
            statement = statement.where(t.c.occurred_at >= query.from_time)
        if query.to_time is not None:
            statement = statement.where(t.c.occurred_at < query.to_time)
        rows = (await connection.execute(statement)).mappings()
        return [
            StoredAuditEntry(
                id=row["id"],
                occurred_at=row["occurred_at"],
                entry=AuditEntry(
                    action=row["action"],
                    resource=row["resource"],
                    actor=row["actor"],
                    actor_kind=row["actor_kind"],
                    subject=row["subject"],
                    category=row["category"],
                    basis=row["basis"],
                    allowed=row["allowed"],
                    details=dict(row["details"] or {}),
                    request_id=row["request_id"],
                ),
            )
            for row in rows
        ]
