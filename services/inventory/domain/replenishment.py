"""Replenishment planning (补货规划), seed 003 篇2 8 and 篇3 4.1, seed 004 库存管理流程.

Seed 003 篇3 4.1: "西湖龙井库存缺乏销售2天的产品补货数按7天的量安排补货。
(注:单品日销量超100罐的备货数可缩短到3天) 非西湖龙井库存缺乏销售5天产品补货数按15天的量安排补货。"
— key products: under 2 days of cover, order
7 days' worth (3 days' worth for a SKU selling over 100 a day); other products: under 5 days of
cover, order 15 days' worth. Seed 003 篇2 8: the plan is made daily from shipments and stock and
approved by the GM office or purchasing. Seed 004: per-SKU safety stock, reorder point and
maximum stock; "當庫存低於補貨點時…發出補貨預警" — reorder when stock is *below* the reorder point.

Arithmetic is exact (``Fraction``): velocity = units shipped in the window / window days; cover
= stock / velocity; "under 2 days" is strict, so exactly 2.0 days orders nothing; "over 100 a day"
is strict, so exactly 100/day orders 7 days' worth. Quantities round up to whole units.

Readings chosen (``ReplenishmentPolicy`` and ``StockLimits``):
- ``velocity_window_days = 7``: one full week of shipments, so weekday swings average out while
  a product taking off is seen within days.
- Stock counted is the *position*: available + already on order (``on_order``, default 0). The
  plan is made every day, and counting goods already ordered keeps it from ordering them twice.
- A reorder point, when set, replaces the cover rule as the trigger (position < reorder point).
  The quantity is still the days' worth of the product's rule, raised if needed so the position
  reaches the reorder point (else tomorrow's plan would trigger again).
- A safety stock, when set, also triggers (position < safety stock) and raises the quantity so
  the position reaches it.
- A maximum stock caps the quantity at max − position; nothing is planned at or above it.
- No sales in the window and no limits set → no order (cover is unbounded).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from fractions import Fraction

from services.common.errors import FailedPrecondition, InvalidArgument, PermissionDenied
from services.inventory.domain.roles import Role
from services.inventory.domain.validation import (
    validate_aware,
    validate_id,
    validate_non_negative_quantity,
    validate_positive_quantity,
    validate_sku_code,
    validate_text,
)

APPROVER_ROLES = frozenset({Role.GM_OFFICE, Role.PURCHASING})
"""Seed 003 篇2 8: 提交总经办或选购部审批."""


@dataclass(frozen=True)
class ReplenishmentPolicy:
    """Settings of the restock rule; defaults are seed 003 篇3 4.1."""

    velocity_window_days: int = 7
    key_cover_days: int = 2
    key_order_days: int = 7
    key_fast_mover_above: int = 100
    key_fast_order_days: int = 3
    other_cover_days: int = 5
    other_order_days: int = 15

    def __post_init__(self) -> None:
        for name in (
            "velocity_window_days",
            "key_cover_days",
            "key_order_days",
            "key_fast_mover_above",
            "key_fast_order_days",
            "other_cover_days",
            "other_order_days",
        ):
            validate_positive_quantity(getattr(self, name), name)


DEFAULT_REPLENISHMENT_POLICY = ReplenishmentPolicy()


@dataclass(frozen=True)
class StockLimits:
    """Per-SKU overrides from seed 004 (None = not set)."""

    safety_stock: int | None = None
    reorder_point: int | None = None
    max_stock: int | None = None

    def __post_init__(self) -> None:
        for name in ("safety_stock", "reorder_point", "max_stock"):
            value = getattr(self, name)
            if value is not None:
                validate_non_negative_quantity(value, name)
        if self.max_stock is not None:
            for name in ("safety_stock", "reorder_point"):
                value = getattr(self, name)
                if value is not None and value > self.max_stock:
                    raise InvalidArgument.for_field(name, "must not exceed max_stock")


@dataclass(frozen=True)
class SkuDemand:
    """What the planner knows about one SKU today."""

    sku_code: str
    key_product: bool
    units_shipped: int
    available: int
    on_order: int = 0
    limits: StockLimits = StockLimits()


class PlanReason(StrEnum):
    """Why a line was planned."""

    LOW_COVER = "LOW_COVER"
    BELOW_REORDER_POINT = "BELOW_REORDER_POINT"
    BELOW_SAFETY_STOCK = "BELOW_SAFETY_STOCK"


@dataclass(frozen=True)
class ReplenishmentLine:
    """Order `quantity` units of `sku_code`, and why."""

    sku_code: str
    quantity: int
    reason: PlanReason
    daily_velocity: Fraction
    cover_days: Fraction | None
    order_days: int
    capped_by_max: bool = False


def daily_velocity(units_shipped: int, window_days: int) -> Fraction:
    """Units shipped per day over the window, exactly."""
    validate_non_negative_quantity(units_shipped, "units_shipped")
    validate_positive_quantity(window_days, "window_days")
    return Fraction(units_shipped, window_days)


def cover_days(stock: int, velocity: Fraction) -> Fraction | None:
    """Days `stock` lasts at `velocity`; None when nothing sells (unbounded)."""
    return None if velocity == 0 else Fraction(stock) / velocity


def plan_line(
    demand: SkuDemand, policy: ReplenishmentPolicy = DEFAULT_REPLENISHMENT_POLICY
) -> ReplenishmentLine | None:
    """The order for one SKU, or None when it needs none."""
    validate_sku_code(demand.sku_code)
    validate_non_negative_quantity(demand.available, "available")
    validate_non_negative_quantity(demand.on_order, "on_order")
    velocity = daily_velocity(demand.units_shipped, policy.velocity_window_days)
    position = demand.available + demand.on_order
    cover = cover_days(position, velocity)
    if demand.key_product:
        threshold = policy.key_cover_days
        fast = velocity > policy.key_fast_mover_above
        order_days = policy.key_fast_order_days if fast else policy.key_order_days
    else:
        threshold, order_days = policy.other_cover_days, policy.other_order_days

    limits = demand.limits
    reason: PlanReason | None = None
    if limits.reorder_point is not None:
        if position < limits.reorder_point:
            reason = PlanReason.BELOW_REORDER_POINT
    elif cover is not None and cover < threshold:
        reason = PlanReason.LOW_COVER
    if reason is None and limits.safety_stock is not None and position < limits.safety_stock:
        reason = PlanReason.BELOW_SAFETY_STOCK
    if reason is None:
        return None

    quantity = math.ceil(order_days * velocity)
    for floor in (limits.reorder_point, limits.safety_stock):
        if floor is not None:
            quantity = max(quantity, floor - position)
    capped = False
    if limits.max_stock is not None and quantity > limits.max_stock - position:
        quantity, capped = limits.max_stock - position, True
    if quantity <= 0:
        return None
    return ReplenishmentLine(
        demand.sku_code, quantity, reason, velocity, cover, order_days, capped_by_max=capped
    )


def plan_replenishment(
    demands: Iterable[SkuDemand], policy: ReplenishmentPolicy = DEFAULT_REPLENISHMENT_POLICY
) -> tuple[ReplenishmentLine, ...]:
    """Today's order lines, sorted by SKU code."""
    lines = (plan_line(demand, policy) for demand in demands)
    return tuple(sorted((line for line in lines if line), key=lambda line: line.sku_code))


class PlanStatus(StrEnum):
    """PROPOSED by the warehouse; APPROVED or REJECTED by the GM office or purchasing."""

    PROPOSED = "PROPOSED"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


@dataclass(frozen=True)
class ReplenishmentPlan:
    """One day's replenishment proposal."""

    plan_id: str
    plan_date: date
    lines: tuple[ReplenishmentLine, ...]
    status: PlanStatus = PlanStatus.PROPOSED
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision_note: str = ""

    @classmethod
    def propose(
        cls, plan_id: str, plan_date: date, lines: Iterable[ReplenishmentLine]
    ) -> ReplenishmentPlan:
        """A proposal; a day with nothing to order has no plan to approve."""
        validate_id(plan_id, "plan_id")
        ordered = tuple(sorted(lines, key=lambda line: line.sku_code))
        if not ordered:
            raise InvalidArgument.for_field("lines", "a plan needs at least one line to order")
        return cls(plan_id, plan_date, ordered)

    def approve(
        self, approver_id: str, approver_roles: Collection[Role], now: datetime
    ) -> ReplenishmentPlan:
        """Approve; approving an approved plan again is a no-op."""
        self._check_decider(approver_id, approver_roles, now)
        if self.status is PlanStatus.APPROVED:
            return self
        self._require_proposed()
        return replace(self, status=PlanStatus.APPROVED, decided_by=approver_id, decided_at=now)

    def reject(
        self, approver_id: str, approver_roles: Collection[Role], now: datetime, reason: str
    ) -> ReplenishmentPlan:
        """Reject with a reason; rejecting a rejected plan again is a no-op."""
        self._check_decider(approver_id, approver_roles, now)
        validate_text(reason, "reason")
        if self.status is PlanStatus.REJECTED:
            return self
        self._require_proposed()
        return replace(
            self,
            status=PlanStatus.REJECTED,
            decided_by=approver_id,
            decided_at=now,
            decision_note=reason,
        )

    def _check_decider(self, approver_id: str, roles: Collection[Role], now: datetime) -> None:
        validate_text(approver_id, "approver_id", max_len=64)
        validate_aware(now, "now")
        if not APPROVER_ROLES.intersection(roles):
            raise PermissionDenied(
                "replenishment plans are decided by the GM office or purchasing",
                reason="NOT_A_PLAN_APPROVER",
            )

    def _require_proposed(self) -> None:
        if self.status is not PlanStatus.PROPOSED:
            raise FailedPrecondition(
                f"plan {self.plan_id} is already {self.status}; propose a new plan instead",
                reason="PLAN_ALREADY_DECIDED",
            )
