"""Seed 003 篇1 三: base salary, performance pay, over-plan bonus, supervisor penalty."""

from __future__ import annotations

from decimal import Decimal

import pytest

from services.common.money import Money
from services.performance.domain.completion import Completion, completion
from services.performance.domain.performance_pay import (
    PaySettings,
    over_plan_bonus,
    performance_pay,
    supervisor_penalty,
)
from services.performance.domain.roles import PayLevel, Role, pay_level

D = Decimal
MEMBER = PayLevel.TEAM_MEMBER
HEAD = PayLevel.SUPERVISOR


def cny(minor: int) -> Money:
    return Money(minor, "CNY")


def test_default_base_salaries_are_3500_and_2000() -> None:
    settings = PaySettings()
    assert settings.base_salary(HEAD) == cny(350_000)
    assert settings.base_salary(MEMBER) == cny(200_000)
    assert pay_level(Role.MANAGER) is HEAD
    assert pay_level(Role.CUSTOMER_SERVICE) is MEMBER


@pytest.mark.parametrize(
    ("ratio", "expected_minor"),
    [
        ("0", 0),
        ("0.2999", 0),
        ("0.3", 15_000),
        ("0.3001", 15_005),
        ("0.5", 25_000),
        ("0.85", 42_500),
        ("1", 50_000),
        ("1.5", 50_000),
    ],
)
def test_performance_pay_is_the_completed_share_of_500(ratio: str, expected_minor: int) -> None:
    assert performance_pay(Completion.of_ratio(D(ratio))).amount == cny(expected_minor)


def test_performance_pay_rounds_half_up_to_the_fen() -> None:
    # 50,000 × 1/3 = 16,666.67 → 16,667; 50,000 × 0.33333 = 16,666.5 → 16,667 (half up).
    assert performance_pay(completion(1, 3)).amount == cny(16_667)
    assert performance_pay(Completion.of_ratio(D("0.33333"))).amount == cny(16_667)


def test_uncapped_setting_pays_beyond_the_plan() -> None:
    settings = PaySettings(cap_at_plan=False)
    assert performance_pay(Completion.of_ratio(D("1.2")), settings).amount == cny(60_000)


def test_no_target_means_no_performance_pay_until_one_is_set() -> None:
    result = performance_pay(completion(100, None))
    assert result.amount == cny(0)
    assert "no plan target" in result.explanation


def test_full_pay_can_be_granted_before_the_site_runs_smoothly() -> None:
    result = performance_pay(completion(0, 100), full_pay_granted=True)
    assert result.amount == cny(50_000)


@pytest.mark.parametrize(
    ("level", "ratio", "expected_minor"),
    [
        (MEMBER, "1.0001", 5_000),  # 50.025 → 50
        (MEMBER, "1.01", 5_300),  # 52.50 → 53 (half up to the yuan)
        (MEMBER, "1.1", 7_500),
        (MEMBER, "1.2", 10_000),
        (MEMBER, "2", 10_000),
        (HEAD, "1.1", 12_500),
        (HEAD, "1.3", 15_000),
    ],
)
def test_over_plan_bonus_rises_linearly_to_120_percent(
    level: PayLevel, ratio: str, expected_minor: int
) -> None:
    result = over_plan_bonus(level, Completion.of_ratio(D(ratio)), 200, 100)
    assert result.amount == cny(expected_minor)


def test_exactly_meeting_the_plan_earns_no_over_plan_bonus() -> None:
    assert over_plan_bonus(MEMBER, Completion.of_ratio(D(1)), 200, 100).amount == cny(0)


def test_over_plan_without_higher_sales_than_last_month_earns_no_bonus() -> None:
    over = Completion.of_ratio(D("1.3"))
    assert over_plan_bonus(MEMBER, over, 100, 100).amount == cny(0)
    unknown = over_plan_bonus(MEMBER, over, 100, None)
    assert unknown.amount == cny(0)
    assert "not evidenced" in unknown.explanation


@pytest.mark.parametrize(
    ("ratio", "expected_minor"),
    [
        ("0", -5_000),
        ("0.2999", -5_000),
        ("0.3", 0),
        ("0.9", 0),
    ],
)
def test_supervisor_loses_50_when_promoters_complete_under_30_percent(
    ratio: str, expected_minor: int
) -> None:
    assert supervisor_penalty(Completion.of_ratio(D(ratio))).amount == cny(expected_minor)


def test_no_promoter_target_means_no_penalty() -> None:
    assert supervisor_penalty(completion(0, None)).amount == cny(0)


def test_supervisor_bonus_without_sales_lift_when_configured() -> None:
    settings = PaySettings(supervisor_needs_sales_lift=False)
    over = Completion.of_ratio(D("1.2"))
    assert over_plan_bonus(HEAD, over, None, None, settings).amount == cny(15_000)
    assert over_plan_bonus(MEMBER, over, None, None, settings).amount == cny(0)
