"""Money and the ROUND_HALF_UP rule every service uses."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from storeops.common.v1 import money_pb2

from services.common.errors import FailedPrecondition, InvalidArgument
from services.common.money import (
    INT64_MAX,
    INT64_MIN,
    Money,
    is_currency_code,
    quantize_half_up,
    round_half_up,
    round_half_up_to_step,
    same_currency,
    to_fraction,
    total,
)
from services.common.proto_convert import from_money, to_money


def test_money_adds_and_subtracts_within_one_currency() -> None:
    assert Money(150, "CNY") + Money(50, "CNY") == Money(200, "CNY")
    assert Money(150, "CNY") - Money(200, "CNY") == Money(-50, "CNY")
    assert -Money(5, "CNY") == Money(-5, "CNY")
    assert Money.zero("USD") == Money(0, "USD")


def test_money_refuses_to_mix_currencies() -> None:
    with pytest.raises(FailedPrecondition) as err:
        Money(1, "CNY") + Money(1, "USD")
    assert err.value.reason == "CURRENCY_MISMATCH"
    with pytest.raises(FailedPrecondition):
        _ = Money(1, "CNY") - Money(1, "USD")
    with pytest.raises(FailedPrecondition):
        _ = Money(1, "CNY") < Money(2, "USD")
    with pytest.raises(FailedPrecondition):
        same_currency(Money(1, "CNY"), Money(1, "CNY"), Money(1, "USD"))
    assert same_currency(Money(1, "CNY"), Money(2, "CNY")) == "CNY"


@pytest.mark.parametrize("code", ["cny", "CN", "CNYY", "", "C1Y", "yuan"])
def test_money_rejects_malformed_currency_codes_naming_the_proto_field(code: str) -> None:
    assert not is_currency_code(code)
    with pytest.raises(InvalidArgument) as err:
        Money(1, code)
    assert err.value.reason == "INVALID_CURRENCY"
    assert err.value.violations[0].field == "currency_code"


@pytest.mark.parametrize("amount", [1.5, 1.0, True, "1", Decimal(1)])
def test_money_is_a_whole_number_of_minor_units_never_a_float_or_bool(amount: object) -> None:
    with pytest.raises(InvalidArgument) as err:
        Money(amount, "CNY")  # type: ignore[arg-type]
    assert err.value.violations[0].field == "amount_minor"


def test_money_holds_exactly_the_int64_range() -> None:
    assert Money(INT64_MAX, "CNY").amount_minor == INT64_MAX
    assert Money(INT64_MIN, "CNY").amount_minor == INT64_MIN
    for build in (
        lambda: Money(INT64_MAX + 1, "CNY"),
        lambda: Money(INT64_MAX, "CNY") + Money(1, "CNY"),
        lambda: Money(INT64_MIN, "CNY") - Money(1, "CNY"),
        lambda: -Money(INT64_MIN, "CNY"),
        lambda: Money(INT64_MAX // 2 + 1, "CNY").times(2),
    ):
        with pytest.raises(InvalidArgument) as err:
            build()
        assert err.value.reason == "AMOUNT_OUT_OF_RANGE"


def test_times_is_exact_for_whole_numbers_and_rounds_half_up_for_rates() -> None:
    assert Money(125, "CNY").times(3) == Money(375, "CNY")
    assert Money(10_050, "CNY").times(Decimal("0.5")) == Money(5_025, "CNY")
    assert Money(3, "CNY").times(Decimal("0.5")) == Money(2, "CNY")
    assert Money(-3, "CNY").times(Fraction(1, 2)) == Money(-2, "CNY")
    with pytest.raises(InvalidArgument) as err:
        Money(3, "CNY").times(0.5)  # type: ignore[arg-type]
    assert err.value.reason == "NOT_AN_EXACT_NUMBER"


def test_money_compares_within_one_currency() -> None:
    assert Money(1, "CNY") < Money(2, "CNY") <= Money(2, "CNY")
    assert Money(3, "CNY") > Money(2, "CNY") >= Money(2, "CNY")
    assert Money(1, "CNY").is_positive
    assert not Money(0, "CNY").is_positive
    assert Money(-1, "CNY").is_negative
    assert not Money(0, "CNY").is_negative


def test_total_of_nothing_is_zero_and_of_amounts_their_sum() -> None:
    assert total([], "USD") == Money(0, "USD")
    assert total([Money(1, "CNY"), Money(2, "CNY")], "CNY") == Money(3, "CNY")
    with pytest.raises(FailedPrecondition):
        total([Money(1, "USD")], "CNY")


def test_display_uses_the_currency_decimals_unless_told() -> None:
    assert str(Money(12_345, "CNY")) == "123.45 CNY"
    assert str(Money(-5, "CNY")) == "-0.05 CNY"
    assert str(Money(500, "JPY")) == "500 JPY"
    assert str(Money(1_234, "KWD")) == "1.234 KWD"
    assert Money(500, "JPY").display(places=2) == "5.00 JPY"


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


def test_rounding_to_a_step_and_to_places() -> None:
    assert round_half_up_to_step(Fraction(7_550), 100) == 7_600
    assert round_half_up_to_step(Fraction(7_549), 100) == 7_500
    assert quantize_half_up(Fraction(2, 3), 4) == Decimal("0.6667")
    assert str(quantize_half_up(0, 4)) == "0.0000"
    assert quantize_half_up(Decimal("0.00005"), 4) == Decimal("0.0001")
    assert quantize_half_up(Fraction(-1, 8), 2) == Decimal("-0.13")
    with pytest.raises(InvalidArgument) as err:
        round_half_up_to_step(5, 0)
    assert err.value.reason == "INVALID_ROUNDING_STEP"


@pytest.mark.parametrize("value", [0.1, Decimal("NaN"), Decimal("Infinity"), True, "1"])
def test_only_exact_numbers_are_rounded(value: object) -> None:
    with pytest.raises(InvalidArgument) as err:
        to_fraction(value, "ratio")  # type: ignore[arg-type]
    assert err.value.reason == "NOT_AN_EXACT_NUMBER"
    assert err.value.violations[0].field == "ratio"


def test_money_travels_as_the_common_proto_and_back() -> None:
    message = to_money(Money(-1_250, "USD"))
    assert (message.currency_code, message.amount_minor) == ("USD", -1_250)
    assert from_money(message) == Money(-1_250, "USD")
    assert to_money(None) is None
    with pytest.raises(InvalidArgument) as err:
        from_money(money_pb2.Money())  # an unset message has no currency
    assert err.value.violations[0].field == "currency_code"
