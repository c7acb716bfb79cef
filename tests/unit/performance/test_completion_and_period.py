"""Completion ratio and calendar months (money and rounding: tests/unit/common/test_money.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from services.common.errors import InvalidArgument
from services.performance.domain.completion import Completion, CompletionFlag, completion
from services.performance.domain.period import YearMonth


def test_completion_is_exact() -> None:
    result = completion(1, 3)
    assert result.exact == Fraction(1, 3)
    assert result.ratio == Decimal("0.333333")
    assert result.percent() == "33.33%"


def test_zero_or_missing_target_gives_no_ratio_and_a_flag() -> None:
    for target in (0, None):
        result = completion(500, target)
        assert result.exact is None
        assert CompletionFlag.TARGET_MISSING in result.flags
        assert result.percent() == "no target"


def test_negative_actual_counts_as_zero() -> None:
    result = completion(-5, 10)
    assert result.exact == 0
    assert CompletionFlag.NEGATIVE_ACTUAL_COUNTED_AS_ZERO in result.flags


def test_negative_target_is_rejected() -> None:
    with pytest.raises(InvalidArgument) as err:
        completion(5, -10)
    assert err.value.reason == "NEGATIVE_TARGET"


def test_completion_of_a_ratio() -> None:
    assert Completion.of_ratio(Decimal("1.05")).exact == Fraction(21, 20)
    with pytest.raises(InvalidArgument):
        Completion.of_ratio(Decimal("-0.01"))


def test_year_month_navigation() -> None:
    assert YearMonth(2024, 12).next() == YearMonth(2025, 1)
    assert YearMonth(2024, 1).previous() == YearMonth(2023, 12)
    assert YearMonth(2024, 2).days == 29
    assert YearMonth(2023, 2).last_day() == date(2023, 2, 28)
    assert YearMonth.parse("2024-03") == YearMonth(2024, 3)
    assert str(YearMonth(2024, 3)) == "2024-03"
    assert YearMonth.of(date(2024, 3, 9)).contains(date(2024, 3, 31))
    with pytest.raises(InvalidArgument):
        YearMonth(2024, 13)
    with pytest.raises(InvalidArgument):
        YearMonth.parse("March")
