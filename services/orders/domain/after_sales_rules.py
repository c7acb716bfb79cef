"""After-sales eligibility: which requests may be opened, for what, and for how many units.

Seed 003 篇2 6(1): goods are returned or exchanged for quality problems, or when spec or colour
does not match the order, against the shipping document and the goods; damage caused by the
customer (人为造成的损坏) is not accepted. Requests are made against what was shipped: a line can
never be claimed for more units than shipped minus what earlier requests already claim.

Settings (`AfterSalesPolicy`), where the seed is silent:
* `accepted_reasons` (default QUALITY_PROBLEM, WRONG_SPEC, WRONG_COLOR, NO_REASON). CUSTOMER_DAMAGE
  can never be accepted (the seed's rule); OTHER is refused so that customer service files the
  request under a reason QC can check.
* NO_REASON ("no-reason return") is accepted only within `no_reason_days` after delivery (or, when
  no delivery was recorded, after the last parcel left): 7 days for TMALL and OWN_SHOP (PRC Consumer
  Rights Protection Law art. 25, 七日无理由退货), 30 days for AMAZON (Amazon's standard return
  window). The day count is inclusive of the exact instant: 7 × 24 h later is still accepted.
* `require_separate_approver` (default True): the statistician who approves a return is not the QC
  inspector who signed it — the seed gives the two signatures to two roles.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from services.common.errors import FailedPrecondition
from services.orders.domain.inputs import Violations
from services.orders.domain.intake import Channel
from services.orders.domain.order import Order
from services.orders.domain.status import SHIPPED_STATUSES


class AfterSalesKind(StrEnum):
    """What the customer asks for."""

    RETURN = "RETURN"
    EXCHANGE = "EXCHANGE"
    REFUND_ONLY = "REFUND_ONLY"


class ReturnReason(StrEnum):
    """Why the customer asks."""

    QUALITY_PROBLEM = "QUALITY_PROBLEM"
    WRONG_SPEC = "WRONG_SPEC"
    WRONG_COLOR = "WRONG_COLOR"
    CUSTOMER_DAMAGE = "CUSTOMER_DAMAGE"
    NO_REASON = "NO_REASON"
    OTHER = "OTHER"


def _default_no_reason_days() -> Mapping[Channel, int]:
    return {Channel.AMAZON: 30, Channel.TMALL: 7, Channel.OWN_SHOP: 7}


@dataclass(frozen=True)
class AfterSalesPolicy:
    """See the module docstring."""

    accepted_reasons: frozenset[ReturnReason] = frozenset(
        {
            ReturnReason.QUALITY_PROBLEM,
            ReturnReason.WRONG_SPEC,
            ReturnReason.WRONG_COLOR,
            ReturnReason.NO_REASON,
        }
    )
    no_reason_days: Mapping[Channel, int] = field(default_factory=_default_no_reason_days)
    require_separate_approver: bool = True

    def __post_init__(self) -> None:
        if ReturnReason.CUSTOMER_DAMAGE in self.accepted_reasons:
            raise ValueError("damage caused by the customer is never accepted (seed 003 篇2 6)")


def check_reason(reason: ReturnReason, policy: AfterSalesPolicy) -> None:
    """Refuse reasons the policy does not accept, with a message customer service can act on."""
    if reason in policy.accepted_reasons:
        return
    accepted = ", ".join(r.value for r in ReturnReason if r in policy.accepted_reasons)
    if reason is ReturnReason.CUSTOMER_DAMAGE:
        message = (
            "damage caused by the customer is not accepted for return, exchange or refund; "
            f"explain this to the customer (accepted reasons: {accepted})"
        )
    else:
        message = f"reason {reason.value} is not accepted; accepted reasons: {accepted}"
    raise FailedPrecondition(
        message, reason="RETURN_REASON_NOT_ACCEPTED", metadata={"return_reason": reason.value}
    )


def check_no_reason_window(
    order: Order, reason: ReturnReason, now: datetime, policy: AfterSalesPolicy
) -> None:
    """A no-reason request must arrive within the channel's window after delivery."""
    if reason is not ReturnReason.NO_REASON:
        return
    received = order.delivered_at or max(
        (s.shipped_at for s in order.shipments), default=order.placed_at
    )
    days = policy.no_reason_days.get(order.channel, 7)
    deadline = received + timedelta(days=days)
    if now > deadline:
        raise FailedPrecondition(
            f"the {days}-day no-reason return window for order {order.order_id} closed at "
            f"{deadline.isoformat()}; only quality, spec or colour problems can still be accepted",
            reason="RETURN_WINDOW_EXPIRED",
            metadata={"order_id": order.order_id},
        )


def check_order_shipped(order: Order) -> None:
    """After-sales applies to goods that left the warehouse."""
    if order.status not in SHIPPED_STATUSES:
        raise FailedPrecondition(
            f"order {order.order_id} is {order.status.value}; after-sales requests apply to "
            "shipped goods — an order not yet shipped is cancelled instead",
            reason="ORDER_NOT_SHIPPED",
            metadata={"order_id": order.order_id, "current_status": order.status.value},
        )


def claimable_by_line(order: Order, claimed: Iterable[Mapping[int, int]]) -> dict[int, int]:
    """Units per line that a new request may still claim: shipped minus already claimed."""
    left = order.shipped_quantities()
    for request_claim in claimed:
        for line_no, qty in request_claim.items():
            left[line_no] -= qty
    return left


def check_claim(
    order: Order, quantities: Mapping[int, int], claimable: Mapping[int, int]
) -> tuple[tuple[int, int], ...]:
    """Check units per line (InvalidArgument) and the shipped limit (FailedPrecondition)."""
    violations = Violations()
    known = {line.line_no for line in order.lines}
    for line_no, qty in quantities.items():
        if line_no not in known:
            violations.add(f"lines[{line_no}]", f"order {order.order_id} has no line {line_no}")
        else:
            violations.positive_int(qty, f"lines[{line_no}].quantity", maximum=10**9)
    if not quantities:
        violations.add("lines", "a request needs at least one line")
    violations.raise_if_any()
    over = [
        f"line {ln} ({order.line(ln).sku_code}): {qty} asked, {max(claimable[ln], 0)} claimable"
        for ln, qty in sorted(quantities.items())
        if qty > claimable[ln]
    ]
    if over:
        raise FailedPrecondition(
            f"order {order.order_id}: a request cannot cover more units than were shipped minus "
            f"those already returned or requested ({'; '.join(over)})",
            reason="RETURN_QUANTITY_EXCEEDS_SHIPPED",
            metadata={"order_id": order.order_id},
        )
    return tuple(sorted(quantities.items()))
