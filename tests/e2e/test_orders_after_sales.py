"""After-sales and the special cases through the gateway with the real inventory: returns with a
quality problem (refund, goods back as sellable or defective), exchanges (replacement shipped),
refused customer damage, logistics exceptions, complaints, ratings, split shipments, invoices."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.test_orders_support import PRICE, Shop, eventually, uid
from tests.support.system import RunningSystem

pytestmark = pytest.mark.e2e

CS, KEEPER, QC, STATS = "E3101", "E4101", "E5101", "E6101"


@pytest.fixture(scope="module")
def shop(system: RunningSystem, admin_token: str) -> Shop:
    return Shop(system, admin_token)


def as_employee(system: RunningSystem, subject: str) -> Shop:
    return Shop(system, system.tokens.token(permissions=["*"], subject=subject))


def shipped(shop: Shop, units: int, stock: int = 10) -> tuple[str, dict[str, Any]]:
    sku = shop.stocked_sku(stock)
    order = shop.place({sku: units})
    done = shop.act(
        order["orderId"], "ship", {"carrier": "SF", "trackingNumber": uid("SF"), "weightGrams": 700}
    )
    return sku, done


def defective_units(shop: Shop, sku: str) -> int:
    level = shop.call("GET", f"/v1/skus/{sku}/stock")
    return sum(int(w.get("onHand", 0)) for w in level["warehouses"] if w.get("kind") == "DEFECTIVE")


def open_request(
    system: RunningSystem, order_id: str, kind: str, reason: str, units: int, expect: int = 200
) -> Any:
    return as_employee(system, CS).call(
        "POST",
        f"/v1/orders/{order_id}/afterSales",
        {
            "requestId": uid("RMA"),
            "kind": kind,
            "reason": reason,
            "lines": [{"lineNo": 1, "quantity": units}],
            "description": "tea leaves arrived mouldy",
        },
        expect=expect,
    )


def receive_and_inspect(
    system: RunningSystem, request_id: str, sellable: int, defective: int
) -> Any:
    as_employee(system, KEEPER).call(
        "POST",
        f"/v1/afterSales/{request_id}:receive",
        {"lines": [{"lineNo": 1, "quantity": sellable + defective}]},
    )
    return as_employee(system, QC).call(
        "POST",
        f"/v1/afterSales/{request_id}:inspect",
        {
            "verdict": "RETURNABLE",
            "dispositions": [{"lineNo": 1, "sellable": sellable, "defective": defective}],
            "note": "one tin dented, one fine",
        },
    )


def test_quality_return_is_refunded_and_goods_go_back_as_qc_classed_them(
    system: RunningSystem, shop: Shop
) -> None:
    sku, order = shipped(shop, 3)
    assert shop.stock(sku) == (7, 0, 7)
    before_defective = defective_units(shop, sku)
    request = open_request(system, order["orderId"], "RETURN", "QUALITY_PROBLEM", 2)
    assert (request["status"], request["handledBy"]) == ("OPENED", CS)
    request_id = request["requestId"]
    inspected = receive_and_inspect(system, request_id, sellable=1, defective=1)
    assert inspected["status"] == "INSPECTED"
    approved = as_employee(system, STATS).call("POST", f"/v1/afterSales/{request_id}:approve", {})
    assert approved["status"] == "APPROVED"
    assert approved["stockReturnStep"] == "RETURNED"
    assert shop.stock(sku) == (8, 0, 8)  # the sellable unit is back on sale
    assert defective_units(shop, sku) == before_defective + 1
    again = as_employee(system, STATS).call("POST", f"/v1/afterSales/{request_id}:approve", {})
    assert again["status"] == "APPROVED"  # a retried approval changes nothing
    assert shop.stock(sku) == (8, 0, 8)  # and books nothing twice
    refunded = as_employee(system, CS).call(
        "POST",
        f"/v1/afterSales/{request_id}:refund",
        {"refundId": uid("RF"), "reason": "mouldy tea confirmed by QC"},
    )
    assert refunded["status"] == "REFUNDED"
    assert refunded["refund"]["total"] == {"currencyCode": "CNY", "amountMinor": str(2 * PRICE)}
    assert refunded["refund"]["reason"] == "mouldy tea confirmed by QC"
    refunds = shop.call("GET", f"/v1/orders/{order['orderId']}/refunds")["refunds"]
    assert [r["refundId"] for r in refunds] == [refunded["refund"]["refundId"]]


def test_exchange_ships_a_replacement_marked_exchange(system: RunningSystem, shop: Shop) -> None:
    sku, order = shipped(shop, 1)
    request_id = open_request(system, order["orderId"], "EXCHANGE", "WRONG_SPEC", 1)["requestId"]
    receive_and_inspect(system, request_id, sellable=1, defective=0)
    as_employee(system, STATS).call("POST", f"/v1/afterSales/{request_id}:approve", {})
    on_hand = shop.stock(sku)[0]
    replaced = as_employee(system, KEEPER).call(
        "POST",
        f"/v1/afterSales/{request_id}:shipReplacement",
        {"carrier": "SF", "trackingNumber": "SF3300000001"},
    )
    assert replaced["status"] == "REPLACEMENT_SHIPPED"
    assert replaced["replacement"]["remark"] == "EXCHANGE"
    assert replaced["replacement"]["items"] == [{"skuCode": sku, "quantity": 1}]
    assert replaced["replacementStep"] == "COMMITTED"
    assert shop.stock(sku)[0] == on_hand - 1  # the replacement left stock


def test_customer_damage_is_refused_with_a_message(system: RunningSystem, shop: Shop) -> None:
    _, order = shipped(shop, 2)
    refused = open_request(system, order["orderId"], "RETURN", "CUSTOMER_DAMAGE", 1, expect=400)
    assert refused["code"] == 9
    assert "damage caused by the customer is not accepted" in refused["message"]
    request_id = open_request(system, order["orderId"], "RETURN", "QUALITY_PROBLEM", 1)["requestId"]
    as_employee(system, KEEPER).call(
        "POST", f"/v1/afterSales/{request_id}:receive", {"lines": [{"lineNo": 1, "quantity": 1}]}
    )
    rejected = as_employee(system, QC).call(
        "POST",
        f"/v1/afterSales/{request_id}:inspect",
        {"verdict": "CUSTOMER_DAMAGE", "note": "tin crushed, seal broken by hand"},
    )
    assert rejected["status"] == "REJECTED"
    assert "customer" in rejected["rejectionReason"]
    refund = shop.raw(
        "POST", f"/v1/afterSales/{request_id}:refund", {"refundId": uid("RF"), "reason": "x"}
    )
    assert (refund.status, refund.body["code"]) == (400, 9)


def test_returning_more_than_was_shipped_is_refused_and_changes_nothing(
    system: RunningSystem, shop: Shop
) -> None:
    _, order = shipped(shop, 2)
    refused = open_request(system, order["orderId"], "RETURN", "WRONG_COLOR", 3, expect=400)
    assert refused["code"] == 9
    assert "shipped" in refused["message"]
    listed = shop.call("GET", f"/v1/afterSales?order_id={order['orderId']}")
    assert listed["requests"] == []


def test_logistics_exception_is_worked_and_the_customer_told(
    system: RunningSystem, shop: Shop
) -> None:
    _, order = shipped(shop, 1)
    exception_id = uid("LX")
    opened = shop.call(
        "POST",
        f"/v1/orders/{order['orderId']}/exceptions",
        {
            "exceptionId": exception_id,
            "kind": "DELAY",
            "description": "stuck at the hub for 3 days",
        },
    )
    assert (opened["status"], opened["trackingNumber"]) == (
        "OPEN",
        order["shipment"]["trackingNumber"],
    )
    shop.call("POST", f"/v1/exceptions/{exception_id}:start", {})
    early = shop.raw(
        "POST", f"/v1/exceptions/{exception_id}:resolve", {"resolution": "DELIVERED_LATE"}
    )
    assert (early.status, early.body["code"]) == (400, 9)  # the customer must be told first
    notified = shop.call("POST", f"/v1/exceptions/{exception_id}:notifyCustomer", {})
    assert notified["customerNotifyTime"]
    resolved = shop.call(
        "POST",
        f"/v1/exceptions/{exception_id}:resolve",
        {"resolution": "DELIVERED_LATE", "note": "arrived on day 5"},
    )
    assert (resolved["status"], resolved["resolution"]) == ("RESOLVED", "DELIVERED_LATE")
    compensation = shop.call(
        "POST",
        f"/v1/orders/{order['orderId']}/refunds",
        {
            "refundId": uid("RF"),
            "lines": [{"lineNo": 1, "amount": {"currencyCode": "CNY", "amountMinor": 300}}],
            "reason": "late delivery compensation",
            "source": exception_id,
        },
    )
    assert compensation["total"]["amountMinor"] == "300"
    too_much = shop.raw(
        "POST",
        f"/v1/orders/{order['orderId']}/refunds",
        {
            "refundId": uid("RF"),
            "lines": [{"lineNo": 1, "amount": {"currencyCode": "CNY", "amountMinor": PRICE}}],
            "reason": "more than was paid",
        },
    )
    assert (too_much.status, too_much.body["code"]) == (400, 9)


def test_complaints_and_ratings_are_tracked_with_their_handler(
    system: RunningSystem, shop: Shop
) -> None:
    _, order = shipped(shop, 1)
    complaint_id = uid("CP")
    cs = as_employee(system, CS)
    opened = cs.call(
        "POST",
        "/v1/complaints",
        {
            "complaintId": complaint_id,
            "kind": "DISPUTE",
            "description": "buyer says the box was empty",
            "orderId": order["orderId"],
        },
    )
    assert (opened["status"], opened["handledBy"]) == ("OPEN", CS)
    cs.call("POST", f"/v1/complaints/{complaint_id}:start", {})
    ended = cs.call(
        "POST",
        f"/v1/complaints/{complaint_id}:resolve",
        {"resolution": "weighing record showed 700 g; platform ruled for the shop"},
    )
    assert ended["status"] == "RESOLVED"
    mine = shop.call("GET", f"/v1/complaints?handled_by={CS}&status=RESOLVED")
    assert complaint_id in [c["complaintId"] for c in mine["complaints"]]
    rating = shop.call(
        "POST", f"/v1/orders/{order['orderId']}/rating", {"rating": 5, "comment": "great tea"}
    )
    assert (rating["rating"], rating["positive"]) == (5, True)
    different = shop.raw("POST", f"/v1/orders/{order['orderId']}/rating", {"rating": 2})
    assert (different.status, different.body["code"]) == (409, 6)


def test_split_shipment_address_change_and_invoice(shop: Shop) -> None:
    sku = shop.stocked_sku(10)
    other = shop.stocked_sku(10)
    order = shop.place({sku: 2, other: 1})
    order_id = order["orderId"]
    changed = shop.act(order_id, "changeAddress", {"address": "上海市黄浦区南京东路 100 号"})
    assert changed["history"][-1]["note"] == "delivery address changed"
    assert shop.act(order_id, "changeCarrier", {"carrier": "zto"})["carrier"] == "ZTO"
    first = shop.act(
        order_id,
        "shipParcel",
        {
            "lines": [{"lineNo": 1, "quantity": 2}],
            "carrier": "ZTO",
            "trackingNumber": uid("ZT"),
            "weightGrams": 500,
        },
    )
    assert first["status"] == "PARTIALLY_SHIPPED"
    assert shop.stock(sku) == (10, 2, 8)  # the reservation is committed with the last parcel
    last = shop.act(
        order_id,
        "shipParcel",
        {
            "lines": [{"lineNo": 2, "quantity": 1}],
            "carrier": "ZTO",
            "trackingNumber": uid("ZT"),
            "weightGrams": 300,
        },
    )
    assert (last["status"], len(last["shipments"])) == ("SHIPPED", 2)
    eventually(lambda: shop.stock(sku) == (8, 0, 8) and shop.stock(other) == (9, 0, 9))
    invoice = shop.call(
        "POST",
        f"/v1/orders/{order_id}/invoices",
        {"invoiceId": uid("INV"), "title": "杭州茶叶有限公司", "taxId": "91330100MA2XXXXX1X"},
    )
    assert invoice["amount"]["amountMinor"] == str(3 * PRICE)
