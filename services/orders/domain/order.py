"""The Order aggregate: what people do to an order, from review to delivery or cancellation.

Every method takes `now` (timezone-aware) and the acting person or process, validates, then either
changes the order and returns True, or — when the same request was already applied — changes
nothing and returns False (idempotent re-application: a retried cancel, a retried ship with the
same tracking number). Anything else raises FailedPrecondition naming the current status and what
is allowed (the graph is in `status.py`; the recorded state and inventory saga in
`order_record.py`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime, timedelta

from services.common.errors import FailedPrecondition
from services.orders.domain.customer import check_address
from services.orders.domain.history import HistoryEntry
from services.orders.domain.inputs import (
    Violations,
    check_actor,
    check_employee_code,
    check_identifier,
    check_text,
    require_aware,
)
from services.orders.domain.intake import OrderIntake
from services.orders.domain.order_record import SYSTEM_ACTOR, OrderRecord
from services.orders.domain.shipping import (
    Shipment,
    ShippingPolicy,
    already_shipped,
    check_carrier,
    check_fits_remaining,
    check_label,
    check_parcel_contents,
    check_weight,
    is_recorded_parcel,
)
from services.orders.domain.status import OrderAction, OrderStatus, SagaState
from services.orders.domain.verification import VerificationResult, compare_contents

MAX_REASON_LENGTH = 500
# Longer than any reserve call to inventory can take (call timeouts are seconds), so a reservation
# sent before a cancel has landed or failed by then (see `OrderRecord.release_in_doubt_until`).
DEFAULT_LATE_RESERVE_WINDOW = timedelta(seconds=30)


class Order(OrderRecord):
    """An order from any channel. Create with `Order.place`."""

    @classmethod
    def place(
        cls,
        order_id: str,
        intake: OrderIntake,
        now: datetime,
        actor: str = SYSTEM_ACTOR,
        handled_by: str | None = None,
    ) -> Order:
        """Store a checked intake as a PENDING order whose reservation is owed to inventory."""
        check_identifier(order_id, "order_id")
        require_aware(now)
        actor = check_actor(actor)
        if handled_by is not None:
            check_employee_code(handled_by, "handled_by")
        order = cls(
            order_id=order_id,
            channel=intake.channel,
            external_order_id=intake.external_order_id,
            customer=intake.customer,
            lines=intake.lines,
            total=intake.total,
            paid=intake.paid,
            placed_at=now,
            payload_fingerprint=intake.payload_fingerprint,
            buyer_message=intake.buyer_message,
            service_note=intake.service_note,
            paid_at=now if intake.paid else None,
            handled_by=handled_by,
        )
        order.history.append(
            HistoryEntry(
                None,
                OrderStatus.PENDING,
                now,
                actor,
                f"placed from {intake.channel.value} order {intake.external_order_id}",
            )
        )
        return order

    def mark_paid(self, now: datetime, actor: str) -> bool:
        """Record the customer's payment (an order can arrive unpaid and be paid later)."""
        if self.paid:
            return False
        actor = self._begin(OrderAction.MARK_PAID, now, actor)
        self.paid, self.paid_at = True, now
        self._move(self.status, now, actor, "payment recorded")
        return True

    def review(self, now: datetime, actor: str, notes_checked: bool = False) -> bool:
        """审单: CONFIRMED → REVIEWED. Only paid orders pass; notes need a person's check."""
        if self.status is OrderStatus.REVIEWED:
            return False
        actor = self._begin(OrderAction.REVIEW, now, actor)
        if not self.paid:
            raise self._not_paid("reviewed")
        if self.needs_person_review and not notes_checked:
            raise FailedPrecondition(
                f"order {self.order_id} has a buyer message or customer-service note; a person "
                "must read it (change address, carrier or items as asked) and then review it",
                reason="REVIEW_NEEDS_PERSON",
                metadata={"order_id": self.order_id},
            )
        self._move(OrderStatus.REVIEWED, now, actor)
        return True

    def pick(self, now: datetime, actor: str) -> bool:
        """The picker has gathered the order's items (配货)."""
        if self.status is OrderStatus.PICKED:
            return False
        actor = self._begin(OrderAction.PICK, now, actor)
        self._move(OrderStatus.PICKED, now, actor)
        return True

    def verify(
        self,
        scanned: Mapping[str, int],
        now: datetime,
        actor: str,
        label_reference: str | None = None,
    ) -> VerificationResult:
        """验货: compare scanned units with the order; PICKED → VERIFIED only if all match.

        A failed verification changes no status (it is recorded in the history) and blocks packing.
        """
        result = compare_contents(self.order_id, self.remaining_by_sku(), scanned, label_reference)
        if self.status is OrderStatus.VERIFIED and result.passed:
            return result
        actor = self._begin(OrderAction.VERIFY, now, actor)
        if result.passed:
            self._move(OrderStatus.VERIFIED, now, actor)
        else:
            self._move(self.status, now, actor, f"verification failed: {result.describe()}")
        return result

    def pack(self, now: datetime, actor: str) -> bool:
        """The packer packed the verified order."""
        if self.status is OrderStatus.PACKED:
            return False
        if self.status is OrderStatus.PICKED:
            raise FailedPrecondition(
                f"order {self.order_id} has not passed verification; wrong, missing or extra "
                "items must be corrected and the parcel verified before packing",
                reason="ORDER_NOT_VERIFIED",
                metadata={"order_id": self.order_id, "current_status": self.status.value},
            )
        actor = self._begin(OrderAction.PACK, now, actor)
        self._move(OrderStatus.PACKED, now, actor)
        return True

    def weigh(
        self, weight_grams: int, now: datetime, actor: str, policy: ShippingPolicy | None = None
    ) -> bool:
        """Record the packed parcel's weight (称重上传重量); weighing again replaces it."""
        policy = policy or ShippingPolicy()
        violations = Violations()
        check_weight(weight_grams, violations, policy, "weight_grams")
        violations.raise_if_any()
        if self.status is OrderStatus.WEIGHED:
            if weight_grams == self.weight_grams:
                return False
            require_aware(now)
            actor = check_actor(actor)
            self.weight_grams = weight_grams
            self._move(self.status, now, actor, f"re-weighed: {weight_grams} g")
            return True
        actor = self._begin(OrderAction.WEIGH, now, actor)
        self.weight_grams = weight_grams
        self._move(OrderStatus.WEIGHED, now, actor, f"{weight_grams} g")
        return True

    def ship(
        self,
        carrier: str,
        tracking_number: str,
        *,
        now: datetime,
        actor: str,
        weight_grams: int | None = None,
        policy: ShippingPolicy | None = None,
    ) -> bool:
        """Ship everything not yet shipped in one parcel (CONTRACT.md ShipOrder).

        Without `weight_grams` the weight recorded by `weigh` is used. Shipping an order that has
        left with the same carrier and tracking number again is a no-op.
        """
        return self._ship(None, carrier, tracking_number, now, actor, weight_grams, None, policy)

    def ship_parcel(
        self,
        quantities: Mapping[int, int],
        carrier: str,
        tracking_number: str,
        *,
        now: datetime,
        actor: str,
        weight_grams: int | None = None,
        address: str | None = None,
        policy: ShippingPolicy | None = None,
    ) -> bool:
        """Ship some line quantities (line_no → units) in one parcel (split shipment, 分单).

        The order is PARTIALLY_SHIPPED until every unit has left, then SHIPPED, and the
        reservation commit is owed. `address` sends this parcel elsewhere (分地址发).
        """
        return self._ship(
            quantities, carrier, tracking_number, now, actor, weight_grams, address, policy
        )

    def _ship(
        self,
        quantities: Mapping[int, int] | None,
        carrier: str,
        tracking_number: str,
        now: datetime,
        actor: str,
        weight_grams: int | None,
        address: str | None,
        policy: ShippingPolicy | None,
    ) -> bool:
        policy = policy or ShippingPolicy()
        code, tracking = check_label(carrier, tracking_number, policy)
        remaining = self.remaining_quantities()
        fully_shipped = self.status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED)
        # "Ship the rest" while units remain must not match an earlier parcel's tracking number.
        contents = quantities
        if contents is None and not fully_shipped:
            contents = {ln: qty for ln, qty in remaining.items() if qty}
        if is_recorded_parcel(self.order_id, self.shipments, code, tracking, contents):
            return False
        if fully_shipped:
            raise already_shipped(self.order_id, self.status.value, self.shipments)
        violations = Violations()
        if quantities is None:
            wanted = tuple((ln, qty) for ln, qty in sorted(remaining.items()) if qty)
            if weight_grams is None and not self.shipments:
                weight_grams = self.weight_grams
        else:
            wanted = check_parcel_contents(self.order_id, quantities, remaining, violations)
        if weight_grams is not None:
            check_weight(weight_grams, violations, policy, "weight_grams")
        elif policy.require_weight:
            violations.add("weight_grams", "is required: weigh the parcel before it leaves")
        destination = self.customer.address
        if address is not None:
            destination = check_address(address, violations, "address")
        violations.raise_if_any()
        actor = self._begin(OrderAction.SHIP, now, actor)
        if policy.require_paid and not self.paid:
            raise self._not_paid("shipped")
        check_fits_remaining(self.order_id, wanted, remaining)
        number = len(self.shipments) + 1
        self.shipments.append(
            Shipment(number, code, tracking, weight_grams, wanted, destination, now, actor)
        )
        note = f"parcel {number}: {code} {tracking}"
        if any(self.remaining_quantities().values()):
            self._move(OrderStatus.PARTIALLY_SHIPPED, now, actor, note)
        else:
            self._saga_to(SagaState.COMMIT_PENDING)
            self._move(OrderStatus.SHIPPED, now, actor, note)
        return True

    def confirm_delivery(self, now: datetime, actor: str) -> bool:
        """The carrier or customer confirmed delivery: SHIPPED → DELIVERED."""
        if self.status is OrderStatus.DELIVERED:
            return False
        actor = self._begin(OrderAction.DELIVER, now, actor)
        self.delivered_at = now
        self._move(OrderStatus.DELIVERED, now, actor)
        return True

    def cancel(
        self,
        reason: str,
        now: datetime,
        actor: str,
        late_reserve_window: timedelta = DEFAULT_LATE_RESERVE_WINDOW,
    ) -> bool:
        """Cancel before the first parcel leaves; a reservation that may exist is released.

        Cancelled while a reservation is in flight, the release stays in doubt for
        `late_reserve_window` (see `OrderRecord.release_in_doubt_until`).
        """
        if self.status is OrderStatus.CANCELLED:
            return False
        reason = check_text(reason, "reason", max_length=MAX_REASON_LENGTH)
        actor = self._begin(OrderAction.CANCEL, now, actor)
        if self.saga is SagaState.BACKORDERED:
            self._saga_to(SagaState.RELEASED)  # nothing was reserved
        else:
            if self.saga is SagaState.RESERVE_PENDING:
                self.release_in_doubt_until = now + late_reserve_window
            self._saga_to(SagaState.RELEASE_PENDING)
        self.cancel_reason = reason
        self._move(OrderStatus.CANCELLED, now, actor, reason)
        return True

    def change_address(self, address: str, now: datetime, actor: str) -> bool:
        """Change the delivery address of parcels not yet sent.

        From REVIEWED on, the express label is printed: the caller reprints it.
        """
        violations = Violations()
        new_address = check_address(address, violations, "address")
        violations.raise_if_any()
        if new_address == self.customer.address:
            return False
        actor = self._begin(OrderAction.CHANGE_ADDRESS, now, actor)
        self.customer = dataclasses.replace(self.customer, address=new_address)
        self._move(self.status, now, actor, "delivery address changed")
        return True

    def change_carrier(self, carrier: str, now: datetime, actor: str) -> bool:
        """Choose another carrier for parcels not yet sent (换快递)."""
        violations = Violations()
        code = check_carrier(carrier, violations)
        violations.raise_if_any()
        if code == self.carrier:
            return False
        actor = self._begin(OrderAction.CHANGE_CARRIER, now, actor)
        previous, self.carrier = self.carrier, code
        self._move(self.status, now, actor, f"carrier changed from {previous or 'none'} to {code}")
        return True

    def assign_handler(self, employee_code: str) -> None:
        """Attribute the order to the employee handling it."""
        self.handled_by = check_employee_code(employee_code, "handled_by")
        self.version += 1
