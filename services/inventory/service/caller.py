"""Who is calling a use case: the actor recorded on every entry, and the warehouse roles they
hold (mapped from the people service's role codes in the token)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from services.common.context import current_principal
from services.inventory.domain.roles import Role

# People role codes (services/people/domain/default_roles.py) → the roles inventory rules name.
TOKEN_ROLES: dict[str, frozenset[Role]] = {
    "wh_supervisor": frozenset({Role.WAREHOUSE_SUPERVISOR}),
    "wh_keeper": frozenset({Role.WAREHOUSE_KEEPER}),
    "qc_inspector": frozenset({Role.QC_INSPECTOR}),
    "wh_statistician": frozenset({Role.STATISTICIAN}),
    "wh_receiver": frozenset({Role.RECEIVER}),
    "gm": frozenset({Role.GM_OFFICE}),
    "finance_specialist": frozenset({Role.FINANCE}),
    "sales_rep": frozenset({Role.SALES}),
    "sales_manager": frozenset({Role.SALES}),
    # The administrator can act in every role (a deployment without people set up yet).
    "admin": frozenset(Role),
}


def roles_of(token_roles: Iterable[str]) -> frozenset[Role]:
    """The inventory roles a set of people role codes stands for."""
    result: set[Role] = set()
    for code in token_roles:
        result |= TOKEN_ROLES.get(code, frozenset())
    return frozenset(result)


@dataclass(frozen=True)
class Caller:
    """The authenticated caller of a use case."""

    actor: str
    roles: frozenset[Role] = field(default_factory=frozenset)

    @classmethod
    def current(cls) -> Caller:
        """From the call's principal (background jobs run as `system`)."""
        principal = current_principal()
        return cls(principal.subject, roles_of(principal.roles))


SYSTEM = Caller("system", frozenset(Role))
