"""Shipping: carrier and tracking rules, weight, payment, idempotent retries, split shipments."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.common.errors import FailedPrecondition, InvalidArgument
from services.orders.domain.intake import shipment_reservation_id
from services.orders.domain.shipping import ShippingPolicy
from services.orders.domain.status import OrderStatus, SagaState

from .factories import CLERK, T0, TRACKING, confirmed_order, shipped_order, weighed_order

NOW = T0 + timedelta(hours=2)


def test_ship_from_confirmed_ships_everything_and_owes_the_commit() -> None:
    order = confirmed_order()
    assert order.ship("SF", TRACKING, now=NOW, actor=CLERK, weight_grams=800) is True
    assert (order.status, order.saga) == (OrderStatus.SHIPPED, SagaState.COMMIT_PENDING)
    [parcel] = order.shipments
    assert parcel.quantity_by_line == {1: 2, 2: 1}
    assert (parcel.carrier, parcel.tracking_number, parcel.weight_grams) == ("SF", TRACKING, 800)
    assert parcel.address == order.customer.address
    assert parcel.shipped_at == NOW
    assert parcel.shipped_by == CLERK


def test_ship_from_every_later_fulfilment_step_is_allowed() -> None:
    assert weighed_order().ship("SF", TRACKING, now=NOW, actor=CLERK) is True


def test_ship_uses_the_weight_recorded_at_weighing() -> None:
    order = weighed_order()
    order.ship("SF", TRACKING, now=NOW, actor=CLERK)
    assert order.shipments[0].weight_grams == 800


def test_ship_without_any_weight_is_invalid_argument() -> None:
    with pytest.raises(InvalidArgument) as err:
        confirmed_order().ship("SF", TRACKING, now=NOW, actor=CLERK)
    assert err.value.violations[0].field == "weight_grams"


def test_weight_may_be_omitted_when_the_policy_does_not_require_it() -> None:
    order = confirmed_order()
    order.ship("SF", TRACKING, now=NOW, actor=CLERK, policy=ShippingPolicy(require_weight=False))
    assert order.shipments[0].weight_grams is None


@pytest.mark.parametrize(("grams", "ok"), [(0, False), (1, True), (50_000, True), (50_001, False)])
def test_weight_must_be_positive_and_within_the_maximum(grams: int, ok: bool) -> None:
    order = confirmed_order()
    if ok:
        order.ship("SF", TRACKING, now=NOW, actor=CLERK, weight_grams=grams)
    else:
        with pytest.raises(InvalidArgument):
            order.ship("SF", TRACKING, now=NOW, actor=CLERK, weight_grams=grams)


@pytest.mark.parametrize("tracking", ["", "   ", "12345", "x" * 41, "SF 123456", "SF#123456"])
def test_malformed_tracking_numbers_are_rejected(tracking: str) -> None:
    with pytest.raises(InvalidArgument) as err:
        confirmed_order().ship("SF", tracking, now=NOW, actor=CLERK, weight_grams=1)
    assert {v.field for v in err.value.violations} == {"tracking_number"}


@pytest.mark.parametrize("tracking", ["123456", "x" * 40, "1Z999AA-10123456784"])
def test_tracking_numbers_at_the_length_limits_are_accepted(tracking: str) -> None:
    assert confirmed_order().ship("SF", tracking, now=NOW, actor=CLERK, weight_grams=1)


@pytest.mark.parametrize("carrier", ["", "S F", "x" * 33, "顺丰"])
def test_malformed_carrier_codes_are_rejected(carrier: str) -> None:
    with pytest.raises(InvalidArgument) as err:
        confirmed_order().ship(carrier, TRACKING, now=NOW, actor=CLERK, weight_grams=1)
    assert {v.field for v in err.value.violations} == {"carrier"}


def test_carrier_code_is_upper_cased() -> None:
    order = confirmed_order()
    order.ship(" zto ", TRACKING, now=NOW, actor=CLERK, weight_grams=1)
    assert order.shipments[0].carrier == "ZTO"


def test_shipping_an_unpaid_order_is_refused() -> None:
    with pytest.raises(FailedPrecondition) as err:
        confirmed_order(paid=False).ship("SF", TRACKING, now=NOW, actor=CLERK, weight_grams=1)
    assert err.value.reason == "ORDER_NOT_PAID"


def test_unpaid_order_ships_when_the_policy_allows_cash_on_delivery() -> None:
    order = confirmed_order(paid=False)
    policy = ShippingPolicy(require_paid=False)
    assert order.ship("SF", TRACKING, now=NOW, actor=CLERK, weight_grams=1, policy=policy)


def test_shipping_a_backordered_order_is_refused_as_not_confirmed() -> None:
    from .factories import backordered_order

    with pytest.raises(FailedPrecondition) as err:
        backordered_order().ship("SF", TRACKING, now=NOW, actor=CLERK, weight_grams=1)
    assert err.value.reason == "ORDER_NOT_CONFIRMED"


def test_ship_again_with_the_same_tracking_is_a_no_op() -> None:
    order = shipped_order()
    version = order.version
    assert order.ship("sf", TRACKING, now=NOW, actor=CLERK) is False
    assert order.version == version
    assert len(order.shipments) == 1


def test_ship_again_after_delivery_with_the_same_tracking_is_a_no_op() -> None:
    order = shipped_order()
    order.confirm_delivery(NOW, CLERK)
    assert order.ship("SF", TRACKING, now=NOW, actor=CLERK, weight_grams=800) is False


def test_ship_again_with_another_tracking_number_is_refused() -> None:
    with pytest.raises(FailedPrecondition) as err:
        shipped_order().ship("SF", "SF9999999999", now=NOW, actor=CLERK, weight_grams=1)
    assert err.value.reason == "ORDER_ALREADY_SHIPPED"
    assert TRACKING in err.value.message


def test_ship_again_with_the_same_tracking_but_another_carrier_is_refused() -> None:
    with pytest.raises(FailedPrecondition) as err:
        shipped_order().ship("ZTO", TRACKING, now=NOW, actor=CLERK, weight_grams=1)
    assert err.value.reason == "TRACKING_NUMBER_ALREADY_USED"


def test_split_shipment_is_partially_shipped_until_the_last_unit_leaves() -> None:
    order = confirmed_order()  # line 1: 2 × TEA, line 2: 1 × CUP
    assert order.ship_parcel({1: 1}, "SF", "SF0000000001", now=NOW, actor=CLERK, weight_grams=300)
    assert (order.status, order.saga) == (OrderStatus.PARTIALLY_SHIPPED, SagaState.RESERVED)
    assert order.remaining_quantities() == {1: 1, 2: 1}
    assert order.ship_parcel(
        {1: 1, 2: 1}, "ZTO", "ZTO000000002", now=NOW, actor=CLERK, weight_grams=500
    )
    assert (order.status, order.saga) == (OrderStatus.SHIPPED, SagaState.COMMIT_PENDING)
    assert [s.shipment_no for s in order.shipments] == [1, 2]
    assert order.remaining_quantities() == {1: 0, 2: 0}


def test_ship_after_a_partial_parcel_sends_only_what_is_left() -> None:
    order = confirmed_order()
    order.ship_parcel({2: 1}, "SF", "SF0000000001", now=NOW, actor=CLERK, weight_grams=300)
    order.ship("SF", "SF0000000002", now=NOW, actor=CLERK, weight_grams=600)
    assert order.shipments[1].quantity_by_line == {1: 2}
    assert order.status is OrderStatus.SHIPPED


def test_a_parcel_cannot_carry_more_than_is_left() -> None:
    order = confirmed_order()
    order.ship_parcel({1: 1}, "SF", "SF0000000001", now=NOW, actor=CLERK, weight_grams=300)
    with pytest.raises(FailedPrecondition) as err:
        order.ship_parcel({1: 2}, "SF", "SF0000000002", now=NOW, actor=CLERK, weight_grams=300)
    assert err.value.reason == "SHIP_QUANTITY_EXCEEDS_REMAINING"
    assert "line 1: 2 asked, 1 left" in err.value.message


def test_a_parcel_carrying_exactly_what_is_left_ships_the_order() -> None:
    order = confirmed_order()
    order.ship_parcel({1: 2, 2: 1}, "SF", TRACKING, now=NOW, actor=CLERK, weight_grams=300)
    assert order.status is OrderStatus.SHIPPED


@pytest.mark.parametrize("quantities", [{}, {3: 1}, {1: 0}, {1: -1}])
def test_parcel_contents_must_name_existing_lines_and_positive_units(
    quantities: dict[int, int],
) -> None:
    with pytest.raises(InvalidArgument):
        confirmed_order().ship_parcel(
            quantities, "SF", TRACKING, now=NOW, actor=CLERK, weight_grams=300
        )


def test_retried_parcel_is_a_no_op_and_a_reused_tracking_number_is_refused() -> None:
    order = confirmed_order()
    order.ship_parcel({1: 1}, "SF", "SF0000000001", now=NOW, actor=CLERK, weight_grams=300)
    assert not order.ship_parcel(
        {1: 1}, "SF", "SF0000000001", now=NOW, actor=CLERK, weight_grams=300
    )
    with pytest.raises(FailedPrecondition) as err:
        order.ship_parcel({2: 1}, "SF", "SF0000000001", now=NOW, actor=CLERK, weight_grams=300)
    assert err.value.reason == "TRACKING_NUMBER_ALREADY_USED"


def test_shipping_the_rest_with_an_earlier_parcels_tracking_number_is_refused() -> None:
    order = confirmed_order()
    order.ship_parcel({1: 1}, "SF", "SF0000000001", now=NOW, actor=CLERK, weight_grams=300)
    with pytest.raises(FailedPrecondition) as err:
        order.ship("SF", "SF0000000001", now=NOW, actor=CLERK, weight_grams=300)
    assert err.value.reason == "TRACKING_NUMBER_ALREADY_USED"
    assert order.status is OrderStatus.PARTIALLY_SHIPPED


def test_a_parcel_may_go_to_another_address() -> None:
    order = confirmed_order()
    order.ship_parcel(
        {2: 1}, "SF", TRACKING, now=NOW, actor=CLERK, weight_grams=300, address="北京市 3 号"
    )
    assert order.shipments[0].address == "北京市 3 号"
    assert order.customer.address != "北京市 3 号"


def test_address_and_carrier_may_change_between_parcels() -> None:
    order = confirmed_order()
    order.ship_parcel({2: 1}, "SF", TRACKING, now=NOW, actor=CLERK, weight_grams=300)
    assert order.change_address("新地址 9 号", NOW, CLERK)
    assert order.change_carrier("EMS", NOW, CLERK)


def test_parcel_reservation_ids_follow_shipment_numbers() -> None:
    order = confirmed_order()
    order.ship_parcel({2: 1}, "SF", TRACKING, now=NOW, actor=CLERK, weight_grams=300)
    number = order.shipments[0].shipment_no
    assert shipment_reservation_id(order.order_id, number) == "shp-O-1-1"
