"""Checks after a load run: no oversell, every accepted order exactly once, ledger = balances."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import grpc
from storeops.inventory.v1 import inventory_service_pb2 as inv
from storeops.inventory.v1 import inventory_service_pb2_grpc as inv_grpc
from storeops.orders.v1 import orders_service_pb2 as orders
from storeops.orders.v1 import orders_service_pb2_grpc as orders_grpc

from tools.load.scenarios import HOT_SKU, sku_code


@dataclass
class Verdict:
    checks: list[tuple[str, bool, str]] = field(default_factory=list)

    def add(self, name: str, ok: bool, detail: str = "") -> None:
        self.checks.append((name, ok, detail))

    @property
    def ok(self) -> bool:
        return all(ok for _, ok, _ in self.checks)


async def check_stock(
    inventory: str, token: str, skus: int, verdict: Verdict, parallel: int = 32
) -> None:
    """Every seeded SKU: reserved never above on hand (reserved + shipped ≤ received)."""
    metadata = (("authorization", f"Bearer {token}"),)
    codes = [HOT_SKU, *(sku_code(i) for i in range(skus))]
    bad: list[str] = []
    gate = asyncio.Semaphore(parallel)
    async with grpc.aio.insecure_channel(inventory) as channel:
        stub = inv_grpc.InventoryServiceStub(channel)

        async def check(code: str) -> None:
            async with gate:
                level = await stub.GetStockLevel(
                    inv.GetStockLevelRequest(sku_code=code), metadata=metadata, timeout=30
                )
            if (
                level.reserved > level.on_hand
                or level.available < 0
                or level.available != level.on_hand - level.reserved
            ):
                bad.append(
                    f"{code}: on_hand={level.on_hand} reserved={level.reserved}"
                    f" available={level.available}"
                )

        await asyncio.gather(*(check(code) for code in codes))
        verdict.add(
            "no oversell (reserved ≤ on hand, available ≥ 0)",
            not bad,
            "; ".join(bad[:5]) or f"{len(codes)} SKUs checked",
        )
        verify = getattr(stub, "VerifyLedger", None)
        request_type = getattr(inv, "VerifyLedgerRequest", None)
        if verify is None or request_type is None:
            verdict.add("ledger equals balances", False, "inventory has no VerifyLedger RPC")
            return
        report = await verify(request_type(), metadata=metadata, timeout=120)
        mismatches = list(getattr(report, "mismatches", []))
        consistent = bool(getattr(report, "consistent", not mismatches))
        verdict.add(
            "ledger equals balances",
            consistent,
            f"{len(mismatches)} mismatches" if mismatches else "consistent",
        )


async def check_orders(
    gateway: str, token: str, accepted: dict[str, str], verdict: Verdict, parallel: int = 32
) -> None:
    """Every order a client was told was accepted is read back, each id once."""
    metadata = (("authorization", f"Bearer {token}"),)
    ids = list(accepted.values())
    verdict.add(
        "one order per accepted request",
        len(set(ids)) == len(ids),
        f"{len(ids)} accepted, {len(set(ids))} distinct ids",
    )
    missing = []
    async with grpc.aio.insecure_channel(gateway) as channel:
        stub = orders_grpc.OrderServiceStub(channel)
        gate = asyncio.Semaphore(parallel)

        async def fetch(external: str, order_id: str) -> None:
            async with gate:
                await read_back(external, order_id)

        async def read_back(external: str, order_id: str) -> None:
            try:
                order = await stub.GetOrder(
                    orders.GetOrderRequest(order_id=order_id), metadata=metadata, timeout=30
                )
                if order.external_order_id != external:
                    missing.append(
                        f"{order_id} has external id {order.external_order_id}, expected {external}"
                    )
            except grpc.RpcError as error:
                missing.append(f"{order_id}: {error.code().name}")

        await asyncio.gather(*(fetch(e, o) for e, o in accepted.items()))
    verdict.add(
        "every accepted order exists",
        not missing,
        "; ".join(missing[:5]) or f"all {len(accepted)} read back",
    )
