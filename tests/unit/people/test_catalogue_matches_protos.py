"""The people service's permission vocabulary and default roles agree with what every service's
protos declare (a role pattern naming a permission no RPC checks, or an RPC no role can call,
is a mistake that would otherwise only show in production)."""

from __future__ import annotations

from services.common.permissions import PermissionSet
from services.people.domain.default_roles import DEFAULT_ROLES
from services.people.domain.permission_catalogue import is_known_permission
from services.people.domain.permissions import Permission
from tests.support.rpc_catalog import all_rpcs

# Deliberately admin-only: they create administrators or replay every fact.
ADMIN_ONLY = {
    "people.roles.create",
    "people.roles.update",
    "people.tokens.issue",
    "performance.facts.replay",
}


def declared_permissions() -> set[str]:
    return {rpc.permission for rpc in all_rpcs() if not rpc.public}


def test_every_declared_permission_is_in_the_vocabulary() -> None:
    unknown = sorted(
        p for p in declared_permissions() if not is_known_permission(Permission.parse(p))
    )
    assert unknown == []


def test_every_declared_permission_is_granted_by_some_default_role_except_admin_only_ones() -> None:
    grants = [PermissionSet(role.patterns) for role in DEFAULT_ROLES if role.code != "admin"]
    ungranted = sorted(
        p for p in declared_permissions() - ADMIN_ONLY if not any(g.allows(p) for g in grants)
    )
    assert ungranted == []
