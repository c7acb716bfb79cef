"""The commission tables of seed 003 篇1 (三) 1-3 and 备注, reproduced as data.

Reading of the seed's whole-percent bands on the exact completion ratio:
- staff groups: "30%以下无提成" → [0, 30%] pays 0 (DOMAIN.md: ≤ 30%); "31%-50%" → (30%, 50%];
  "51%-80%" → (50%, 80%]; "81%-100%" → (80%, 100%]; "120%以上" → [120%, ∞).
  (100%, 120%) is not stated: filled by DEFAULT_GAP_POLICY = PREVIOUS_TIER, i.e. the 81%-100% rate
  continues up to 120% — a careful manager does not pay more than the seed promises.
- department activity fund: "50%以下无" → [0, 50%); "50%-80%" → [50%, 80%];
  "81%-100%" → (80%, 100%]; "101%以上" → (100%, ∞).
The seed prints "客服组提成比例" under the promotion and supervisor tables too; that is a
copy-paste slip in the source, the rates belong to the table they are listed under.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from services.performance.domain.commission_tables import (
    CommissionGroup,
    CommissionTable,
    CommissionTableCatalog,
    GapPolicy,
    Tier,
    fill_gaps,
)

DEFAULT_GAP_POLICY = GapPolicy.PREVIOUS_TIER
# The regulation predates any payroll kept here, so the seed tables apply from the start.
SEED_EFFECTIVE_FROM = date(2000, 1, 1)

_D = Decimal
_SOURCE = "seed 003 篇1 (三)"

# Rates for [0,30%], (30%,50%], (50%,80%], (80%,100%], [120%,∞) — seed 003 篇1 (三) 1, 2, 3.
_STAFF_RATES: dict[CommissionGroup, tuple[str, str, str, str, str]] = {
    CommissionGroup.CUSTOMER_SERVICE: ("0", "0.005", "0.01", "0.015", "0.02"),
    CommissionGroup.PROMOTION: ("0", "0.01", "0.015", "0.02", "0.025"),
    CommissionGroup.SUPERVISOR: ("0", "0.02", "0.03", "0.04", "0.05"),
}


def seed_tiers(group: CommissionGroup) -> tuple[Tier, ...]:
    """The seed's tiers for `group` as stated, i.e. with the 100%-120% gap still open."""
    if group is CommissionGroup.DEPARTMENT_ACTIVITY_FUND:
        source = f"{_SOURCE} 备注 部门活动经费"
        return (
            Tier(_D("0"), True, _D("0.5"), False, _D("0"), source=f"{source}: 50%以下无"),
            Tier(_D("0.5"), True, _D("0.8"), True, _D("0.003"), source=f"{source}: 50%-80% 0.3%"),
            Tier(_D("0.8"), False, _D("1"), True, _D("0.005"), source=f"{source}: 81%-100% 0.5%"),
            Tier(_D("1"), False, None, False, _D("0.01"), source=f"{source}: 101%以上 1%"),
        )
    r0, r1, r2, r3, r4 = (_D(rate) for rate in _STAFF_RATES[group])
    source = f"{_SOURCE} {group.value}"
    return (
        Tier(_D("0"), True, _D("0.3"), True, r0, source=f"{source}: 30%以下无提成"),
        Tier(_D("0.3"), False, _D("0.5"), True, r1, source=f"{source}: 31%-50%"),
        Tier(_D("0.5"), False, _D("0.8"), True, r2, source=f"{source}: 51%-80%"),
        Tier(_D("0.8"), False, _D("1"), True, r3, source=f"{source}: 81%-100%"),
        Tier(_D("1.2"), True, None, False, r4, source=f"{source}: 120%以上"),
    )


def seed_commission_table(
    group: CommissionGroup,
    gap_policy: GapPolicy = DEFAULT_GAP_POLICY,
    effective_from: date = SEED_EFFECTIVE_FROM,
    version: int = 1,
) -> CommissionTable:
    """The seed table for `group`, gaps filled by `gap_policy`."""
    return CommissionTable(
        group, version, effective_from, None, fill_gaps(seed_tiers(group), gap_policy)
    )


def seed_commission_catalog(
    gap_policy: GapPolicy = DEFAULT_GAP_POLICY, effective_from: date = SEED_EFFECTIVE_FROM
) -> CommissionTableCatalog:
    """Version 1 of all four groups' tables."""
    return CommissionTableCatalog.of(
        seed_commission_table(group, gap_policy, effective_from) for group in CommissionGroup
    )
