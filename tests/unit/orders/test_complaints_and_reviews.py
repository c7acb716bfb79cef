"""Complaints and disputes tracked to resolution; customer reviews and the positive rate."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from services.common.errors import AlreadyExists, FailedPrecondition, InvalidArgument
from services.orders.domain.complaints import (
    Complaint,
    ComplaintKind,
    ComplaintStatus,
    open_complaint,
    resolution_rate,
)
from services.orders.domain.customer_reviews import (
    CustomerReview,
    RateBase,
    ReviewRatePolicy,
    positive_review_rate,
    record_review,
)

from .factories import CLERK, T0, confirmed_order, delivered_order, shipped_order

NOW = T0 + timedelta(days=4)


def a_complaint(complaint_id: str = "C-1") -> Complaint:
    return open_complaint(
        complaint_id,
        ComplaintKind.COMPLAINT,
        "parcel arrived open",
        now=NOW,
        actor=CLERK,
        order_id="O-1",
    )


# ------------------------------------------------------------------------------ complaints
def test_complaint_is_worked_then_resolved_with_a_resolution() -> None:
    complaint = a_complaint()
    assert complaint.status is ComplaintStatus.OPEN
    assert complaint.start_work(NOW, CLERK)
    assert complaint.start_work(NOW, CLERK) is False
    assert complaint.resolve("resent the gift box", NOW, CLERK)
    assert (complaint.status, complaint.resolution, complaint.ended_at) == (
        ComplaintStatus.RESOLVED,
        "resent the gift box",
        NOW,
    )
    assert [h.to_status for h in complaint.history] == [
        ComplaintStatus.OPEN,
        ComplaintStatus.IN_PROGRESS,
        ComplaintStatus.RESOLVED,
    ]


def test_resolution_text_is_required() -> None:
    complaint = a_complaint()
    complaint.start_work(NOW, CLERK)
    with pytest.raises(InvalidArgument):
        complaint.resolve("  ", NOW, CLERK)


def test_complaint_cannot_be_resolved_before_anyone_worked_on_it() -> None:
    with pytest.raises(FailedPrecondition) as err:
        a_complaint().resolve("done", NOW, CLERK)
    assert err.value.reason == "ILLEGAL_COMPLAINT_TRANSITION"


def test_complaint_can_be_closed_unsolved_from_open_or_in_progress() -> None:
    duplicate = a_complaint("C-1")
    assert duplicate.close("duplicate of C-0", NOW, CLERK)
    worked = a_complaint("C-2")
    worked.start_work(NOW, CLERK)
    assert worked.close("customer unreachable for 14 days", NOW, CLERK)
    assert worked.status is ComplaintStatus.CLOSED


def test_ended_complaints_stay_ended() -> None:
    complaint = a_complaint()
    complaint.start_work(NOW, CLERK)
    complaint.resolve("refunded shipping", NOW, CLERK)
    assert complaint.resolve("refunded shipping", NOW, CLERK) is False
    with pytest.raises(FailedPrecondition):
        complaint.resolve("something else", NOW, CLERK)
    with pytest.raises(FailedPrecondition):
        complaint.close("x", NOW, CLERK)
    with pytest.raises(FailedPrecondition):
        complaint.start_work(NOW, CLERK)


def test_disputes_need_not_name_an_order() -> None:
    dispute = open_complaint("D-1", ComplaintKind.DISPUTE, "platform case", now=NOW, actor=CLERK)
    assert dispute.order_id is None
    assert dispute.kind is ComplaintKind.DISPUTE


def test_complaint_description_is_required() -> None:
    with pytest.raises(InvalidArgument):
        open_complaint("C-1", ComplaintKind.COMPLAINT, "", now=NOW, actor=CLERK)


def test_resolution_rate_counts_resolved_over_all_cases() -> None:
    resolved, closed, open_ = a_complaint("C-1"), a_complaint("C-2"), a_complaint("C-3")
    resolved.start_work(NOW, CLERK)
    resolved.resolve("ok", NOW, CLERK)
    closed.close("dup", NOW, CLERK)
    assert resolution_rate([resolved, closed, open_]) == Decimal(1) / Decimal(3)
    assert resolution_rate([]) is None


def test_complaint_is_attributed_to_its_handler() -> None:
    complaint = a_complaint()
    complaint.assign_handler("E8001")
    assert complaint.handled_by == "E8001"


# ------------------------------------------------------------------------------ reviews
@pytest.mark.parametrize("rating", [1, 5])
def test_ratings_from_1_to_5_are_accepted(rating: int) -> None:
    review = record_review(delivered_order(), rating, " great tea ", NOW)
    assert (review.rating, review.comment) == (rating, "great tea")


@pytest.mark.parametrize("rating", [0, 6, -1])
def test_ratings_outside_1_to_5_are_rejected(rating: int) -> None:
    with pytest.raises(InvalidArgument) as err:
        record_review(delivered_order(), rating, "", NOW)
    assert err.value.violations[0].field == "rating"


def test_one_review_per_order() -> None:
    order = delivered_order()
    first = record_review(order, 5, "good", NOW)
    assert record_review(order, 5, "good", NOW, existing=first) is first
    with pytest.raises(AlreadyExists) as err:
        record_review(order, 1, "changed my mind", NOW, existing=first)
    assert err.value.reason == "REVIEW_ALREADY_EXISTS"


def test_an_order_is_reviewed_once_it_shipped() -> None:
    assert record_review(shipped_order(), 4, "", NOW)
    with pytest.raises(FailedPrecondition) as err:
        record_review(confirmed_order(), 4, "", NOW)
    assert err.value.reason == "ORDER_NOT_SHIPPED"


def test_four_stars_is_positive_and_three_is_not() -> None:
    assert CustomerReview("O-1", 4, "", NOW).is_positive()
    assert not CustomerReview("O-1", 3, "", NOW).is_positive()
    assert CustomerReview("O-1", 3, "", NOW).is_positive(ReviewRatePolicy(positive_min_rating=3))


def reviews(*ratings: int) -> list[CustomerReview]:
    return [CustomerReview(f"O-{i}", r, "", NOW) for i, r in enumerate(ratings)]


def test_positive_rate_is_over_all_orders_by_default() -> None:
    # Seed 000: orders with a positive review / total orders.
    assert positive_review_rate(reviews(5, 4, 2), order_count=10) == Decimal("0.2")


def test_positive_rate_over_reviewed_orders_is_a_setting() -> None:
    policy = ReviewRatePolicy(base=RateBase.REVIEWED_ORDERS)
    assert positive_review_rate(reviews(5, 4, 2, 1), policy=policy) == Decimal("0.5")


def test_positive_rate_of_nothing_is_none() -> None:
    assert positive_review_rate([], order_count=0) is None
    assert positive_review_rate([], policy=ReviewRatePolicy(base=RateBase.REVIEWED_ORDERS)) is None


def test_positive_rate_over_all_orders_needs_a_plausible_order_count() -> None:
    with pytest.raises(ValueError, match="order_count is required"):
        positive_review_rate(reviews(5))
    with pytest.raises(ValueError, match="cannot be lower"):
        positive_review_rate(reviews(5, 5), order_count=1)
