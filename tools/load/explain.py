"""`python -m tools.load.explain`: the plans PostgreSQL runs for the order and stock hot paths.

Starts a small local system on its own embedded PostgreSQL with `auto_explain` logging every
statement's EXPLAIN ANALYZE, seeds a few SKUs, places orders (one and two lines), reserves and
releases directly, ships one order, then prints the last plan of each hot statement (the prepared
one, after warm-up) with its timing and buffers. Used to check that every statement of the paths
is an index lookup and that no plan grows with the table sizes."""

from __future__ import annotations

import asyncio
import os
import re
import tempfile
from pathlib import Path

import grpc
import psycopg
from storeops.inventory.v1 import inventory_service_pb2 as inv
from storeops.inventory.v1 import inventory_service_pb2_grpc as inv_grpc
from storeops.orders.v1 import orders_service_pb2 as orders
from storeops.orders.v1 import orders_service_pb2_grpc as orders_grpc
from storeops.orders.v1 import resources_pb2 as order_res

from services.common.db import libpq_url
from tools.load.scenarios import CUSTOMER, PRICE, sku_code
from tools.load.seed import seed
from tools.system import LocalSystem, Ports
from tools.tokens import LocalTokens

# Statements of the hot paths, by a fragment of their text.
HOT = {
    "inventory reserve (one statement)": "FROM verdict WHERE verdict.ok",
    "inventory release (one statement)": "UPDATE reservations SET state = 'RELEASED'",
    "orders: store the placed order": "INSERT INTO orders (order_id, channel, external_order_id",
    "orders: record the saga's answer": "UPDATE orders SET",
    "orders: a retried PlaceOrder finds its order by channel + external id": (
        "o.external_order_id = $"
    ),
    "orders: read one order (GetOrder, ShipOrder)": "WHERE o.order_id = $1",
}
SETTINGS = {
    "session_preload_libraries": "'auto_explain'",
    "auto_explain.log_min_duration": "0",
    "auto_explain.log_analyze": "on",
    "auto_explain.log_buffers": "on",
    "auto_explain.log_level": "warning",
}
WARM_UP = 200  # orders and reservations before ANALYZE, so the tables are not trivially small
ROUNDS = 10
SKUS = 2000  # enough rows that a sequential scan would show in the plans and the timings


def _configure(system: LocalSystem) -> None:
    assert system.postgres is not None
    with psycopg.connect(libpq_url(system.database_urls["orders"]), autocommit=True) as conn:
        for name, value in SETTINGS.items():
            conn.execute(f"ALTER SYSTEM SET {name} = {value}")
        conn.execute("SELECT pg_reload_conf()")
    for service in ("inventory", "orders"):  # new connections load auto_explain
        system.stop_process(service)
        system.restart_service(service)


def _analyze(system: LocalSystem) -> None:
    """What autovacuum does in production once a table has grown."""
    for service in ("inventory", "orders"):
        with psycopg.connect(libpq_url(system.database_urls[service]), autocommit=True) as conn:
            conn.execute("ANALYZE")


def _rounds(
    system: LocalSystem, metadata: tuple[tuple[str, str], ...], first: int, count: int
) -> None:
    """Orders of one or two lines through the gateway, a retry of each, a read of each, and
    reserve + release directly; the last order is shipped."""
    gateway = f"127.0.0.1:{system.ports.gateway}"
    inventory = f"127.0.0.1:{system.ports.services['inventory']}"
    with grpc.insecure_channel(gateway) as g, grpc.insecure_channel(inventory) as i:
        order_stub = orders_grpc.OrderServiceStub(g)
        stock_stub = inv_grpc.InventoryServiceStub(i)
        last = None
        for n in range(first, first + count):
            skus = sorted({sku_code(n * 37 % SKUS), sku_code((n * 7 + 3) % SKUS)})
            request = orders.PlaceOrderRequest(
                channel=order_res.TMALL,
                external_order_id=f"EXPLAIN-{n}",
                customer=CUSTOMER,
                lines=[order_res.OrderLine(sku_code=s, quantity=1, unit_price=PRICE) for s in skus],
                paid=True,
            )
            last = order_stub.PlaceOrder(request, metadata=metadata, timeout=30)
            order_stub.PlaceOrder(request, metadata=metadata, timeout=30)  # a client's retry
            order_stub.GetOrder(
                orders.GetOrderRequest(order_id=last.order_id), metadata=metadata, timeout=30
            )
            reservation = f"explain-{n}"
            stock_stub.ReserveStock(
                inv.ReserveStockRequest(
                    reservation_id=reservation,
                    lines=[inv.SkuQuantity(sku_code=sku_code(n * 11 % SKUS), quantity=1)],
                ),
                metadata=metadata,
                timeout=30,
            )
            stock_stub.ReleaseReservation(
                inv.ReleaseReservationRequest(reservation_id=reservation),
                metadata=metadata,
                timeout=30,
            )
        assert last is not None
        order_stub.ShipOrder(
            orders.ShipOrderRequest(
                order_id=last.order_id,
                carrier="SF",
                tracking_number="SF0000000001",
                weight_grams=500,
            ),
            metadata=metadata,
            timeout=30,
        )


def _drive(system: LocalSystem, token: str) -> None:
    metadata = (("authorization", f"Bearer {token}"),)
    inventory = f"127.0.0.1:{system.ports.services['inventory']}"
    asyncio.run(seed(inventory, token, SKUS, units_per_sku=1000, hot_units=1000))
    _rounds(system, metadata, 0, WARM_UP)
    _analyze(system)
    _rounds(system, metadata, WARM_UP, ROUNDS)


def _plans(log: str) -> dict[str, str]:
    """The last logged plan of each hot statement (a retry's insert that only met its own first
    attempt, `Conflicting Tuples: 1`, is not the plan of the path)."""
    found: dict[str, str] = {}
    for block in re.split(r"\n(?=\S.*(?:WARNING|LOG):\s+duration: )", log):
        if "Query Text:" not in block or "Conflicting Tuples: 1" in block:
            continue
        for name, fragment in HOT.items():
            if fragment in block:
                found[name] = block.strip()
    return found


def main() -> int:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("STOREOPS_")}
    environ |= {"STOREOPS_ACCESS_LOG": "0", "STOREOPS_LOG_LEVEL": "WARNING"}
    with tempfile.TemporaryDirectory(prefix="storeops-explain-") as state:
        system = LocalSystem(state_dir=Path(state), ports=Ports.free(), environ=environ, quiet=True)
        with system.running():
            _configure(system)
            token = LocalTokens(system.keys_dir).token(subject="explain", ttl=3600)
            _drive(system, token)
            assert system.postgres is not None
            log = (system.postgres.data_dir / "server.log").read_text(errors="replace")
        plans = _plans(log)
    for name in HOT:
        print(f"=== {name}")
        print(plans.get(name, "(not seen: the statement text changed? update HOT)"))
        print()
    return 0 if len(plans) == len(HOT) else 1


if __name__ == "__main__":
    raise SystemExit(main())
