"""Pick lists (配货单): what the picker gathers, for a whole batch and then per order.

Seed 003 篇3 4.2 steps 1–2: the order clerk hands the batch's slips to the warehouse keeper; the
picker first gathers the batch's total per product with a cart (汇总单), then makes up each order.
So a batch list adds up units per SKU (and per bin when bins are known, sorted by bin so the walk
through the shelves is one pass), and each order gets its own list.

Quantities are what is still to ship (a split order's shipped parcels are not picked again). Only
orders that are confirmed and not yet shipped in full can be picked. A batch follows the review
batch limit (at most 200 orders, seed 003 篇3 4.1 3.1).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from services.common.errors import FailedPrecondition
from services.orders.domain.history import allowed_list
from services.orders.domain.order import Order
from services.orders.domain.review_batch import DEFAULT_MAX_BATCH, check_batch_size
from services.orders.domain.status import SHIPPABLE_STATUSES, OrderStatus

PICKABLE_STATUSES = SHIPPABLE_STATUSES


@dataclass(frozen=True, slots=True)
class PickItem:
    """Units of one SKU to take, from `bin_code` when known."""

    sku_code: str
    bin_code: str | None
    quantity: int


@dataclass(frozen=True)
class OrderPickList:
    """What one order's parcel must contain."""

    order_id: str
    items: tuple[PickItem, ...]


@dataclass(frozen=True)
class BatchPickList:
    """The batch total to gather first, then each order's list in batch order."""

    items: tuple[PickItem, ...]
    orders: tuple[OrderPickList, ...]

    @property
    def total_units(self) -> int:
        """Units in the whole batch."""
        return sum(item.quantity for item in self.items)


def _walk_order(item: PickItem) -> tuple[bool, str, str]:
    # Known bins first in bin order, then SKUs without a bin, so one pass covers the shelves.
    return (item.bin_code is None, item.bin_code or "", item.sku_code)


def _ensure_pickable(order: Order) -> None:
    if order.status not in PICKABLE_STATUSES:
        raise FailedPrecondition(
            f"order {order.order_id} is {order.status.value}; only orders in "
            f"{allowed_list(PICKABLE_STATUSES)} can be picked",
            reason=(
                "ORDER_NOT_CONFIRMED"
                if order.status in (OrderStatus.PENDING, OrderStatus.BACKORDERED)
                else "ORDER_NOT_PICKABLE"
            ),
            metadata={"order_id": order.order_id, "current_status": order.status.value},
        )


def pick_list_for_order(order: Order, bins: Mapping[str, str] | None = None) -> OrderPickList:
    """The order's remaining units per SKU, with bins when `bins` (SKU → bin code) knows them."""
    _ensure_pickable(order)
    bins = bins or {}
    items = [PickItem(sku, bins.get(sku), qty) for sku, qty in order.remaining_by_sku().items()]
    return OrderPickList(order.order_id, tuple(sorted(items, key=_walk_order)))


def pick_list_for_batch(
    orders: Sequence[Order],
    bins: Mapping[str, str] | None = None,
    max_orders: int = DEFAULT_MAX_BATCH,
) -> BatchPickList:
    """The batch total by SKU and bin, plus each order's list; every order must be pickable."""
    check_batch_size([o.order_id for o in orders], max_orders, "order_ids")
    per_order = tuple(pick_list_for_order(order, bins) for order in orders)
    totals: dict[tuple[str, str | None], int] = {}
    for order_list in per_order:
        for item in order_list.items:
            key = (item.sku_code, item.bin_code)
            totals[key] = totals.get(key, 0) + item.quantity
    items = [PickItem(sku, bin_code, qty) for (sku, bin_code), qty in totals.items()]
    return BatchPickList(tuple(sorted(items, key=_walk_order)), per_order)
