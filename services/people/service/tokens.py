"""Use cases: tokens issued by an administrator, service accounts and their tokens, signing keys,
and token revocation (the list every service polls)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from services.common.audit import AuditEntry
from services.common.auth.revocations import DEFAULT_RETENTION_SECONDS, FetchRevocations
from services.common.errors import AlreadyExists, FailedPrecondition, NotFound, Unauthenticated
from services.common.outbox import Cursor
from services.common.paging import decode_token, encode_token, page_size
from services.people.db.access_repo import RevocationRow, ServiceAccountRow
from services.people.db.unit_of_work import PeopleDatabase
from services.people.domain.tokens import issued_at_after_revocations
from services.people.service.context import People
from services.people.service.keystore import KeyStore, SigningKey
from services.people.service.roles import revoke_tokens
from services.people.service.token_issuer import IssuedToken, TokenIssuer

SERVICE_TOKEN_TTL_SECONDS = 900


@dataclass(frozen=True)
class IssueEmployeeToken:
    employee_code: str
    roles: tuple[str, ...]
    ttl_seconds: int


def secret_digest(secret: str) -> str:
    # Service secrets are 256-bit random values, so a fast digest is enough (no guessing to slow).
    return hashlib.sha256(secret.encode()).hexdigest()


async def _unknown_roles(people: People, roles: Sequence[str]) -> None:
    async with people.db.unit_of_work() as uow:
        unknown = sorted(set(roles) - await uow.roles.existing(roles))
    if unknown:
        raise FailedPrecondition(
            f"unknown role(s): {', '.join(unknown)}; create them first or pick existing roles",
            reason="ROLE_UNKNOWN",
            metadata={"roles": ",".join(unknown)},
        )


async def issue_employee_token(
    people: People, issuer: TokenIssuer, command: IssueEmployeeToken
) -> IssuedToken:
    await _unknown_roles(people, command.roles)
    now = people.clock.now()
    async with people.db.unit_of_work() as uow:
        permissions = await uow.roles.permissions_of(command.roles)
        revoked_at = await uow.revocations.latest_in_force(command.employee_code, now)
        await uow.audit(
            AuditEntry.by_caller(
                "tokens.issue",
                f"tokens/{command.employee_code}",
                subject=command.employee_code,
                details={"roles": ",".join(sorted(command.roles))},
            )
        )
        await uow.commit()
    return issuer.issue(
        command.employee_code,
        "employee",
        command.roles,
        permissions,
        issued_at_after_revocations(now, revoked_at),
        command.ttl_seconds,
    )


async def create_service_token(
    people: People, issuer: TokenIssuer, client_id: str, secret: str
) -> IssuedToken:
    now = people.clock.now()
    async with people.db.unit_of_work() as uow:
        account = await uow.service_accounts.get(client_id)
        ok = (
            account is not None
            and account.active
            and hmac.compare_digest(account.secret_sha256, secret_digest(secret))
        )
        if not ok or account is None:
            raise Unauthenticated(
                "unknown service account or wrong secret", reason="CLIENT_INVALID"
            )
        permissions = await uow.roles.permissions_of(account.roles)
        revoked_at = await uow.revocations.latest_in_force(client_id, now)
    return issuer.issue(
        client_id,
        "service",
        account.roles,
        permissions,
        issued_at_after_revocations(now, revoked_at),
        SERVICE_TOKEN_TTL_SECONDS,
    )


async def sync_service_accounts(db: PeopleDatabase, secrets_dir: Path) -> list[str]:
    """Register every `<secrets_dir>/svc-<name>` secret as service account `svc-<name>` with role
    `svc_<name>` (the directory is a mounted Secret in Kubernetes, generated locally)."""
    if not secrets_dir.is_dir():
        return []
    registered = []
    async with db.unit_of_work() as uow:
        for path in sorted(secrets_dir.glob("svc-*")):
            client_id = path.name
            role = client_id.replace("-", "_")
            roles = [role] if await uow.roles.existing([role]) else []
            await uow.service_accounts.upsert(
                client_id, secret_digest(path.read_text().strip()), roles
            )
            registered.append(client_id)
        await uow.commit()
    return registered


# ---- service accounts --------------------------------------------------------------------------


async def create_service_account(
    people: People, client_id: str, roles: Sequence[str]
) -> tuple[ServiceAccountRow, str]:
    await _unknown_roles(people, roles)
    secret = secrets.token_urlsafe(32)
    async with people.db.unit_of_work() as uow:
        if await uow.service_accounts.get(client_id) is not None:
            raise AlreadyExists(
                f"service account {client_id} already exists", reason="CLIENT_EXISTS"
            )
        await uow.service_accounts.insert(client_id, secret_digest(secret), sorted(roles))
        await uow.audit(
            AuditEntry.by_caller(
                "service_account.create",
                f"serviceAccounts/{client_id}",
                details={"roles": ",".join(sorted(roles))},
            )
        )
        await uow.commit()
        row = await uow.service_accounts.get(client_id)
    assert row is not None
    return row, secret


async def list_service_accounts(
    people: People, size: int, token: str
) -> tuple[list[ServiceAccountRow], str]:
    position = decode_token(token, {"after": str})
    limit = page_size(size)
    async with people.db.unit_of_work() as uow:
        rows = await uow.service_accounts.page(
            str(position["after"]) if position else "", limit + 1
        )
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, encode_token({"after": rows[-1].client_id}) if more else ""


async def rotate_service_account_secret(
    people: People, client_id: str
) -> tuple[ServiceAccountRow, str]:
    secret = secrets.token_urlsafe(32)
    now = people.clock.now()
    async with people.db.unit_of_work() as uow:
        if await uow.service_accounts.get(client_id) is None:
            raise NotFound(f"client_id: no service account {client_id}", reason="CLIENT_NOT_FOUND")
        await uow.service_accounts.set_secret(client_id, secret_digest(secret))
        await revoke_tokens(uow, client_id, now, "SECRET_ROTATED")
        await uow.audit(
            AuditEntry.by_caller("service_account.rotate_secret", f"serviceAccounts/{client_id}")
        )
        await uow.commit()
        row = await uow.service_accounts.get(client_id)
    assert row is not None
    return row, secret


# ---- signing keys -------------------------------------------------------------------------------


async def rotate_signing_key(people: People, keys: KeyStore, reason: str) -> SigningKey:
    kid = keys.rotate()
    async with people.db.unit_of_work() as uow:
        await uow.audit(
            AuditEntry.by_caller(
                "signing_key.rotate", f"signingKeys/{kid}", details={"reason": reason}
            )
        )
        await uow.commit()
    return next(k for k in keys.published() if k.kid == kid)


async def retire_signing_key(
    people: People, keys: KeyStore, kid: str, retire_after_seconds: float
) -> SigningKey:
    key = keys.retire(kid, retire_after=retire_after_seconds)
    async with people.db.unit_of_work() as uow:
        await uow.audit(AuditEntry.by_caller("signing_key.retire", f"signingKeys/{kid}"))
        await uow.commit()
    return key


# ---- revocations --------------------------------------------------------------------------------


async def revoke(people: People, subject: str, reason: str) -> RevocationRow:
    now = people.clock.now()
    async with people.db.unit_of_work() as uow:
        await revoke_tokens(uow, subject, now, "REVOKED")
        await uow.audit(
            AuditEntry.by_caller(
                "tokens.revoke_request", f"revocations/{subject}", subject=subject,
                details={"reason": reason},
            )
        )  # fmt: skip
        await uow.commit()
    return RevocationRow(Cursor(0, 0), subject, now, "REVOKED")


async def list_revocations(
    people: People, after: str, size: int, retention_seconds: float = DEFAULT_RETENTION_SECONDS
) -> tuple[list[RevocationRow], str]:
    cursor = Cursor.decode(after, "after") if after else None
    active_since = people.clock.now() - timedelta(seconds=retention_seconds)
    async with people.db.unit_of_work() as uow:
        rows = await uow.revocations.page(cursor, page_size(size, 500, 5000), active_since)
    return rows, rows[-1].cursor.encode() if rows else after


def local_revocations(people: People) -> FetchRevocations:
    """The people service reads its own list straight from its database."""

    async def fetch(after: str) -> tuple[Sequence[tuple[str, float]], str]:
        rows, cursor = await list_revocations(people, after, 1000)
        return [(r.subject, r.revoked_at.timestamp()) for r in rows], cursor

    return fetch
