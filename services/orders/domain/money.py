"""Money as an integer number of minor units (fen, cents) with an ISO 4217 currency code.

Never float (ARCHITECTURE.md "Data"). Amounts travel as protobuf int64, so every result is checked
against the int64 range and an overflow is an InvalidArgument, not a silent wrap-around.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from services.common.errors import InvalidArgument

INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)
CURRENCY_CODE_PATTERN = re.compile(r"[A-Z]{3}")


def fits_int64(value: int) -> bool:
    """True when `value` can be stored in a protobuf int64 / PostgreSQL bigint."""
    return INT64_MIN <= value <= INT64_MAX


def _out_of_range(what: str, value: int) -> InvalidArgument:
    return InvalidArgument(
        f"{what} ({value}) is outside the range an amount can hold (±{INT64_MAX} minor units)",
        reason="AMOUNT_OUT_OF_RANGE",
    )


@dataclass(frozen=True, slots=True)
class Money:
    """An amount of one currency. Arithmetic across currencies is refused."""

    currency_code: str
    amount_minor: int

    def __post_init__(self) -> None:
        if not CURRENCY_CODE_PATTERN.fullmatch(self.currency_code):
            raise InvalidArgument(
                f"currency code {self.currency_code!r} must be three upper-case letters (ISO 4217)",
                reason="INVALID_CURRENCY",
            )
        if isinstance(self.amount_minor, bool) or not isinstance(self.amount_minor, int):
            raise InvalidArgument("an amount must be a whole number of minor units")
        if not fits_int64(self.amount_minor):
            raise _out_of_range("the amount", self.amount_minor)

    @classmethod
    def zero(cls, currency_code: str) -> Money:
        """Nothing, in `currency_code`."""
        return cls(currency_code, 0)

    def _same_currency(self, other: Money) -> None:
        if other.currency_code != self.currency_code:
            raise InvalidArgument(
                f"cannot combine {self.currency_code} and {other.currency_code} amounts",
                reason="CURRENCY_MISMATCH",
            )

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        total = self.amount_minor + other.amount_minor
        if not fits_int64(total):
            raise _out_of_range("the sum", total)
        return Money(self.currency_code, total)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        difference = self.amount_minor - other.amount_minor
        if not fits_int64(difference):
            raise _out_of_range("the difference", difference)
        return Money(self.currency_code, difference)

    def times(self, factor: int) -> Money:
        """This amount multiplied by a whole number (unit price × quantity)."""
        product = self.amount_minor * factor
        if not fits_int64(product):
            raise _out_of_range("the product", product)
        return Money(self.currency_code, product)

    def __lt__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.amount_minor < other.amount_minor

    def __le__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.amount_minor <= other.amount_minor

    def __gt__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.amount_minor > other.amount_minor

    def __ge__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.amount_minor >= other.amount_minor

    @property
    def is_positive(self) -> bool:
        """True for amounts above zero."""
        return self.amount_minor > 0

    def __str__(self) -> str:
        # Display only; two decimals is right for CNY/USD/EUR, which is what the shops sell in.
        sign = "-" if self.amount_minor < 0 else ""
        whole, cents = divmod(abs(self.amount_minor), 100)
        return f"{sign}{whole}.{cents:02d} {self.currency_code}"


def sum_money(amounts: Iterable[Money], currency_code: str) -> Money:
    """Sum amounts of one currency (zero for none)."""
    total = Money.zero(currency_code)
    for amount in amounts:
        total = total + amount
    return total
