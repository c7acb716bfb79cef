"""Lots and first-in-first-out issuing (seed 003 篇2 5.(3): 发料应遵循"先进先出"原则).

A lot is the units of one SKU received together, with their receipt time and unit cost (integer
minor units per unit). Issuing N units takes the oldest lots first; ties on the receipt time are
broken by lot id, so the same lots always give the same allocation. The cost of goods issued is
the sum of quantity × unit cost over the allocations — exact, in minor units.

All lots given to one issue must share one currency (see `money`), and must all be of the SKU
being issued: a caller mixing SKUs has a bug, which is reported rather than hidden.

A lot can lie in several places at once (part put away to bin A-01, part moved to warehouse B):
each place is a separate `Lot` value with the same `lot_id` and its own `location` (any text the
caller uses to tell places apart, e.g. ``"WH-A/A-01"``). FIFO then orders by receipt time, lot id
and location, so the places of one lot are emptied in a fixed order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from services.common.errors import FailedPrecondition, InvalidArgument
from services.common.money import Money, total
from services.inventory.domain.validation import (
    validate_aware,
    validate_id,
    validate_non_negative_quantity,
    validate_positive_quantity,
    validate_sku_code,
)


@dataclass(frozen=True)
class Lot:
    """`quantity` units of `sku_code` still in stock from one receipt, at `unit_cost` each."""

    lot_id: str
    sku_code: str
    received_at: datetime
    quantity: int
    unit_cost: Money
    location: str = ""

    def __post_init__(self) -> None:
        validate_id(self.lot_id, "lot_id")
        validate_sku_code(self.sku_code)
        validate_aware(self.received_at, "received_at")
        validate_non_negative_quantity(self.quantity)
        if self.unit_cost.amount_minor < 0:
            raise InvalidArgument.for_field("unit_cost", "must not be negative")

    @property
    def value(self) -> Money:
        """quantity × unit cost."""
        return self.unit_cost.times(self.quantity)


@dataclass(frozen=True)
class LotAllocation:
    """`quantity` units taken from lot `lot_id` at `location`, costing `cost` (= quantity ×
    unit_cost)."""

    lot_id: str
    quantity: int
    unit_cost: Money
    cost: Money
    location: str = ""


@dataclass(frozen=True)
class FifoIssue:
    """The result of issuing `quantity` units of `sku_code` oldest lots first."""

    sku_code: str
    quantity: int
    allocations: tuple[LotAllocation, ...]
    cost: Money

    def remaining(self, lots: Iterable[Lot]) -> tuple[Lot, ...]:
        """`lots` after this issue, in FIFO order (emptied lots are kept with quantity 0)."""
        taken = {(a.lot_id, a.location): a.quantity for a in self.allocations}
        return tuple(
            replace(lot, quantity=lot.quantity - taken.get((lot.lot_id, lot.location), 0))
            for lot in fifo_order(lots)
        )


def fifo_order(lots: Iterable[Lot]) -> list[Lot]:
    """Lots oldest first; equal receipt times ordered by lot id, then location."""
    return sorted(lots, key=lambda lot: (lot.received_at, lot.lot_id, lot.location))


def issue_fifo(lots: Sequence[Lot], sku_code: str, quantity: int) -> FifoIssue:
    """Take `quantity` units of `sku_code` from `lots`, oldest first.

    Raises FailedPrecondition (``INSUFFICIENT_STOCK``) when the lots hold fewer units, with both
    numbers in the message; nothing is taken then.
    """
    validate_sku_code(sku_code)
    validate_positive_quantity(quantity)
    _check_lots(lots, sku_code)
    on_hand = sum(lot.quantity for lot in lots)
    if on_hand < quantity:
        raise FailedPrecondition(
            f"not enough stock of SKU {sku_code} in its lots: {on_hand} available, "
            f"{quantity} requested",
            reason="INSUFFICIENT_STOCK",
            metadata={"sku_code": sku_code, "available": str(on_hand), "requested": str(quantity)},
        )
    currency = lots[0].unit_cost.currency
    allocations: list[LotAllocation] = []
    left = quantity
    for lot in fifo_order(lots):
        if left == 0:
            break
        take = min(left, lot.quantity)
        if take == 0:
            continue
        cost = lot.unit_cost.times(take)
        allocations.append(LotAllocation(lot.lot_id, take, lot.unit_cost, cost, lot.location))
        left -= take
    issued_cost = total((a.cost for a in allocations), currency)
    return FifoIssue(sku_code, quantity, tuple(allocations), issued_cost)


def _check_lots(lots: Sequence[Lot], sku_code: str) -> None:
    seen: set[tuple[str, str]] = set()
    currencies = {lot.unit_cost.currency for lot in lots}
    for i, lot in enumerate(lots):
        if lot.sku_code != sku_code:
            raise InvalidArgument.for_field(
                f"lots[{i}].sku_code", f"lot {lot.lot_id} is of SKU {lot.sku_code}, not {sku_code}"
            )
        if (lot.lot_id, lot.location) in seen:
            where = f" at {lot.location}" if lot.location else ""
            raise InvalidArgument.for_field(
                f"lots[{i}].lot_id", f"lot {lot.lot_id}{where} appears twice"
            )
        seen.add((lot.lot_id, lot.location))
    if len(currencies) > 1:
        raise FailedPrecondition(
            f"lots of SKU {sku_code} are costed in {', '.join(sorted(currencies))}: "
            "convert them to one currency before issuing",
            reason="CURRENCY_MISMATCH",
        )
