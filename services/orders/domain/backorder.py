"""Backorder allocation: which waiting orders to try to confirm when stock arrives.

CONTRACT.md: a BACKORDERED order "is confirmed automatically, oldest first, when stock arrives".
Orders are taken oldest first (placed time, then order id so equal times have a stable order), and
the plan is only a plan: the service still reserves each order through inventory, in this order,
because stock may move between planning and reserving.

Setting (`BackorderPolicy.mode`), where "oldest first" is ambiguous for an order that still cannot
be fully served:
* SKIP_AND_CONTINUE (default): skip it and go on with younger orders that can be served in full.
  A careful operations manager ships what can ship today rather than let one large order hold back
  every small one; the skipped order keeps its place at the head of the queue for the next arrival.
* STRICT_FIFO_PER_SKU: stock of a SKU never goes to a younger order while an older order still
  needs that SKU — what the older order can use is held for it even though it cannot ship yet.
  Younger orders needing only other SKUs still go. Fairer to the oldest order, slower overall.

Orders are served all lines or none (inventory reserves all lines or none).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from services.orders.domain.order import Order
from services.orders.domain.status import OrderStatus, SagaState


class BackorderMode(StrEnum):
    """How to treat an older order that still cannot be fully served."""

    SKIP_AND_CONTINUE = "SKIP_AND_CONTINUE"
    STRICT_FIFO_PER_SKU = "STRICT_FIFO_PER_SKU"


@dataclass(frozen=True)
class BackorderPolicy:
    """See the module docstring."""

    mode: BackorderMode = BackorderMode.SKIP_AND_CONTINUE


@dataclass(frozen=True, slots=True)
class BackorderCandidate:
    """A waiting order: when it was placed and the units it needs per SKU."""

    order_id: str
    placed_at: datetime
    needs: tuple[tuple[str, int], ...]

    @classmethod
    def from_order(cls, order: Order) -> BackorderCandidate:
        """The candidate for a BACKORDERED order."""
        return cls(order.order_id, order.placed_at, order.reservation_lines())


@dataclass(frozen=True, slots=True)
class StillWaiting:
    """An order the new stock does not serve in full, and the SKUs it is short of."""

    order_id: str
    short_skus: tuple[str, ...]


@dataclass(frozen=True)
class BackorderPlan:
    """Orders to try, in this order, and those that keep waiting."""

    to_try: tuple[str, ...]
    waiting: tuple[StillWaiting, ...]
    stock_left: Mapping[str, int]


def plan_backorder_allocation(
    candidates: Iterable[BackorderCandidate],
    available: Mapping[str, int],
    policy: BackorderPolicy | None = None,
) -> BackorderPlan:
    """Decide which backordered orders to try to reserve, oldest first (see module docstring)."""
    policy = policy or BackorderPolicy()
    stock = {sku: max(qty, 0) for sku, qty in available.items()}
    queue: Sequence[BackorderCandidate] = sorted(
        candidates, key=lambda c: (c.placed_at, c.order_id)
    )
    to_try: list[str] = []
    waiting: list[StillWaiting] = []
    for candidate in queue:
        short = tuple(sku for sku, qty in candidate.needs if stock.get(sku, 0) < qty)
        if not short:
            for sku, qty in candidate.needs:
                stock[sku] -= qty
            to_try.append(candidate.order_id)
            continue
        waiting.append(StillWaiting(candidate.order_id, short))
        if policy.mode is BackorderMode.STRICT_FIFO_PER_SKU:
            # Hold for the older order whatever it can use; what it lacks is then 0 for everyone.
            for sku, qty in candidate.needs:
                stock[sku] = max(stock.get(sku, 0) - qty, 0)
    return BackorderPlan(tuple(to_try), tuple(waiting), stock)


def backorder_candidates(orders: Iterable[Order]) -> list[BackorderCandidate]:
    """Candidates for the orders that are BACKORDERED and not already being retried."""
    return [
        BackorderCandidate.from_order(order)
        for order in orders
        if order.status is OrderStatus.BACKORDERED and order.saga is SagaState.BACKORDERED
    ]
