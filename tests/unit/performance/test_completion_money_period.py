"""Completion ratio, money rounding and calendar months."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from services.common.errors import InvalidArgument
from services.performance.domain.completion import Completion, CompletionFlag, completion
from services.performance.domain.money import (
    Money,
    quantize_half_up,
    round_half_up,
    round_half_up_to_step,
    total,
)
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


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("2.5"), 3),
        (Decimal("2.4999"), 2),
        (Decimal("-2.5"), -3),
        (Fraction(1, 2), 1),
        (Fraction(-1, 3), 0),
        (7, 7),
    ],
)
def test_round_half_up_goes_away_from_zero_on_halves(
    value: Decimal | Fraction | int, expected: int
) -> None:
    assert round_half_up(value) == expected


def test_rounding_to_whole_yuan_and_to_places() -> None:
    assert round_half_up_to_step(Fraction(7_550), 100) == 7_600
    assert round_half_up_to_step(Fraction(7_549), 100) == 7_500
    assert quantize_half_up(Fraction(2, 3), 4) == Decimal("0.6667")
    assert quantize_half_up(Decimal("0.00005"), 4) == Decimal("0.0001")


def test_money_refuses_mixed_currencies_and_non_integer_amounts() -> None:
    with pytest.raises(InvalidArgument) as err:
        Money(1, "CNY") + Money(1, "USD")
    assert err.value.reason == "CURRENCY_MISMATCH"
    with pytest.raises(InvalidArgument):
        Money(1.5, "CNY")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument):
        Money(1, "yuan")


def test_money_arithmetic_and_display() -> None:
    assert Money(10_050, "CNY").times(Decimal("0.5")) == Money(5_025, "CNY")
    assert Money(3, "CNY").times(Decimal("0.5")) == Money(2, "CNY")
    assert total([Money(1, "CNY"), Money(2, "CNY")], "CNY") == Money(3, "CNY")
    assert str(Money(-12_345, "CNY")) == "-123.45 CNY"
    assert str(Money(500, "JPY")) == "500 JPY"


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
