"""Seed 004 绩效考核制度 3: grade bands, coefficients, two failing months."""

from __future__ import annotations

from decimal import Decimal

import pytest

from services.common.errors import InvalidArgument
from services.common.money import Money
from services.performance.domain.grades import (
    Grade,
    consecutive_fail_review,
    grade_adjustment,
    grade_for_score,
)
from services.performance.domain.period import YearMonth


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        ("100", Grade.EXCELLENT),
        ("90", Grade.EXCELLENT),
        ("89.99", Grade.GOOD),
        ("80", Grade.GOOD),
        ("79.99", Grade.PASS),
        ("60", Grade.PASS),
        ("59.99", Grade.FAIL),
        ("0", Grade.FAIL),
    ],
)
def test_grade_boundaries_are_exact(score: str, grade: Grade) -> None:
    assert grade_for_score(Decimal(score)) is grade


@pytest.mark.parametrize("score", ["-0.01", "100.01", "NaN"])
def test_scores_outside_0_to_100_are_rejected(score: str) -> None:
    with pytest.raises(InvalidArgument) as err:
        grade_for_score(Decimal(score))
    assert err.value.reason == "SCORE_OUT_OF_RANGE"


def test_float_scores_are_refused() -> None:
    with pytest.raises(InvalidArgument) as err:
        grade_for_score(89.99)  # type: ignore[arg-type]
    assert err.value.reason == "SCORE_NOT_DECIMAL"


@pytest.mark.parametrize(
    ("grade", "expected_minor"),
    [
        (Grade.EXCELLENT, 21_250),
        (Grade.GOOD, 8_500),
        (Grade.PASS, 0),
        (Grade.FAIL, -21_250),
    ],
)
def test_grade_coefficient_adjusts_performance_pay(grade: Grade, expected_minor: int) -> None:
    # 425.00 of performance pay × (coefficient − 1).
    assert grade_adjustment(Money(42_500, "CNY"), grade).amount == Money(expected_minor, "CNY")


def test_half_fen_grade_adjustment_rounds_half_up() -> None:
    # 0.5 × 15,005 = 7,502.5 → −7,503 (away from zero).
    assert grade_adjustment(Money(15_005, "CNY"), Grade.FAIL).amount == Money(-7_503, "CNY")


def test_two_consecutive_failing_months_raise_a_review_flag() -> None:
    grades = {
        YearMonth(2024, 1): Grade.FAIL,
        YearMonth(2024, 2): Grade.FAIL,
        YearMonth(2024, 4): Grade.FAIL,
    }
    flag = consecutive_fail_review(grades, YearMonth(2024, 2))
    assert flag is not None
    assert flag.months == (YearMonth(2024, 1), YearMonth(2024, 2))
    assert consecutive_fail_review(grades, YearMonth(2024, 1)) is None
    assert consecutive_fail_review(grades, YearMonth(2024, 4)) is None  # March not appraised


def test_fail_across_the_new_year_counts_as_consecutive() -> None:
    grades = {YearMonth(2023, 12): Grade.FAIL, YearMonth(2024, 1): Grade.FAIL}
    assert consecutive_fail_review(grades, YearMonth(2024, 1)) is not None
