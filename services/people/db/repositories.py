"""Repositories of the people database: rows in, plain values out."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.people.db import tables as t


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


class ServiceAccountRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    async def get(self, client_id: str) -> sa.Row[tuple[str, str, list[str], bool]] | None:
        result = await self._c.execute(
            sa.select(
                t.service_accounts.c.client_id,
                t.service_accounts.c.secret_sha256,
                t.service_accounts.c.roles,
                t.service_accounts.c.active,
            ).where(t.service_accounts.c.client_id == client_id)
        )
        return result.first()

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
