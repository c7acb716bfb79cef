"""Refunds: money paid back to the customer, per order line, never more than was paid.

DOMAIN.md "After-sales" and seed 003 篇2 附1 2: after the statistician approves the return, the
refund is booked. A refund of returned units is unit price × units returned; any refund (after-sales
or a logistics exception's compensation) is checked per line against what the customer paid for
that line minus everything already refunded on it, so the sum of refunds can never exceed the
payment, whatever order the requests arrive in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from services.common.errors import FailedPrecondition
from services.common.money import Money, total
from services.orders.domain.inputs import (
    Violations,
    check_actor,
    check_identifier,
    check_text,
    require_aware,
)
from services.orders.domain.order import Order

MAX_REFUND_REASON_LENGTH = 500


@dataclass(frozen=True, slots=True)
class RefundLine:
    """The part of a refund booked against one order line (`quantity` 0 for pure compensation)."""

    line_no: int
    quantity: int
    amount: Money


@dataclass(frozen=True)
class Refund:
    """Money paid back, with its reason, who booked it and what caused it (`source`)."""

    refund_id: str
    order_id: str
    lines: tuple[RefundLine, ...]
    reason: str
    refunded_at: datetime
    refunded_by: str
    source: str = ""

    @property
    def total(self) -> Money:
        """Sum of the refund's lines."""
        return total((line.amount for line in self.lines), self.lines[0].amount.currency)


def _for_order(order: Order, refunds: Iterable[Refund]) -> list[Refund]:
    mine = list(refunds)
    strangers = {r.refund_id for r in mine if r.order_id != order.order_id}
    if strangers:
        raise ValueError(f"refunds {sorted(strangers)} are not for order {order.order_id}")
    return mine


def _shown(amount: Money) -> str:
    """Amounts in this service's messages: two decimals whatever the currency (as it always has;
    `str(Money)` would use the currency's own ISO 4217 decimals)."""
    return amount.display(places=2)


def refunded_by_line(order: Order, refunds: Iterable[Refund]) -> dict[int, Money]:
    """Amount already refunded per line (every line present)."""
    done = {line.line_no: Money.zero(order.currency_code) for line in order.lines}
    for refund in _for_order(order, refunds):
        for line in refund.lines:
            done[line.line_no] = done[line.line_no] + line.amount
    return done


def refundable_by_line(order: Order, refunds: Iterable[Refund]) -> dict[int, Money]:
    """What may still be refunded per line: paid for the line minus refunded on it."""
    if not order.paid:
        return {line.line_no: Money.zero(order.currency_code) for line in order.lines}
    done = refunded_by_line(order, refunds)
    return {line.line_no: line.line_total - done[line.line_no] for line in order.lines}


def total_refunded(order: Order, refunds: Iterable[Refund]) -> Money:
    """Everything refunded on the order."""
    return total(refunded_by_line(order, refunds).values(), order.currency_code)


def amounts_for_units(order: Order, quantities: Mapping[int, int]) -> dict[int, Money]:
    """Unit price × units per line (the refund for returned units)."""
    return {ln: order.line(ln).unit_price.times(qty) for ln, qty in quantities.items() if qty}


def build_refund(
    order: Order,
    amounts: Mapping[int, Money],
    previous: Iterable[Refund],
    *,
    refund_id: str,
    reason: str,
    now: datetime,
    actor: str,
    quantities: Mapping[int, int] | None = None,
    source: str = "",
) -> Refund:
    """A refund of `amounts` per line, refused if any line would be refunded beyond its payment."""
    check_identifier(refund_id, "refund_id")
    reason = check_text(reason, "reason", max_length=MAX_REFUND_REASON_LENGTH, required=True)
    require_aware(now)
    actor = check_actor(actor)
    violations = Violations()
    for line_no, amount in amounts.items():
        order.line(line_no)
        if amount.currency != order.currency_code:
            violations.add(f"amounts[{line_no}]", f"must be in {order.currency_code}")
        elif not amount.is_positive:
            violations.add(f"amounts[{line_no}]", "must be more than 0")
    if not amounts:
        violations.add("amounts", "a refund needs at least one line")
    violations.raise_if_any()
    if not order.paid:
        raise FailedPrecondition(
            f"order {order.order_id} was never paid, so there is nothing to refund",
            reason="ORDER_NOT_PAID",
            metadata={"order_id": order.order_id},
        )
    left = refundable_by_line(order, previous)
    over = [
        f"line {ln}: {_shown(amount)} asked, {_shown(left[ln])} left of "
        f"{_shown(order.line(ln).line_total)} paid"
        for ln, amount in sorted(amounts.items())
        if amount > left[ln]
    ]
    if over:
        raise FailedPrecondition(
            f"refund on order {order.order_id} exceeds what the customer paid minus earlier "
            f"refunds ({'; '.join(over)})",
            reason="REFUND_EXCEEDS_PAYMENT",
            metadata={"order_id": order.order_id},
        )
    quantities = quantities or {}
    lines = tuple(
        RefundLine(ln, quantities.get(ln, 0), amount) for ln, amount in sorted(amounts.items())
    )
    return Refund(refund_id, order.order_id, lines, reason, now, actor, source)
