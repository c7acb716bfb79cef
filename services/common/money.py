"""Money as integer minor units (fen, cents) of one ISO 4217 currency, and the one rounding rule.

Pure (no I/O), so every domain layer uses it. Rules that hold in every service:
- An amount is an `int` of minor units, never a float; it must fit a protobuf int64 / PostgreSQL
  bigint, so a result outside that range is an `InvalidArgument` (``AMOUNT_OUT_OF_RANGE``), never a
  silent wrap-around on the way out.
- Amounts of different currencies are never combined: that raises `FailedPrecondition`
  (``CURRENCY_MISMATCH``), because choosing an exchange rate is finance's decision.
- Anything computed from a rate or a share is rounded once, at the end, ROUND_HALF_UP (halves go
  away from zero, as `decimal.ROUND_HALF_UP` does); intermediate values stay exact as
  `fractions.Fraction`, so 1/3 of a fen is neither lost nor counted twice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from services.common.errors import FailedPrecondition, InvalidArgument

INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)
CURRENCY_CODE = re.compile(r"[A-Z]{3}")
# ISO 4217 minor-unit exponents that differ from the usual 2; only used for display.
_EXPONENT = {"JPY": 0, "KRW": 0, "VND": 0, "BHD": 3, "KWD": 3, "OMR": 3}

Exact = Decimal | Fraction | int
"""A number that converts to `Fraction` without loss (never a float)."""


def is_currency_code(value: object) -> bool:
    """True for three upper-case letters (the shape of an ISO 4217 code)."""
    return isinstance(value, str) and CURRENCY_CODE.fullmatch(value) is not None


def fits_int64(value: int) -> bool:
    """True when `value` can be stored in a protobuf int64 / PostgreSQL bigint."""
    return INT64_MIN <= value <= INT64_MAX


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


def _out_of_range(what: str, value: int) -> InvalidArgument:
    return InvalidArgument(
        f"{what} ({value}) is outside the range an amount can hold (±{INT64_MAX} minor units)",
        reason="AMOUNT_OUT_OF_RANGE",
    )


def _checked(what: str, value: int) -> int:
    if not fits_int64(value):
        raise _out_of_range(what, value)
    return value


@dataclass(frozen=True, slots=True)
class Money:
    """An amount of `currency` in minor units (``Money(1250, "CNY")`` is ¥12.50)."""

    amount_minor: int
    currency: str

    def __post_init__(self) -> None:
        # bool is an int subclass: True would silently become 1 fen.
        if isinstance(self.amount_minor, bool) or not isinstance(self.amount_minor, int):
            raise InvalidArgument.for_field("amount_minor", "must be a whole number of minor units")
        if not is_currency_code(self.currency):
            raise InvalidArgument.for_field(
                "currency_code",
                "must be a three-letter ISO 4217 code such as CNY",
                reason="INVALID_CURRENCY",
            )
        _checked("the amount", self.amount_minor)

    @classmethod
    def zero(cls, currency: str) -> Money:
        """Nothing, in `currency`."""
        return cls(0, currency)

    def _same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise FailedPrecondition(
                f"cannot combine amounts in {self.currency} and {other.currency}: "
                "convert to one currency first",
                reason="CURRENCY_MISMATCH",
            )

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(_checked("the sum", self.amount_minor + other.amount_minor), self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        difference = self.amount_minor - other.amount_minor
        return Money(_checked("the difference", difference), self.currency)

    def __neg__(self) -> Money:
        return Money(_checked("the negation", -self.amount_minor), self.currency)

    def times(self, factor: Exact) -> Money:
        """`self × factor` (unit price × quantity, or a rate), ROUND_HALF_UP to the minor unit."""
        if isinstance(factor, int) and not isinstance(factor, bool):
            product = self.amount_minor * factor
        else:
            product = round_half_up(self.amount_minor * to_fraction(factor, "factor"))
        return Money(_checked("the product", product), self.currency)

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
        """More than nothing."""
        return self.amount_minor > 0

    @property
    def is_negative(self) -> bool:
        """Less than nothing."""
        return self.amount_minor < 0

    def display(self, places: int | None = None) -> str:
        """`-123.45 CNY`: major units with the currency's ISO 4217 decimals (or `places`)."""
        exponent = _EXPONENT.get(self.currency, 2) if places is None else places
        major = Decimal(self.amount_minor).scaleb(-exponent)
        return f"{major:.{exponent}f} {self.currency}"

    def __str__(self) -> str:
        return self.display()


def total(amounts: Iterable[Money], currency: str) -> Money:
    """Sum `amounts`, all of which must be in `currency` (an empty sum is zero)."""
    result = Money.zero(currency)
    for amount in amounts:
        result = result + amount
    return result


def same_currency(*amounts: Money) -> str:
    """The one currency of `amounts`; raises FailedPrecondition (``CURRENCY_MISMATCH``) if mixed."""
    first = amounts[0]
    for amount in amounts[1:]:
        first._same_currency(amount)
    return first.currency
