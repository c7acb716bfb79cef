"""The load scenarios: each a factory giving the operation one client repeats."""

from __future__ import annotations

import random

import grpc
from storeops.common.v1 import money_pb2
from storeops.inventory.v1 import inventory_service_pb2 as inv
from storeops.inventory.v1 import inventory_service_pb2_grpc as inv_grpc
from storeops.orders.v1 import after_sales_pb2 as after_sales
from storeops.orders.v1 import orders_service_pb2 as orders
from storeops.orders.v1 import orders_service_pb2_grpc as orders_grpc
from storeops.orders.v1 import resources_pb2 as order_res

from tools.load import driver

PRICE = money_pb2.Money(currency_code="CNY", amount_minor=1990)
CUSTOMER = order_res.Customer(
    name="Load Test", phone="13800000000", address="1 Test Road, Hangzhou"
)


def sku_code(index: int) -> str:
    return f"LOAD-{index:05d}"


HOT_SKU = "LOAD-HOT"


def _order_request(worker: driver.Worker, n: int, skus: list[str]) -> orders.PlaceOrderRequest:
    return orders.PlaceOrderRequest(
        channel=order_res.TMALL,
        external_order_id=f"LT-{worker.run_id}-{worker.process}-{n}",
        customer=CUSTOMER,
        lines=[order_res.OrderLine(sku_code=s, quantity=1, unit_price=PRICE) for s in skus],
        paid=True,
    )


def place_order(hot: bool) -> driver.Factory:
    def factory(worker: driver.Worker) -> driver.Operation:
        rng = random.Random(worker.process * 7919 + 17)
        sku_count: int = worker.options["skus"]

        async def place(worker: driver.Worker, n: int) -> tuple[str, tuple[str, str] | None]:
            if hot:
                skus = [HOT_SKU]
            else:
                skus = sorted(
                    {sku_code(rng.randrange(sku_count)) for _ in range(rng.choice((1, 2)))}
                )
            request = _order_request(worker, n, skus)
            stub = orders_grpc.OrderServiceStub(worker.channel("gateway"))
            try:
                order = await stub.PlaceOrder(request, metadata=worker.metadata, timeout=30)
            except grpc.RpcError as error:
                return driver.code_of(error), None
            return "OK", (request.external_order_id, order.order_id)

        return place

    return factory


def reserve_release(worker: driver.Worker) -> driver.Operation:
    rng = random.Random(worker.process * 104729 + 3)
    sku_count: int = worker.options["skus"]

    async def cycle(worker: driver.Worker, n: int) -> tuple[str, None]:
        stub = inv_grpc.InventoryServiceStub(worker.channel("inventory"))
        reservation_id = f"lt-{worker.run_id}-{worker.process}-{n}"
        request = inv.ReserveStockRequest(
            reservation_id=reservation_id,
            lines=[inv.SkuQuantity(sku_code=sku_code(rng.randrange(sku_count)), quantity=1)],
        )
        try:
            await stub.ReserveStock(request, metadata=worker.metadata, timeout=30)
            await stub.ReleaseReservation(
                inv.ReleaseReservationRequest(reservation_id=reservation_id),
                metadata=worker.metadata,
                timeout=30,
            )
        except grpc.RpcError as error:
            return driver.code_of(error), None
        return "OK", None

    return cycle


def mixed_day(worker: driver.Worker) -> driver.Operation:
    """A day's mix: place 50%, stock queries 20%, order lists 10%, cancel 8%, ship 10%, return 2%
    (cancel/ship/return act on orders this client placed earlier)."""
    rng = random.Random(worker.process * 1299709 + 11)
    sku_count: int = worker.options["skus"]
    placed: list[str] = []
    actions: list[tuple[str, float]] = [
        ("place", 0.50),
        ("stock", 0.20),
        ("list", 0.10),
        ("cancel", 0.08),
        ("ship", 0.10),
        ("return", 0.02),
    ]

    async def step(worker: driver.Worker, n: int) -> tuple[str, tuple[str, str] | None]:
        roll = rng.random()
        action = "place"
        for name, share in actions:
            if roll < share:
                action = name
                break
            roll -= share
        if action in ("cancel", "ship", "return") and not placed:
            action = "place"
        channel = worker.channel("gateway")
        order_stub = orders_grpc.OrderServiceStub(channel)
        try:
            if action == "place":
                skus = sorted(
                    {sku_code(rng.randrange(sku_count)) for _ in range(rng.choice((1, 2)))}
                )
                request = _order_request(worker, n, skus)
                order = await order_stub.PlaceOrder(request, metadata=worker.metadata, timeout=30)
                placed.append(order.order_id)
                return "OK", (request.external_order_id, order.order_id)
            if action == "stock":
                stub = inv_grpc.InventoryServiceStub(channel)
                await stub.GetStockLevel(
                    inv.GetStockLevelRequest(sku_code=sku_code(rng.randrange(sku_count))),
                    metadata=worker.metadata,
                    timeout=30,
                )
            elif action == "list":
                await order_stub.ListOrders(
                    orders.ListOrdersRequest(page_size=20), metadata=worker.metadata, timeout=30
                )
            elif action == "cancel":
                order_id = placed.pop(rng.randrange(len(placed)))
                await order_stub.CancelOrder(
                    orders.CancelOrderRequest(order_id=order_id, reason="load test"),
                    metadata=worker.metadata,
                    timeout=30,
                )
            elif action in ("ship", "return"):
                order_id = placed.pop(rng.randrange(len(placed)))
                await order_stub.ShipOrder(
                    orders.ShipOrderRequest(
                        order_id=order_id,
                        carrier="SF",
                        tracking_number=f"SF{n:010d}",
                        weight_grams=500,
                    ),
                    metadata=worker.metadata,
                    timeout=30,
                )
                if action == "return":
                    await _return_goods(worker, order_id, n)
        except grpc.RpcError as error:
            return f"{action}:{driver.code_of(error)}", None
        return "OK", None

    return step


async def _return_goods(worker: driver.Worker, order_id: str, n: int) -> None:
    """A customer return of one unit of a shipped order, worked to the refund: opened, goods
    received, QC finds them sellable, approved by a second person (the inspector may not),
    so inventory takes the unit back, refunded. Without an approver token it stops after QC."""
    stub = orders_grpc.OrderServiceStub(worker.channel("gateway"))
    request_id = f"ret-{worker.run_id}-{worker.process}-{n}"
    metadata, timeout = worker.metadata, 30
    line = after_sales.AfterSalesLine(line_no=1, quantity=1)
    await stub.OpenAfterSales(
        after_sales.OpenAfterSalesRequest(
            order_id=order_id,
            request_id=request_id,
            kind=after_sales.AfterSalesRequest.RETURN,
            reason=after_sales.AfterSalesRequest.QUALITY_PROBLEM,
            lines=[line],
        ),
        metadata=metadata,
        timeout=timeout,
    )
    await stub.ReceiveAfterSalesGoods(
        after_sales.ReceiveAfterSalesGoodsRequest(request_id=request_id, lines=[line]),
        metadata=metadata,
        timeout=timeout,
    )
    await stub.InspectAfterSalesGoods(
        after_sales.InspectAfterSalesGoodsRequest(
            request_id=request_id,
            verdict=after_sales.QcInspection.RETURNABLE,
            dispositions=[after_sales.Disposition(line_no=1, sellable=1)],
        ),
        metadata=metadata,
        timeout=timeout,
    )
    approver: str = worker.options.get("approver_token", "")
    if not approver:
        return
    await stub.ApproveAfterSales(
        after_sales.ApproveAfterSalesRequest(request_id=request_id),
        metadata=(("authorization", f"Bearer {approver}"),),
        timeout=timeout,
    )
    await stub.RefundAfterSales(
        after_sales.RefundAfterSalesRequest(
            request_id=request_id, refund_id=f"rf-{request_id}", reason="load test return"
        ),
        metadata=metadata,
        timeout=timeout,
    )
