"""Money: an integer of minor units (fen, cents) with an ISO 4217 currency code.

ARCHITECTURE "Data": money is never a float. Amounts of different currencies never mix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from services.common.errors import InvalidArgument

_CURRENCY_CODE = re.compile(r"[A-Z]{3}")


@dataclass(frozen=True)
class Money:
    """An amount in minor units (e.g. 350000 = 3,500.00 CNY)."""

    amount_minor: int
    currency_code: str

    def __post_init__(self) -> None:
        # bool is an int subclass: True would silently become 1 fen.
        if isinstance(self.amount_minor, bool) or not isinstance(self.amount_minor, int):
            raise InvalidArgument.for_field(
                "amount_minor", "must be a whole number of minor units (fen/cents)"
            )
        if not isinstance(self.currency_code, str) or not _CURRENCY_CODE.fullmatch(
            self.currency_code
        ):
            raise InvalidArgument.for_field(
                "currency_code", "must be a three-letter ISO 4217 code such as CNY"
            )

    @classmethod
    def zero(cls, currency_code: str) -> Money:
        """Nothing, in `currency_code`."""
        return cls(0, currency_code)

    def __add__(self, other: Money) -> Money:
        self._require_same_currency(other)
        return Money(self.amount_minor + other.amount_minor, self.currency_code)

    def __sub__(self, other: Money) -> Money:
        self._require_same_currency(other)
        return Money(self.amount_minor - other.amount_minor, self.currency_code)

    @property
    def is_positive(self) -> bool:
        """More than nothing."""
        return self.amount_minor > 0

    @property
    def is_negative(self) -> bool:
        """Less than nothing."""
        return self.amount_minor < 0

    def _require_same_currency(self, other: Money) -> None:
        if other.currency_code != self.currency_code:
            raise InvalidArgument(
                f"cannot combine {self.currency_code} and {other.currency_code} amounts",
                reason="CURRENCY_MISMATCH",
            )
