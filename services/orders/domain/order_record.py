"""An order's recorded state, the quantities derived from it, and its saga with inventory.

The saga (ARCHITECTURE.md "Cross-service consistency"): the order is stored first with a
RESERVE_PENDING step; inventory's answers are recorded here. They are facts, so the `record_*`
methods absorb stale and duplicate answers rather than fail — a reservation reported after the
order was cancelled turns into a release owed. `pending_inventory_step` is the reconciler's work:
the call still owed, under the order's reservation id, so a retry never reserves twice.

A release that may race a reservation: when an order is cancelled while its reservation is still
in flight (RESERVE_PENDING), a reserve request may reach inventory after the release did. Until
`release_in_doubt_until` (the cancel time plus a window longer than any reserve call can last),
release answers keep the step RELEASE_PENDING, so the reconciler releases once more after the
window and no late reservation is left behind.

Split shipments: the order's one reservation ("ord-<order_id>") stays RESERVED while parcels
leave and is committed when the last parcel ships. Available stock is therefore never overstated
(no overselling); on-hand is overstated for shipped parcels until then, which is why
`shipment_reservation_id` exists for an inventory that commits per parcel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from services.common.errors import FailedPrecondition, InvalidArgument
from services.common.money import Money
from services.orders.domain.customer import Customer
from services.orders.domain.history import HistoryEntry
from services.orders.domain.inputs import check_actor, require_aware
from services.orders.domain.intake import Channel, OrderLine, order_reservation_id
from services.orders.domain.shipping import Shipment
from services.orders.domain.status import (
    ORDER_TRANSITIONS,
    OrderAction,
    OrderStatus,
    SagaState,
    check_action,
    check_saga_move,
)

SYSTEM_ACTOR = "system"


class InventoryCall(StrEnum):
    """The call a pending saga step owes inventory."""

    RESERVE = "RESERVE"
    RELEASE = "RELEASE"
    COMMIT = "COMMIT"


@dataclass(frozen=True, slots=True)
class InventoryStep:
    """What the reconciler must (re)send: the call, its idempotency key, the lines to reserve."""

    call: InventoryCall
    reservation_id: str
    lines: tuple[tuple[str, int], ...]


@dataclass
class OrderRecord:
    """An order's stored state, what follows from it, and the answers from inventory.

    Use `Order` (its subclass with the business actions); repositories rebuild one field by field.
    """

    order_id: str
    channel: Channel
    external_order_id: str
    customer: Customer
    lines: tuple[OrderLine, ...]
    total: Money
    paid: bool
    placed_at: datetime
    payload_fingerprint: str
    buyer_message: str = ""
    service_note: str = ""
    status: OrderStatus = OrderStatus.PENDING
    saga: SagaState = SagaState.RESERVE_PENDING
    paid_at: datetime | None = None
    confirmed_at: datetime | None = None
    carrier: str | None = None
    weight_grams: int | None = None
    shipments: list[Shipment] = field(default_factory=list)
    delivered_at: datetime | None = None
    cancel_reason: str = ""
    release_in_doubt_until: datetime | None = None
    handled_by: str | None = None
    history: list[HistoryEntry[OrderStatus]] = field(default_factory=list)
    version: int = 0

    # ----------------------------------------------------------------------- derived values
    @property
    def reservation_id(self) -> str:
        """The idempotency key of this order's stock reservation."""
        return order_reservation_id(self.order_id)

    @property
    def currency_code(self) -> str:
        """The order's single currency."""
        return self.total.currency

    @property
    def needs_person_review(self) -> bool:
        """A buyer message or customer-service note must be read by a person (seed 003 篇3 2.2)."""
        return bool(self.buyer_message or self.service_note)

    def line(self, line_no: int) -> OrderLine:
        """The line numbered `line_no`, or InvalidArgument."""
        for candidate in self.lines:
            if candidate.line_no == line_no:
                return candidate
        raise InvalidArgument.for_field(
            "line_no", f"order {self.order_id} has no line {line_no} (lines 1–{len(self.lines)})"
        )

    def reservation_lines(self) -> tuple[tuple[str, int], ...]:
        """Units per SKU to reserve, sorted by SKU (lines of the same SKU are added up)."""
        by_sku: dict[str, int] = {}
        for line in self.lines:
            by_sku[line.sku_code] = by_sku.get(line.sku_code, 0) + line.quantity
        return tuple(sorted(by_sku.items()))

    def shipped_quantities(self) -> dict[int, int]:
        """Units shipped so far per line number (every line present, possibly 0)."""
        shipped = {line.line_no: 0 for line in self.lines}
        for shipment in self.shipments:
            for line_no, qty in shipment.quantities:
                shipped[line_no] += qty
        return shipped

    def remaining_quantities(self) -> dict[int, int]:
        """Units still to ship per line number (every line present, possibly 0)."""
        shipped = self.shipped_quantities()
        return {line.line_no: line.quantity - shipped[line.line_no] for line in self.lines}

    def remaining_by_sku(self) -> dict[str, int]:
        """Units still to ship per SKU, lines with nothing left omitted."""
        remaining = self.remaining_quantities()
        by_sku: dict[str, int] = {}
        for line in self.lines:
            if remaining[line.line_no]:
                by_sku[line.sku_code] = by_sku.get(line.sku_code, 0) + remaining[line.line_no]
        return by_sku

    def wave_reference_time(self) -> datetime | None:
        """When the order became printable: both paid and stock-confirmed (the later of the two).

        Seed 003 篇2 5(1): only paid orders are printed; stock must be allocated first.
        """
        if self.paid_at is None or self.confirmed_at is None:
            return None
        return max(self.paid_at, self.confirmed_at)

    def pending_inventory_step(self) -> InventoryStep | None:
        """The inventory call this order still owes, if any (for the reconciler)."""
        if self.saga is SagaState.RESERVE_PENDING:
            lines = self.reservation_lines()
            return InventoryStep(InventoryCall.RESERVE, self.reservation_id, lines)
        if self.saga is SagaState.RELEASE_PENDING:
            return InventoryStep(InventoryCall.RELEASE, self.reservation_id, ())
        if self.saga is SagaState.COMMIT_PENDING:
            return InventoryStep(InventoryCall.COMMIT, self.reservation_id, ())
        return None

    # ----------------------------------------------------------------------- internals
    def _move(self, target: OrderStatus, now: datetime, actor: str, note: str = "") -> None:
        if target is not self.status and target not in ORDER_TRANSITIONS[self.status]:
            raise AssertionError(f"{self.status} → {target} is not in ORDER_TRANSITIONS")
        self.history.append(HistoryEntry(self.status, target, now, actor, note))
        self.status = target
        self.version += 1

    def _saga_to(self, target: SagaState) -> None:
        check_saga_move(self.order_id, self.saga, target)
        self.saga = target
        self.version += 1

    def _begin(self, action: OrderAction, now: datetime, actor: str) -> str:
        require_aware(now)
        actor = check_actor(actor)
        check_action(self.order_id, self.status, action)
        return actor

    def _not_paid(self, what: str) -> FailedPrecondition:
        return FailedPrecondition(
            f"order {self.order_id} is not paid; only paid orders are {what} — record the "
            "payment first",
            reason="ORDER_NOT_PAID",
            metadata={"order_id": self.order_id},
        )

    def _unexpected_answer(self, call: str) -> FailedPrecondition:
        return FailedPrecondition(
            f"order {self.order_id} owes inventory no {call} (its inventory step is "
            f"{self.saga.value}); the answer does not belong to this order's current step",
            reason="ILLEGAL_SAGA_TRANSITION",
            metadata={"order_id": self.order_id, "saga_state": self.saga.value},
        )

    # ----------------------------------------------------------------------- saga answers
    def record_reserved(self, now: datetime, actor: str = SYSTEM_ACTOR) -> bool:
        """Inventory reserved the order's stock: PENDING/BACKORDERED → CONFIRMED."""
        require_aware(now)
        actor = check_actor(actor)
        if self.status is OrderStatus.CANCELLED:
            # The reservation exists although the order is cancelled: release it (again).
            if self.saga is SagaState.RELEASED:
                self._saga_to(SagaState.RELEASE_PENDING)
                return True
            return False
        if self.saga not in (SagaState.RESERVE_PENDING, SagaState.BACKORDERED):
            return False  # duplicate answer: already reserved (or beyond)
        self._saga_to(SagaState.RESERVED)
        self.confirmed_at = now
        self._move(OrderStatus.CONFIRMED, now, actor, "stock reserved")
        return True

    def record_backordered(self, now: datetime, actor: str = SYSTEM_ACTOR) -> bool:
        """Inventory had too little stock and reserved nothing: the order waits for stock."""
        require_aware(now)
        actor = check_actor(actor)
        if self.saga is not SagaState.RESERVE_PENDING or self.status is OrderStatus.CANCELLED:
            return False  # stale answer: a later attempt already decided, or nothing is owed
        self._saga_to(SagaState.BACKORDERED)
        if self.status is OrderStatus.PENDING:
            self._move(OrderStatus.BACKORDERED, now, actor, "not enough stock")
        return True

    def begin_reservation_retry(self, now: datetime) -> bool:
        """Stock arrived: try to reserve again under the same reservation id."""
        require_aware(now)
        if self.saga is SagaState.RESERVE_PENDING and self.status is OrderStatus.BACKORDERED:
            return False
        if self.status is not OrderStatus.BACKORDERED:
            raise FailedPrecondition(
                f"order {self.order_id} is {self.status.value}; only BACKORDERED orders wait "
                "for stock",
                reason="ORDER_NOT_BACKORDERED",
                metadata={"order_id": self.order_id, "current_status": self.status.value},
            )
        self._saga_to(SagaState.RESERVE_PENDING)
        return True

    def record_released(self, now: datetime) -> bool:
        """Inventory confirmed the release of the order's reservation.

        Before `release_in_doubt_until` the step stays RELEASE_PENDING (returns False): a reserve
        sent before the cancel may still land, so the release is repeated after the window.
        """
        require_aware(now)
        if self.saga is SagaState.RELEASED:
            return False
        if self.saga is not SagaState.RELEASE_PENDING:
            # The table also allows BACKORDERED → RELEASED, but only for a cancel: an answer from
            # inventory can only settle a release that was asked for.
            raise self._unexpected_answer("release")
        if self.release_in_doubt_until is not None and now < self.release_in_doubt_until:
            return False
        self._saga_to(SagaState.RELEASED)
        return True

    def record_committed(self, now: datetime) -> bool:
        """Inventory confirmed that the shipped units left stock."""
        require_aware(now)
        if self.saga is SagaState.COMMITTED:
            return False
        if self.saga is not SagaState.COMMIT_PENDING:
            raise self._unexpected_answer("commit")
        self._saga_to(SagaState.COMMITTED)
        return True
