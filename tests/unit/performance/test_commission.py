"""Group commission (base × rate, ROUND_HALF_UP) and sharing it among members."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.common.errors import InvalidArgument
from services.common.money import Money
from services.performance.domain.commission import (
    group_commission,
    restrict_share,
    share_commission,
)
from services.performance.domain.commission_tables import CommissionGroup
from services.performance.domain.completion import Completion, completion
from services.performance.domain.period import YearMonth
from services.performance.domain.seed_tables import seed_commission_catalog

D = Decimal
MAY = YearMonth(2024, 5)


def cny(minor: int) -> Money:
    return Money(minor, "CNY")


def test_commission_is_base_times_rate_rounded_half_up_to_the_fen() -> None:
    # 123,456.70 CNY at 1.5% = 1,851.8505 → 1,851.85; 0.5% of 101 fen = 0.505 → 1 fen (half up).
    result = group_commission(
        seed_commission_catalog(),
        CommissionGroup.CUSTOMER_SERVICE,
        MAY,
        base=cny(12_345_670),
        completion=completion(90, 100),
    )
    assert result.rate == D("0.015")
    assert result.amount == cny(185_185)
    tiny = group_commission(
        seed_commission_catalog(),
        CommissionGroup.CUSTOMER_SERVICE,
        MAY,
        base=cny(101),
        completion=completion(40, 100),
    )
    assert tiny.amount == cny(1)


def test_completion_exactly_30_percent_pays_no_customer_service_commission() -> None:
    result = group_commission(
        seed_commission_catalog(),
        CommissionGroup.CUSTOMER_SERVICE,
        MAY,
        base=cny(30_000_000),
        completion=completion(30_000_000, 100_000_000),
    )
    assert result.amount == cny(0)


def test_a_third_of_the_target_is_above_30_percent() -> None:
    result = group_commission(
        seed_commission_catalog(),
        CommissionGroup.PROMOTION,
        MAY,
        base=cny(100_000),
        completion=completion(1, 3),
    )
    assert result.rate == D("0.01")
    assert result.amount == cny(1_000)


def test_missing_target_pays_no_commission_and_says_so() -> None:
    result = group_commission(
        seed_commission_catalog(),
        CommissionGroup.SUPERVISOR,
        MAY,
        base=cny(1_000_000),
        completion=completion(1_000_000, None),
    )
    assert result.amount == cny(0)
    assert result.tier is None
    assert "no target" in result.explain().explanation


def test_explanation_lets_a_person_redo_the_sum() -> None:
    result = group_commission(
        seed_commission_catalog(),
        CommissionGroup.SUPERVISOR,
        MAY,
        base=cny(10_000_000),
        completion=Completion.of_ratio(D("1.25")),
    )
    explained = result.explain()
    assert explained.amount == cny(500_000)
    assert explained.inputs["rate"] == "0.05"
    assert explained.inputs["base_minor"] == "10000000"
    assert "[120%, ∞) → 5%" in explained.explanation


def test_negative_base_is_rejected() -> None:
    with pytest.raises(InvalidArgument):
        group_commission(
            seed_commission_catalog(),
            CommissionGroup.PROMOTION,
            MAY,
            base=cny(-1),
            completion=completion(1, 1),
        )


def test_equal_shares_give_the_odd_fen_to_the_lowest_codes() -> None:
    shares = share_commission(cny(100), ["E3", "E1", "E2"])
    assert shares == {"E3": cny(33), "E1": cny(34), "E2": cny(33)}


def test_two_fen_remainder_goes_to_the_two_lowest_codes() -> None:
    shares = share_commission(cny(101), ["B", "C", "A"])
    assert shares == {"B": cny(34), "C": cny(33), "A": cny(34)}


def test_weighted_shares_use_largest_remainder() -> None:
    # 1,001 fen: 50% → 500.5, 30% → 300.3, 20% → 200.2; floors sum 1,000; the 0.5 gets the fen.
    shares = share_commission(
        cny(1_001), ["A", "B", "C"], {"A": D("0.5"), "B": D("0.3"), "C": D("0.2")}
    )
    assert shares == {"A": cny(501), "B": cny(300), "C": cny(200)}


def test_weighted_remainder_goes_to_largest_fraction_not_largest_weight() -> None:
    # 10 fen: 0.25 → 2.5, 0.35 → 3.5, 0.4 → 4.0; tie 0.5 vs 0.5 → lower code A first.
    shares = share_commission(
        cny(10), ["A", "B", "C"], {"A": D("0.25"), "B": D("0.35"), "C": D("0.40")}
    )
    assert shares == {"A": cny(3), "B": cny(3), "C": cny(4)}


def test_weights_not_summing_to_100_percent_are_rejected() -> None:
    with pytest.raises(InvalidArgument) as err:
        share_commission(cny(100), ["A", "B"], {"A": D("0.5"), "B": D("0.49")})
    assert err.value.reason == "SHARE_WEIGHTS_NOT_100_PERCENT"
    assert err.value.violations[0].field == "weights"


def test_weights_must_name_exactly_the_members() -> None:
    with pytest.raises(InvalidArgument) as err:
        share_commission(cny(100), ["A", "B"], {"A": D("1")})
    assert err.value.reason == "SHARE_WEIGHTS_MISMATCH"


@pytest.mark.parametrize(
    ("members", "reason"), [([], "NO_GROUP_MEMBERS"), (["A", "A"], "DUPLICATE_GROUP_MEMBER")]
)
def test_member_list_is_validated(members: list[str], reason: str) -> None:
    with pytest.raises(InvalidArgument) as err:
        share_commission(cny(100), members)
    assert err.value.reason == reason


@given(
    total_minor=st.integers(min_value=0, max_value=10**12),
    member_count=st.integers(min_value=1, max_value=12),
)
def test_equal_shares_always_sum_to_the_group_total(total_minor: int, member_count: int) -> None:
    members = [f"E{n:03d}" for n in range(member_count)]
    shares = share_commission(cny(total_minor), members)
    assert sum(s.amount_minor for s in shares.values()) == total_minor
    assert (
        max(s.amount_minor for s in shares.values()) - min(s.amount_minor for s in shares.values())
        <= 1
    )


@given(
    total_minor=st.integers(min_value=0, max_value=10**12),
    parts=st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=8).filter(
        lambda p: sum(p) > 0
    ),
)
def test_weighted_shares_always_sum_to_the_group_total(total_minor: int, parts: list[int]) -> None:
    # Weights as exact decimals: each part / 1000 of the parts' sum is not always finite, so
    # give the last member the rest to make exactly 100%.
    denominator = sum(parts)
    weights = [D(p * 10_000 // denominator) / 10_000 for p in parts[:-1]]
    weights.append(D(1) - sum(weights, D(0)))
    members = [f"E{n}" for n in range(len(parts))]
    shares = share_commission(cny(total_minor), members, dict(zip(members, weights, strict=True)))
    assert sum(s.amount_minor for s in shares.values()) == total_minor
    for code, weight in zip(members, weights, strict=True):
        assert abs(shares[code].amount_minor - total_minor * weight) < 1


def test_leaver_keeps_the_part_of_the_share_earned_on_qualifying_payments() -> None:
    # 1,000.00 share on a 100,000.00 base; 33,333.33 of it qualifies → 333.33.
    assert restrict_share(cny(100_000), cny(10_000_000), cny(3_333_333)) == cny(33_333)
    assert restrict_share(cny(100_000), cny(0), cny(0)) == cny(0)
    with pytest.raises(InvalidArgument):
        restrict_share(cny(100_000), cny(100), cny(101))
