"""Review batches (审单): the order clerk reviews orders in batches before printing.

Seed 003 篇3 4.1 3.1: one review batch holds at most 200 orders, so special orders (changed
address, returns/exchanges, changed carrier) stay easy to find. 篇3 2.2: orders are reviewed
against customer-service notes and buyer messages. 篇2 5(1): only paid orders are printed.

Per order the batch decides:
* PASSED — CONFIRMED, paid, no message or note: the service calls `Order.review`.
* NEEDS_PERSON — CONFIRMED and paid, but with a buyer message or customer-service note: neither
  passed nor failed; a person reads it and calls `Order.review(..., notes_checked=True)`.
* FAILED — not paid, not (yet) confirmed, or cancelled; reasons say which.
* SKIPPED — already reviewed or further along; nothing to do.

Setting: `ReviewBatchPolicy.max_orders` = 200 (the seed's limit). A batch must hold at least one
order and no order twice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from services.common.errors import FieldViolation, InvalidArgument
from services.orders.domain.order import Order
from services.orders.domain.status import OrderStatus

DEFAULT_MAX_BATCH = 200


class ReviewOutcome(StrEnum):
    """The batch's decision for one order."""

    PASSED = "PASSED"
    FAILED = "FAILED"
    NEEDS_PERSON = "NEEDS_PERSON"
    SKIPPED = "SKIPPED"


class ReviewFinding(StrEnum):
    """Why an order did not simply pass."""

    NOT_PAID = "NOT_PAID"
    NOT_CONFIRMED = "NOT_CONFIRMED"
    CANCELLED = "CANCELLED"
    BUYER_MESSAGE = "BUYER_MESSAGE"
    SERVICE_NOTE = "SERVICE_NOTE"
    ALREADY_REVIEWED = "ALREADY_REVIEWED"


@dataclass(frozen=True)
class ReviewBatchPolicy:
    """See the module docstring."""

    max_orders: int = DEFAULT_MAX_BATCH


@dataclass(frozen=True, slots=True)
class ReviewDecision:
    """The outcome for one order and the findings behind it."""

    order_id: str
    outcome: ReviewOutcome
    findings: tuple[ReviewFinding, ...] = ()


@dataclass(frozen=True)
class ReviewBatchResult:
    """Decisions in the order the batch listed the orders."""

    decisions: tuple[ReviewDecision, ...]

    def ids_with(self, outcome: ReviewOutcome) -> tuple[str, ...]:
        """Order ids with the given outcome."""
        return tuple(d.order_id for d in self.decisions if d.outcome is outcome)

    @property
    def passed_ids(self) -> tuple[str, ...]:
        """Orders the service may mark REVIEWED right away."""
        return self.ids_with(ReviewOutcome.PASSED)


def check_batch_size(order_ids: Sequence[str], max_orders: int, field_path: str) -> None:
    """A batch holds 1..max_orders distinct orders, else InvalidArgument naming `field_path`."""
    if not order_ids:
        raise InvalidArgument.for_field(field_path, "a batch needs at least one order")
    if len(order_ids) > max_orders:
        raise InvalidArgument(
            f"{field_path}: a batch holds at most {max_orders} orders (got {len(order_ids)}); "
            "split it into several batches",
            reason="BATCH_TOO_LARGE",
            violations=[FieldViolation(field_path, f"at most {max_orders} orders")],
        )
    duplicates = sorted(i for i, n in Counter(order_ids).items() if n > 1)
    if duplicates:
        raise InvalidArgument.for_field(
            field_path, f"lists order(s) more than once: {', '.join(duplicates)}"
        )


def decide_review_batch(
    orders: Sequence[Order], policy: ReviewBatchPolicy | None = None
) -> ReviewBatchResult:
    """Decide each order of one review batch; changes no order."""
    policy = policy or ReviewBatchPolicy()
    check_batch_size([o.order_id for o in orders], policy.max_orders, "order_ids")
    return ReviewBatchResult(tuple(_decide(order) for order in orders))


def _decide(order: Order) -> ReviewDecision:
    if order.status is OrderStatus.CANCELLED:
        return ReviewDecision(order.order_id, ReviewOutcome.FAILED, (ReviewFinding.CANCELLED,))
    if order.status not in (OrderStatus.PENDING, OrderStatus.BACKORDERED, OrderStatus.CONFIRMED):
        return ReviewDecision(
            order.order_id, ReviewOutcome.SKIPPED, (ReviewFinding.ALREADY_REVIEWED,)
        )
    failures: list[ReviewFinding] = []
    if order.status is not OrderStatus.CONFIRMED:
        failures.append(ReviewFinding.NOT_CONFIRMED)
    if not order.paid:
        failures.append(ReviewFinding.NOT_PAID)
    if failures:
        return ReviewDecision(order.order_id, ReviewOutcome.FAILED, tuple(failures))
    notes: list[ReviewFinding] = []
    if order.buyer_message:
        notes.append(ReviewFinding.BUYER_MESSAGE)
    if order.service_note:
        notes.append(ReviewFinding.SERVICE_NOTE)
    if notes:
        return ReviewDecision(order.order_id, ReviewOutcome.NEEDS_PERSON, tuple(notes))
    return ReviewDecision(order.order_id, ReviewOutcome.PASSED)
