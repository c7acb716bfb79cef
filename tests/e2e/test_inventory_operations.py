"""A sample of the inventory features beyond CONTRACT.md, through the real gateway."""

from __future__ import annotations

import grpc
import pytest
from storeops.inventory.v1 import catalogue_pb2 as cat
from storeops.inventory.v1 import inventory_service_pb2 as pb
from storeops.inventory.v1 import inventory_service_pb2_grpc as pb_grpc

from tests.e2e.test_inventory_contract import Api, uid
from tests.support.system import RunningSystem

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def api(system: RunningSystem, admin_token: str) -> Api:
    return Api(system, admin_token)


def _as(system: RunningSystem, subject: str, *permissions: str) -> Api:
    return Api(system, system.tokens.token(permissions=list(permissions), subject=subject))


def test_catalogue_lists_page_with_filters(api: Api) -> None:
    style = uid("STYLE")
    for size in ("S", "M", "L"):
        api.call(
            "PUT",
            f"/v1/skus/{style}-{size}",
            {
                "styleCode": style,
                "color": "red",
                "size": size,
                "name": f"Dress {size}",
                "unitCost": {"currencyCode": "CNY", "amountMinor": 100},
            },
        )
    first = api.call("GET", f"/v1/skus?style_code={style}&page_size=2")
    assert [s["size"] for s in first["skus"]] == ["L", "M"]
    rest = api.call(
        "GET", f"/v1/skus?style_code={style}&page_size=2&page_token={first['nextPageToken']}"
    )
    assert [s["size"] for s in rest["skus"]] == ["S"]
    assert rest.get("nextPageToken", "") == ""
    bad = api.call("GET", "/v1/skus?page_token=not-ours", expect=400)
    assert "page_token" in bad["message"]
    one = api.call("GET", f"/v1/skus/{style}-M")
    assert one["stockLimits"] == {}
    limited = api.call(
        "PUT", f"/v1/skus/{style}-M/stockLimits", {"reorderPoint": 5, "maxStock": 50}
    )
    assert limited["stockLimits"] == {"reorderPoint": 5, "maxStock": 50}


def test_transfer_between_warehouses_with_both_keepers_signing(
    system: RunningSystem, api: Api
) -> None:
    a, b, sku = api.warehouse(), api.warehouse(), api.sku()
    api.received(b, {sku: 10})
    keeper_a = _as(system, "E-KA", "inventory.transfers.create", "inventory.transfers.receive")
    keeper_b = _as(system, "E-KB", "inventory.transfers.ship")
    tid = uid("TR")
    requested = keeper_a.call(
        "POST",
        "/v1/transfers",
        {
            "transferId": tid,
            "sourceWarehouseCode": b,
            "destinationWarehouseCode": a,
            "lines": [{"skuCode": sku, "quantity": 4}],
        },
    )
    assert requested["status"] == "REQUESTED"
    assert requested["requestedBy"]["employeeId"] == "E-KA"
    shipped = keeper_b.call("POST", f"/v1/transfers/{tid}:ship", {})
    assert shipped["status"] == "SHIPPED"
    in_transit = {w["kind"]: w["onHand"] for w in api.stock(sku)["warehouses"]}
    assert in_transit["TRANSIT"] == 4
    received = keeper_a.call(
        "POST", f"/v1/transfers/{tid}:receive", {"lines": [{"skuCode": sku, "quantity": 4}]}
    )
    assert received["status"] == "RECEIVED"
    assert received["shippedBy"]["employeeId"] == "E-KB"
    stock = {w["warehouseCode"]: w["onHand"] for w in api.stock(sku)["warehouses"]}
    assert (stock[a], stock[b]) == (4, 6)


def test_count_sheet_planned_counted_and_approved_by_a_supervisor(
    system: RunningSystem, api: Api
) -> None:
    wh, sku = api.warehouse(), api.sku(cost=250)
    api.received(wh, {sku: 6})
    api.call("POST", f"/v1/warehouses/{wh}/bins", {"binCode": "C-01", "description": "aisle C"})
    moved = api.call(
        "POST", f"/v1/warehouses/{wh}/bins/C-01:putAway", {"skuCode": sku, "quantity": 6}
    )
    assert moved["quantity"] == "6"
    sheet_id = uid("CS")
    keeper = _as(
        system,
        "E-KEEP",
        "inventory.counts.create",
        "inventory.counts.update",
        "inventory.counts.approve",
    )
    sheet = keeper.call(
        "POST", "/v1/countSheets", {"sheetId": sheet_id, "warehouseCode": wh, "binCodes": ["C-01"]}
    )
    assert [(x["skuCode"], x["expected"]) for x in sheet["lines"]] == [(sku, "6")]
    counted = keeper.call(
        "POST",
        f"/v1/countSheets/{sheet_id}:record",
        {"entries": [{"skuCode": sku, "binCode": "C-01", "counted": 7}]},
    )
    assert counted["status"] == "COUNTED"
    own = keeper.call(
        "POST",
        f"/v1/countSheets/{sheet_id}:post",
        {"reasons": [{"skuCode": sku, "binCode": "C-01", "reason": "found behind shelf"}]},
        expect=403,
    )
    assert "cannot approve" in own["message"]
    supervisor = _as(system, "E-SUP", "inventory.counts.approve")
    posted = supervisor.call(
        "POST",
        f"/v1/countSheets/{sheet_id}:post",
        {"reasons": [{"skuCode": sku, "binCode": "C-01", "reason": "found behind shelf"}]},
    )
    assert posted["status"] == "POSTED"
    assert posted["approvedBy"] == "E-SUP"
    assert api.stock(sku)["onHand"] == 7


def test_holds_samples_and_returns(api: Api) -> None:
    wh, sku = api.warehouse(), api.sku(cost=900)
    api.received(wh, {sku: 10})
    hold_id = uid("H")
    hold = api.call(
        "POST",
        "/v1/holds",
        {
            "holdId": hold_id,
            "customerRef": "C-1",
            "skuCode": sku,
            "warehouseCode": wh,
            "quantity": 3,
        },
    )
    assert hold["status"] == "ACTIVE"
    assert hold["expireTime"]
    doc = uid("SL")
    loan = api.call(
        "POST",
        "/v1/sampleLoans",
        {"documentId": doc, "warehouseCode": wh, "skuCode": sku, "quantity": 2},
    )
    assert loan["status"] == "OUT"
    assert loan["dueOn"]
    assert api.stock(sku)["available"] == 5
    assert api.call("POST", f"/v1/holds/{hold_id}:release", {})["status"] == "RELEASED"
    assert api.call("POST", f"/v1/sampleLoans/{doc}:return", {})["status"] == "RETURNED"
    booked = api.call(
        "POST",
        "/v1/returns",
        {"returnId": uid("RET"), "lines": [{"skuCode": sku, "quantity": 1, "sellable": True}]},
    )
    assert booked["lines"][0]["value"] == {"currencyCode": "CNY", "amountMinor": "900"}
    assert api.stock(sku)["available"] == 11


def test_defectives_go_on_the_supplier_return_list_and_are_cleared(api: Api) -> None:
    wh, sku = api.warehouse(), api.sku()
    supplier = uid("Supplier")
    receipt_id = uid("RC")
    api.call(
        "POST",
        "/v1/receipts",
        {
            "receiptId": receipt_id,
            "warehouseCode": wh,
            "supplier": supplier,
            "supplierKind": "SUNDRY",
            "lines": [{"skuCode": sku, "quantity": 10}],
        },
    )
    path = f"/v1/receipts/{receipt_id}:inspect"
    api.call("POST", path, {"lines": [{"skuCode": sku, "inspected": 1, "defective": 1}]})
    api.call("POST", path, {"lines": [{"skuCode": sku, "inspected": 9, "defective": 1}]})
    api.call("POST", f"/v1/receipts/{receipt_id}:complete", {})
    pending = api.call("GET", f"/v1/supplierReturns?supplier={supplier}")["supplierReturns"]
    assert [(r["skuCode"], r["quantity"], r["supplierKind"]) for r in pending] == [
        (sku, 2, "SUNDRY")
    ]
    cleared = api.call("POST", f"/v1/supplierReturns/{pending[0]['returnId']}:clear", {})
    assert cleared["clearedOn"]
    assert (
        api.call("GET", f"/v1/supplierReturns?supplier={supplier}").get("supplierReturns", []) == []
    )
    labels = api.call("GET", f"/v1/receipts/{receipt_id}/labels")["labels"]
    assert labels[0]["quantity"] == 8
    assert labels[0]["barcodeText"].startswith(f"{sku}/")


def test_replenishment_plan_packaging_alerts_and_value(system: RunningSystem, api: Api) -> None:
    wh, sku = api.warehouse(), api.sku(cost=300)
    api.received(wh, {sku: 5})
    rid = uid("RS")
    api.call(
        "POST",
        "/v1/reservations",
        {"reservationId": rid, "lines": [{"skuCode": sku, "quantity": 2}]},
    )
    api.call("POST", f"/v1/reservations/{rid}:commit", {})
    plan = api.call("POST", "/v1/replenishmentPlans", {"planDate": "2031-01-02"})
    assert plan["planId"] == "RP-20310102"
    assert plan["status"] in ("PROPOSED", "NOTHING_TO_ORDER")
    assert (
        api.call("POST", "/v1/replenishmentPlans", {"planDate": "2031-01-02"})["planId"]
        == plan["planId"]
    )
    if plan["status"] == "PROPOSED":
        specialist = _as(system, "E-OPS", "inventory.replenishment.create")
        denied = specialist.call(
            "POST", f"/v1/replenishmentPlans/{plan['planId']}:approve", {}, expect=403
        )
        assert "inventory.replenishment.approve" in denied["message"]
    alerts = api.call("GET", "/v1/packagingAlerts?promotion_dates=2031-01-03")
    assert "asOf" in alerts
    value = api.call("GET", "/v1/stockValue")
    assert value["totals"][0]["currencyCode"] == "CNY"
    cogs = api.call(
        "GET", "/v1/costOfGoodsIssued?start_time=2020-01-01T00:00:00Z&end_time=2040-01-01T00:00:00Z"
    )
    assert int(cogs["figures"][0]["costOfGoodsIssued"]["amountMinor"]) > 0


def test_ledger_verifies_and_the_feed_carries_stock_events(
    system: RunningSystem, api: Api, admin_token: str
) -> None:
    wh, sku = api.warehouse(), api.sku()
    api.received(wh, {sku: 3})
    verified = api.call("GET", "/v1/ledger:verify")
    assert verified["consistent"] is True, verified
    events = []
    cursor = ""
    while True:
        page = api.call("GET", f"/v1/inventory/events?page_size=1000&after={cursor}")
        events.extend(page.get("events", []))
        if not page.get("events"):
            break
        cursor = page["nextCursor"]
    mine = [e for e in events if e["key"] == sku]
    assert "storeops.inventory.v1.StockReceived" in {e["type"] for e in mine}
    with grpc.insecure_channel(system.gateway_address) as channel:
        stub = pb_grpc.InventoryServiceStub(channel)
        metadata = [("authorization", f"Bearer {admin_token}")]
        result = stub.VerifyLedger(pb.VerifyLedgerRequest(sku_code=sku), metadata=metadata)
        assert result.consistent
        assert result.entries_checked >= 1
        bins = stub.ListBins(cat.ListBinsRequest(warehouse_code=wh), metadata=metadata)
        assert list(bins.bins) == []
