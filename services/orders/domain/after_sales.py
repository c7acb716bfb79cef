"""After-sales requests (售后): returns, exchanges and refunds, from opening to money or parcel.

Seed 003 篇2 附1 2–3 and DOMAIN.md "After-sales":

    RETURN:      OPENED → GOODS_RECEIVED → INSPECTED → APPROVED → REFUNDED
    EXCHANGE:    OPENED → GOODS_RECEIVED → INSPECTED → APPROVED → REPLACEMENT_SHIPPED (备注换货)
    REFUND_ONLY: OPENED → APPROVED → REFUNDED (no goods come back)
    GOODS_RECEIVED → REJECTED when QC finds damage caused by the customer; OPENED, GOODS_RECEIVED
    or INSPECTED → REJECTED by a person, with a reason; OPENED → CANCELLED (customer withdraws)

* After-sales opens the request; the warehouse (statistician) confirms the goods came back, counts
  and signs — the count may be lower than requested (never higher: extra units need their own
  request, so the shipped limit still holds).
* QC decides whether it is a returnable problem or customer damage, and per unit whether it can be
  sold again (back to stock) or is defective (defective stock, then back to the supplier).
* Once approved, goods that came back are owed to inventory (`goods_to_book`): sellable units back
  to stock, defective ones to defective stock, booked once under `return_stock_id`.
* The statistician approves; then the refund (unit price × units returned) is booked, or for an
  exchange the replacement ships marked "EXCHANGE" — only after that approval
  (收统计员签字方可发货).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from services.common.errors import FailedPrecondition
from services.orders.domain.after_sales_rules import (
    AfterSalesKind,
    AfterSalesPolicy,
    ReturnReason,
    check_claim,
    check_no_reason_window,
    check_order_shipped,
    check_reason,
    claimable_by_line,
)
from services.orders.domain.history import HistoryEntry, require_status
from services.orders.domain.inputs import (
    Violations,
    check_actor,
    check_employee_code,
    check_identifier,
    check_text,
    require_aware,
)
from services.orders.domain.order import Order
from services.orders.domain.refunds import Refund, amounts_for_units, build_refund
from services.orders.domain.returned_goods import (
    EXCHANGE_REMARK,
    Replacement,
    ReturnedGoods,
    UnitDisposition,
    check_dispositions,
    goods_by_sku,
    replacement_items,
)
from services.orders.domain.shipping import ShippingPolicy, check_carrier, check_tracking_number

MAX_TEXT = 1000


class AfterSalesStatus(StrEnum):
    """Where a request stands."""

    OPENED = "OPENED"
    GOODS_RECEIVED = "GOODS_RECEIVED"
    INSPECTED = "INSPECTED"
    APPROVED = "APPROVED"
    REFUNDED = "REFUNDED"
    REPLACEMENT_SHIPPED = "REPLACEMENT_SHIPPED"
    REJECTED = "REJECTED"
    CANCELLED = "CANCELLED"


class QcVerdict(StrEnum):
    """QC's decision on the returned goods."""

    RETURNABLE = "RETURNABLE"
    CUSTOMER_DAMAGE = "CUSTOMER_DAMAGE"


_A = AfterSalesStatus
AFTER_SALES_TRANSITIONS: Mapping[AfterSalesStatus, frozenset[AfterSalesStatus]] = {
    _A.OPENED: frozenset({_A.GOODS_RECEIVED, _A.APPROVED, _A.REJECTED, _A.CANCELLED}),
    _A.GOODS_RECEIVED: frozenset({_A.INSPECTED, _A.REJECTED}),
    _A.INSPECTED: frozenset({_A.APPROVED, _A.REJECTED}),
    _A.APPROVED: frozenset({_A.REFUNDED, _A.REPLACEMENT_SHIPPED}),
    _A.REFUNDED: frozenset(),
    _A.REPLACEMENT_SHIPPED: frozenset(),
    _A.REJECTED: frozenset(),
    _A.CANCELLED: frozenset(),
}
_WITH_GOODS = frozenset({AfterSalesKind.RETURN, AfterSalesKind.EXCHANGE})
_BOOKABLE = frozenset({_A.APPROVED, _A.REFUNDED, _A.REPLACEMENT_SHIPPED})


@dataclass
class AfterSalesRequest:
    """One after-sales document (退货单). Open it with `open_after_sales`."""

    request_id: str
    order_id: str
    kind: AfterSalesKind
    reason: ReturnReason
    requested: tuple[tuple[int, int], ...]
    opened_at: datetime
    opened_by: str
    description: str = ""
    status: AfterSalesStatus = AfterSalesStatus.OPENED
    received: tuple[tuple[int, int], ...] = ()
    received_by: str | None = None
    verdict: QcVerdict | None = None
    dispositions: tuple[tuple[int, UnitDisposition], ...] = ()
    inspected_by: str | None = None
    approved_by: str | None = None
    refund: Refund | None = None
    replacement: Replacement | None = None
    rejection_reason: str = ""
    handled_by: str | None = None
    goods_booked_at: datetime | None = None
    history: list[HistoryEntry[AfterSalesStatus]] = field(default_factory=list)
    version: int = 0

    # ----------------------------------------------------------------------- derived values
    def claimed_quantities(self) -> dict[int, int]:
        """Units per line this request holds against the shipped quantities."""
        if self.status in (AfterSalesStatus.REJECTED, AfterSalesStatus.CANCELLED):
            return {}
        if self.kind in _WITH_GOODS and self.received_by is not None:
            return dict(self.received)
        return dict(self.requested)

    def units_to_refund(self) -> dict[int, int]:
        """Units the refund pays for: those received back, or for REFUND_ONLY those requested."""
        if self.kind is AfterSalesKind.REFUND_ONLY:
            return dict(self.requested)
        return {ln: qty for ln, qty in self.received if qty}

    def goods_disposition(self, order: Order) -> tuple[ReturnedGoods, ...]:
        """Per SKU, units back to sellable stock and units to defective stock (after QC)."""
        if self.verdict is not QcVerdict.RETURNABLE:
            return ()
        return goods_by_sku(order, self.dispositions)

    def goods_to_book(self, order: Order) -> tuple[ReturnedGoods, ...]:
        """Returned units inventory must still book: approved, returnable, not booked yet."""
        if self.goods_booked_at is not None or self.status not in _BOOKABLE:
            return ()
        return self.goods_disposition(order)

    def record_goods_booked(self, now: datetime) -> bool:
        """Inventory booked the returned goods (sellable back to stock, the rest defective)."""
        require_aware(now)
        if self.goods_booked_at is not None:
            return False
        self.goods_booked_at = now
        self.version += 1
        return True

    # ----------------------------------------------------------------------- internals
    def _begin(
        self, allowed: frozenset[AfterSalesStatus], what: str, now: datetime, actor: str
    ) -> str:
        require_aware(now)
        actor = check_actor(actor)
        require_status(
            self.status,
            allowed,
            what=what,
            subject=f"after-sales request {self.request_id}",
            key=("request_id", self.request_id),
            reason="ILLEGAL_AFTER_SALES_TRANSITION",
        )
        return actor

    def _require_kind(self, kinds: frozenset[AfterSalesKind], what: str) -> None:
        if self.kind not in kinds:
            raise FailedPrecondition(
                f"after-sales request {self.request_id} is a {self.kind.value}; {what} applies "
                f"only to {', '.join(sorted(k.value for k in kinds))}",
                reason="WRONG_AFTER_SALES_KIND",
                metadata={"request_id": self.request_id},
            )

    def _move(self, target: AfterSalesStatus, now: datetime, actor: str, note: str = "") -> None:
        if target not in AFTER_SALES_TRANSITIONS[self.status]:
            raise AssertionError(f"{self.status} → {target} is not in AFTER_SALES_TRANSITIONS")
        self.history.append(HistoryEntry(self.status, target, now, actor, note))
        self.status = target
        self.version += 1

    def assign_handler(self, employee_code: str) -> None:
        """Attribute the request to the after-sales employee handling it."""
        self.handled_by = check_employee_code(employee_code, "handled_by")
        self.version += 1

    # ----------------------------------------------------------------------- flow
    def record_goods_received(self, counts: Mapping[int, int], now: datetime, actor: str) -> bool:
        """The warehouse counted and signed for the goods that came back."""
        self._require_kind(_WITH_GOODS, "receiving goods")
        requested = dict(self.requested)
        violations = Violations()
        for line_no, qty in counts.items():
            path = f"counts[{line_no}]"
            if line_no not in requested:
                violations.add(path, f"line {line_no} is not part of this request")
            elif isinstance(qty, bool) or not isinstance(qty, int) or qty < 0:
                violations.add(path, "must be a whole number, 0 or more")
            elif qty > requested[line_no]:
                violations.add(
                    path,
                    f"{qty} counted but {requested[line_no]} requested; open another request "
                    "for the extra units",
                )
        if sum(qty for qty in counts.values() if isinstance(qty, int)) <= 0:
            violations.add("counts", "at least one unit must have come back")
        violations.raise_if_any()
        received = tuple(sorted((ln, qty) for ln, qty in counts.items()))
        if self.status is AfterSalesStatus.GOODS_RECEIVED and received == self.received:
            return False
        actor = self._begin(frozenset({_A.OPENED}), "receiving goods", now, actor)
        self.received, self.received_by = received, actor
        units = sum(qty for _, qty in received)
        self._move(_A.GOODS_RECEIVED, now, actor, f"{units} unit(s) counted and signed")
        return True

    def inspect(
        self,
        verdict: QcVerdict,
        dispositions: Mapping[int, UnitDisposition],
        now: datetime,
        actor: str,
        note: str = "",
    ) -> bool:
        """QC's decision. Customer damage rejects the request; otherwise every received unit is
        classed sellable or defective."""
        note = check_text(note, "note", max_length=MAX_TEXT)
        if self.status in (_A.INSPECTED, _A.REJECTED) and self.verdict is verdict:
            return False
        actor = self._begin(frozenset({_A.GOODS_RECEIVED}), "inspecting", now, actor)
        if verdict is QcVerdict.CUSTOMER_DAMAGE:
            self.verdict, self.inspected_by = verdict, actor
            self.rejection_reason = "QC found damage caused by the customer, which is not accepted"
            self._move(_A.REJECTED, now, actor, note or self.rejection_reason)
            return True
        self.dispositions = check_dispositions(self.received, dispositions)
        self.verdict, self.inspected_by = verdict, actor
        self._move(_A.INSPECTED, now, actor, note)
        return True

    def approve(self, now: datetime, actor: str, policy: AfterSalesPolicy | None = None) -> bool:
        """The statistician approves in the system (统计员审核)."""
        policy = policy or AfterSalesPolicy()
        if self.status is AfterSalesStatus.APPROVED:
            return False
        allowed = (
            frozenset({_A.OPENED})
            if self.kind is AfterSalesKind.REFUND_ONLY
            else frozenset({_A.INSPECTED})
        )
        actor = self._begin(allowed, "approving", now, actor)
        if policy.require_separate_approver and actor == self.inspected_by:
            raise FailedPrecondition(
                f"{actor} signed the QC inspection of request {self.request_id}; another person "
                "(the statistician) must approve it",
                reason="APPROVER_IS_INSPECTOR",
                metadata={"request_id": self.request_id},
            )
        self.approved_by = actor
        self._move(_A.APPROVED, now, actor)
        return True

    def pay_refund(
        self,
        order: Order,
        previous_refunds: Iterable[Refund],
        *,
        refund_id: str,
        reason: str,
        now: datetime,
        actor: str,
    ) -> Refund:
        """Book the refund: unit price × units returned, within what was paid minus refunds."""
        self._require_kind(
            frozenset({AfterSalesKind.RETURN, AfterSalesKind.REFUND_ONLY}), "a refund"
        )
        if self.refund is not None and self.refund.refund_id == refund_id:
            return self.refund  # retry of a refund already booked
        actor = self._begin(frozenset({_A.APPROVED}), "refunding", now, actor)
        if order.order_id != self.order_id:
            raise ValueError(f"request {self.request_id} is for order {self.order_id}")
        units = self.units_to_refund()
        others = [r for r in previous_refunds if r.refund_id != refund_id]
        refund = build_refund(
            order,
            amounts_for_units(order, units),
            others,
            refund_id=refund_id,
            reason=reason,
            now=now,
            actor=actor,
            quantities=units,
            source=self.request_id,
        )
        self.refund = refund
        # Two decimals whatever the currency, as in the refund messages (refunds._shown).
        self._move(_A.REFUNDED, now, actor, f"refunded {refund.total.display(places=2)}")
        return refund

    def ship_replacement(
        self,
        order: Order,
        carrier: str,
        tracking_number: str,
        *,
        now: datetime,
        actor: str,
        items: Mapping[str, int] | None = None,
        policy: ShippingPolicy | None = None,
    ) -> bool:
        """Ship the exchange's replacement, marked EXCHANGE. By default the same SKUs and units
        that came back; `items` (SKU → units, same total) sends another spec or colour."""
        self._require_kind(frozenset({AfterSalesKind.EXCHANGE}), "a replacement")
        violations = Violations()
        code = check_carrier(carrier, violations)
        tracking = check_tracking_number(tracking_number, violations, policy or ShippingPolicy())
        returned = {ln: qty for ln, qty in self.received if qty}
        wanted = replacement_items(order, returned, items, violations)
        violations.raise_if_any()
        if self.replacement is not None and self.replacement.tracking_number == tracking:
            return False
        actor = self._begin(frozenset({_A.APPROVED}), "shipping the replacement", now, actor)
        self.replacement = Replacement(wanted, code, tracking, now, actor)
        self._move(_A.REPLACEMENT_SHIPPED, now, actor, f"{EXCHANGE_REMARK}: {code} {tracking}")
        return True

    def reject(self, reason: str, now: datetime, actor: str) -> bool:
        """Refuse the request with a reason the customer is told."""
        reason = check_text(reason, "reason", max_length=MAX_TEXT, required=True)
        if self.status is AfterSalesStatus.REJECTED:
            return False
        actor = self._begin(
            frozenset({_A.OPENED, _A.GOODS_RECEIVED, _A.INSPECTED}), "rejecting", now, actor
        )
        self.rejection_reason = reason
        self._move(_A.REJECTED, now, actor, reason)
        return True

    def cancel(self, now: datetime, actor: str) -> bool:
        """The customer withdrew the request before goods came back."""
        if self.status is AfterSalesStatus.CANCELLED:
            return False
        actor = self._begin(frozenset({_A.OPENED}), "cancelling", now, actor)
        self._move(_A.CANCELLED, now, actor)
        return True


def open_after_sales(
    request_id: str,
    order: Order,
    *,
    kind: AfterSalesKind,
    reason: ReturnReason,
    quantities: Mapping[int, int],
    other_requests: Iterable[AfterSalesRequest],
    now: datetime,
    actor: str,
    description: str = "",
    policy: AfterSalesPolicy | None = None,
) -> AfterSalesRequest:
    """Open a request against shipped lines; refuse reasons, windows or units the rules forbid.

    `other_requests` are the order's existing requests (their claims count against the shipped
    quantities; a rejected or cancelled request claims nothing).
    """
    policy = policy or AfterSalesPolicy()
    check_identifier(request_id, "request_id")
    require_aware(now)
    actor = check_actor(actor)
    description = check_text(description, "description", max_length=MAX_TEXT)
    others = [r for r in other_requests if r.request_id != request_id]
    strangers = [r.request_id for r in others if r.order_id != order.order_id]
    if strangers:
        raise ValueError(f"requests {strangers} are not for order {order.order_id}")
    check_order_shipped(order)
    check_reason(reason, policy)
    check_no_reason_window(order, reason, now, policy)
    claimable = claimable_by_line(order, (r.claimed_quantities() for r in others))
    requested = check_claim(order, quantities, claimable)
    request = AfterSalesRequest(
        request_id=request_id,
        order_id=order.order_id,
        kind=kind,
        reason=reason,
        requested=requested,
        opened_at=now,
        opened_by=actor,
        description=description,
    )
    request.history.append(
        HistoryEntry(None, AfterSalesStatus.OPENED, now, actor, f"{kind.value}: {reason.value}")
    )
    return request
