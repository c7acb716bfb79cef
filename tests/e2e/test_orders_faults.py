"""Fault test: with inventory stopped, orders are still accepted and kept PENDING; once it is back
they reach CONFIRMED or BACKORDERED with nobody acting, and inventory's reserved units equal the
active orders' quantities exactly (no order lost, nothing reserved twice, nothing leaked)."""

from __future__ import annotations

import pytest

from tests.e2e.test_orders_support import Shop, eventually
from tests.support.system import RunningSystem

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture(scope="module")
def shop(system: RunningSystem, admin_token: str) -> Shop:
    return Shop(system, admin_token)


def test_orders_placed_while_inventory_is_down_settle_when_it_returns(
    system: RunningSystem, shop: Shop
) -> None:
    warehouse, sku = shop.warehouse(), shop.sku()
    shop.receive(warehouse, {sku: 5})
    system.local.stop_process("inventory")
    try:
        placed = [shop.place({sku: 2}) for _ in range(3)]  # 6 units asked, 5 on hand
        assert {(o["status"], o["stockStep"]) for o in placed} == {("PENDING", "RESERVE_PENDING")}
        dropped = shop.place({sku: 1})
        cancelled = shop.act(dropped["orderId"], "cancel", {"reason": "duplicate order"})
        assert (cancelled["status"], cancelled["stockStep"]) == ("CANCELLED", "RELEASE_PENDING")
        again = shop.place({sku: 2}, externalOrderId=placed[0]["externalOrderId"])
        assert again["orderId"] == placed[0]["orderId"]  # a retry while down: still one order
    finally:
        system.local.restart_service("inventory")

    settled = [
        shop.status_becomes(o["orderId"], "CONFIRMED", "BACKORDERED", timeout=90) for o in placed
    ]
    statuses = sorted(o["status"] for o in settled)
    assert statuses == ["BACKORDERED", "CONFIRMED", "CONFIRMED"]
    active = sum(
        line["quantity"] for o in settled if o["status"] == "CONFIRMED" for line in o["lines"]
    )
    assert eventually(lambda: shop.stock(sku)[1] == active and shop.stock(sku)) == (5, 4, 1)
    assert shop.order(dropped["orderId"])["status"] == "CANCELLED"
