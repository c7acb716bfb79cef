"""Review batches (审单): at most 200 orders, paid orders pass, notes go to a person."""

from __future__ import annotations

import pytest

from services.common.errors import InvalidArgument
from services.orders.domain.review_batch import (
    ReviewBatchPolicy,
    ReviewFinding,
    ReviewOutcome,
    decide_review_batch,
)

from .factories import (
    CLERK,
    T0,
    backordered_order,
    confirmed_order,
    placed_order,
    shipped_order,
)


def test_200_orders_fit_in_one_batch_and_201_do_not() -> None:
    orders = [confirmed_order(f"O-{i}") for i in range(201)]
    assert len(decide_review_batch(orders[:200]).decisions) == 200
    with pytest.raises(InvalidArgument) as err:
        decide_review_batch(orders)
    assert err.value.reason == "BATCH_TOO_LARGE"
    assert "at most 200" in err.value.message


def test_batch_limit_is_a_setting() -> None:
    orders = [confirmed_order(f"O-{i}") for i in range(3)]
    with pytest.raises(InvalidArgument):
        decide_review_batch(orders, ReviewBatchPolicy(max_orders=2))


def test_an_empty_batch_is_invalid() -> None:
    with pytest.raises(InvalidArgument):
        decide_review_batch([])


def test_an_order_listed_twice_is_invalid() -> None:
    order = confirmed_order()
    with pytest.raises(InvalidArgument) as err:
        decide_review_batch([order, order])
    assert "O-1" in err.value.message


def test_paid_confirmed_order_without_notes_passes() -> None:
    result = decide_review_batch([confirmed_order()])
    assert result.passed_ids == ("O-1",)
    assert result.decisions[0].findings == ()


def test_unpaid_order_fails() -> None:
    [decision] = decide_review_batch([confirmed_order(paid=False)]).decisions
    assert decision.outcome is ReviewOutcome.FAILED
    assert decision.findings == (ReviewFinding.NOT_PAID,)


@pytest.mark.parametrize(
    ("notes", "findings"),
    [
        ({"buyer_message": "请发顺丰"}, (ReviewFinding.BUYER_MESSAGE,)),
        ({"service_note": "改地址"}, (ReviewFinding.SERVICE_NOTE,)),
        (
            {"buyer_message": "gift", "service_note": "VIP"},
            (ReviewFinding.BUYER_MESSAGE, ReviewFinding.SERVICE_NOTE),
        ),
    ],
)
def test_orders_with_a_message_or_note_go_to_a_person(
    notes: dict[str, str], findings: tuple[ReviewFinding, ...]
) -> None:
    [decision] = decide_review_batch([confirmed_order(**notes)]).decisions  # type: ignore[arg-type]
    assert decision.outcome is ReviewOutcome.NEEDS_PERSON
    assert decision.findings == findings


def test_unpaid_order_with_a_message_fails_rather_than_waiting_for_a_person() -> None:
    [decision] = decide_review_batch([confirmed_order(paid=False, buyer_message="hi")]).decisions
    assert decision.outcome is ReviewOutcome.FAILED


def test_orders_without_stock_fail_as_not_confirmed() -> None:
    result = decide_review_batch([backordered_order("O-1"), placed_order("O-2", paid=False)])
    assert [d.findings for d in result.decisions] == [
        (ReviewFinding.NOT_CONFIRMED,),
        (ReviewFinding.NOT_CONFIRMED, ReviewFinding.NOT_PAID),
    ]


def test_cancelled_orders_fail_and_orders_further_along_are_skipped() -> None:
    cancelled = confirmed_order("O-1")
    cancelled.cancel("", T0, CLERK)
    reviewed = confirmed_order("O-2")
    reviewed.review(T0, CLERK)
    result = decide_review_batch([cancelled, reviewed, shipped_order("O-3")])
    assert [d.outcome for d in result.decisions] == [
        ReviewOutcome.FAILED,
        ReviewOutcome.SKIPPED,
        ReviewOutcome.SKIPPED,
    ]


def test_results_keep_the_batch_order_and_leave_orders_unchanged() -> None:
    orders = [
        confirmed_order("O-3"),
        confirmed_order("O-1", paid=False),
        confirmed_order("O-2", service_note="x"),
    ]
    versions = [o.version for o in orders]
    result = decide_review_batch(orders)
    assert [d.order_id for d in result.decisions] == ["O-3", "O-1", "O-2"]
    assert result.ids_with(ReviewOutcome.NEEDS_PERSON) == ("O-2",)
    assert [o.version for o in orders] == versions


def test_passed_orders_can_then_be_reviewed() -> None:
    orders = [confirmed_order(f"O-{i}") for i in range(3)]
    result = decide_review_batch(orders)
    for order in orders:
        if order.order_id in result.passed_ids:
            assert order.review(T0, CLERK) is True
