"""Customer reviews (评价): one rating of 1–5 per order, and the positive-review rate.

Seed 000 (客户满意度指标): 客户好评率 = orders with a positive review / total orders.

Settings (`ReviewRatePolicy`):
* `positive_min_rating` = 4: 4 and 5 stars are positive, as Amazon and Tmall count them.
* `base` = ALL_ORDERS (the seed's denominator: every order of the period, so an unreviewed order
  is not positive); REVIEWED_ORDERS gives the platforms' share of reviews that are positive.
* A review is accepted once the order shipped; the same review again is a no-op, a different one
  for the same order is AlreadyExists (platforms allow one initial review per order).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from services.common.errors import AlreadyExists, FailedPrecondition
from services.orders.domain.inputs import Violations, require_aware
from services.orders.domain.order import Order
from services.orders.domain.status import SHIPPED_STATUSES

MIN_RATING, MAX_RATING = 1, 5
MAX_COMMENT_LENGTH = 2000


class RateBase(StrEnum):
    """What the positive-review rate divides by."""

    ALL_ORDERS = "ALL_ORDERS"
    REVIEWED_ORDERS = "REVIEWED_ORDERS"


@dataclass(frozen=True)
class ReviewRatePolicy:
    """See the module docstring."""

    positive_min_rating: int = 4
    base: RateBase = RateBase.ALL_ORDERS


@dataclass(frozen=True)
class CustomerReview:
    """The customer's rating and comment for one order."""

    order_id: str
    rating: int
    comment: str
    reviewed_at: datetime

    def is_positive(self, policy: ReviewRatePolicy | None = None) -> bool:
        """True for a rating at or above the policy's threshold."""
        return self.rating >= (policy or ReviewRatePolicy()).positive_min_rating


def record_review(
    order: Order,
    rating: int,
    comment: str,
    now: datetime,
    existing: CustomerReview | None = None,
) -> CustomerReview:
    """The order's review; the existing one if it is the same, AlreadyExists if it differs."""
    violations = Violations()
    if (
        isinstance(rating, bool)
        or not isinstance(rating, int)
        or not (MIN_RATING <= rating <= MAX_RATING)
    ):
        violations.add("rating", f"must be a whole number from {MIN_RATING} to {MAX_RATING}")
    text = violations.text(comment, "comment", max_length=MAX_COMMENT_LENGTH)
    violations.raise_if_any()
    require_aware(now)
    if existing is not None:
        if existing.rating == rating and existing.comment == text:
            return existing
        raise AlreadyExists(
            f"order {order.order_id} already has a review ({existing.rating} stars); an order "
            "has one review",
            reason="REVIEW_ALREADY_EXISTS",
            metadata={"order_id": order.order_id},
        )
    if order.status not in SHIPPED_STATUSES:
        raise FailedPrecondition(
            f"order {order.order_id} is {order.status.value}; it can be reviewed once shipped",
            reason="ORDER_NOT_SHIPPED",
            metadata={"order_id": order.order_id, "current_status": order.status.value},
        )
    return CustomerReview(order.order_id, rating, text, now)


def positive_review_rate(
    reviews: Iterable[CustomerReview],
    order_count: int | None = None,
    policy: ReviewRatePolicy | None = None,
) -> Decimal | None:
    """Positive reviews over the policy's base; None when the base is empty.

    With base ALL_ORDERS, `order_count` (orders in the period) is required.
    """
    policy = policy or ReviewRatePolicy()
    items = list(reviews)
    positive = sum(1 for r in items if r.is_positive(policy))
    if policy.base is RateBase.REVIEWED_ORDERS:
        base = len(items)
    else:
        if order_count is None:
            raise ValueError("order_count is required when the rate is over all orders")
        if order_count < len(items):
            raise ValueError("order_count cannot be lower than the number of reviews")
        base = order_count
    if base == 0:
        return None
    return Decimal(positive) / Decimal(base)
