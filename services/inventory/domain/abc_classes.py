"""ABC classification of SKUs by stock value, and how often each class is counted.

Seed 003 篇2 3.(3) asks for planned cycle counts (有规划的进展产品循环盘点) without saying how
to plan them; seed 003 (精选篇1 7) has the keeper and finance count everything at each quarter end
(每季季末盘点对账). The usual plan, and the one chosen here, counts the few SKUs holding most of the
value often and the many cheap ones rarely.

Settings chosen:
- ``AbcThresholds(a_share=80%, b_share=15%)``: SKUs ranked by value, highest first; a SKU is A
  while the SKUs ranked above it hold less than 80% of the total value (so the SKU that crosses
  80% is still A), B while they hold less than 95%, else C. SKUs of zero value are C. Ties in
  value rank by SKU code, so the result never depends on input order.
- ``CountCadence(a_days=30, b_days=60, c_days=90)``: A monthly, B every two months, C at least
  quarterly, so every SKU is counted by each quarter-end reconciliation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from services.common.errors import InvalidArgument
from services.inventory.domain.validation import validate_positive_quantity


class AbcClass(StrEnum):
    """Value class of a SKU."""

    A = "A"
    B = "B"
    C = "C"


@dataclass(frozen=True)
class AbcThresholds:
    """Cumulative value shares that close class A and class B."""

    a_share: Decimal = Decimal("0.80")
    b_share: Decimal = Decimal("0.15")

    def __post_init__(self) -> None:
        if not Decimal(0) < self.a_share <= Decimal(1):
            raise InvalidArgument.for_field("a_share", "must be above 0 and at most 1")
        if self.b_share < 0 or self.a_share + self.b_share > 1:
            raise InvalidArgument.for_field("b_share", "must be ≥ 0 with a_share + b_share ≤ 1")


def classify_abc(
    values: Mapping[str, int], thresholds: AbcThresholds = AbcThresholds()
) -> dict[str, AbcClass]:
    """Class of every SKU from its stock value (minor units, one currency)."""
    for sku, value in values.items():
        if value < 0:
            raise InvalidArgument.for_field(f"values[{sku}]", "must not be negative")
    grand_total = sum(values.values())
    a_limit = Fraction(thresholds.a_share)
    b_limit = a_limit + Fraction(thresholds.b_share)
    result: dict[str, AbcClass] = {}
    above = 0
    for sku, value in sorted(values.items(), key=lambda kv: (-kv[1], kv[0])):
        share_above = Fraction(above, grand_total) if grand_total else Fraction(1)
        if value == 0:
            result[sku] = AbcClass.C
        elif share_above < a_limit:
            result[sku] = AbcClass.A
        elif share_above < b_limit:
            result[sku] = AbcClass.B
        else:
            result[sku] = AbcClass.C
        above += value
    return result


@dataclass(frozen=True)
class CountCadence:
    """Days between counts of a SKU of each class."""

    a_days: int = 30
    b_days: int = 60
    c_days: int = 90

    def __post_init__(self) -> None:
        for name in ("a_days", "b_days", "c_days"):
            validate_positive_quantity(getattr(self, name), name)

    def interval(self, abc_class: AbcClass) -> timedelta:
        """How long a SKU of `abc_class` may go uncounted."""
        days = {AbcClass.A: self.a_days, AbcClass.B: self.b_days, AbcClass.C: self.c_days}
        return timedelta(days=days[abc_class])


def due_for_count(
    classes: Mapping[str, AbcClass],
    last_counted: Mapping[str, date],
    today: date,
    cadence: CountCadence = CountCadence(),
) -> tuple[str, ...]:
    """SKUs due for a count on `today` (never counted = due), A first, then by SKU code.

    A SKU is due on the day its interval has run out (last count + interval ≤ today).
    """
    due = [
        sku
        for sku, abc_class in classes.items()
        if sku not in last_counted or last_counted[sku] + cadence.interval(abc_class) <= today
    ]
    return tuple(sorted(due, key=lambda sku: (classes[sku], sku)))
