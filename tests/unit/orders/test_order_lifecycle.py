"""Order status and saga: placement, stock answers, fulfilment steps, cancel, delivery."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from services.common.errors import FailedPrecondition, InvalidArgument
from services.orders.domain.order import Order
from services.orders.domain.order_record import InventoryCall
from services.orders.domain.status import (
    ACTION_RULES,
    LEGAL_SAGA_STATES,
    ORDER_TRANSITIONS,
    SAGA_TRANSITIONS,
    OrderAction,
    OrderStatus,
    SagaState,
)

from .factories import (
    CLERK,
    T0,
    TRACKING,
    an_intake,
    backordered_order,
    confirmed_order,
    delivered_order,
    placed_order,
    shipped_order,
    weighed_order,
)

LATER = T0 + timedelta(minutes=5)


def test_placed_order_is_pending_and_owes_a_reservation() -> None:
    order = placed_order()
    assert (order.status, order.saga) == (OrderStatus.PENDING, SagaState.RESERVE_PENDING)
    step = order.pending_inventory_step()
    assert step is not None
    assert step.call is InventoryCall.RESERVE
    assert step.reservation_id == "ord-O-1"
    assert step.lines == (("CUP-E", 1), ("TEA-LJ-250", 2))
    assert order.history[0].from_status is None
    assert order.history[0].to_status is OrderStatus.PENDING


def test_reservation_lines_add_up_lines_of_the_same_sku() -> None:
    order = placed_order(lines=[("TEA", 1, 100), ("TEA", 2, 90)])
    assert order.reservation_lines() == (("TEA", 3),)


def test_place_requires_timezone_aware_now() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Order.place("O-1", an_intake(), datetime(2024, 5, 6, 9, 0))


def test_place_rejects_a_malformed_order_id() -> None:
    with pytest.raises(InvalidArgument):
        Order.place("O 1", an_intake(), T0)


def test_paid_order_is_paid_at_placement() -> None:
    assert placed_order().paid_at == T0
    assert placed_order(paid=False).paid_at is None


def test_reserved_stock_confirms_the_order() -> None:
    order = placed_order()
    assert order.record_reserved(LATER) is True
    assert (order.status, order.saga) == (OrderStatus.CONFIRMED, SagaState.RESERVED)
    assert order.confirmed_at == LATER
    assert order.pending_inventory_step() is None


def test_duplicate_reservation_answer_is_a_no_op() -> None:
    order = confirmed_order()
    version = order.version
    assert order.record_reserved(LATER) is False
    assert order.version == version


def test_short_stock_backorders_the_order_with_nothing_reserved() -> None:
    order = placed_order()
    assert order.record_backordered(LATER) is True
    assert (order.status, order.saga) == (OrderStatus.BACKORDERED, SagaState.BACKORDERED)
    assert order.pending_inventory_step() is None


def test_backordered_order_is_confirmed_when_stock_arrives() -> None:
    order = backordered_order()
    assert order.begin_reservation_retry(LATER) is True
    assert order.saga is SagaState.RESERVE_PENDING
    assert order.status is OrderStatus.BACKORDERED
    assert order.record_reserved(LATER) is True
    assert (order.status, order.saga) == (OrderStatus.CONFIRMED, SagaState.RESERVED)


def test_retry_that_is_still_short_keeps_the_order_backordered() -> None:
    order = backordered_order()
    order.begin_reservation_retry(LATER)
    assert order.record_backordered(LATER) is True
    assert (order.status, order.saga) == (OrderStatus.BACKORDERED, SagaState.BACKORDERED)
    # No second BACKORDERED history entry: the status did not change.
    assert [h.to_status for h in order.history].count(OrderStatus.BACKORDERED) == 1


def test_retry_begun_twice_is_a_no_op() -> None:
    order = backordered_order()
    order.begin_reservation_retry(LATER)
    assert order.begin_reservation_retry(LATER) is False


def test_only_backordered_orders_wait_for_stock() -> None:
    with pytest.raises(FailedPrecondition) as err:
        confirmed_order().begin_reservation_retry(LATER)
    assert err.value.reason == "ORDER_NOT_BACKORDERED"


def test_stale_short_stock_answer_after_reservation_is_ignored() -> None:
    order = confirmed_order()
    assert order.record_backordered(LATER) is False
    assert order.status is OrderStatus.CONFIRMED


def test_late_reservation_success_after_a_stale_short_answer_still_confirms() -> None:
    order = backordered_order()
    assert order.record_reserved(LATER) is True
    assert order.status is OrderStatus.CONFIRMED


def test_cancel_releases_the_reservation() -> None:
    order = confirmed_order()
    assert order.cancel("customer changed mind", LATER, CLERK) is True
    assert (order.status, order.saga) == (OrderStatus.CANCELLED, SagaState.RELEASE_PENDING)
    step = order.pending_inventory_step()
    assert step is not None
    assert step.call is InventoryCall.RELEASE
    assert order.record_released(LATER) is True
    assert order.saga is SagaState.RELEASED
    assert order.record_released(LATER) is False
    assert order.cancel_reason == "customer changed mind"


def test_cancel_of_a_backordered_order_has_nothing_to_release() -> None:
    order = backordered_order()
    order.cancel("", LATER, CLERK)
    assert order.saga is SagaState.RELEASED
    assert order.pending_inventory_step() is None


def test_cancel_while_the_reservation_is_in_flight_releases_to_be_safe() -> None:
    order = placed_order()
    order.cancel("duplicate", LATER, CLERK)
    assert order.saga is SagaState.RELEASE_PENDING


def test_cancel_of_a_cancelled_order_is_a_no_op_success() -> None:
    order = confirmed_order()
    order.cancel("first", LATER, CLERK)
    version = order.version
    assert order.cancel("again", LATER, CLERK) is False
    assert order.version == version
    assert order.cancel_reason == "first"


def test_reservation_answer_after_cancel_and_release_owes_a_release_again() -> None:
    order = placed_order()
    order.cancel("", LATER, CLERK)
    order.record_released(LATER + timedelta(minutes=1))
    assert order.record_reserved(LATER) is True
    assert order.status is OrderStatus.CANCELLED
    assert order.saga is SagaState.RELEASE_PENDING


def test_reservation_answer_after_cancel_before_release_changes_nothing() -> None:
    order = placed_order()
    order.cancel("", LATER, CLERK)
    assert order.record_reserved(LATER) is False
    assert order.saga is SagaState.RELEASE_PENDING


def test_release_while_a_reservation_may_still_land_stays_owed() -> None:
    order = placed_order()
    order.cancel("duplicate", LATER, CLERK, late_reserve_window=timedelta(seconds=30))
    assert order.release_in_doubt_until == LATER + timedelta(seconds=30)
    assert order.record_released(LATER + timedelta(seconds=29)) is False
    assert order.saga is SagaState.RELEASE_PENDING
    assert order.record_released(LATER + timedelta(seconds=30)) is True
    assert order.saga is SagaState.RELEASED


def test_release_of_a_confirmed_order_is_not_in_doubt() -> None:
    order = confirmed_order()
    order.cancel("changed mind", LATER, CLERK)
    assert order.release_in_doubt_until is None
    assert order.record_released(LATER) is True


def test_short_stock_answer_after_cancel_changes_nothing() -> None:
    order = placed_order()
    order.cancel("", LATER, CLERK)
    assert order.record_backordered(LATER) is False


@pytest.mark.parametrize("build", [confirmed_order, weighed_order], ids=["confirmed", "weighed"])
def test_cancel_is_allowed_before_shipping(build: object) -> None:
    order = build()  # type: ignore[operator]
    assert order.cancel("", LATER, CLERK) is True


@pytest.mark.parametrize("build", [shipped_order, delivered_order], ids=["shipped", "delivered"])
def test_cancel_after_shipping_names_the_status_and_what_is_allowed(build: object) -> None:
    order = build()  # type: ignore[operator]
    with pytest.raises(FailedPrecondition) as err:
        order.cancel("", LATER, CLERK)
    assert err.value.reason == "ORDER_ALREADY_SHIPPED"
    assert f"is {order.status.value}" in err.value.message
    assert "PENDING, BACKORDERED, CONFIRMED" in err.value.message
    assert err.value.metadata["current_status"] == order.status.value


def test_cancel_after_the_first_parcel_of_a_split_shipment_is_refused() -> None:
    order = confirmed_order()
    order.ship_parcel({1: 1}, "SF", TRACKING, now=LATER, actor=CLERK, weight_grams=300)
    with pytest.raises(FailedPrecondition) as err:
        order.cancel("", LATER, CLERK)
    assert err.value.reason == "ORDER_PARTIALLY_SHIPPED"


def test_actions_on_a_cancelled_order_are_refused_as_cancelled() -> None:
    order = confirmed_order()
    order.cancel("", LATER, CLERK)
    with pytest.raises(FailedPrecondition) as err:
        order.pick(LATER, CLERK)
    assert err.value.reason == "ORDER_CANCELLED"


def test_fulfilment_before_confirmation_is_refused_as_not_confirmed() -> None:
    with pytest.raises(FailedPrecondition) as err:
        backordered_order().pick(LATER, CLERK)
    assert err.value.reason == "ORDER_NOT_CONFIRMED"


def test_fulfilment_steps_run_in_order_and_record_history() -> None:
    order = weighed_order()
    assert order.status is OrderStatus.WEIGHED
    steps = [h.to_status for h in order.history if h.to_status is not h.from_status]
    assert steps == [
        OrderStatus.PENDING,
        OrderStatus.CONFIRMED,
        OrderStatus.REVIEWED,
        OrderStatus.PICKED,
        OrderStatus.VERIFIED,
        OrderStatus.PACKED,
        OrderStatus.WEIGHED,
    ]
    assert all(h.actor for h in order.history)


def test_review_is_optional_picking_may_start_from_confirmed() -> None:
    order = confirmed_order()
    assert order.pick(LATER, CLERK) is True


def test_fulfilment_steps_never_go_backwards() -> None:
    order = weighed_order()
    with pytest.raises(FailedPrecondition) as err:
        order.pick(LATER, CLERK)
    assert err.value.reason == "ILLEGAL_ORDER_TRANSITION"
    assert "picking is allowed only from CONFIRMED, REVIEWED" in err.value.message


def test_repeating_a_fulfilment_step_is_a_no_op() -> None:
    order = confirmed_order()
    order.pick(LATER, CLERK)
    assert order.pick(LATER, CLERK) is False


def test_review_requires_payment() -> None:
    order = confirmed_order(paid=False)
    with pytest.raises(FailedPrecondition) as err:
        order.review(LATER, CLERK)
    assert err.value.reason == "ORDER_NOT_PAID"


def test_review_of_an_order_with_a_buyer_message_needs_a_person() -> None:
    order = confirmed_order(buyer_message="please send SF")
    with pytest.raises(FailedPrecondition) as err:
        order.review(LATER, CLERK)
    assert err.value.reason == "REVIEW_NEEDS_PERSON"
    assert order.review(LATER, CLERK, notes_checked=True) is True
    assert order.review(LATER, CLERK) is False


def test_payment_recorded_later_allows_review() -> None:
    order = confirmed_order(paid=False)
    assert order.mark_paid(LATER, CLERK) is True
    assert order.paid_at == LATER
    assert order.mark_paid(LATER, CLERK) is False
    assert order.review(LATER, CLERK) is True


def test_payment_cannot_be_recorded_on_a_cancelled_order() -> None:
    order = confirmed_order(paid=False)
    order.cancel("", LATER, CLERK)
    with pytest.raises(FailedPrecondition):
        order.mark_paid(LATER, CLERK)


def test_wave_reference_time_is_the_later_of_payment_and_confirmation() -> None:
    order = placed_order(paid=False)
    assert order.wave_reference_time() is None
    order.record_reserved(T0 + timedelta(minutes=1))
    assert order.wave_reference_time() is None
    order.mark_paid(T0 + timedelta(minutes=30), CLERK)
    assert order.wave_reference_time() == T0 + timedelta(minutes=30)
    assert confirmed_order().wave_reference_time() == T0 + timedelta(seconds=1)


def test_delivery_confirmation_follows_shipping_and_is_idempotent() -> None:
    order = shipped_order()
    assert order.confirm_delivery(LATER, CLERK) is True
    assert order.status is OrderStatus.DELIVERED
    assert order.delivered_at == LATER
    assert order.confirm_delivery(LATER, CLERK) is False


def test_delivery_cannot_be_confirmed_before_shipping() -> None:
    with pytest.raises(FailedPrecondition):
        confirmed_order().confirm_delivery(LATER, CLERK)


def test_commit_is_owed_after_shipping_and_recorded_once() -> None:
    order = shipped_order()
    step = order.pending_inventory_step()
    assert step is not None
    assert step.call is InventoryCall.COMMIT
    assert order.record_committed(LATER) is True
    assert order.saga is SagaState.COMMITTED
    assert order.record_committed(LATER) is False


def test_commit_answer_without_a_commit_owed_is_an_illegal_saga_move() -> None:
    with pytest.raises(FailedPrecondition) as err:
        confirmed_order().record_committed(LATER)
    assert err.value.reason == "ILLEGAL_SAGA_TRANSITION"


def test_release_answer_without_a_release_owed_is_an_illegal_saga_move() -> None:
    with pytest.raises(FailedPrecondition):
        confirmed_order().record_released(LATER)


def test_address_change_before_shipping_keeps_personal_data_out_of_history() -> None:
    order = weighed_order()
    assert order.change_address("上海市浦东新区 2 号", LATER, CLERK) is True
    assert order.customer.address == "上海市浦东新区 2 号"
    assert order.history[-1].note == "delivery address changed"
    assert order.change_address("上海市浦东新区 2 号", LATER, CLERK) is False


def test_address_change_after_shipping_is_refused() -> None:
    with pytest.raises(FailedPrecondition) as err:
        shipped_order().change_address("elsewhere", LATER, CLERK)
    assert err.value.reason == "ORDER_ALREADY_SHIPPED"


def test_carrier_change_is_normalised_and_refused_after_shipping() -> None:
    order = confirmed_order()
    assert order.change_carrier("zto", LATER, CLERK) is True
    assert order.carrier == "ZTO"
    assert order.change_carrier("ZTO", LATER, CLERK) is False
    with pytest.raises(FailedPrecondition):
        shipped_order().change_carrier("YTO", LATER, CLERK)


def test_empty_address_is_invalid_argument() -> None:
    with pytest.raises(InvalidArgument):
        confirmed_order().change_address("  ", LATER, CLERK)


def test_handler_attribution_is_an_employee_code() -> None:
    order = confirmed_order()
    order.assign_handler("E1002")
    assert order.handled_by == "E1002"
    with pytest.raises(InvalidArgument):
        order.assign_handler("not a code")


def test_actor_is_required() -> None:
    with pytest.raises(InvalidArgument):
        confirmed_order().pick(LATER, " ")


def test_status_tables_agree_with_each_other() -> None:
    # Every status an action leads to is reachable in the transition graph, and every status has
    # a row in each table.
    assert set(ORDER_TRANSITIONS) == set(OrderStatus) == set(LEGAL_SAGA_STATES)
    assert set(SAGA_TRANSITIONS) == set(SagaState)
    assert set(ACTION_RULES) == set(OrderAction)
    assert ORDER_TRANSITIONS[OrderStatus.DELIVERED] == frozenset()
    assert ORDER_TRANSITIONS[OrderStatus.CANCELLED] == frozenset()
    for status in ACTION_RULES[OrderAction.CANCEL].allowed_from:
        assert OrderStatus.CANCELLED in ORDER_TRANSITIONS[status]
    for status in ACTION_RULES[OrderAction.SHIP].allowed_from:
        assert OrderStatus.SHIPPED in ORDER_TRANSITIONS[status]


def test_unknown_status_name_is_invalid_argument() -> None:
    with pytest.raises(InvalidArgument) as err:
        OrderStatus.parse("LOST")
    assert err.value.violations[0].field == "status"


def test_pending_saga_steps_are_the_reconcilers_work_list() -> None:
    pending = {s for s in SagaState if s.is_pending}
    assert pending == {
        SagaState.RESERVE_PENDING,
        SagaState.RELEASE_PENDING,
        SagaState.COMMIT_PENDING,
    }


def test_order_may_be_attributed_at_placement() -> None:
    order = Order.place("O-1", an_intake(), T0, handled_by="E1001")
    assert order.handled_by == "E1001"
    with pytest.raises(InvalidArgument):
        Order.place("O-1", an_intake(), T0, handled_by="E 1001")


def test_asking_for_an_unknown_line_names_the_existing_lines() -> None:
    with pytest.raises(InvalidArgument) as err:
        placed_order().line(3)
    assert "lines 1–2" in err.value.message
