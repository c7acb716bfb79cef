"""Roles, role overrides, service accounts, login accounts, lockout state and revocations."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.common.outbox import Cursor
from services.people.db import tables as t
from services.people.domain.login_lockout import LockoutPolicy, LoginAttempts
from services.people.domain.roles import Role, RoleOverride


@dataclass(frozen=True)
class RoleRow:
    role: Role
    created_at: datetime
    updated_at: datetime


class RoleRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    async def existing(self, codes: Iterable[str]) -> set[str]:
        result = await self._c.execute(
            sa.select(t.roles.c.code).where(t.roles.c.code.in_(list(codes)))
        )
        return set(result.scalars())

    async def permissions_of(self, codes: Iterable[str]) -> set[str]:
        result = await self._c.execute(
            sa.select(t.role_permissions.c.pattern).where(
                t.role_permissions.c.role_code.in_(list(codes))
            )
        )
        return set(result.scalars())

    async def rows(
        self, codes: Sequence[str] | None = None, *, after: str = "", limit: int = 10_000
    ) -> list[RoleRow]:
        statement = (
            sa.select(t.roles).where(t.roles.c.code > after).order_by(t.roles.c.code).limit(limit)
        )
        if codes is not None:
            statement = statement.where(t.roles.c.code.in_(list(codes)))
        rows = list((await self._c.execute(statement)).mappings())
        patterns = await self._patterns([r["code"] for r in rows])
        return [
            RoleRow(
                # Stored roles are taken as stored (they were validated when written).
                Role(r["code"], r["name"], patterns.get(r["code"], ()), r["description"]),
                r["created_at"],
                r["updated_at"],
            )
            for r in rows
        ]

    async def get(self, code: str) -> RoleRow | None:
        found = await self.rows([code])
        return found[0] if found else None

    async def _patterns(self, codes: Sequence[str]) -> dict[str, tuple[str, ...]]:
        rows = await self._c.execute(
            sa.select(t.role_permissions.c.role_code, t.role_permissions.c.pattern)
            .where(t.role_permissions.c.role_code.in_(list(codes)))
            .order_by(t.role_permissions.c.role_code, t.role_permissions.c.pattern)
        )
        patterns: dict[str, list[str]] = {}
        for code, pattern in rows:
            patterns.setdefault(code, []).append(pattern)
        return {code: tuple(p) for code, p in patterns.items()}

    async def insert(self, role: Role) -> None:
        await self._c.execute(
            t.roles.insert().values(code=role.code, name=role.name, description=role.description)
        )
        await self._set_patterns(role)

    async def update(self, role: Role) -> None:
        await self._c.execute(
            t.roles.update()
            .where(t.roles.c.code == role.code)
            .values(name=role.name, description=role.description, updated_at=sa.func.now())
        )
        await self._set_patterns(role)

    async def _set_patterns(self, role: Role) -> None:
        await self._c.execute(
            t.role_permissions.delete().where(t.role_permissions.c.role_code == role.code)
        )
        await self._c.execute(
            t.role_permissions.insert(),
            [{"role_code": role.code, "pattern": p} for p in role.patterns],
        )


class RoleOverrideRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    async def of(self, employee_code: str) -> list[RoleOverride]:
        rows = await self._c.execute(
            sa.select(t.employee_role_overrides.c.role_code, t.employee_role_overrides.c.granted)
            .where(t.employee_role_overrides.c.employee_code == employee_code)
            .order_by(t.employee_role_overrides.c.role_code)
        )
        return [RoleOverride(code, granted) for code, granted in rows]

    async def put(self, employee_code: str, override: RoleOverride, by: str) -> None:
        statement = insert(t.employee_role_overrides).values(
            employee_code=employee_code,
            role_code=override.role_code,
            granted=override.granted,
            assigned_by=by,
        )
        await self._c.execute(
            statement.on_conflict_do_update(
                index_elements=[
                    t.employee_role_overrides.c.employee_code,
                    t.employee_role_overrides.c.role_code,
                ],
                set_={"granted": override.granted, "assigned_by": by, "assigned_at": sa.func.now()},
            )
        )

    async def remove(self, employee_code: str, role_code: str) -> None:
        o = t.employee_role_overrides.c
        await self._c.execute(
            t.employee_role_overrides.delete().where(
                o.employee_code == employee_code, o.role_code == role_code
            )
        )


@dataclass(frozen=True)
class ServiceAccountRow:
    client_id: str
    secret_sha256: str
    roles: tuple[str, ...]
    active: bool
    created_at: datetime
    updated_at: datetime


class ServiceAccountRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    async def get(self, client_id: str) -> ServiceAccountRow | None:
        row = (
            (
                await self._c.execute(
                    sa.select(t.service_accounts).where(t.service_accounts.c.client_id == client_id)
                )
            )
            .mappings()
            .first()
        )
        return None if row is None else _service_account(row)

    async def page(self, after: str, limit: int) -> list[ServiceAccountRow]:
        rows = await self._c.execute(
            sa.select(t.service_accounts)
            .where(t.service_accounts.c.client_id > after)
            .order_by(t.service_accounts.c.client_id)
            .limit(limit)
        )
        return [_service_account(r) for r in rows.mappings()]

    async def insert(self, client_id: str, secret_sha256: str, roles: Sequence[str]) -> None:
        await self._c.execute(
            t.service_accounts.insert().values(
                client_id=client_id, secret_sha256=secret_sha256, roles=list(roles)
            )
        )

    async def set_secret(self, client_id: str, secret_sha256: str) -> None:
        await self._c.execute(
            t.service_accounts.update()
            .where(t.service_accounts.c.client_id == client_id)
            .values(secret_sha256=secret_sha256, updated_at=sa.func.now())
        )

    async def upsert(self, client_id: str, secret_sha256: str, roles: list[str]) -> None:
        statement = insert(t.service_accounts).values(
            client_id=client_id, secret_sha256=secret_sha256, roles=roles
        )
        await self._c.execute(
            statement.on_conflict_do_update(
                index_elements=[t.service_accounts.c.client_id],
                set_={"secret_sha256": secret_sha256, "updated_at": sa.func.now()},
                where=t.service_accounts.c.secret_sha256 != secret_sha256,
            )
        )


def _service_account(row: Any) -> ServiceAccountRow:
    return ServiceAccountRow(
        client_id=row["client_id"],
        secret_sha256=row["secret_sha256"],
        roles=tuple(row["roles"]),
        active=row["active"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


@dataclass(frozen=True)
class AccountRow:
    employee_code: str
    password_hash: str
    password_changed_at: datetime
    last_login_at: datetime | None


class AccountRepository:
    """Login accounts and the lockout state of every code typed at login."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    async def get(self, employee_code: str) -> AccountRow | None:
        row = (
            (
                await self._c.execute(
                    sa.select(t.employee_accounts).where(
                        t.employee_accounts.c.employee_code == employee_code
                    )
                )
            )
            .mappings()
            .first()
        )
        if row is None:
            return None
        return AccountRow(
            row["employee_code"],
            row["password_hash"],
            row["password_changed_at"],
            row["last_login_at"],
        )

    async def set_password(self, employee_code: str, password_hash: str, now: datetime) -> None:
        statement = insert(t.employee_accounts).values(
            employee_code=employee_code, password_hash=password_hash, password_changed_at=now
        )
        await self._c.execute(
            statement.on_conflict_do_update(
                index_elements=[t.employee_accounts.c.employee_code],
                set_={"password_hash": password_hash, "password_changed_at": now},
            )
        )

    async def rehash(self, employee_code: str, password_hash: str) -> None:
        await self._c.execute(
            t.employee_accounts.update()
            .where(t.employee_accounts.c.employee_code == employee_code)
            .values(password_hash=password_hash)
        )

    async def record_login(self, employee_code: str, now: datetime) -> None:
        await self._c.execute(
            t.employee_accounts.update()
            .where(t.employee_accounts.c.employee_code == employee_code)
            .values(last_login_at=now)
        )

    async def attempts(
        self, employee_code: str, policy: LockoutPolicy, *, for_update: bool = False
    ) -> LoginAttempts:
        """The lockout state; with `for_update` the row is created if missing and locked."""
        la = t.login_attempts.c
        if for_update:
            await self._c.execute(
                insert(t.login_attempts)
                .values(employee_code=employee_code)
                .on_conflict_do_nothing(index_elements=[la.employee_code])
            )
        statement = sa.select(la.consecutive_failures, la.locked_until).where(
            la.employee_code == employee_code
        )
        if for_update:
            statement = statement.with_for_update()
        row = (await self._c.execute(statement)).first()
        if row is None:
            return LoginAttempts(policy=policy)
        return LoginAttempts(row.consecutive_failures, row.locked_until, policy)

    async def save_attempts(self, employee_code: str, state: LoginAttempts) -> None:
        await self._c.execute(
            t.login_attempts.update()
            .where(t.login_attempts.c.employee_code == employee_code)
            .values(
                consecutive_failures=state.consecutive_failures,
                locked_until=state.locked_until,
                updated_at=sa.func.now(),
            )
        )


@dataclass(frozen=True)
class RevocationRow:
    cursor: Cursor
    subject: str
    revoked_at: datetime
    reason: str


class RevocationRepository:
    """Token revocations, read in commit order from a cursor (like the outbox)."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    async def add(self, subject: str, revoked_at: datetime, reason: str, by: str) -> None:
        await self._c.execute(
            t.token_revocations.insert().values(
                subject=subject, revoked_at=revoked_at, reason=reason, created_by=by
            )
        )

    async def latest_in_force(
        self, subject: str, now: datetime, reason: str | None = None
    ) -> datetime | None:
        """The latest revocation of `subject` (for `reason`, if given) in force at `now`."""
        r = t.token_revocations.c
        statement = sa.select(sa.func.max(r.revoked_at)).where(
            r.subject == subject, r.revoked_at <= now
        )
        if reason is not None:
            statement = statement.where(r.reason == reason)
        row = await self._c.execute(statement)
        value: datetime | None = row.scalar()
        return value

    async def page(
        self, after: Cursor | None, limit: int, active_since: datetime | None
    ) -> list[RevocationRow]:
        """Revocations after `after` in commit order; with no cursor only those revoked after
        `active_since` (older ones refuse no live token)."""
        r = t.token_revocations.c
        position = after or Cursor(0, 0)
        statement = (
            sa.select(r.id, r.tx_id, r.subject, r.revoked_at, r.reason)
            .where(
                sa.tuple_(r.tx_id, r.id) > sa.tuple_(position.tx_id, position.id),
                # Only transactions older than every running one: a late commit is never
                # skipped by a cursor already past it (services.common.outbox).
                r.tx_id < sa.text("pg_snapshot_xmin(pg_current_snapshot())::text::bigint"),
            )
            .order_by(r.tx_id, r.id)
            .limit(limit)
        )
        if after is None and active_since is not None:
            statement = statement.where(r.revoked_at > active_since)
        rows = await self._c.execute(statement)
        return [
            RevocationRow(Cursor(row.tx_id, row.id), row.subject, row.revoked_at, row.reason)
            for row in rows
        ]
