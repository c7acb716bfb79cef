"""The inventory RPCs of CONTRACT.md through the real gateway: REST (HTTP/1.1 JSON) and gRPC."""

from __future__ import annotations

import uuid
from typing import Any

import grpc
import pytest
from google.rpc import error_details_pb2, status_pb2
from storeops.inventory.v1 import inventory_service_pb2 as pb
from storeops.inventory.v1 import inventory_service_pb2_grpc as pb_grpc

from tests.support.system import RunningSystem

pytestmark = pytest.mark.e2e


def uid(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


class Api:
    """REST calls with one token, failing loudly on an unexpected status."""

    def __init__(self, system: RunningSystem, token: str) -> None:
        self.system = system
        self.token = token

    def call(self, method: str, path: str, body: Any = None, expect: int = 200) -> Any:
        response = self.system.rest(method, path, body, token=self.token)
        assert response.status == expect, (response.status, response.body)
        return response.body

    def warehouse(self, kind: str = "SELLABLE") -> str:
        code = uid("WH")
        self.call(
            "POST", "/v1/warehouses", {"code": code, "name": f"Warehouse {code}", "kind": kind}
        )
        return code

    def sku(self, cost: int = 1200) -> str:
        code = uid("SKU")
        self.call(
            "PUT",
            f"/v1/skus/{code}",
            {
                "styleCode": "TEE-01",
                "color": "black",
                "size": "M",
                "name": "Cotton tee",
                "unitCost": {"currencyCode": "CNY", "amountMinor": cost},
            },
        )
        return code

    def stock(self, sku: str) -> dict[str, Any]:
        return self.call("GET", f"/v1/skus/{sku}/stock")

    def received(self, warehouse: str, lines: dict[str, int]) -> str:
        receipt_id = uid("RC")
        receipt = self.call(
            "POST",
            "/v1/receipts",
            {
                "receiptId": receipt_id,
                "warehouseCode": warehouse,
                "supplier": "Acme",
                "lines": [{"skuCode": s, "quantity": q} for s, q in lines.items()],
            },
        )
        self.call(
            "POST",
            f"/v1/receipts/{receipt_id}:inspect",
            {
                "lines": [
                    {"skuCode": line["skuCode"], "inspected": line["sampleSize"], "defective": 0}
                    for line in receipt["lines"]
                ]
            },
        )
        self.call("POST", f"/v1/receipts/{receipt_id}:complete", {})
        return receipt_id


@pytest.fixture(scope="module")
def api(system: RunningSystem, admin_token: str) -> Api:
    return Api(system, admin_token)


def _status(error: grpc.RpcError) -> status_pb2.Status:
    for key, value in error.trailing_metadata() or ():
        if key == "grpc-status-details-bin":
            return status_pb2.Status.FromString(value)
    raise AssertionError("no rich status details")


def test_warehouse_is_created_and_its_code_is_unique(api: Api) -> None:
    code = uid("WH")
    body = {"code": code, "name": "Warehouse A", "kind": "SELLABLE"}
    created = api.call("POST", "/v1/warehouses", body)
    assert (created["code"], created["name"], created["kind"]) == (code, "Warehouse A", "SELLABLE")
    duplicate = api.call("POST", "/v1/warehouses", body, expect=409)
    assert duplicate["code"] == 6


def test_sku_upsert_creates_then_updates(api: Api) -> None:
    code = api.sku(cost=1200)
    updated = api.call(
        "PUT",
        f"/v1/skus/{code}",
        {
            "styleCode": "TEE-01",
            "color": "black",
            "size": "M",
            "name": "Cotton tee, new cut",
            "unitCost": {"currencyCode": "CNY", "amountMinor": "1300"},
        },
    )
    assert updated["skuCode"] == code
    assert updated["name"] == "Cotton tee, new cut"
    assert updated["unitCost"] == {"currencyCode": "CNY", "amountMinor": "1300"}


def test_receipt_with_second_sample_and_full_inspection_books_good_units(api: Api) -> None:
    wh, sku = api.warehouse(), api.sku()
    receipt_id = uid("RC")
    receipt = api.call(
        "POST",
        "/v1/receipts",
        {
            "receiptId": receipt_id,
            "warehouseCode": wh,
            "supplier": "Acme",
            "lines": [{"skuCode": sku, "quantity": 95}],
        },
    )
    assert receipt["status"] == "AWAITING_INSPECTION"
    assert receipt["lines"][0]["sampleSize"] == 10  # ceil(9.5)
    again = api.call(
        "POST",
        "/v1/receipts",
        {
            "receiptId": receipt_id,
            "warehouseCode": wh,
            "supplier": "Acme",
            "lines": [{"skuCode": sku, "quantity": 95}],
        },
    )
    assert again["receiptId"] == receipt_id
    path = f"/v1/receipts/{receipt_id}:inspect"
    first = api.call("POST", path, {"lines": [{"skuCode": sku, "inspected": 10, "defective": 1}]})
    assert first["lines"][0]["qcState"] == "NEEDS_SECOND_SAMPLE"
    second = api.call("POST", path, {"lines": [{"skuCode": sku, "inspected": 10, "defective": 2}]})
    assert second["lines"][0]["qcState"] == "NEEDS_FULL_INSPECTION"
    assert second["lines"][0]["sampleSize"] == 75
    full = api.call("POST", path, {"lines": [{"skuCode": sku, "inspected": 75, "defective": 2}]})
    assert full["lines"][0]["qcState"] == "ACCEPTED"
    assert full["status"] == "INSPECTED"
    done = api.call("POST", f"/v1/receipts/{receipt_id}:complete", {})
    assert done["status"] == "COMPLETED"
    assert done["lines"][0]["good"] == 90
    stock = api.stock(sku)
    assert (stock["onHand"], stock["reserved"], stock["available"]) == (90, 0, 90)


def test_first_sample_clean_accepts_and_rejection_returns_the_whole_delivery(api: Api) -> None:
    wh, good, bad = api.warehouse(), api.sku(), api.sku()
    receipt_id = uid("RC")
    api.call(
        "POST",
        "/v1/receipts",
        {
            "receiptId": receipt_id,
            "warehouseCode": wh,
            "supplier": "Acme",
            "lines": [{"skuCode": good, "quantity": 10}, {"skuCode": bad, "quantity": 10}],
        },
    )
    path = f"/v1/receipts/{receipt_id}:inspect"
    api.call(
        "POST",
        path,
        {
            "lines": [
                {"skuCode": good, "inspected": 1, "defective": 0},
                {"skuCode": bad, "inspected": 1, "defective": 1},
            ]
        },
    )
    rejected = api.call("POST", path, {"lines": [{"skuCode": bad, "inspected": 1, "defective": 1}]})
    states = {line["skuCode"]: line["qcState"] for line in rejected["lines"]}
    assert states == {good: "ACCEPTED", bad: "REJECTED"}
    assert rejected["status"] == "REJECTED"
    refused = api.call("POST", f"/v1/receipts/{receipt_id}:complete", {}, expect=400)
    assert refused["code"] == 9
    assert "whole delivery" in refused["message"]
    assert api.stock(good)["onHand"] == 0


def test_stock_level_json_shape(api: Api) -> None:
    wh, sku = api.warehouse(), api.sku()
    api.received(wh, {sku: 12})
    stock = api.stock(sku)
    assert set(stock) == {"skuCode", "onHand", "reserved", "available", "warehouses"}
    assert stock["skuCode"] == sku
    assert stock["warehouses"] == [{"warehouseCode": wh, "kind": "SELLABLE", "onHand": 12}]


def test_reserve_release_commit_and_the_ledger(api: Api) -> None:
    wh, sku = api.warehouse(), api.sku(cost=500)
    api.received(wh, {sku: 10})
    released, committed = uid("RS"), uid("RS")
    body = {"reservationId": released, "lines": [{"skuCode": sku, "quantity": 3}]}
    reservation = api.call("POST", "/v1/reservations", body)
    assert reservation["state"] == "ACTIVE"
    assert api.call("POST", "/v1/reservations", body)["reservationId"] == released
    assert api.stock(sku)["available"] == 7
    assert api.call("POST", f"/v1/reservations/{released}:release", {})["state"] == "RELEASED"
    assert api.call("POST", f"/v1/reservations/{released}:release", {})["state"] == "RELEASED"
    assert api.stock(sku)["available"] == 10
    api.call(
        "POST",
        "/v1/reservations",
        {"reservationId": committed, "lines": [{"skuCode": sku, "quantity": 4}]},
    )
    done = api.call("POST", f"/v1/reservations/{committed}:commit", {})
    assert done["state"] == "COMMITTED"
    assert done["costOfGoods"] == {"currencyCode": "CNY", "amountMinor": "2000"}
    assert api.call("POST", f"/v1/reservations/{committed}:commit", {})["state"] == "COMMITTED"
    stock = api.stock(sku)
    assert (stock["onHand"], stock["reserved"], stock["available"]) == (6, 0, 6)
    entries = api.call("GET", f"/v1/ledger?sku_code={sku}")["entries"]
    assert [e["kind"] for e in entries] == [
        "RECEIPT",
        "RESERVATION",
        "RELEASE",
        "RESERVATION",
        "ISSUE",
    ]
    issue = entries[-1]
    assert issue["documentType"] == "reservation"
    assert issue["documentId"] == committed
    assert issue["actor"]
    assert issue["createTime"]
    assert issue["onHandDelta"] == "-4"
    assert issue["cost"] == {"currencyCode": "CNY", "amountMinor": "2000"}


def test_not_enough_stock_lists_every_short_sku_over_grpc(
    system: RunningSystem, api: Api, admin_token: str
) -> None:
    wh, a, b = api.warehouse(), api.sku(), api.sku()
    api.received(wh, {a: 2, b: 1})
    with grpc.insecure_channel(system.gateway_address) as channel:
        stub = pb_grpc.InventoryServiceStub(channel)
        with pytest.raises(grpc.RpcError) as refused:
            stub.ReserveStock(
                pb.ReserveStockRequest(
                    reservation_id=uid("RS"),
                    lines=[
                        pb.SkuQuantity(sku_code=a, quantity=3),
                        pb.SkuQuantity(sku_code=b, quantity=5),
                    ],
                ),
                metadata=[("authorization", f"Bearer {admin_token}")],
            )
    assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert f"{a}: 2 available, 3 requested" in refused.value.details()
    assert f"{b}: 1 available, 5 requested" in refused.value.details()
    info = error_details_pb2.ErrorInfo()
    details = [d for d in _status(refused.value).details if d.Is(info.DESCRIPTOR)]
    details[0].Unpack(info)
    assert info.reason == "INSUFFICIENT_STOCK"
    assert set(info.metadata["short_skus"].split(",")) == {a, b}
    assert api.stock(a)["reserved"] == 0


@pytest.mark.parametrize("quantity", [0, -1])
def test_zero_or_negative_quantity_is_invalid_and_names_the_field(api: Api, quantity: int) -> None:
    sku = api.sku()
    refused = api.call(
        "POST",
        "/v1/reservations",
        {"reservationId": uid("RS"), "lines": [{"skuCode": sku, "quantity": quantity}]},
        expect=400,
    )
    assert refused["code"] == 3
    assert "lines[0].quantity" in refused["message"]
    receipt = api.call(
        "POST",
        "/v1/receipts",
        {
            "receiptId": uid("RC"),
            "warehouseCode": api.warehouse(),
            "supplier": "Acme",
            "lines": [{"skuCode": sku, "quantity": quantity}],
        },
        expect=400,
    )
    assert "lines[0].quantity" in receipt["message"]


def test_unknown_sku_or_warehouse_is_not_found_and_changes_nothing(api: Api) -> None:
    wh, sku = api.warehouse(), api.sku()
    missing_sku = api.call(
        "POST",
        "/v1/reservations",
        {"reservationId": uid("RS"), "lines": [{"skuCode": "NO-SUCH-SKU", "quantity": 1}]},
        expect=404,
    )
    assert missing_sku["code"] == 5
    assert "NO-SUCH-SKU" in missing_sku["message"]
    assert api.call("GET", "/v1/skus/NO-SUCH-SKU/stock", expect=404)["code"] == 5
    receipt_id = uid("RC")
    missing_wh = api.call(
        "POST",
        "/v1/receipts",
        {
            "receiptId": receipt_id,
            "warehouseCode": "NO-SUCH-WH",
            "supplier": "Acme",
            "lines": [{"skuCode": sku, "quantity": 1}],
        },
        expect=404,
    )
    assert "NO-SUCH-WH" in missing_wh["message"]
    api.call("GET", f"/v1/receipts/{receipt_id}", expect=404)
    unknown_line = api.call(
        "POST",
        "/v1/receipts",
        {
            "receiptId": receipt_id,
            "warehouseCode": wh,
            "supplier": "Acme",
            "lines": [{"skuCode": "NO-SUCH-SKU", "quantity": 1}],
        },
        expect=404,
    )
    assert "lines[0].sku_code" in unknown_line["message"]


def test_inspecting_more_than_received_and_completing_uninspected_are_refused(api: Api) -> None:
    wh, sku = api.warehouse(), api.sku()
    receipt_id = uid("RC")
    api.call(
        "POST",
        "/v1/receipts",
        {
            "receiptId": receipt_id,
            "warehouseCode": wh,
            "supplier": "Acme",
            "lines": [{"skuCode": sku, "quantity": 5}],
        },
    )
    too_many = api.call(
        "POST",
        f"/v1/receipts/{receipt_id}:inspect",
        {"lines": [{"skuCode": sku, "inspected": 6, "defective": 0}]},
        expect=400,
    )
    assert too_many["code"] == 3
    assert "lines[0].inspected" in too_many["message"]
    early = api.call("POST", f"/v1/receipts/{receipt_id}:complete", {}, expect=400)
    assert early["code"] == 9
    assert "awaiting inspection" in early["message"]
    receipt = api.call("GET", f"/v1/receipts/{receipt_id}")
    assert receipt["status"] == "AWAITING_INSPECTION"
    assert receipt["lines"][0].get("inspected", 0) == 0
    assert api.stock(sku)["onHand"] == 0


def test_releasing_a_committed_reservation_is_refused_and_changes_nothing(api: Api) -> None:
    wh, sku = api.warehouse(), api.sku()
    api.received(wh, {sku: 5})
    rid = uid("RS")
    api.call(
        "POST",
        "/v1/reservations",
        {"reservationId": rid, "lines": [{"skuCode": sku, "quantity": 2}]},
    )
    api.call("POST", f"/v1/reservations/{rid}:commit", {})
    refused = api.call("POST", f"/v1/reservations/{rid}:release", {}, expect=400)
    assert refused["code"] == 9
    assert "committed" in refused["message"]
    assert api.call("GET", f"/v1/reservations/{rid}")["state"] == "COMMITTED"
    stock = api.stock(sku)
    assert (stock["onHand"], stock["reserved"]) == (3, 0)


def test_only_qc_may_record_inspections(system: RunningSystem, api: Api) -> None:
    wh, sku = api.warehouse(), api.sku()
    receipt_id = uid("RC")
    receiver = system.tokens.token(
        permissions=["inventory.receipts.create", "inventory.receipts.read"], subject="E-RECV"
    )
    response = system.rest(
        "POST",
        "/v1/receipts",
        {
            "receiptId": receipt_id,
            "warehouseCode": wh,
            "supplier": "Acme",
            "lines": [{"skuCode": sku, "quantity": 3}],
        },
        token=receiver,
    )
    assert response.status == 200
    denied = system.rest(
        "POST",
        f"/v1/receipts/{receipt_id}:inspect",
        {"lines": [{"skuCode": sku, "inspected": 1, "defective": 0}]},
        token=receiver,
    )
    assert denied.status == 403
    assert "inventory.receipts.inspect" in denied.body["message"]
    qc = system.tokens.token(permissions=["inventory.receipts.inspect"], subject="E-QC")
    inspected = system.rest(
        "POST",
        f"/v1/receipts/{receipt_id}:inspect",
        {"lines": [{"skuCode": sku, "inspected": 1, "defective": 0}]},
        token=qc,
    )
    assert inspected.status == 200
    signatures = inspected.body["signatures"]
    assert signatures == [
        {
            "document": "INSPECTION",
            "role": "QC_INSPECTOR",
            "signerId": "E-QC",
            "signTime": signatures[0]["signTime"],
        }
    ]
    missing = {(m["document"], m["role"]) for m in inspected.body["missingSignatures"]}
    assert missing == {("INBOUND", "WAREHOUSE_SUPERVISOR"), ("INBOUND", "WAREHOUSE_KEEPER")}
