"""Use cases: tokens for employees (issued by an administrator) and for service accounts."""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass
from pathlib import Path

from services.common.errors import FailedPrecondition, Unauthenticated
from services.people.db.unit_of_work import PeopleDatabase
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


async def issue_employee_token(
    db: PeopleDatabase, issuer: TokenIssuer, command: IssueEmployeeToken
) -> IssuedToken:
    async with db.unit_of_work() as uow:
        known = await uow.roles.existing(command.roles)
        unknown = sorted(set(command.roles) - known)
        if unknown:
            raise FailedPrecondition(
                f"unknown role(s): {', '.join(unknown)}; create them first or pick existing roles",
                reason="ROLE_UNKNOWN",
                metadata={"roles": ",".join(unknown)},
            )
        permissions = await uow.roles.permissions_of(command.roles)
    return issuer.issue(
        command.employee_code,
        "employee",
        command.roles,
        permissions,
        int(time.time()),
        command.ttl_seconds,
    )


async def create_service_token(
    db: PeopleDatabase, issuer: TokenIssuer, client_id: str, secret: str
) -> IssuedToken:
    async with db.unit_of_work() as uow:
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
    return issuer.issue(
        client_id,
        "service",
        account.roles,
        permissions,
        int(time.time()),
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
