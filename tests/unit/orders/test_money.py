from __future__ import annotations

import pytest

from services.common.errors import InvalidArgument
from services.orders.domain.money import INT64_MAX, INT64_MIN, Money, sum_money


def test_money_adds_and_subtracts_in_one_currency() -> None:
    assert Money("CNY", 150) + Money("CNY", 50) == Money("CNY", 200)
    assert Money("CNY", 150) - Money("CNY", 200) == Money("CNY", -50)


def test_money_refuses_to_mix_currencies() -> None:
    with pytest.raises(InvalidArgument) as err:
        Money("CNY", 1) + Money("USD", 1)
    assert err.value.reason == "CURRENCY_MISMATCH"


def test_money_comparisons_refuse_to_mix_currencies() -> None:
    with pytest.raises(InvalidArgument):
        _ = Money("CNY", 1) < Money("USD", 2)


@pytest.mark.parametrize("code", ["cny", "CN", "CNYY", "", "C1Y"])
def test_money_rejects_malformed_currency_codes(code: str) -> None:
    with pytest.raises(InvalidArgument) as err:
        Money(code, 1)
    assert err.value.reason == "INVALID_CURRENCY"


def test_money_holds_exactly_the_int64_range() -> None:
    assert Money("CNY", INT64_MAX).amount_minor == INT64_MAX
    assert Money("CNY", INT64_MIN).amount_minor == INT64_MIN
    with pytest.raises(InvalidArgument) as err:
        Money("CNY", INT64_MAX + 1)
    assert err.value.reason == "AMOUNT_OUT_OF_RANGE"


def test_money_sum_overflow_is_invalid_argument_not_wraparound() -> None:
    with pytest.raises(InvalidArgument) as err:
        Money("CNY", INT64_MAX) + Money("CNY", 1)
    assert err.value.reason == "AMOUNT_OUT_OF_RANGE"


def test_money_times_checks_overflow() -> None:
    assert Money("CNY", 3).times(4) == Money("CNY", 12)
    with pytest.raises(InvalidArgument):
        Money("CNY", INT64_MAX // 2 + 1).times(2)


def test_money_is_never_a_float_or_bool() -> None:
    with pytest.raises(InvalidArgument):
        Money("CNY", 1.5)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument):
        Money("CNY", True)


def test_sum_money_of_nothing_is_zero() -> None:
    assert sum_money([], "CNY") == Money.zero("CNY")
    assert sum_money([Money("CNY", 1), Money("CNY", 2)], "CNY") == Money("CNY", 3)


def test_money_displays_two_decimals() -> None:
    assert str(Money("CNY", 12_345)) == "123.45 CNY"
    assert str(Money("CNY", -5)) == "-0.05 CNY"
