"""A group's monthly commission and how it is shared among the group's members.

Seed 003 篇1 (三): commission = the month's sales (all shops' order amounts minus returns; see
`commission_conditions.commission_base`) × the rate for the group's target completion.

- Rounding: base × rate, ROUND_HALF_UP to the minor unit, once.
- No target (TARGET_MISSING) → no commission, flagged, rather than guessing a rate.
- Table date: the table in force on the first day of the month (`rate_date` overrides).
- Sharing ("以部门同事平均提成为参照"): equal shares by default, or weights that sum to exactly 1
  (100%). Shares are exact quotas rounded by the largest-remainder method, so they always add up to
  the group total; equal remainders go to the lower employee code first (deterministic).
- DEPARTMENT_ACTIVITY_FUND is computed the same way (备注) but is a department budget, not pay:
  it is not shared among members.
- A leaver whose payments only partly qualify keeps the qualifying part of the share
  (`restrict_share`); the rest is not paid ("不发放提成") and not redistributed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from services.common.errors import InvalidArgument
from services.common.money import Money, round_half_up, to_fraction
from services.performance.domain.commission_tables import (
    CommissionGroup,
    CommissionTableCatalog,
    Tier,
)
from services.performance.domain.completion import Completion, CompletionFlag
from services.performance.domain.explained import Explained
from services.performance.domain.period import YearMonth


@dataclass(frozen=True)
class GroupCommission:
    """The commission a group earned for a month, with everything needed to check it."""

    group: CommissionGroup
    month: YearMonth
    base: Money
    completion: Completion
    table_version: int | None
    tier: Tier | None
    rate: Decimal
    amount: Money

    def explain(self) -> Explained:
        if self.tier is None:
            sentence = (
                f"{self.group.value} {self.month}: no target set, so no commission "
                f"(flag {CompletionFlag.TARGET_MISSING.value})"
            )
        else:
            sentence = (
                f"{self.group.value} {self.month}: completion {self.completion.percent(4)} "
                f"falls in {self.tier.describe()} (table v{self.table_version}); "
                f"{self.base} × {self.rate} = {self.amount} "
                "(ROUND_HALF_UP to the minor unit)"
            )
        return Explained(
            amount=self.amount,
            rule=self.tier.source if self.tier is not None else "seed 003 篇1 (三): no target",
            explanation=sentence,
            inputs={
                "group": self.group.value,
                "month": str(self.month),
                "base_minor": str(self.base.amount_minor),
                "completion_ratio": str(self.completion.ratio),
                "table_version": str(self.table_version),
                "rate": str(self.rate),
                "currency": self.amount.currency,
            },
        )


def group_commission(
    catalog: CommissionTableCatalog,
    group: CommissionGroup,
    month: YearMonth,
    *,
    base: Money,
    completion: Completion,
    rate_date: date | None = None,
) -> GroupCommission:
    """Commission = base × rate(group, completion), ROUND_HALF_UP to the minor unit."""
    if base.amount_minor < 0:
        raise InvalidArgument.for_field(
            "base",
            f"must be >= 0 (returns never make it negative), got {base}",
            reason="NEGATIVE_COMMISSION_BASE",
        )
    if completion.exact is None:
        return GroupCommission(
            group, month, base, completion, None, None, Decimal(0), Money.zero(base.currency)
        )
    table = catalog.table_on(group, rate_date or month.first_day())
    tier = table.tier_for(completion.exact)
    rate = tier.rate_at(completion.exact)
    return GroupCommission(
        group, month, base, completion, table.version, tier, rate, base.times(rate)
    )


def share_commission(
    group_total: Money,
    members: Sequence[str],
    weights: Mapping[str, Decimal] | None = None,
) -> dict[str, Money]:
    """Split `group_total` among `members` (employee codes); the shares sum exactly to it.

    `weights` maps every member to a Decimal fraction (0.25 = 25%), summing to exactly 1; None
    means equal shares.
    """
    if group_total.amount_minor < 0:
        raise InvalidArgument.for_field(
            "group_total", f"must be >= 0, got {group_total}", reason="NEGATIVE_COMMISSION"
        )
    if not members:
        raise InvalidArgument.for_field(
            "members",
            "a group needs at least one member to share commission",
            reason="NO_GROUP_MEMBERS",
        )
    if len(set(members)) != len(members):
        raise InvalidArgument.for_field(
            "members", "employee codes must be unique", reason="DUPLICATE_GROUP_MEMBER"
        )
    quotas = _quotas(group_total.amount_minor, members, weights)
    floors = {code: int(quota) for code, quota in quotas.items()}  # quotas are >= 0: int() floors
    remainder = group_total.amount_minor - sum(floors.values())
    # Largest remainder first; equal remainders to the lower employee code first.
    order = sorted(members, key=lambda code: (-(quotas[code] - floors[code]), code))
    for code in order[:remainder]:
        floors[code] += 1
    return {code: Money(floors[code], group_total.currency) for code in members}


def _quotas(
    total_minor: int, members: Sequence[str], weights: Mapping[str, Decimal] | None
) -> dict[str, Fraction]:
    if weights is None:
        return {code: Fraction(total_minor, len(members)) for code in members}
    if set(weights) != set(members):
        missing = sorted(set(members) - set(weights))
        extra = sorted(set(weights) - set(members))
        raise InvalidArgument.for_field(
            "weights",
            f"must name exactly the members; missing {missing}, extra {extra}",
            reason="SHARE_WEIGHTS_MISMATCH",
        )
    exact = {code: to_fraction(weights[code], f"weights[{code}]") for code in members}
    for code, weight in exact.items():
        if weight < 0:
            raise InvalidArgument.for_field(
                f"weights[{code}]",
                f"must be >= 0, got {weights[code]}",
                reason="NEGATIVE_SHARE_WEIGHT",
            )
    weight_sum = sum(exact.values(), Fraction(0))
    if weight_sum != 1:
        raise InvalidArgument.for_field(
            "weights",
            f"must sum to exactly 100%, got {float(weight_sum * 100):g}%",
            reason="SHARE_WEIGHTS_NOT_100_PERCENT",
        )
    return {code: total_minor * weight for code, weight in exact.items()}


def restrict_share(share: Money, group_base: Money, eligible_base: Money) -> Money:
    """The part of a member's share earned on qualifying payments.

    share × eligible_base / group_base, ROUND_HALF_UP to the minor unit. Used for a leaver whose
    later payments do not count (seed 003 篇1 (四) 3-4).
    """
    if not 0 <= eligible_base.amount_minor <= group_base.amount_minor:
        raise InvalidArgument.for_field(
            "eligible_base",
            f"must be between 0 and the group base {group_base}, got {eligible_base}",
            reason="ELIGIBLE_BASE_OUT_OF_RANGE",
        )
    if group_base.amount_minor == 0:
        return Money.zero(share.currency)
    return Money(
        round_half_up(
            Fraction(share.amount_minor * eligible_base.amount_minor, group_base.amount_minor)
        ),
        share.currency,
    )


def explain_share(
    group: GroupCommission,
    employee_code: str,
    share: Money,
    members: Sequence[str],
    weight: Decimal | None = None,
) -> Explained:
    """The COMMISSION statement line for one member's share of `group`'s commission."""
    group_line = group.explain()
    split = (
        f"weight {weight * 100}%"
        if weight is not None
        else f"equal share of {len(members)} members"
    )
    return Explained(
        amount=share,
        rule=f"{group_line.rule}; seed 003 篇1 (三) 以部门同事平均提成为参照",
        explanation=(
            f"{employee_code}: {split} of {group.amount} = {share} "
            f"(largest remainder to the fen). {group_line.explanation}"
        ),
        inputs={
            **group_line.inputs,
            "group_total_minor": str(group.amount.amount_minor),
            "members": ",".join(members),
            "weight": "equal" if weight is None else str(weight),
        },
    )
