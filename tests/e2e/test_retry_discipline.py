"""Client retry discipline, end to end (docs/reliability.md):

* a real Envoy with the generated config, in front of a stand-in upstream that answers every call
  UNAVAILABLE, passes every RPC of every service to it 3 times when its proto says a retry is
  safe and exactly once otherwise (counted by the upstream, and by Envoy's own retry stats);
* the writes clients retry most, sent twice with the same key through the real system, give the
  same answer and one effect;
* a client's deadline reaches inventory through Envoy and orders, the call to inventory is
  cancelled when it expires (no work keeps running for the request), and the reconciler — not the
  request — finishes the order afterwards.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent import futures
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import pytest
import yaml
from grpc_health.v1 import health_pb2
from storeops.common.v1 import money_pb2
from storeops.inventory.v1 import inventory_service_pb2 as inv
from storeops.inventory.v1 import resources_pb2 as inv_res
from storeops.orders.v1 import orders_service_pb2 as orders_pb
from storeops.orders.v1 import orders_service_pb2_grpc as orders_grpc
from storeops.orders.v1 import resources_pb2 as order_res

from gateway import topology
from gateway.catalog import load_catalog
from gateway.envoy_config import GatewayOptions, build_config
from services.common.config import SERVICES
from tests.e2e.test_orders_support import Shop, eventually, uid
from tests.support.system import RunningSystem
from tools.embedded_pg import free_port

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
DESCRIPTORS = ROOT / "gen" / "storeops.binpb"
GET_JWKS = "/storeops.people.v1.PeopleService/GetJwks"
HEALTH = "/grpc.health.v1.Health/Check"


# ---- a stand-in upstream ------------------------------------------------------------------------
@dataclass
class Call:
    """One call the stand-in received: its method, request id, the deadline it carried (seconds
    left on arrival), and how it ended."""

    method: str
    request_id: str
    deadline: float | None
    arrived: float = field(default_factory=time.monotonic)
    ended: float | None = None
    cancelled: bool = False


Behaviour = Callable[[bytes, grpc.ServicerContext, Call], bytes]


def unavailable(request: bytes, context: grpc.ServicerContext, call: Call) -> bytes:
    context.abort(grpc.StatusCode.UNAVAILABLE, "stand-in: unavailable")
    raise AssertionError("unreachable")


class StandIn(grpc.GenericRpcHandler):
    """A gRPC server that answers any method: health SERVING, else the method's behaviour."""

    def __init__(self, behaviours: dict[str, Behaviour], default: Behaviour = unavailable):
        self.behaviours = behaviours
        self.default = default
        self.calls: list[Call] = []
        self.lock = threading.Lock()
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=64))
        self.server.add_generic_rpc_handlers((self,))
        self.port = self.server.add_insecure_port("127.0.0.1:0")

    def service(self, details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler:
        method = details.method

        def handle(request: bytes, context: grpc.ServicerContext) -> bytes:
            if method == HEALTH:
                serving = health_pb2.HealthCheckResponse.SERVING
                return health_pb2.HealthCheckResponse(status=serving).SerializeToString()
            metadata = dict(context.invocation_metadata())
            call = Call(method, str(metadata.get("x-request-id", "")), context.time_remaining())
            with self.lock:
                self.calls.append(call)
            try:
                return self.behaviours.get(method, self.default)(request, context, call)
            finally:
                call.ended = time.monotonic()

        return grpc.unary_unary_rpc_method_handler(handle)

    def count(self) -> Counter[str]:
        with self.lock:
            return Counter(c.method for c in self.calls)

    def __enter__(self) -> StandIn:
        self.server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.stop(grace=0)


def forward_to(address: str) -> Behaviour:
    def forward(request: bytes, context: grpc.ServicerContext, call: Call) -> bytes:
        with grpc.insecure_channel(address) as channel:
            answer: bytes = channel.unary_unary(call.method)(request, timeout=5)
            return answer

    return forward


# ---- the gateway retries exactly the idempotent RPCs --------------------------------------------
@dataclass
class Gateway:
    address: str
    admin: str
    stand_in: StandIn

    def stats(self, prefix: str) -> dict[str, int]:
        with urllib.request.urlopen(f"{self.admin}/stats?format=json&filter={prefix}") as r:
            stats = json.loads(r.read())["stats"]
        return {s["name"]: int(s["value"]) for s in stats if "value" in s}


def run_envoy(config: dict[str, Any], admin_port: int, tmp: Path) -> subprocess.Popen[bytes]:
    path = tmp / "envoy.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    envoy = Path(sys.executable).parent / "envoy"
    log = (tmp / "envoy.log").open("wb")
    return subprocess.Popen(
        [
            *(str(envoy), "-c", str(path), "--concurrency", "1", "--log-level", "warning"),
            *("--base-id", str(admin_port), "--drain-time-s", "1"),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def wait_for(probe: Callable[[], bool], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if probe():
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise TimeoutError(what)


@pytest.fixture(scope="module")
def gateway(system: RunningSystem, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    """Envoy with the generated config; every service is the stand-in, which answers GetJwks
    from the real people service (so tokens verify) and everything else UNAVAILABLE."""
    with StandIn({GET_JWKS: forward_to(system.service_address("people"))}) as stand_in:
        listen, admin = free_port(), free_port()
        topo = topology.local(
            ports=dict.fromkeys(SERVICES, stand_in.port),
            listen_port=listen,
            admin_port=admin,
            descriptor_path=str(DESCRIPTORS),
        )
        config = build_config(load_catalog(DESCRIPTORS), topo, GatewayOptions(access_log=False))
        envoy = run_envoy(config, admin, tmp_path_factory.mktemp("envoy"))
        try:
            gw = Gateway(f"127.0.0.1:{listen}", f"http://127.0.0.1:{admin}", stand_in)
            wait_for(lambda: urllib.request.urlopen(f"{gw.admin}/ready").status == 200, "ready")
            wait_for(lambda: any(gw.stats("jwks_fetch_success").values()), "JWKS fetched")
            yield gw
        finally:
            envoy.terminate()
            envoy.wait(10)


def test_the_gateway_retries_exactly_the_rpcs_whose_proto_allows_it(
    gateway: Gateway, admin_token: str
) -> None:
    methods = [
        (s.upstream, m) for s in load_catalog(DESCRIPTORS) for m in s.methods if m.path != GET_JWKS
    ]
    before = gateway.stats("upstream_rq_retry")
    metadata = (("authorization", f"Bearer {admin_token}"),)
    answers: dict[str, str] = {}
    with grpc.insecure_channel(gateway.address) as channel:

        def call(path: str) -> None:
            try:
                channel.unary_unary(path)(b"", metadata=metadata, timeout=10)
                answers[path] = "OK"
            except grpc.RpcError as error:
                answers[path] = error.code().name

        with futures.ThreadPoolExecutor(16) as pool:
            list(pool.map(call, [m.path for _, m in methods]))
    attempts = gateway.stand_in.count()
    after = gateway.stats("upstream_rq_retry")

    assert set(answers.values()) == {"UNAVAILABLE"}
    wrong = {
        m.path: attempts[m.path]
        for _, m in methods
        if attempts[m.path] != (3 if m.retryable else 1)
    }
    assert not wrong, f"attempts that reached the upstream, per RPC: {wrong}"
    assert any(not m.retryable for _, m in methods)
    for upstream in sorted({u for u, _ in methods}):
        name = f"cluster.{upstream}.upstream_rq_retry"
        retried = sum(1 for u, m in methods if u == upstream and m.retryable)
        assert after.get(name, 0) - before.get(name, 0) == 2 * retried, upstream


# ---- a repeated write is harmless --------------------------------------------------------------
def test_writes_sent_twice_with_the_same_key_give_one_effect(
    system: RunningSystem, admin_token: str
) -> None:
    shop = Shop(system, admin_token)
    sku = shop.stocked_sku(10)
    body = shop.order_body({sku: 2})
    first, again = shop.place({sku: 2}, **_same(body)), shop.place({sku: 2}, **_same(body))
    assert again["orderId"] == first["orderId"]
    assert again["status"] == first["status"] == "CONFIRMED"
    ship = {"carrier": "SF", "trackingNumber": "SF0000000001", "weightGrams": 500}
    shipped = shop.act(first["orderId"], "ship", ship)
    assert shop.act(first["orderId"], "ship", ship)["status"] == shipped["status"] == "SHIPPED"
    cancel_me = shop.place({sku: 3})
    cancelled = shop.act(cancel_me["orderId"], "cancel", {"reason": "twice"})
    assert shop.act(cancel_me["orderId"], "cancel", {"reason": "twice"})["status"] == "CANCELLED"
    assert cancelled["status"] == "CANCELLED"
    assert eventually(lambda: shop.stock(sku) == (8, 0, 8) and shop.stock(sku))  # 2 shipped once

    reservation = {"reservationId": uid("rsv"), "lines": [{"skuCode": sku, "quantity": 5}]}
    assert shop.call("POST", "/v1/reservations", reservation) == shop.call(
        "POST", "/v1/reservations", reservation
    )
    assert shop.stock(sku) == (8, 5, 3)
    path = f"/v1/reservations/{reservation['reservationId']}:commit"
    assert shop.call("POST", path, {})["state"] == shop.call("POST", path, {})["state"]
    assert shop.stock(sku) == (3, 0, 3)

    warehouse = shop.warehouse()
    receipt = {
        "receiptId": uid("RC"),
        "warehouseCode": warehouse,
        "supplier": "Twice Ltd",
        "lines": [{"skuCode": sku, "quantity": 4}],
    }
    assert shop.call("POST", "/v1/receipts", receipt) == shop.call("POST", "/v1/receipts", receipt)
    lines = [{"skuCode": sku, "inspected": 1, "defective": 0}]
    shop.call("POST", f"/v1/receipts/{receipt['receiptId']}:inspect", {"lines": lines})
    completed = shop.call("POST", f"/v1/receipts/{receipt['receiptId']}:complete", {})
    assert shop.call("POST", f"/v1/receipts/{receipt['receiptId']}:complete", {}) == completed
    assert shop.stock(sku) == (7, 0, 7)


def _same(body: dict[str, Any]) -> dict[str, Any]:
    return {"external_id": body["externalOrderId"], "channel": body["channel"]}


# ---- deadlines ----------------------------------------------------------------------------------
class SlowInventory:
    """Stands in for inventory: ReserveStock hangs until the caller gives up (or answers ACTIVE
    once `answering` is set); release answers RELEASED; the feed is empty."""

    def __init__(self) -> None:
        self.answering = threading.Event()
        prefix = "/storeops.inventory.v1.InventoryService/"
        self.stand_in = StandIn(
            {
                prefix + "ReserveStock": self.reserve,
                prefix + "ReleaseReservation": self.release,
                prefix + "ListEvents": self.events,
            }
        )

    def reserve(self, request: bytes, context: grpc.ServicerContext, call: Call) -> bytes:
        ask = inv.ReserveStockRequest.FromString(request)
        if not self.answering.is_set():
            done = threading.Event()
            context.add_callback(done.set)  # runs when the call ends: cancelled or expired
            done.wait(60)
            call.cancelled = not context.is_active()
            context.abort(grpc.StatusCode.UNAVAILABLE, "stand-in: too slow")
        state = inv_res.Reservation.ACTIVE
        return inv_res.Reservation(
            reservation_id=ask.reservation_id, state=state
        ).SerializeToString()

    def release(self, request: bytes, context: grpc.ServicerContext, call: Call) -> bytes:
        ask = inv.ReleaseReservationRequest.FromString(request)
        state = inv_res.Reservation.RELEASED
        return inv_res.Reservation(
            reservation_id=ask.reservation_id, state=state
        ).SerializeToString()

    def events(self, request: bytes, context: grpc.ServicerContext, call: Call) -> bytes:
        after = inv.ListEventsRequest.FromString(request).after
        return inv.ListEventsResponse(next_cursor=after).SerializeToString()

    def calls(self, request_id: str | None = None) -> list[Call]:
        reserve = "/storeops.inventory.v1.InventoryService/ReserveStock"
        with self.stand_in.lock:
            return [
                c
                for c in self.stand_in.calls
                if c.method == reserve and (request_id is None or c.request_id == request_id)
            ]


@pytest.fixture
def slow_inventory(system: RunningSystem) -> Iterator[SlowInventory]:
    """Orders restarted with its inventory address pointing at the stand-in; restored after."""
    slow = SlowInventory()
    local = system.local
    with slow.stand_in:
        local.stop_process("orders")
        local.service_env["STOREOPS_INVENTORY_ADDRESS"] = f"127.0.0.1:{slow.stand_in.port}"
        try:
            local.restart_service("orders")
            yield slow
        finally:
            local.service_env.pop("STOREOPS_INVENTORY_ADDRESS", None)
            local.stop_process("orders")
            local.restart_service("orders")


def _place(
    system: RunningSystem, token: str, deadline: float, request_id: str
) -> tuple[str, order_res.Order | None, float]:
    request = orders_pb.PlaceOrderRequest(
        channel=order_res.OWN_SHOP,
        external_order_id=uid("DL"),
        customer=order_res.Customer(name="Deadline", phone="13800000000", address="1 Road"),
        lines=[
            order_res.OrderLine(
                sku_code=uid("DL-SKU"),
                quantity=1,
                unit_price=money_pb2.Money(currency_code="CNY", amount_minor=990),
            )
        ],
        paid=True,
    )
    metadata = (("authorization", f"Bearer {token}"), ("x-request-id", request_id))
    started = time.monotonic()
    with grpc.insecure_channel(system.gateway_address) as channel:
        stub = orders_grpc.OrderServiceStub(channel)
        try:
            order = stub.PlaceOrder(request, metadata=metadata, timeout=deadline)
            return "OK", order, time.monotonic() - started
        except grpc.RpcError as error:
            # Whatever the answer, the order is found again by its key.
            again = stub.PlaceOrder(request, metadata=metadata[:1], timeout=30)
            return error.code().name, again, time.monotonic() - started


def _settled_by_the_reconciler(
    system: RunningSystem, token: str, slow: SlowInventory, order: order_res.Order, rid: str
) -> None:
    slow.answering.set()
    shop = Shop(system, token)
    confirmed = shop.status_becomes(order.order_id, "CONFIRMED", timeout=45)
    assert confirmed["status"] == "CONFIRMED"
    answered = [c for c in slow.calls() if c.request_id != rid and not c.cancelled]
    assert answered, "the reservation that confirmed the order came from the reconciler"
    shop.act(order.order_id, "cancel", {"reason": "deadline test done"})  # leave nothing held


def test_a_deadline_reaches_inventory_and_ends_the_work_it_started(
    system: RunningSystem, admin_token: str, slow_inventory: SlowInventory
) -> None:
    rid = f"deadline-{uuid.uuid4().hex[:8]}"
    code, order, seconds = _place(system, admin_token, 1.0, rid)

    (reserve,) = slow_inventory.calls(rid)  # one call to inventory, made for this request
    assert reserve.deadline is not None
    assert reserve.deadline < 1.0  # the client's deadline, through Envoy and orders
    wait_for(lambda: reserve.ended is not None, "the inventory call ended", timeout=5)
    assert reserve.cancelled  # given up by orders at the deadline, not answered
    assert reserve.ended is not None
    assert reserve.ended - reserve.arrived < 1.5  # nothing kept running for seconds
    assert seconds < 2.0
    assert code in ("OK", "DEADLINE_EXCEEDED"), code
    assert order is not None
    if code == "OK":  # orders answered in time: the order, still owing its reservation
        assert order.status == order_res.Order.PENDING
    _settled_by_the_reconciler(system, admin_token, slow_inventory, order, rid)


def test_a_200_ms_deadline_leaves_the_reservation_to_the_reconciler(
    system: RunningSystem, admin_token: str, slow_inventory: SlowInventory
) -> None:
    rid = f"deadline-{uuid.uuid4().hex[:8]}"
    code, order, _ = _place(system, admin_token, 0.2, rid)

    assert code in ("OK", "DEADLINE_EXCEEDED"), code
    assert order is not None
    assert order.status == order_res.Order.PENDING  # stored; the reservation is owed
    time.sleep(0.5)
    late = [c for c in slow_inventory.calls(rid) if c.ended is None]
    assert not late, "no call to inventory is left running for the expired request"
    assert all(c.deadline is not None and c.deadline < 0.2 for c in slow_inventory.calls(rid))
    _settled_by_the_reconciler(system, admin_token, slow_inventory, order, rid)
