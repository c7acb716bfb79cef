"""Money as integer minor units (fen, cents) plus an ISO 4217 code, and the one rounding rule.

Every amount in this service is an `int` of minor units, never a float. Anything computed from a
rate or a share is rounded exactly once, at the end, with ROUND_HALF_UP to the minor unit
(halves go away from zero, as `decimal.ROUND_HALF_UP` does). Intermediate results are kept exact as
`fractions.Fraction`, so 1/3 of a fen is not lost or double-counted on the way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from services.common.errors import InvalidArgument

Exact = Decimal | Fraction | int
"""A number that converts to `Fraction` without loss (never a float)."""

_CURRENCY_CODE = re.compile(r"^[A-Z]{3}$")
# ISO 4217 minor-unit exponents that differ from the usual 2; only used for display.
_EXPONENT = {"JPY": 0, "KRW": 0, "VND": 0, "BHD": 3, "KWD": 3, "OMR": 3}


def to_fraction(value: Exact, field_path: str = "value") -> Fraction:
    """Convert exactly; floats and non-finite decimals are refused (they are never exact)."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, Fraction, int)):
        raise InvalidArgument.for_field(
            field_path,
            f"must be Decimal or int, got {type(value).__name__}",
            reason="NOT_AN_EXACT_NUMBER",
        )
    if isinstance(value, Decimal) and not value.is_finite():
        raise InvalidArgument.for_field(
            field_path, f"must be a finite number, got {value}", reason="NOT_AN_EXACT_NUMBER"
        )
    return Fraction(value)


def round_half_up(value: Exact) -> int:
    """Round to the nearest integer; an exact half goes away from zero (ROUND_HALF_UP)."""
    exact = to_fraction(value)
    magnitude = int(abs(exact) + Fraction(1, 2))  # int() floors a non-negative Fraction
    return -magnitude if exact < 0 else magnitude


def round_half_up_to_step(value: Exact, step: int) -> int:
    """Round to the nearest multiple of `step` (e.g. 100 fen = one yuan), halves away from zero."""
    if step <= 0:
        raise InvalidArgument.for_field(
            "step", f"must be positive, got {step}", reason="INVALID_ROUNDING_STEP"
        )
    return round_half_up(to_fraction(value) / step) * step


def quantize_half_up(value: Exact, places: int) -> Decimal:
    """`value` as a Decimal with exactly `places` decimals, ROUND_HALF_UP, computed exactly."""
    scaled = round_half_up(to_fraction(value) * 10**places)
    return Decimal(scaled).scaleb(-places)


@dataclass(frozen=True)
class Money:
    """An amount in integer minor units of one ISO 4217 currency (e.g. 50000 CNY = 500.00 yuan)."""

    minor: int
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.minor, bool) or not isinstance(self.minor, int):
            raise InvalidArgument.for_field(
                "minor",
                f"must be an int of minor units, got {self.minor!r}",
                reason="MONEY_NOT_MINOR_UNITS",
            )
        if not isinstance(self.currency, str) or not _CURRENCY_CODE.match(self.currency):
            raise InvalidArgument.for_field(
                "currency",
                f"must be an ISO 4217 code like CNY, got {self.currency!r}",
                reason="INVALID_CURRENCY",
            )

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    def _same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise InvalidArgument(
                f"cannot combine {self.currency} with {other.currency}: convert first",
                reason="CURRENCY_MISMATCH",
            )

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.minor - other.minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.minor, self.currency)

    def times(self, factor: Exact) -> Money:
        """`self × factor`, ROUND_HALF_UP to the minor unit."""
        return Money(round_half_up(self.minor * to_fraction(factor, "factor")), self.currency)

    def __str__(self) -> str:
        exponent = _EXPONENT.get(self.currency, 2)
        major = Decimal(self.minor).scaleb(-exponent)
        return f"{major:.{exponent}f} {self.currency}"


def total(amounts: Iterable[Money], currency: str) -> Money:
    """Sum of `amounts` (all in `currency`); the empty sum is zero."""
    result = Money.zero(currency)
    for amount in amounts:
        result = result + amount
    return result
