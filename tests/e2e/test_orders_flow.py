"""Orders through the gateway with the real inventory: the whole fulfilment path, cancellation,
idempotent intake, confidentiality, queries — over REST and gRPC."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import grpc
import pytest
from storeops.common.v1 import money_pb2
from storeops.orders.v1 import events_pb2 as ev
from storeops.orders.v1 import orders_service_pb2 as pb
from storeops.orders.v1 import orders_service_pb2_grpc as pb_grpc
from storeops.orders.v1 import resources_pb2 as res

from tests.e2e.test_orders_support import PRICE, Shop, eventually, orders_db, uid
from tests.support.system import RunningSystem

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def shop(system: RunningSystem, admin_token: str) -> Shop:
    return Shop(system, admin_token)


def test_order_goes_from_placed_to_delivered_through_every_warehouse_step(shop: Shop) -> None:
    sku = shop.stocked_sku(10)
    order = shop.place({sku: 2})
    order_id = order["orderId"]
    assert order["status"] == "CONFIRMED"
    assert order["total"] == {"currencyCode": "CNY", "amountMinor": str(2 * PRICE)}
    assert order["reservationId"] == f"ord-{order_id}"
    assert shop.stock(sku) == (10, 2, 8)

    batch = shop.call("POST", "/v1/reviewBatches", {"batchId": uid("RB"), "orderIds": [order_id]})
    assert batch["decisions"] == [{"orderId": order_id, "outcome": "PASSED", "findings": []}]
    picks = shop.call("GET", f"/v1/reviewBatches/{batch['batchId']}/pickList")
    assert picks["items"] == [{"skuCode": sku, "binCode": "", "quantity": 2}]
    assert shop.act(order_id, "pick")["status"] == "PICKED"

    wrong = shop.act(order_id, "verify", {"scanned": [{"skuCode": sku, "quantity": 1}]})
    assert wrong["passed"] is False
    assert wrong["discrepancies"][0]["kind"] == "MISSING"
    refused = shop.raw("POST", f"/v1/orders/{order_id}:pack", {})
    assert (refused.status, refused.body["code"]) == (400, 9)  # FAILED_PRECONDITION
    right = shop.act(order_id, "verify", {"scanned": [{"skuCode": sku, "quantity": 2}]})
    assert (right["passed"], right["order"]["status"]) == (True, "VERIFIED")

    assert shop.act(order_id, "pack")["status"] == "PACKED"
    weighed = shop.act(order_id, "weigh", {"weightGrams": 850})
    assert (weighed["status"], weighed["weightGrams"]) == ("WEIGHED", 850)
    shipped = shop.act(order_id, "ship", {"carrier": "SF", "trackingNumber": "SF1000000001"})
    assert shipped["status"] == "SHIPPED"
    assert shipped["shipment"]["trackingNumber"] == "SF1000000001"
    assert shipped["shipment"]["weightGrams"] == 850
    assert shop.stock(sku) == (8, 0, 8)  # committed: the units left stock

    delivered = shop.act(order_id, "confirmDelivery")
    assert delivered["status"] == "DELIVERED"
    assert delivered["wave"]["onTime"] is True
    wave = shop.call("GET", f"/v1/waves/{delivered['wave']['waveId']}")
    assert {"orderId": order_id, "onTime": True}.items() <= next(
        o for o in wave["orders"] if o["orderId"] == order_id
    ).items()
    day = shop.call("GET", f"/v1/waves?wave_date={delivered['wave']['waveDate']}")
    assert [w["number"] for w in day["waves"]] == [1, 2, 3, 4, 5]
    assert [h["toStatus"] for h in shop.order(order_id)["history"]] == [
        "PENDING",
        "CONFIRMED",
        "REVIEWED",
        "PICKED",
        "PICKED",  # the failed verification, recorded with its findings
        "VERIFIED",
        "PACKED",
        "WEIGHED",
        "SHIPPED",
        "DELIVERED",
    ]


def test_order_lifecycle_over_grpc_through_the_gateway(
    system: RunningSystem, shop: Shop, admin_token: str
) -> None:
    sku = shop.stocked_sku(5)
    metadata = [("authorization", f"Bearer {admin_token}")]
    with grpc.insecure_channel(system.gateway_address) as channel:
        stub = pb_grpc.OrderServiceStub(channel)
        placed = stub.PlaceOrder(
            pb.PlaceOrderRequest(
                channel=res.AMAZON,
                external_order_id=uid("AZ"),
                customer=res.Customer(name="Jane Roe", phone="(206) 555-0100", address="1 Pine St"),
                lines=[
                    res.OrderLine(
                        sku_code=sku,
                        quantity=1,
                        unit_price=money_pb2.Money(currency_code="USD", amount_minor=2500),
                    )
                ],
                paid=True,
            ),
            metadata=metadata,
        )
        assert placed.status == res.Order.CONFIRMED
        shipped = stub.ShipOrder(
            pb.ShipOrderRequest(
                order_id=placed.order_id,
                carrier="ups",
                tracking_number="1Z999AA10123456784",
                weight_grams=400,
            ),
            metadata=metadata,
        )
        assert (shipped.status, shipped.shipment.carrier) == (res.Order.SHIPPED, "UPS")
        with pytest.raises(grpc.RpcError) as refused:
            stub.CancelOrder(pb.CancelOrderRequest(order_id=placed.order_id), metadata=metadata)
        assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        listed = stub.ListOrders(pb.ListOrdersRequest(sku_code=sku), metadata=metadata)
        assert [o.order_id for o in listed.orders] == [placed.order_id]
        malformed = pb.ListOrdersRequest(sku_code=sku)
        malformed.created_from.nanos = -1
        with pytest.raises(grpc.RpcError) as bad_time:
            stub.ListOrders(malformed, metadata=metadata)
        assert bad_time.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert "created_from" in (bad_time.value.details() or "")
        types = eventually(
            lambda: "OrderShipped" in (t := _event_types(stub, metadata, placed.order_id)) and t
        )
        assert types[:3] == ["OrderPlaced", "PaymentReceived", "OrderConfirmed"]


def _event_types(
    stub: pb_grpc.OrderServiceStub, metadata: list[tuple[str, str]], key: str
) -> list[str]:
    found, after = [], ""
    while True:
        page = stub.ListEvents(pb.ListEventsRequest(after=after, page_size=1000), metadata=metadata)
        found += [e.type.rsplit(".", 1)[-1] for e in page.events if e.key == key]
        if not page.events:
            return found
        after = page.next_cursor


def test_cancel_before_shipping_releases_the_stock(shop: Shop) -> None:
    sku = shop.stocked_sku(5)
    order = shop.place({sku: 3})
    assert shop.stock(sku) == (5, 3, 2)
    cancelled = shop.act(order["orderId"], "cancel", {"reason": "customer changed their mind"})
    assert (cancelled["status"], cancelled["cancelReason"]) == (
        "CANCELLED",
        "customer changed their mind",
    )
    assert shop.stock(sku) == (5, 0, 5)
    assert shop.act(order["orderId"], "cancel", {"reason": "again"})["status"] == "CANCELLED"
    refused = shop.raw(
        "POST",
        f"/v1/orders/{order['orderId']}:ship",
        {"carrier": "SF", "trackingNumber": "SF2000000001", "weightGrams": 500},
    )
    assert (refused.status, refused.body["code"]) == (400, 9)
    assert "CANCELLED" in refused.body["message"]
    assert shop.stock(sku) == (5, 0, 5)


def test_cancel_of_a_shipped_order_is_refused_and_changes_nothing(shop: Shop) -> None:
    sku = shop.stocked_sku(5)
    order_id = shop.place({sku: 1})["orderId"]
    shop.act(
        order_id, "ship", {"carrier": "ZTO", "trackingNumber": "ZT8800000001", "weightGrams": 300}
    )
    before = shop.order(order_id)
    refused = shop.raw("POST", f"/v1/orders/{order_id}:cancel", {"reason": "too late"})
    assert (refused.status, refused.body["code"]) == (400, 9)
    assert "SHIPPED" in refused.body["message"]
    assert shop.order(order_id)["history"] == before["history"]
    assert shop.stock(sku) == (4, 0, 4)


def test_the_same_order_sent_twenty_times_at_once_is_one_order_reserved_once(shop: Shop) -> None:
    sku = shop.stocked_sku(50)
    body = shop.order_body({sku: 3}, uid("TM"))
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(lambda _: shop.call("POST", "/v1/orders", body), range(20)))
    assert len({a["orderId"] for a in answers}) == 1
    assert shop.stock(sku) == (50, 3, 47)
    rows = orders_db(
        shop.system,
        "SELECT count(*) FROM orders WHERE external_order_id = %s",
        (body["externalOrderId"],),
    )
    assert rows == [(1,)]
    assert shop.status_becomes(answers[0]["orderId"], "CONFIRMED")


def test_a_different_payload_under_the_same_key_is_409(shop: Shop) -> None:
    sku = shop.stocked_sku(5)
    external = uid("TM")
    first = shop.call("POST", "/v1/orders", shop.order_body({sku: 1}, external))
    conflict = shop.raw("POST", "/v1/orders", shop.order_body({sku: 2}, external))
    assert (conflict.status, conflict.body["code"]) == (409, 6)
    assert first["orderId"] in conflict.body["message"]
    assert shop.stock(sku) == (5, 1, 4)


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ({"quantity": 1, "unitPrice": {"currencyCode": "CNY", "amountMinor": 0}}, "unit_price"),
        ({"quantity": 1, "unitPrice": {"currencyCode": "CNY", "amountMinor": -5}}, "unit_price"),
        ({"quantity": 0, "unitPrice": {"currencyCode": "CNY", "amountMinor": 100}}, "quantity"),
    ],
)
def test_bad_lines_are_400_naming_the_field_and_store_nothing(
    shop: Shop, line: dict[str, object], field: str
) -> None:
    sku = shop.stocked_sku(5)
    body = shop.order_body({sku: 1})
    body["lines"] = [{"skuCode": sku, **line}]
    refused = shop.raw("POST", "/v1/orders", body)
    assert (refused.status, refused.body["code"]) == (400, 3)
    assert field in refused.body["message"]
    assert orders_db(
        shop.system,
        "SELECT count(*) FROM orders WHERE external_order_id = %s",
        (body["externalOrderId"],),
    ) == [(0,)]
    assert shop.stock(sku) == (5, 0, 5)


def test_an_unknown_sku_is_404_and_leaves_no_order_behind(shop: Shop) -> None:
    known, unknown = shop.stocked_sku(5), uid("NOPE")
    body = shop.order_body({known: 1, unknown: 1})
    refused = shop.raw("POST", "/v1/orders", body)
    assert (refused.status, refused.body["code"]) == (404, 5)
    assert unknown in refused.body["message"]
    assert orders_db(
        shop.system,
        "SELECT count(*) FROM orders WHERE external_order_id = %s",
        (body["externalOrderId"],),
    ) == [(0,)]
    assert shop.stock(known) == (5, 0, 5)
    # A later order with good SKUs under the same key is accepted: nothing was left holding it.
    assert shop.call("POST", "/v1/orders", shop.order_body({known: 1}, body["externalOrderId"]))


def test_contact_data_is_masked_without_permission_and_audited_when_shown(
    system: RunningSystem, shop: Shop
) -> None:
    sku = shop.stocked_sku(5)
    order_id = shop.place({sku: 1}, customer=uid("王五"))["orderId"]
    clerk = Shop(system, system.tokens.token(permissions=["orders.orders.read"], subject="E7001"))
    masked = clerk.order(order_id)
    assert masked["customer"]["phone"] == "*********1234"
    assert masked["customer"]["address"] == "***"
    assert masked["contactMasked"] is True
    service = Shop(
        system,
        system.tokens.token(
            permissions=["orders.orders.read", "orders.customers.read"], subject="E7002"
        ),
    )
    shown = service.order(order_id)
    assert shown["customer"]["address"] == "杭州市上城区 8 号"
    audited = orders_db(
        system,
        "SELECT actor, action FROM audit_log WHERE details->>'order_ids' = %s",
        (order_id,),
    )
    assert ("E7002", "orders.customers.read") in audited
    assert all(actor != "E7001" for actor, _ in audited)


def test_orders_are_listed_by_status_channel_sku_customer_and_time_paged(shop: Shop) -> None:
    sku, customer = shop.stocked_sku(20), uid("Zhao")
    ids = [shop.place({sku: 1}, customer=customer)["orderId"] for _ in range(3)]
    own = shop.place({sku: 1}, customer=customer, channel="OWN_SHOP")["orderId"]
    first = shop.call("GET", f"/v1/orders?customer={customer}&page_size=2")
    assert len(first["orders"]) == 2
    assert first["nextPageToken"]
    rest = shop.call(
        "GET", f"/v1/orders?customer={customer}&page_size=2&page_token={first['nextPageToken']}"
    )
    listed = [o["orderId"] for o in first["orders"] + rest["orders"]]
    assert listed == [own, *reversed(ids)]  # newest first
    tmall = shop.call("GET", f"/v1/orders?customer={customer}&channel=TMALL")
    assert {o["orderId"] for o in tmall["orders"]} == set(ids)
    confirmed = shop.call("GET", f"/v1/orders?sku_code={sku}&status=CONFIRMED")
    assert len(confirmed["orders"]) == 4
    placed = shop.order(ids[0])["createTime"]
    since = shop.call("GET", f"/v1/orders?sku_code={sku}&created_from={placed}")
    assert len(since["orders"]) == 4
    bad = shop.raw("GET", f"/v1/orders?customer={customer}&page_token=garbage")
    assert (bad.status, bad.body["code"]) == (400, 3)


def test_events_carry_amounts_and_no_contact_data(
    system: RunningSystem, shop: Shop, admin_token: str
) -> None:
    sku = shop.stocked_sku(5)
    order_id = shop.place({sku: 2}, handledBy="E1001")["orderId"]
    metadata = [("authorization", f"Bearer {admin_token}")]
    with grpc.insecure_channel(system.gateway_address) as channel:
        stub = pb_grpc.OrderServiceStub(channel)
        # The feed serves a commit once no older transaction is still open: poll for it.
        found = eventually(lambda: _events(stub, metadata, order_id, "OrderPlaced"))
    raw = found[0].payload.value
    placed = ev.OrderPlaced.FromString(raw)
    assert placed.total.amount_minor == 2 * PRICE
    assert (placed.handled_by, placed.channel, placed.status) == (
        "E1001",
        res.TMALL,
        res.Order.CONFIRMED,
    )
    assert b"+86" not in raw
    assert "杭州".encode() not in raw


def _events(
    stub: pb_grpc.OrderServiceStub, metadata: list[tuple[str, str]], key: str, name: str
) -> list[Any]:
    found, after = [], ""
    while True:
        page = stub.ListEvents(pb.ListEventsRequest(after=after, page_size=1000), metadata=metadata)
        found += [e for e in page.events if e.key == key and e.type.endswith(name)]
        if not page.events:
            return found
        after = page.next_cursor
