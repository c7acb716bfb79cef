"""Money as integer minor units (fen, cents) with its ISO 4217 currency: never a float.

Amounts of different currencies are never added together silently: that raises
`FailedPrecondition` (reason ``CURRENCY_MISMATCH``), because a stock valuation that mixes CNY and
USD lots would be wrong without an exchange rate, and choosing one is finance's decision.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from services.common.errors import FailedPrecondition, InvalidArgument
from services.inventory.domain.validation import validate_currency_code


@dataclass(frozen=True)
class Money:
    """An amount of `currency` in minor units (``Money(1250, "CNY")`` is ¥12.50)."""

    amount_minor: int
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.amount_minor, bool) or not isinstance(self.amount_minor, int):
            raise InvalidArgument.for_field("amount_minor", "must be a whole number of minor units")
        validate_currency_code(self.currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        """No money in `currency`."""
        return cls(0, currency)

    def __add__(self, other: Money) -> Money:
        _same_currency(self.currency, other.currency)
        return Money(self.amount_minor + other.amount_minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        _same_currency(self.currency, other.currency)
        return Money(self.amount_minor - other.amount_minor, self.currency)

    def times(self, quantity: int) -> Money:
        """This amount per unit, times `quantity` units."""
        return Money(self.amount_minor * quantity, self.currency)


def total(amounts: Iterable[Money], currency: str) -> Money:
    """Sum `amounts`, all of which must be in `currency` (an empty sum is zero)."""
    result = Money.zero(currency)
    for amount in amounts:
        result = result + amount
    return result


def same_currency(*amounts: Money) -> str:
    """The one currency of `amounts`; raises FailedPrecondition (``CURRENCY_MISMATCH``) if mixed."""
    first = amounts[0].currency
    for amount in amounts[1:]:
        _same_currency(first, amount.currency)
    return first


def _same_currency(left: str, right: str) -> None:
    if left != right:
        raise FailedPrecondition(
            f"cannot add amounts in {left} and {right}: convert to one currency first",
            reason="CURRENCY_MISMATCH",
        )
