"""Short stock → BACKORDERED → a receipt completes in inventory → CONFIRMED automatically, in the
order the backorders arrived, with nobody acting on the orders."""

from __future__ import annotations

import time

import pytest

from tests.e2e.test_orders_support import Shop
from tests.support.system import RunningSystem

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def shop(system: RunningSystem, admin_token: str) -> Shop:
    return Shop(system, admin_token)


def test_backorders_are_confirmed_in_arrival_order_when_stock_is_received(shop: Shop) -> None:
    warehouse, sku = shop.warehouse(), shop.sku()
    shop.receive(warehouse, {sku: 1})
    first = shop.place({sku: 2})
    second = shop.place({sku: 2})
    assert (first["status"], second["status"]) == ("BACKORDERED", "BACKORDERED")
    assert first["stockStep"] == "BACKORDERED"
    assert shop.stock(sku) == (1, 0, 1)  # nothing reserved for a backorder

    shop.receive(warehouse, {sku: 2})  # 3 on hand: enough for the older order only
    confirmed = shop.status_becomes(first["orderId"], "CONFIRMED")
    assert confirmed["stockStep"] == "RESERVED"
    time.sleep(2)  # the younger order must still be waiting, not have jumped the queue
    assert shop.order(second["orderId"])["status"] == "BACKORDERED"
    assert shop.stock(sku) == (3, 2, 1)

    shop.receive(warehouse, {sku: 1})
    later = shop.status_becomes(second["orderId"], "CONFIRMED")
    assert later["confirmTime"] >= confirmed["confirmTime"]
    assert shop.stock(sku) == (4, 4, 0)
    history = [h["toStatus"] for h in later["history"]]
    assert history == ["PENDING", "BACKORDERED", "CONFIRMED"]


def test_a_backorder_confirmed_together_keeps_oldest_first(shop: Shop) -> None:
    warehouse, sku = shop.warehouse(), shop.sku()
    shop.receive(warehouse, {sku: 1})
    ids = [shop.place({sku: 2})["orderId"] for _ in range(3)]
    shop.receive(warehouse, {sku: 5})  # 6 on hand: all three fit
    confirmed = [shop.status_becomes(order_id, "CONFIRMED") for order_id in ids]
    times = [o["confirmTime"] for o in confirmed]
    assert times == sorted(times)
    assert shop.stock(sku) == (6, 6, 0)


def test_cancelling_a_backorder_needs_no_release(shop: Shop) -> None:
    sku = shop.stocked_sku(0)
    order = shop.place({sku: 1})
    cancelled = shop.act(order["orderId"], "cancel", {"reason": "no longer wanted"})
    assert (cancelled["status"], cancelled["stockStep"]) == ("CANCELLED", "RELEASED")
