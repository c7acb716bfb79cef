"""Order status and saga step: which moves are legal, and the error a person sees otherwise.

Order status (what the business sees):

    PENDING      → CONFIRMED | BACKORDERED | CANCELLED
    BACKORDERED  → CONFIRMED (stock arrived) | CANCELLED
    CONFIRMED → (REVIEWED) → PICKED → VERIFIED → PACKED → WEIGHED      each step optional but
                                                                       never backwards
    any of CONFIRMED..WEIGHED → SHIPPED | PARTIALLY_SHIPPED | CANCELLED
    PARTIALLY_SHIPPED → PARTIALLY_SHIPPED (another parcel) | SHIPPED (the last one)
    SHIPPED → DELIVERED

* PENDING: stored, the stock step has not finished. Reserved → CONFIRMED; short → BACKORDERED
  (seed 000 订单处理流程 2: enough stock → shipping task, not enough → purchasing restocks).
* Shipping is allowed from CONFIRMED or any later fulfilment step (CONTRACT.md ShipOrder), so the
  warehouse steps are recorded when they happen but a parcel can leave without all of them.
  Review (审单) is optional; packing requires a passed verification (seed 003 篇3 4.2 step 4: only
  a verified order goes to the packer); weighing requires packing.
* Decision where the seeds are silent: an order with a parcel already out (PARTIALLY_SHIPPED) cannot
  be cancelled — goods that left come back only through after-sales — but address and carrier may
  still change for the parcels not yet sent (seed 003 篇3 2.2: 改地址、换快递、分地址发).

Saga step (what is owed to inventory, ARCHITECTURE.md): a `*_PENDING` step was decided here but
inventory has not confirmed it yet; a reconciler retries it under the order's reservation id.

    RESERVE_PENDING → RESERVED | BACKORDERED | RELEASE_PENDING (cancelled while in flight)
    BACKORDERED     → RESERVE_PENDING (retry on stock arrival) | RESERVED (late success)
                      | RELEASED (cancelled; nothing was reserved)
    RESERVED        → COMMIT_PENDING (last parcel shipped) | RELEASE_PENDING (cancelled)
    RELEASE_PENDING → RELEASED → RELEASE_PENDING (a reservation reported after the release)
    COMMIT_PENDING  → COMMITTED
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from services.common.errors import FailedPrecondition, InvalidArgument
from services.orders.domain.history import allowed_list


class OrderStatus(StrEnum):
    """Business status of an order."""

    PENDING = "PENDING"
    BACKORDERED = "BACKORDERED"
    CONFIRMED = "CONFIRMED"
    REVIEWED = "REVIEWED"
    PICKED = "PICKED"
    VERIFIED = "VERIFIED"
    PACKED = "PACKED"
    WEIGHED = "WEIGHED"
    PARTIALLY_SHIPPED = "PARTIALLY_SHIPPED"
    SHIPPED = "SHIPPED"
    DELIVERED = "DELIVERED"
    CANCELLED = "CANCELLED"

    @classmethod
    def parse(cls, value: str, field_path: str = "status") -> OrderStatus:
        """The status named `value`, or InvalidArgument listing the accepted names."""
        try:
            return cls(value)
        except ValueError:
            accepted = ", ".join(s.value for s in cls)
            raise InvalidArgument.for_field(
                field_path, f"unknown order status {value!r}; use one of {accepted}"
            ) from None


class SagaState(StrEnum):
    """Where the order stands with inventory."""

    RESERVE_PENDING = "RESERVE_PENDING"
    RESERVED = "RESERVED"
    BACKORDERED = "BACKORDERED"
    RELEASE_PENDING = "RELEASE_PENDING"
    RELEASED = "RELEASED"
    COMMIT_PENDING = "COMMIT_PENDING"
    COMMITTED = "COMMITTED"

    @property
    def is_pending(self) -> bool:
        """True while a call to inventory is owed (the reconciler's work list)."""
        return self in _PENDING_SAGA


_PENDING_SAGA = frozenset(
    {SagaState.RESERVE_PENDING, SagaState.RELEASE_PENDING, SagaState.COMMIT_PENDING}
)

_S = OrderStatus
FULFILMENT_STATUSES = frozenset(
    {_S.CONFIRMED, _S.REVIEWED, _S.PICKED, _S.VERIFIED, _S.PACKED, _S.WEIGHED}
)
SHIPPABLE_STATUSES = FULFILMENT_STATUSES | {_S.PARTIALLY_SHIPPED}
SHIPPED_STATUSES = frozenset({_S.PARTIALLY_SHIPPED, _S.SHIPPED, _S.DELIVERED})
TERMINAL_STATUSES = frozenset({_S.DELIVERED, _S.CANCELLED})


class OrderAction(StrEnum):
    """Everything that can be done to an order; each has the statuses it is allowed from."""

    CONFIRM = "CONFIRM"
    BACKORDER = "BACKORDER"
    MARK_PAID = "MARK_PAID"
    REVIEW = "REVIEW"
    PICK = "PICK"
    VERIFY = "VERIFY"
    PACK = "PACK"
    WEIGH = "WEIGH"
    SHIP = "SHIP"
    DELIVER = "DELIVER"
    CANCEL = "CANCEL"
    CHANGE_ADDRESS = "CHANGE_ADDRESS"
    CHANGE_CARRIER = "CHANGE_CARRIER"


@dataclass(frozen=True)
class ActionRule:
    """Statuses an action is allowed from, and how a message names the action."""

    allowed_from: frozenset[OrderStatus]
    phrase: str


ACTION_RULES: Mapping[OrderAction, ActionRule] = {
    OrderAction.CONFIRM: ActionRule(frozenset({_S.PENDING, _S.BACKORDERED}), "confirming"),
    OrderAction.BACKORDER: ActionRule(frozenset({_S.PENDING}), "backordering"),
    OrderAction.MARK_PAID: ActionRule(frozenset(_S) - {_S.CANCELLED}, "recording a payment"),
    OrderAction.REVIEW: ActionRule(frozenset({_S.CONFIRMED}), "reviewing"),
    OrderAction.PICK: ActionRule(frozenset({_S.CONFIRMED, _S.REVIEWED}), "picking"),
    OrderAction.VERIFY: ActionRule(frozenset({_S.PICKED}), "verifying"),
    OrderAction.PACK: ActionRule(frozenset({_S.VERIFIED}), "packing"),
    OrderAction.WEIGH: ActionRule(frozenset({_S.PACKED}), "weighing"),
    OrderAction.SHIP: ActionRule(SHIPPABLE_STATUSES, "shipping"),
    OrderAction.DELIVER: ActionRule(frozenset({_S.SHIPPED}), "confirming delivery"),
    OrderAction.CANCEL: ActionRule(
        frozenset({_S.PENDING, _S.BACKORDERED}) | FULFILMENT_STATUSES, "cancelling"
    ),
    OrderAction.CHANGE_ADDRESS: ActionRule(
        frozenset({_S.PENDING, _S.BACKORDERED}) | SHIPPABLE_STATUSES, "changing the address"
    ),
    OrderAction.CHANGE_CARRIER: ActionRule(
        frozenset({_S.PENDING, _S.BACKORDERED}) | SHIPPABLE_STATUSES, "changing the carrier"
    ),
}

# The status graph (for documentation, clients and tests); Order methods enforce ACTION_RULES.
ORDER_TRANSITIONS: Mapping[OrderStatus, frozenset[OrderStatus]] = {
    _S.PENDING: frozenset({_S.CONFIRMED, _S.BACKORDERED, _S.CANCELLED}),
    _S.BACKORDERED: frozenset({_S.CONFIRMED, _S.CANCELLED}),
    _S.CONFIRMED: frozenset(
        {_S.REVIEWED, _S.PICKED, _S.PARTIALLY_SHIPPED, _S.SHIPPED, _S.CANCELLED}
    ),
    _S.REVIEWED: frozenset({_S.PICKED, _S.PARTIALLY_SHIPPED, _S.SHIPPED, _S.CANCELLED}),
    _S.PICKED: frozenset({_S.VERIFIED, _S.PARTIALLY_SHIPPED, _S.SHIPPED, _S.CANCELLED}),
    _S.VERIFIED: frozenset({_S.PACKED, _S.PARTIALLY_SHIPPED, _S.SHIPPED, _S.CANCELLED}),
    _S.PACKED: frozenset({_S.WEIGHED, _S.PARTIALLY_SHIPPED, _S.SHIPPED, _S.CANCELLED}),
    _S.WEIGHED: frozenset({_S.PARTIALLY_SHIPPED, _S.SHIPPED, _S.CANCELLED}),
    _S.PARTIALLY_SHIPPED: frozenset({_S.PARTIALLY_SHIPPED, _S.SHIPPED}),
    _S.SHIPPED: frozenset({_S.DELIVERED}),
    _S.DELIVERED: frozenset(),
    _S.CANCELLED: frozenset(),
}

_G = SagaState
SAGA_TRANSITIONS: Mapping[SagaState, frozenset[SagaState]] = {
    _G.RESERVE_PENDING: frozenset({_G.RESERVED, _G.BACKORDERED, _G.RELEASE_PENDING}),
    # BACKORDERED → RESERVED: a reservation that lands after a stale "short" answer is real.
    _G.BACKORDERED: frozenset({_G.RESERVE_PENDING, _G.RESERVED, _G.RELEASED}),
    _G.RESERVED: frozenset({_G.COMMIT_PENDING, _G.RELEASE_PENDING}),
    _G.RELEASE_PENDING: frozenset({_G.RELEASED}),
    _G.RELEASED: frozenset({_G.RELEASE_PENDING}),
    _G.COMMIT_PENDING: frozenset({_G.COMMITTED}),
    _G.COMMITTED: frozenset(),
}

# Which saga steps may accompany each status: the invariant the property tests hold the Order to.
LEGAL_SAGA_STATES: Mapping[OrderStatus, frozenset[SagaState]] = {
    _S.PENDING: frozenset({_G.RESERVE_PENDING}),
    _S.BACKORDERED: frozenset({_G.BACKORDERED, _G.RESERVE_PENDING}),
    **{s: frozenset({_G.RESERVED}) for s in SHIPPABLE_STATUSES},
    _S.SHIPPED: frozenset({_G.COMMIT_PENDING, _G.COMMITTED}),
    _S.DELIVERED: frozenset({_G.COMMIT_PENDING, _G.COMMITTED}),
    _S.CANCELLED: frozenset({_G.RELEASE_PENDING, _G.RELEASED}),
}


def check_action(order_id: str, current: OrderStatus, action: OrderAction) -> None:
    """Raise FailedPrecondition naming the current status and where `action` is allowed from."""
    rule = ACTION_RULES[action]
    if current in rule.allowed_from:
        return
    raise FailedPrecondition(
        f"order {order_id} is {current.value}; {rule.phrase} is allowed only from "
        f"{allowed_list(rule.allowed_from)}",
        reason=_refusal_reason(current, action),
        metadata={
            "order_id": order_id,
            "current_status": current.value,
            "action": action.value,
        },
    )


def _refusal_reason(current: OrderStatus, action: OrderAction) -> str:
    if current is _S.CANCELLED:
        return "ORDER_CANCELLED"
    if current is _S.PARTIALLY_SHIPPED and action is OrderAction.CANCEL:
        return "ORDER_PARTIALLY_SHIPPED"
    if current in (_S.SHIPPED, _S.DELIVERED):
        return "ORDER_ALREADY_SHIPPED"
    if current in (_S.PENDING, _S.BACKORDERED):
        return "ORDER_NOT_CONFIRMED"
    return "ILLEGAL_ORDER_TRANSITION"


def check_saga_move(order_id: str, current: SagaState, target: SagaState) -> None:
    """Guard the saga table; an illegal move here is a bug in the caller's sequencing."""
    if target not in SAGA_TRANSITIONS[current]:
        raise FailedPrecondition(
            f"order {order_id}: inventory step cannot move from {current.value} to {target.value}",
            reason="ILLEGAL_SAGA_TRANSITION",
            metadata={"order_id": order_id, "saga_state": current.value},
        )
