"""Commission rate tables as data: versioned, effective-dated, with explicit half-open tiers.

A tier is an interval of the exact completion ratio (actual / target) with its rate. Each bound
says whether it is included, so the seed's whole-percent wording ("31%-50%") becomes an exact
interval ((30%, 50%]) and no ratio such as 30.5% falls between two tiers.

Rules enforced on every table (seed 003 篇1 (三) states tables in ascending bands):
- tiers do not overlap and cover [0, ∞) without gaps; gaps in a seed table are filled first by
  `fill_gaps` with a stated `GapPolicy`;
- rates lie in [0, 1] and never decrease as completion rises (a better month never pays less);
- versions of one group do not overlap in effective dates.

Dates: `effective_from` and `effective_to` are both inclusive (effective_to is the last day the
table applies; None means open-ended). A month's commission is looked up with the table in force
on the first day of that month (see `commission.group_commission`), because the rules in force when
the target was agreed govern the whole month.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from fractions import Fraction

from services.common.errors import (
    AlreadyExists,
    FailedPrecondition,
    FieldViolation,
    InvalidArgument,
    NotFound,
)
from services.common.money import Exact, quantize_half_up, to_fraction


class CommissionGroup(Enum):
    """The four commission groups of seed 003 篇1 (三) 1-3 and its 备注 (activity fund)."""

    CUSTOMER_SERVICE = "CUSTOMER_SERVICE"
    PROMOTION = "PROMOTION"
    SUPERVISOR = "SUPERVISOR"
    DEPARTMENT_ACTIVITY_FUND = "DEPARTMENT_ACTIVITY_FUND"


class GapPolicy(Enum):
    """How a band the seed leaves unstated (100%-120% for the staff groups) is paid."""

    # The lower band's rate continues (the default: pay no more than the seed promises).
    PREVIOUS_TIER = "PREVIOUS_TIER"
    NEXT_TIER = "NEXT_TIER"  # the upper band's rate starts at once
    LINEAR_INTERPOLATION = "LINEAR_INTERPOLATION"  # the rate climbs linearly across the gap


# Interpolated rates are rounded to 8 decimals (0.000001%), ROUND_HALF_UP: far below a fen on any
# realistic base, and rounding keeps the rate monotone.
INTERPOLATED_RATE_PLACES = 8


def _pct(value: Decimal) -> str:
    return f"{(value * 100).normalize():f}%"


@dataclass(frozen=True)
class Tier:
    """An interval of completion with its rate.

    `rate_at_upper` is set only on a linearly interpolated tier: the rate then runs from `rate` at
    `lower` to `rate_at_upper` at `upper`. `source` cites where the numbers came from.
    """

    lower: Decimal
    lower_inclusive: bool
    upper: Decimal | None
    upper_inclusive: bool
    rate: Decimal
    rate_at_upper: Decimal | None = None
    source: str = ""

    def contains(self, ratio: Exact) -> bool:
        exact = to_fraction(ratio, "ratio")
        lower = Fraction(self.lower)
        above_lower = exact >= lower if self.lower_inclusive else exact > lower
        if self.upper is None:
            return above_lower
        upper = Fraction(self.upper)
        below_upper = exact <= upper if self.upper_inclusive else exact < upper
        return above_lower and below_upper

    def rate_at(self, ratio: Exact) -> Decimal:
        """The rate for a ratio inside this tier."""
        if self.rate_at_upper is None or self.upper is None or self.upper == self.lower:
            return self.rate
        position = (to_fraction(ratio, "ratio") - Fraction(self.lower)) / (
            Fraction(self.upper) - Fraction(self.lower)
        )
        rise = Fraction(self.rate_at_upper) - Fraction(self.rate)
        exact = Fraction(self.rate) + rise * position
        return quantize_half_up(exact, INTERPOLATED_RATE_PLACES)

    def describe(self) -> str:
        """E.g. '(30%, 50%] → 0.5%'."""
        left = "[" if self.lower_inclusive else "("
        right = "]" if self.upper_inclusive else ")"
        upper = "∞" if self.upper is None else _pct(self.upper)
        rate = _pct(self.rate)
        if self.rate_at_upper is not None:
            rate = f"{rate} rising linearly to {_pct(self.rate_at_upper)}"
        return f"{left}{_pct(self.lower)}, {upper}{right} → {rate}"


def fill_gaps(tiers: Iterable[Tier], policy: GapPolicy) -> tuple[Tier, ...]:
    """Insert a tier into each gap between consecutive tiers, priced by `policy`.

    Only interior gaps are filled; a table that does not start at 0 or is bounded above stays
    invalid, because guessing the rate outside the stated bands is not a gap policy's job.
    """
    ordered = sorted(tiers, key=lambda t: (t.lower, not t.lower_inclusive))
    result: list[Tier] = []
    for index, tier in enumerate(ordered):
        if result and index > 0:
            previous = ordered[index - 1]
            gap = _gap_between(previous, tier)
            if gap is not None:
                result.append(_priced_gap(gap, previous, tier, policy))
        result.append(tier)
    return tuple(result)


def _gap_between(previous: Tier, following: Tier) -> tuple[Decimal, bool, Decimal, bool] | None:
    if previous.upper is None:
        return None
    if previous.upper < following.lower or (
        previous.upper == following.lower
        and not previous.upper_inclusive
        and not following.lower_inclusive
    ):
        return (
            previous.upper,
            not previous.upper_inclusive,
            following.lower,
            not following.lower_inclusive,
        )
    return None


def _priced_gap(
    gap: tuple[Decimal, bool, Decimal, bool], previous: Tier, following: Tier, policy: GapPolicy
) -> Tier:
    lower, lower_inclusive, upper, upper_inclusive = gap
    source = f"gap {_pct(lower)}-{_pct(upper)} not stated in the seed; filled by {policy.value}"
    previous_top = previous.rate_at_upper if previous.rate_at_upper is not None else previous.rate
    if policy is GapPolicy.NEXT_TIER:
        return Tier(lower, lower_inclusive, upper, upper_inclusive, following.rate, source=source)
    if policy is GapPolicy.LINEAR_INTERPOLATION and upper > lower:
        return Tier(
            lower,
            lower_inclusive,
            upper,
            upper_inclusive,
            previous_top,
            rate_at_upper=following.rate,
            source=source,
        )
    return Tier(lower, lower_inclusive, upper, upper_inclusive, previous_top, source=source)


def validate_tiers(tiers: Sequence[Tier], field_path: str = "tiers") -> tuple[Tier, ...]:
    """Check one table's tiers; return them sorted ascending. Raises InvalidArgument."""
    if not tiers:
        raise InvalidArgument.for_field(
            field_path, "a table needs at least one tier", reason="COMMISSION_TIERS_EMPTY"
        )
    ordered = tuple(sorted(tiers, key=lambda t: (t.lower, not t.lower_inclusive)))
    for index, tier in enumerate(ordered):
        _validate_tier(tier, f"{field_path}[{index}]")
    first = ordered[0]
    if first.lower != 0 or not first.lower_inclusive:
        raise InvalidArgument.for_field(
            f"{field_path}[0].lower",
            f"the first tier must start at 0% inclusive, got {first.describe()}",
            reason="COMMISSION_TIERS_NOT_FROM_ZERO",
        )
    for index in range(1, len(ordered)):
        _validate_adjacent(ordered[index - 1], ordered[index], f"{field_path}[{index}]")
    last = ordered[-1]
    if last.upper is not None:
        raise InvalidArgument.for_field(
            f"{field_path}[{len(ordered) - 1}].upper",
            f"the last tier must be open-ended (upper None), got {last.describe()}",
            reason="COMMISSION_TIERS_NOT_UNBOUNDED",
        )
    return ordered


def _validate_tier(tier: Tier, path: str) -> None:
    for name, value in (
        ("lower", tier.lower),
        ("upper", tier.upper),
        ("rate", tier.rate),
        ("rate_at_upper", tier.rate_at_upper),
    ):
        if value is not None and (not isinstance(value, Decimal) or not value.is_finite()):
            raise InvalidArgument.for_field(
                f"{path}.{name}",
                f"must be a finite Decimal, got {value!r}",
                reason="COMMISSION_TIER_NOT_DECIMAL",
            )
    if tier.lower < 0:
        raise InvalidArgument.for_field(
            f"{path}.lower", f"must be >= 0, got {tier.lower}", reason="COMMISSION_TIER_NEGATIVE"
        )
    if tier.upper is None and tier.upper_inclusive:
        raise InvalidArgument.for_field(
            f"{path}.upper_inclusive",
            "an open-ended tier cannot include infinity",
            reason="COMMISSION_TIER_INVALID_BOUND",
        )
    if tier.upper is not None and tier.upper <= tier.lower:
        raise InvalidArgument.for_field(
            f"{path}.upper",
            f"must be above lower, got {tier.describe()}",
            reason="COMMISSION_TIER_EMPTY_INTERVAL",
        )
    for name, rate in (("rate", tier.rate), ("rate_at_upper", tier.rate_at_upper)):
        if rate is not None and not 0 <= rate <= 1:
            raise InvalidArgument.for_field(
                f"{path}.{name}",
                f"must be a fraction in [0, 1] (0.005 = 0.5%), got {rate}",
                reason="COMMISSION_RATE_OUT_OF_RANGE",
            )
    if tier.rate_at_upper is not None:
        if tier.upper is None:
            raise InvalidArgument.for_field(
                f"{path}.rate_at_upper",
                "a linear tier needs a finite upper bound",
                reason="COMMISSION_TIER_INVALID_BOUND",
            )
        if tier.rate_at_upper < tier.rate:
            raise InvalidArgument.for_field(
                f"{path}.rate_at_upper",
                "a linear tier's rate must not fall",
                reason="COMMISSION_RATES_DECREASING",
            )


def _validate_adjacent(previous: Tier, tier: Tier, path: str) -> None:
    pair = f"{previous.describe()} and {tier.describe()}"
    if (
        previous.upper is None
        or previous.upper > tier.lower
        or (previous.upper == tier.lower and previous.upper_inclusive and tier.lower_inclusive)
    ):
        raise InvalidArgument.for_field(
            f"{path}.lower", f"tiers overlap: {pair}", reason="COMMISSION_TIERS_OVERLAP"
        )
    if previous.upper < tier.lower or (
        previous.upper == tier.lower and not previous.upper_inclusive and not tier.lower_inclusive
    ):
        raise InvalidArgument.for_field(
            f"{path}.lower",
            f"gap between tiers: {pair}; fill it with a GapPolicy",
            reason="COMMISSION_TIERS_GAP",
        )
    previous_top = previous.rate_at_upper if previous.rate_at_upper is not None else previous.rate
    if tier.rate < previous_top:
        raise InvalidArgument.for_field(
            f"{path}.rate",
            f"rate falls as completion rises: {pair}",
            reason="COMMISSION_RATES_DECREASING",
        )


@dataclass(frozen=True)
class CommissionTable:
    """One version of one group's rate table, valid from `effective_from` to `effective_to`."""

    group: CommissionGroup
    version: int
    effective_from: date
    effective_to: date | None
    tiers: tuple[Tier, ...]

    def __post_init__(self) -> None:
        if self.version < 1:
            raise InvalidArgument.for_field(
                "version", f"must be >= 1, got {self.version}", reason="INVALID_TABLE_VERSION"
            )
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise InvalidArgument.for_field(
                "effective_to",
                f"{self.effective_to} is before effective_from {self.effective_from}",
                reason="INVALID_EFFECTIVE_DATES",
            )
        object.__setattr__(self, "tiers", validate_tiers(self.tiers))

    def applies_on(self, day: date) -> bool:
        ends_later = self.effective_to is None or day <= self.effective_to
        return self.effective_from <= day and ends_later

    def tier_for(self, ratio: Exact) -> Tier:
        """The tier containing the exact completion `ratio` (e.g. Decimal('0.3001'))."""
        exact = to_fraction(ratio, "ratio")
        if exact < 0:
            raise InvalidArgument.for_field(
                "ratio", f"completion must be >= 0, got {ratio}", reason="NEGATIVE_COMPLETION"
            )
        for tier in self.tiers:
            if tier.contains(exact):
                return tier
        raise AssertionError("validated tiers cover [0, ∞)")  # pragma: no cover

    def rate_for(self, ratio: Exact) -> Decimal:
        return self.tier_for(ratio).rate_at(ratio)

    def label(self) -> str:
        return f"{self.group.value} v{self.version}"


def _span(table: CommissionTable) -> str:
    return f"{table.effective_from}..{table.effective_to or '∞'}"


def _overlaps(a: CommissionTable, b: CommissionTable) -> bool:
    a_end = a.effective_to or date.max
    b_end = b.effective_to or date.max
    return a.effective_from <= b_end and b.effective_from <= a_end


@dataclass(frozen=True)
class CommissionTableCatalog:
    """All table versions of all groups; answers 'which rate applies on this day'."""

    tables: tuple[CommissionTable, ...] = ()

    @classmethod
    def of(cls, tables: Iterable[CommissionTable]) -> CommissionTableCatalog:
        catalog = cls()
        for table in tables:
            catalog = catalog.with_table(table)
        return catalog

    def with_table(self, table: CommissionTable) -> CommissionTableCatalog:
        """A catalog that also holds `table`; its dates must not overlap another version's."""
        for existing in self.tables:
            if existing.group is not table.group:
                continue
            if existing.version == table.version:
                raise AlreadyExists(
                    f"{table.label()} already exists; use a new version number",
                    reason="COMMISSION_TABLE_VERSION_EXISTS",
                )
            if _overlaps(existing, table):
                description = (
                    f"{table.label()} ({_span(table)}) overlaps {existing.label()} "
                    f"({_span(existing)}); end the older version first"
                )
                raise FailedPrecondition(
                    description,
                    reason="COMMISSION_TABLE_DATES_OVERLAP",
                    violations=[FieldViolation("effective_from", description)],
                )
        return CommissionTableCatalog((*self.tables, table))

    def table_on(self, group: CommissionGroup, day: date) -> CommissionTable:
        for table in self.tables:
            if table.group is group and table.applies_on(day):
                return table
        raise NotFound(
            f"no {group.value} commission table in force on {day}; add one",
            reason="COMMISSION_TABLE_NOT_FOUND",
        )

    def rate(self, group: CommissionGroup, day: date, ratio: Exact) -> Decimal:
        """The rate for `group` on `day` at completion `ratio`."""
        return self.table_on(group, day).rate_for(ratio)
