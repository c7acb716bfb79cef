"""Per-call context (request id, caller, deadline) carried by contextvars across awaits."""

from __future__ import annotations

import contextvars
import time
from dataclasses import dataclass

from services.common.permissions import PermissionSet

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
principal_var: contextvars.ContextVar[Principal | None] = contextvars.ContextVar(
    "principal", default=None
)
# Absolute monotonic deadline of the incoming call, so outgoing calls never outlive it.
deadline_var: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "deadline", default=None
)


@dataclass(frozen=True)
class Principal:
    """Who is calling: an employee or a service account, with the permissions of its token."""

    subject: str
    kind: str
    roles: tuple[str, ...]
    permissions: PermissionSet
    token_id: str
    issued_at: float
    expires_at: float

    def can(self, permission: str) -> bool:
        return self.permissions.allows(permission)


SYSTEM = Principal(
    subject="system",
    kind="service",
    roles=("system",),
    permissions=PermissionSet(("*",)),
    token_id="",
    issued_at=0.0,
    expires_at=float("inf"),
)


@dataclass(frozen=True)
class Viewer:
    """The caller as business rules see them: an employee (`code` set) or a service account
    (`code` None), with the permissions of its token."""

    subject: str
    code: str | None
    permissions: PermissionSet

    def can(self, permission: str) -> bool:
        return self.permissions.allows(permission)

    @classmethod
    def current(cls) -> Viewer:
        principal = current_principal()
        code = principal.subject if principal.kind == "employee" else None
        return cls(principal.subject, code, principal.permissions)


def current_principal() -> Principal:
    """The authenticated caller; background jobs run as SYSTEM."""
    return principal_var.get() or SYSTEM


def actor() -> str:
    """The caller's subject, for audit columns and ledger entries."""
    return current_principal().subject


def remaining_seconds(default: float) -> float:
    """Time left before the incoming call's deadline, capped at `default`."""
    deadline = deadline_var.get()
    if deadline is None:
        return default
    return max(0.0, min(default, deadline - time.monotonic()))
