"""Seeds the load test's SKUs and stock through the public API (idempotently)."""

from __future__ import annotations

import asyncio

import grpc
from storeops.common.v1 import money_pb2
from storeops.inventory.v1 import inventory_service_pb2 as inv
from storeops.inventory.v1 import inventory_service_pb2_grpc as inv_grpc
from storeops.inventory.v1 import resources_pb2 as res

from tools.load.scenarios import HOT_SKU, sku_code

WAREHOUSE = "LOAD-WH"
RECEIPT_LINES = 500


async def _bounded(concurrency: int, jobs: list) -> None:  # type: ignore[type-arg]
    semaphore = asyncio.Semaphore(concurrency)

    async def run(job) -> None:  # type: ignore[no-untyped-def]
        async with semaphore:
            await job()

    await asyncio.gather(*(run(job) for job in jobs))


async def seed(
    inventory_address: str, token: str, skus: int, units_per_sku: int, hot_units: int
) -> None:
    metadata = (("authorization", f"Bearer {token}"),)
    async with grpc.aio.insecure_channel(inventory_address) as channel:
        stub = inv_grpc.InventoryServiceStub(channel)
        try:
            await stub.CreateWarehouse(
                inv.CreateWarehouseRequest(
                    warehouse=res.Warehouse(
                        code=WAREHOUSE, name="Load test", kind=res.Warehouse.SELLABLE
                    )
                ),
                metadata=metadata,
            )
        except grpc.RpcError as error:
            if error.code() != grpc.StatusCode.ALREADY_EXISTS:
                raise
        codes = [sku_code(i) for i in range(skus)] + [HOT_SKU]

        def upsert(code: str):  # type: ignore[no-untyped-def]
            async def job() -> None:
                await stub.UpsertSku(
                    inv.UpsertSkuRequest(
                        sku_code=code,
                        sku=res.Sku(
                            style_code="LOAD",
                            color="none",
                            size="one",
                            name=f"Load {code}",
                            unit_cost=money_pb2.Money(currency_code="CNY", amount_minor=1000),
                        ),
                    ),
                    metadata=metadata,
                )

            return job

        await _bounded(32, [upsert(code) for code in codes])
        batches = [codes[i : i + RECEIPT_LINES] for i in range(0, len(codes), RECEIPT_LINES)]

        def receive(index: int, batch: list[str]):  # type: ignore[no-untyped-def]
            async def job() -> None:
                receipt = await stub.CreateReceipt(
                    inv.CreateReceiptRequest(
                        receipt_id=f"LOAD-RCPT-{skus}-{index}",
                        warehouse_code=WAREHOUSE,
                        supplier="Load Test Supplier",
                        lines=[
                            inv.SkuQuantity(
                                sku_code=c, quantity=hot_units if c == HOT_SKU else units_per_sku
                            )
                            for c in batch
                        ],
                    ),
                    metadata=metadata,
                )
                if receipt.status == res.Receipt.AWAITING_INSPECTION:
                    await stub.RecordInspection(
                        inv.RecordInspectionRequest(
                            receipt_id=receipt.receipt_id,
                            lines=[
                                inv.InspectionLine(
                                    sku_code=line.sku_code,
                                    inspected=line.sample_size,
                                    defective=0,
                                )
                                for line in receipt.lines
                            ],
                        ),
                        metadata=metadata,
                    )
                await stub.CompleteReceipt(
                    inv.CompleteReceiptRequest(receipt_id=receipt.receipt_id), metadata=metadata
                )

            return job

        await _bounded(4, [receive(i, b) for i, b in enumerate(batches)])


async def seed_stock(
    inventory_address: str,
    token: str,
    stock: dict[str, int],
    receipt_prefix: str,
    warehouse: str = WAREHOUSE,
) -> None:
    """Like `seed`, for chosen SKU codes and quantities: creates the warehouse and the SKUs if
    needed and receives `stock` through receipts `<receipt_prefix>-<n>` (idempotent on those ids,
    so a second call with the same prefix receives nothing more)."""
    metadata = (("authorization", f"Bearer {token}"),)
    async with grpc.aio.insecure_channel(inventory_address) as channel:
        stub = inv_grpc.InventoryServiceStub(channel)
        try:
            await stub.CreateWarehouse(
                inv.CreateWarehouseRequest(
                    warehouse=res.Warehouse(
                        code=warehouse, name="Load test", kind=res.Warehouse.SELLABLE
                    )
                ),
                metadata=metadata,
            )
        except grpc.RpcError as error:
            if error.code() != grpc.StatusCode.ALREADY_EXISTS:
                raise

        def upsert(code: str):  # type: ignore[no-untyped-def]
            async def job() -> None:
                await stub.UpsertSku(
                    inv.UpsertSkuRequest(
                        sku_code=code,
                        sku=res.Sku(
                            style_code="LOAD",
                            color="none",
                            size="one",
                            name=f"Load {code}",
                            unit_cost=money_pb2.Money(currency_code="CNY", amount_minor=1000),
                        ),
                    ),
                    metadata=metadata,
                )

            return job

        await _bounded(16, [upsert(code) for code in stock])
        codes = sorted(stock)
        batches = [codes[i : i + RECEIPT_LINES] for i in range(0, len(codes), RECEIPT_LINES)]

        def receive(index: int, batch: list[str]):  # type: ignore[no-untyped-def]
            async def job() -> None:
                receipt = await stub.CreateReceipt(
                    inv.CreateReceiptRequest(
                        receipt_id=f"{receipt_prefix}-{index}",
                        warehouse_code=warehouse,
                        supplier="Load Test Supplier",
                        lines=[inv.SkuQuantity(sku_code=c, quantity=stock[c]) for c in batch],
                    ),
                    metadata=metadata,
                )
                if receipt.status == res.Receipt.AWAITING_INSPECTION:
                    await stub.RecordInspection(
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
                if receipt.status != res.Receipt.COMPLETED:
                    await stub.CompleteReceipt(
                        inv.CompleteReceiptRequest(receipt_id=receipt.receipt_id),
                        metadata=metadata,
                    )

            return job

        await _bounded(4, [receive(i, b) for i, b in enumerate(batches)])
