"""Seed 003 篇1 (三) commission tables at every boundary, for every group and gap policy."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.common.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound
from services.common.money import Money
from services.performance.domain.commission import group_commission
from services.performance.domain.commission_tables import (
    CommissionGroup,
    CommissionTable,
    CommissionTableCatalog,
    GapPolicy,
    Tier,
    fill_gaps,
)
from services.performance.domain.completion import Completion
from services.performance.domain.period import YearMonth
from services.performance.domain.seed_tables import (
    SEED_EFFECTIVE_FROM,
    seed_commission_catalog,
    seed_commission_table,
    seed_tiers,
)

D = Decimal
CS = CommissionGroup.CUSTOMER_SERVICE
PROMO = CommissionGroup.PROMOTION
SUP = CommissionGroup.SUPERVISOR
FUND = CommissionGroup.DEPARTMENT_ACTIVITY_FUND

# completion → expected rate under the default gap policy (PREVIOUS_TIER).
BOUNDARY_RATES = {
    CS: {
        "0": "0",
        "0.3": "0",
        "0.3001": "0.005",
        "0.5": "0.005",
        "0.51": "0.01",
        "0.8": "0.01",
        "0.81": "0.015",
        "1": "0.015",
        "1.1": "0.015",
        "1.2": "0.02",
        "3": "0.02",
    },
    PROMO: {
        "0": "0",
        "0.3": "0",
        "0.3001": "0.01",
        "0.5": "0.01",
        "0.51": "0.015",
        "0.8": "0.015",
        "0.81": "0.02",
        "1": "0.02",
        "1.1": "0.02",
        "1.2": "0.025",
        "3": "0.025",
    },
    SUP: {
        "0": "0",
        "0.3": "0",
        "0.3001": "0.02",
        "0.5": "0.02",
        "0.51": "0.03",
        "0.8": "0.03",
        "0.81": "0.04",
        "1": "0.04",
        "1.1": "0.04",
        "1.2": "0.05",
        "3": "0.05",
    },
    FUND: {
        "0": "0",
        "0.3": "0",
        "0.3001": "0",
        "0.4999": "0",
        "0.5": "0.003",
        "0.51": "0.003",
        "0.8": "0.003",
        "0.8001": "0.005",
        "0.81": "0.005",
        "1": "0.005",
        "1.0001": "0.01",
        "1.01": "0.01",
        "1.1": "0.01",
        "1.2": "0.01",
    },
}
CASES = [(g, r, e) for g, rates in BOUNDARY_RATES.items() for r, e in rates.items()]


@pytest.mark.parametrize(("group", "ratio", "expected"), CASES)
def test_seed_rate_at_each_boundary(group: CommissionGroup, ratio: str, expected: str) -> None:
    catalog = seed_commission_catalog()
    assert catalog.rate(group, date(2024, 5, 1), D(ratio)) == D(expected)


# Commission on a base of 12,345.67 CNY at each seed rate, computed by hand, ROUND_HALF_UP:
# e.g. 1,234,567 × 0.005 = 6,172.835 → 6,173; × 0.015 = 18,518.505 → 18,519.
AMOUNT_ON_ODD_BASE = {
    "0": 0,
    "0.003": 3_704,
    "0.005": 6_173,
    "0.01": 12_346,
    "0.015": 18_519,
    "0.02": 24_691,
    "0.025": 30_864,
    "0.03": 37_037,
    "0.04": 49_383,
    "0.05": 61_728,
}


@pytest.mark.parametrize(("group", "ratio", "expected"), CASES)
def test_seed_commission_amount_at_each_boundary_rounds_half_up(
    group: CommissionGroup, ratio: str, expected: str
) -> None:
    result = group_commission(
        seed_commission_catalog(),
        group,
        YearMonth(2024, 5),
        base=Money(1_234_567, "CNY"),
        completion=Completion.of_ratio(D(ratio)),
    )
    assert result.amount == Money(AMOUNT_ON_ODD_BASE[expected], "CNY")


@pytest.mark.parametrize("group", [CS, PROMO, SUP])
def test_completion_exactly_30_percent_pays_no_staff_commission(group: CommissionGroup) -> None:
    assert seed_commission_table(group).rate_for(D("0.30")) == 0


def test_completion_just_above_30_percent_pays_customer_service_half_percent() -> None:
    base_minor = 1_000_000_00  # 1,000,000.00 CNY
    rate = seed_commission_table(CS).rate_for(D("0.3001"))
    assert rate == D("0.005")
    assert base_minor * rate == 500_000  # 5,000.00 CNY


def test_half_a_percent_between_seed_bands_belongs_to_the_upper_band() -> None:
    # "81%-100%" read as (80%, 100%]: 80.5% is in it, not lost between bands.
    assert seed_commission_table(CS).rate_for(D("0.805")) == D("0.015")
    assert seed_commission_table(FUND).rate_for(D("0.805")) == D("0.005")


@pytest.mark.parametrize(
    ("group", "at_100", "at_110", "just_below_120", "at_120"),
    [
        (CS, "0.015", "0.02", "0.02", "0.02"),
        (PROMO, "0.02", "0.025", "0.025", "0.025"),
        (SUP, "0.04", "0.05", "0.05", "0.05"),
    ],
)
def test_next_tier_gap_policy_pays_the_120_percent_rate_above_100(
    group: CommissionGroup, at_100: str, at_110: str, just_below_120: str, at_120: str
) -> None:
    table = seed_commission_table(group, GapPolicy.NEXT_TIER)
    assert table.rate_for(D("1")) == D(at_100)
    assert table.rate_for(D("1.1")) == D(at_110)
    assert table.rate_for(D("1.1999")) == D(just_below_120)
    assert table.rate_for(D("1.2")) == D(at_120)


@pytest.mark.parametrize(
    ("group", "at_110", "at_105"),
    [
        (CS, "0.0175", "0.01625"),
        (PROMO, "0.0225", "0.02125"),
        (SUP, "0.045", "0.0425"),
    ],
)
def test_linear_gap_policy_interpolates_between_100_and_120_percent(
    group: CommissionGroup, at_110: str, at_105: str
) -> None:
    table = seed_commission_table(group, GapPolicy.LINEAR_INTERPOLATION)
    assert table.rate_for(D("1.1")) == D(at_110)
    assert table.rate_for(D("1.05")) == D(at_105)
    assert table.rate_for(D("1.2")) == table.rate_for(D("5"))


def test_gap_policy_does_not_change_the_activity_fund_table() -> None:
    for policy in GapPolicy:
        table = seed_commission_table(FUND, policy)
        assert table.tiers == seed_commission_table(FUND).tiers


def test_filled_gap_tier_says_where_it_came_from() -> None:
    tier = seed_commission_table(CS).tier_for(D("1.1"))
    assert "PREVIOUS_TIER" in tier.source
    assert tier.describe() == "(100%, 120%) → 1.5%"


@given(
    group=st.sampled_from(list(CommissionGroup)),
    policy=st.sampled_from(list(GapPolicy)),
    a=st.decimals(min_value=0, max_value=3, places=6),
    b=st.decimals(min_value=0, max_value=3, places=6),
)
def test_rate_never_falls_as_completion_rises(
    group: CommissionGroup, policy: GapPolicy, a: Decimal, b: Decimal
) -> None:
    table = seed_commission_table(group, policy)
    low, high = sorted((a, b))
    assert table.rate_for(low) <= table.rate_for(high)


def test_unfilled_seed_tiers_are_rejected_for_their_gap() -> None:
    with pytest.raises(InvalidArgument) as err:
        CommissionTable(CS, 1, SEED_EFFECTIVE_FROM, None, seed_tiers(CS))
    assert err.value.reason == "COMMISSION_TIERS_GAP"
    assert err.value.violations[0].field == "tiers[4].lower"


def _tier(lower: str, li: bool, upper: str | None, ui: bool, rate: str) -> Tier:
    return Tier(D(lower), li, None if upper is None else D(upper), ui, D(rate))


@pytest.mark.parametrize(
    ("tiers", "reason"),
    [
        ([], "COMMISSION_TIERS_EMPTY"),
        (
            [_tier("0", True, "0.5", True, "0"), _tier("0.5", True, None, False, "0.01")],
            "COMMISSION_TIERS_OVERLAP",
        ),
        (
            [_tier("0", True, "0.5", False, "0"), _tier("0.5", False, None, False, "0.01")],
            "COMMISSION_TIERS_GAP",
        ),
        (
            [_tier("0", True, "0.6", True, "0"), _tier("0.5", False, None, False, "0.01")],
            "COMMISSION_TIERS_OVERLAP",
        ),
        ([_tier("0", False, None, False, "0")], "COMMISSION_TIERS_NOT_FROM_ZERO"),
        ([_tier("0", True, "1", True, "0")], "COMMISSION_TIERS_NOT_UNBOUNDED"),
        (
            [_tier("0", True, "0.5", True, "0.02"), _tier("0.5", False, None, False, "0.01")],
            "COMMISSION_RATES_DECREASING",
        ),
        ([_tier("0", True, None, False, "1.5")], "COMMISSION_RATE_OUT_OF_RANGE"),
        ([_tier("0", True, None, True, "0")], "COMMISSION_TIER_INVALID_BOUND"),
        (
            [_tier("0", True, "0", True, "0"), _tier("0", False, None, False, "0")],
            "COMMISSION_TIER_EMPTY_INTERVAL",
        ),
    ],
)
def test_invalid_tiers_are_rejected_with_a_reason(tiers: list[Tier], reason: str) -> None:
    with pytest.raises(InvalidArgument) as err:
        CommissionTable(CS, 1, date(2024, 1, 1), None, tuple(tiers))
    assert err.value.reason == reason
    assert err.value.violations


def test_tiers_given_out_of_order_are_sorted() -> None:
    tiers = (_tier("0.5", False, None, False, "0.01"), _tier("0", True, "0.5", True, "0"))
    table = CommissionTable(CS, 1, date(2024, 1, 1), None, tiers)
    assert [t.lower for t in table.tiers] == [D("0"), D("0.5")]


def test_fill_gaps_leaves_a_complete_table_alone() -> None:
    tiers = seed_tiers(FUND)
    assert fill_gaps(tiers, GapPolicy.NEXT_TIER) == tiers


def test_negative_completion_is_rejected() -> None:
    with pytest.raises(InvalidArgument) as err:
        seed_commission_table(CS).rate_for(D("-0.1"))
    assert err.value.reason == "NEGATIVE_COMPLETION"


def test_float_completion_is_refused() -> None:
    with pytest.raises(InvalidArgument) as err:
        seed_commission_table(CS).rate_for(0.5)  # type: ignore[arg-type]
    assert err.value.reason == "NOT_AN_EXACT_NUMBER"


def _flat(rate: str) -> tuple[Tier, ...]:
    return (_tier("0", True, None, False, rate),)


def test_catalog_picks_the_version_in_force_on_the_day() -> None:
    v1 = CommissionTable(CS, 1, date(2024, 1, 1), date(2024, 6, 30), _flat("0.01"))
    v2 = CommissionTable(CS, 2, date(2024, 7, 1), None, _flat("0.02"))
    catalog = CommissionTableCatalog.of([v1, v2])
    assert catalog.rate(CS, date(2024, 6, 30), D("1")) == D("0.01")
    assert catalog.rate(CS, date(2024, 7, 1), D("1")) == D("0.02")
    assert catalog.table_on(CS, date(2030, 1, 1)).version == 2


def test_catalog_rejects_overlapping_versions_naming_effective_from() -> None:
    v1 = CommissionTable(CS, 1, date(2024, 1, 1), date(2024, 6, 30), _flat("0.01"))
    v2 = CommissionTable(CS, 2, date(2024, 6, 30), None, _flat("0.02"))
    with pytest.raises(FailedPrecondition) as err:
        CommissionTableCatalog.of([v1, v2])
    assert err.value.reason == "COMMISSION_TABLE_DATES_OVERLAP"
    assert err.value.violations[0].field == "effective_from"


def test_open_ended_version_overlaps_any_later_one() -> None:
    v1 = CommissionTable(CS, 1, date(2024, 1, 1), None, _flat("0.01"))
    v2 = CommissionTable(CS, 2, date(2025, 1, 1), None, _flat("0.02"))
    with pytest.raises(FailedPrecondition):
        CommissionTableCatalog.of([v1, v2])


def test_versions_of_different_groups_may_share_dates() -> None:
    catalog = CommissionTableCatalog.of(
        [
            CommissionTable(CS, 1, date(2024, 1, 1), None, _flat("0.01")),
            CommissionTable(PROMO, 1, date(2024, 1, 1), None, _flat("0.02")),
        ]
    )
    assert len(catalog.tables) == 2


def test_catalog_rejects_a_reused_version_number() -> None:
    v1 = CommissionTable(CS, 1, date(2024, 1, 1), date(2024, 1, 31), _flat("0.01"))
    again = CommissionTable(CS, 1, date(2024, 3, 1), None, _flat("0.01"))
    with pytest.raises(AlreadyExists) as err:
        CommissionTableCatalog.of([v1, again])
    assert err.value.reason == "COMMISSION_TABLE_VERSION_EXISTS"


def test_no_table_in_force_is_not_found() -> None:
    catalog = seed_commission_catalog(effective_from=date(2024, 1, 1))
    with pytest.raises(NotFound) as err:
        catalog.table_on(CS, date(2023, 12, 31))
    assert err.value.reason == "COMMISSION_TABLE_NOT_FOUND"


def test_effective_to_before_effective_from_is_rejected() -> None:
    with pytest.raises(InvalidArgument) as err:
        CommissionTable(CS, 1, date(2024, 2, 1), date(2024, 1, 31), _flat("0"))
    assert err.value.violations[0].field == "effective_to"
