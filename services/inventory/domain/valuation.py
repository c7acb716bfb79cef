"""Stock value and the inputs of inventory turnover (a KPI of seed 000: 库存周转率).

- Inventory value at a moment = Σ remaining quantity × unit cost over the lots held then
  (FIFO cost layers, see `lots`).
- Cost of goods issued over a period = Σ cost of the issues in [start, end).
- Average inventory value = (opening + closing) / 2.
- Turnover = cost of goods issued / average inventory value, as a Decimal rounded ROUND_HALF_UP
  to 4 places. Computed exactly (``Fraction``) and rounded once, so no double rounding.

Reading chosen: with an average inventory value of zero (no stock at both ends) turnover is
undefined and returned as ``None`` — not 0 (which would read "nothing sold") nor infinity; the KPI
layer shows it as "n/a".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from fractions import Fraction

from services.common.errors import InvalidArgument
from services.common.money import Money, quantize_half_up, same_currency, total
from services.inventory.domain.lots import Lot
from services.inventory.domain.validation import validate_aware

TURNOVER_PLACES = 4


@dataclass(frozen=True)
class IssueRecord:
    """The cost of one issue of goods (from `FifoIssue.cost`) and when it happened."""

    issued_at: datetime
    cost: Money


def inventory_value(lots: Iterable[Lot], currency: str, as_of: datetime | None = None) -> Money:
    """Value of `lots` (their remaining quantities) in `currency`; lots received after `as_of`
    are left out."""
    if as_of is not None:
        validate_aware(as_of, "as_of")
    held = (lot for lot in lots if as_of is None or lot.received_at <= as_of)
    return total((lot.value for lot in held), currency)


def cost_of_goods_issued(
    issues: Iterable[IssueRecord], start: datetime, end: datetime, currency: str
) -> Money:
    """Cost of the issues with start ≤ issued_at < end."""
    validate_aware(start, "start")
    validate_aware(end, "end")
    if end < start:
        raise InvalidArgument.for_field("end", "must not be before start")
    return total((i.cost for i in issues if start <= i.issued_at < end), currency)


def average_inventory_value(opening: Money, closing: Money) -> Decimal:
    """(opening + closing) / 2 in minor units (exact: at most one half unit)."""
    both = opening + closing
    return Decimal(both.amount_minor) / 2


def inventory_turnover(cogs: Money, opening: Money, closing: Money) -> Decimal | None:
    """COGS / average inventory value, ROUND_HALF_UP to 4 places; None if the average is zero."""
    same_currency(cogs, opening, closing)
    both = opening + closing
    if both.amount_minor == 0:
        return None
    return quantize_half_up(Fraction(2 * cogs.amount_minor, both.amount_minor), TURNOVER_PLACES)
