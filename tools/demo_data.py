"""A small demo data set, loaded once through the public gRPC API (so it obeys every rule):
warehouses, SKUs, one inspected, completed receipt so there is stock to order, and the people
demo set of tools/demo_people.py (departments, five employees who can log in, a training plan)."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from functools import partial
from typing import Any

import grpc
from storeops.common.v1 import money_pb2
from storeops.inventory.v1 import inventory_service_pb2 as inv
from storeops.inventory.v1 import inventory_service_pb2_grpc as inv_grpc
from storeops.inventory.v1 import resources_pb2 as inv_res

from tools.demo_people import load_people_demo
from tools.system import LocalSystem
from tools.tokens import LocalTokens

log = logging.getLogger(__name__)

WAREHOUSES = [
    ("WH-A", "Warehouse A", inv_res.Warehouse.SELLABLE),
    ("WH-B", "Warehouse B", inv_res.Warehouse.SELLABLE),
    ("WH-DEF", "Defective goods", inv_res.Warehouse.DEFECTIVE),
]
SKUS = [
    # code, style, colour, size, name, category, unit cost (fen), key product
    ("DEMO-TEA-GRN-250G", "TEA-LJ", "green", "250g", "West Lake Longjing 250 g", "tea", 4800, True),
    ("DEMO-TEE-BLK-M", "TEE-01", "black", "M", "Cotton tee black M", "apparel", 2100, False),
    ("DEMO-TEE-BLK-L", "TEE-01", "black", "L", "Cotton tee black L", "apparel", 2100, False),
    ("DEMO-TEE-WHT-M", "TEE-01", "white", "M", "Cotton tee white M", "apparel", 2100, False),
    ("DEMO-BOX-S", "BOX", "brown", "S", "Shipping carton S", "packaging", 150, False),
]
RECEIPT_QUANTITY = 200


def _ignore(code: grpc.StatusCode, call: Callable[[], Any]) -> None:
    try:
        call()
    except grpc.RpcError as error:
        if error.code() != code:
            raise


def _marker(system: LocalSystem) -> str:
    return hashlib.sha256(system.database_urls["inventory"].encode()).hexdigest()[:16]


def load_demo_data(system: LocalSystem) -> bool:
    """Load the demo set unless this database already has it. Returns True if loaded now."""
    marker = system.state_dir / "demo-data.done"
    if marker.exists() and marker.read_text().strip() == _marker(system):
        return False
    token = LocalTokens(system.keys_dir).token(subject="demo-loader", roles=("admin",))
    metadata = (("authorization", f"Bearer {token}"),)
    with grpc.insecure_channel(f"127.0.0.1:{system.ports.services['inventory']}") as channel:
        stub = inv_grpc.InventoryServiceStub(channel)
        for code, name, kind in WAREHOUSES:
            request = inv.CreateWarehouseRequest(
                warehouse=inv_res.Warehouse(code=code, name=name, kind=kind)
            )
            _ignore(
                grpc.StatusCode.ALREADY_EXISTS,
                partial(stub.CreateWarehouse, request, metadata=metadata),
            )
        for code, style, color, size, name, category, cost, key in SKUS:
            stub.UpsertSku(
                inv.UpsertSkuRequest(
                    sku_code=code,
                    sku=inv_res.Sku(
                        style_code=style,
                        color=color,
                        size=size,
                        name=name,
                        category=category,
                        unit_cost=money_pb2.Money(currency_code="CNY", amount_minor=cost),
                        key_product=key,
                        packaging_material=category == "packaging",
                    ),
                ),
                metadata=metadata,
            )
        receipt = stub.CreateReceipt(
            inv.CreateReceiptRequest(
                receipt_id="DEMO-RCPT-0001",
                warehouse_code="WH-A",
                supplier="Demo Factory Ltd",
                lines=[inv.SkuQuantity(sku_code=s[0], quantity=RECEIPT_QUANTITY) for s in SKUS],
            ),
            metadata=metadata,
        )
        if receipt.status == inv_res.Receipt.AWAITING_INSPECTION:
            stub.RecordInspection(
                inv.RecordInspectionRequest(
                    receipt_id=receipt.receipt_id,
                    lines=[
                        inv.InspectionLine(
                            sku_code=line.sku_code, inspected=line.sample_size, defective=0
                        )
                        for line in receipt.lines
                    ],
                ),
                metadata=metadata,
            )
        stub.CompleteReceipt(
            inv.CompleteReceiptRequest(receipt_id=receipt.receipt_id), metadata=metadata
        )
    load_people_demo(system)
    marker.write_text(_marker(system))
    return True
