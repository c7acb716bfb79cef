"""The vocabulary of permissions: services, their resources, and the actions on them.

Roles are written against this vocabulary (`default_roles`); a role pattern that grants nothing
in it is almost certainly a typing mistake, so `unknown_pattern_error` lets role editing refuse
it. `read_all` is the confidentiality-widening action (see `confidentiality`): `read` lets a
caller use an RPC, `read_all` lets them see every employee's data through it, not only their
own and their reports'.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from types import MappingProxyType

from services.common.errors import InvalidArgument
from services.people.domain.permissions import Permission, PermissionPattern

SERVICE_RESOURCES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "inventory": (
            "skus", "warehouses", "bins", "receipts", "stock", "reservations", "ledger",
            "transfers", "counts", "samples", "holds", "replenishment", "supplier_returns",
            "valuation", "events",
            "returns",  # customer returns booked back into stock (called by orders)
        ),
        "orders": (
            "orders", "customers", "fulfilment", "waves", "review", "exceptions", "aftersales",
            "refunds", "complaints", "ratings", "events",
        ),
        "people": (
            "departments", "positions", "employees", "salaries", "accounts", "roles", "tokens",
            "training", "attendance", "audit", "events",
        ),
        "performance": (
            "targets", "kpis", "appraisals", "commission", "statements", "reports", "facts",
            "audit",
        ),
    }
)  # fmt: skip

CRUD_ACTIONS: tuple[str, ...] = ("read", "create", "update", "delete")
VERB_ACTIONS: tuple[str, ...] = (
    "read_all", "inspect", "sign", "approve", "complete", "reserve", "release", "commit", "ship",
    "receive", "cancel", "place", "refund", "issue", "revoke", "enrol", "replay",
)  # fmt: skip
ACTIONS: tuple[str, ...] = CRUD_ACTIONS + VERB_ACTIONS


def is_known_permission(permission: Permission) -> bool:
    """True when the service, resource and action are all in the vocabulary."""
    return permission.resource in SERVICE_RESOURCES.get(permission.service, ()) and (
        permission.action in ACTIONS
    )


@cache
def known_permissions() -> frozenset[Permission]:
    """Every service × resource × action combination of the vocabulary."""
    return frozenset(
        Permission(service, resource, action)
        for service, resources in SERVICE_RESOURCES.items()
        for resource in resources
        for action in ACTIONS
    )


def unknown_pattern_error(pattern: PermissionPattern, field_path: str) -> InvalidArgument | None:
    """An error when `pattern` grants nothing in the vocabulary, else None."""
    if any(pattern.matches(p) for p in known_permissions()):
        return None
    return InvalidArgument.for_field(
        field_path,
        f"{pattern.text!r} grants no known permission; check the service, resource and action "
        "names",
        reason="UNKNOWN_PERMISSION",
    )
