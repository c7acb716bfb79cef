"""The soak's clients: the order mix a shop's systems send, with the retry discipline of
docs/reliability.md.

Every call a client makes is idempotent (PlaceOrder by channel + external id, CancelOrder and
ShipOrder on an order id with the same body), so on UNAVAILABLE, DEADLINE_EXCEEDED, ABORTED or
CANCELLED (a connection dropped, a process restarting, a database away) the client sends the SAME
request again, up to `RetryPolicy.attempts` times with exponential backoff and jitter. Every other
status is an answer.

A logical request ends in one of:
  * OK                      — the answer; recorded with what the server said (`accepted`);
  * a clean refusal         — FAILED_PRECONDITION, NOT_FOUND… (a definite "no");
  * in doubt                — still UNAVAILABLE/DEADLINE_EXCEEDED after every attempt: the request
                              is kept (serialized) and sent again once the system has recovered;
  * unclean                 — INTERNAL, UNKNOWN or DATA_LOSS: never acceptable.
"""

from __future__ import annotations

import asyncio
import base64
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import grpc
from google.protobuf.message import Message
from storeops.common.v1 import money_pb2
from storeops.orders.v1 import orders_service_pb2 as orders_pb
from storeops.orders.v1 import orders_service_pb2_grpc as orders_grpc
from storeops.orders.v1 import resources_pb2 as order_res

from tools.load import driver

# Transport-level outcomes after which the same request is sent again.
RETRYABLE = frozenset({"UNAVAILABLE", "DEADLINE_EXCEEDED", "ABORTED", "CANCELLED"})
# Statuses that are never an acceptable answer (a bug, or a dropped call we could not classify).
UNCLEAN = frozenset({"INTERNAL", "UNKNOWN", "DATA_LOSS"})

CHANNELS = (order_res.TMALL, order_res.AMAZON, order_res.OWN_SHOP)
PRICE = money_pb2.Money(currency_code="CNY", amount_minor=1990)
CUSTOMER = order_res.Customer(name="Soak Test", phone="13800000000", address="1 Soak Road")

# The methods the soak calls, by kind (for re-sending requests that ended in doubt).
METHODS = {
    "place": ("PlaceOrder", orders_pb.PlaceOrderRequest),
    "cancel": ("CancelOrder", orders_pb.CancelOrderRequest),
    "ship": ("ShipOrder", orders_pb.ShipOrderRequest),
}


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 12
    first_backoff: float = 0.1
    max_backoff: float = 2.0
    attempt_timeout: float = 5.0

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Full jitter: uniform in [base/2, base] with base doubling up to the maximum."""
        base = min(self.max_backoff, self.first_backoff * 2**attempt)
        return float(base / 2 + rng.random() * base / 2)


@dataclass(frozen=True)
class CallResult:
    code: str
    response: Any
    attempts: int
    details: str = ""


def code_name(error: grpc.RpcError) -> str:
    code = error.code() if hasattr(error, "code") else None
    return code.name if code is not None else "UNKNOWN"


async def call_with_retries(
    call: Callable[..., Awaitable[Any]],
    request: Message,
    metadata: tuple[tuple[str, str], ...],
    policy: RetryPolicy,
    rng: random.Random,
    counters: Any = None,
) -> CallResult:
    """Send `request` until it gets an answer or the attempts run out (same request each time)."""
    code, details = "UNAVAILABLE", ""
    for attempt in range(policy.attempts):
        try:
            response = await call(request, metadata=metadata, timeout=policy.attempt_timeout)
            return CallResult("OK", response, attempt + 1)
        except grpc.RpcError as error:
            code = code_name(error)
            details = error.details() if hasattr(error, "details") else ""
            if counters is not None:
                counters[f"attempt:{code}"] += 1
            if code not in RETRYABLE:
                return CallResult(code, None, attempt + 1, details or "")
        if attempt + 1 < policy.attempts:
            await asyncio.sleep(policy.backoff(attempt, rng))
    return CallResult(code, None, policy.attempts, details or "")


def encode(request: Message) -> str:
    return base64.b64encode(request.SerializeToString()).decode()


def decode(kind: str, blob: str) -> Message:
    request_type: Any = METHODS[kind][1]
    return request_type.FromString(base64.b64decode(blob))  # type: ignore[no-any-return]


def order_key(channel: int, external_id: str) -> str:
    return f"{order_res.Channel.Name(channel)}|{external_id}"


@dataclass(frozen=True)
class Mix:
    """Shares of the operations (the rest is PlaceOrder) and the shape of an order."""

    cancel: float = 0.08
    ship: float = 0.10
    scarce_share: float = 0.15  # orders that also want a scarce SKU (backorders, allocator)
    pause: float = 0.0  # seconds between a client's requests (0: back to back)


class _Client:
    """One client's state: the orders it placed (it may cancel them) and those answered
    CONFIRMED (it may ship them)."""

    def __init__(self, worker: driver.Worker) -> None:
        options = worker.options
        self.worker = worker
        self.rng = random.Random(f"{worker.run_id}-{worker.process}")
        self.skus: list[str] = options["skus"]
        self.scarce: list[str] = options.get("scarce", [])
        self.prefix: str = options["prefix"]
        self.policy: RetryPolicy = options.get("policy", RetryPolicy())
        self.mix: Mix = options.get("mix", Mix())
        self.placed: list[str] = []
        self.confirmed: list[str] = []

    def _take(self, pool: list[str]) -> str:
        order_id = pool.pop(self.rng.randrange(len(pool)))
        for other in (self.placed, self.confirmed):
            if order_id in other:
                other.remove(order_id)
        return order_id

    def place_request(self, n: int) -> orders_pb.PlaceOrderRequest:
        rng = self.rng
        chosen = {s: rng.choice((1, 2)) for s in rng.sample(self.skus, rng.choice((1, 2)))}
        if self.scarce and rng.random() < self.mix.scarce_share:
            chosen[rng.choice(self.scarce)] = rng.choice((1, 2, 3))
        return orders_pb.PlaceOrderRequest(
            channel=CHANNELS[n % len(CHANNELS)],
            external_order_id=f"{self.prefix}-{self.worker.process}-{n}",
            customer=CUSTOMER,
            lines=[
                order_res.OrderLine(sku_code=s, quantity=q, unit_price=PRICE)
                for s, q in sorted(chosen.items())
            ],
            paid=True,
        )

    def choose(self, n: int) -> tuple[str, str, Message, str]:
        """(kind, key, request, method) of the next request."""
        roll = self.rng.random()
        if roll < self.mix.cancel and self.placed:
            order_id = self._take(self.placed)
            request = orders_pb.CancelOrderRequest(order_id=order_id, reason="soak: customer")
            return "cancel", order_id, request, "CancelOrder"
        if roll < self.mix.cancel + self.mix.ship and self.confirmed:
            order_id = self._take(self.confirmed)
            ship = orders_pb.ShipOrderRequest(
                order_id=order_id,
                carrier="SF",
                tracking_number=f"SF-{self.worker.run_id}-{self.worker.process}-{n}",
                weight_grams=500,
            )
            return "ship", order_id, ship, "ShipOrder"
        place = self.place_request(n)
        return "place", order_key(place.channel, place.external_order_id), place, "PlaceOrder"

    async def step(self, worker: driver.Worker, n: int) -> tuple[str, tuple[str, str] | None]:
        if self.mix.pause:
            await asyncio.sleep(self.mix.pause)
        kind, key, request, method = self.choose(n)
        stub = orders_grpc.OrderServiceStub(worker.channel("gateway"))
        result = await call_with_retries(
            getattr(stub, method), request, worker.metadata, self.policy, self.rng, worker.counters
        )
        if result.attempts > 1:
            worker.counters[f"{kind}:retried"] += 1
        code = f"{kind}:{result.code}"
        if result.code == "OK":
            if kind != "place":
                return code, (f"{kind}|{key}", "OK")
            order = result.response
            status = order_res.Order.Status.Name(order.status)
            self.placed.append(order.order_id)
            if status == "CONFIRMED":
                self.confirmed.append(order.order_id)
            return code, (f"place|{key}", f"{order.order_id}|{status}")
        if result.code in RETRYABLE:
            return code, (f"doubt|{kind}|{key}", encode(request))
        if result.code in UNCLEAN:
            return code, (f"unclean|{kind}|{key}", f"{result.code}: {result.details}"[:300])
        return code, None


def order_mix(worker: driver.Worker) -> driver.Operation:
    """Driver factory (`tools.load.driver.run`). Options: `skus`, `scarce` (lists of codes),
    `prefix` (external ids), `policy` (RetryPolicy), `mix` (Mix)."""
    return _Client(worker).step


async def resend(
    gateway: str,
    token: str,
    doubts: dict[str, str],
    policy: RetryPolicy | None = None,
) -> dict[str, CallResult]:
    """Send every request that ended in doubt again (same request, same key) once the system is
    back; returns each one's final result, keyed like `doubts`."""
    policy = policy or RetryPolicy(attempts=8, max_backoff=2.0, attempt_timeout=10.0)
    metadata = (("authorization", f"Bearer {token}"),)
    rng = random.Random(0)
    results: dict[str, CallResult] = {}
    semaphore = asyncio.Semaphore(16)
    async with grpc.aio.insecure_channel(gateway) as channel:
        stub = orders_grpc.OrderServiceStub(channel)

        async def one(key: str, blob: str) -> None:
            kind = key.split("|")[1]
            method, _ = METHODS[kind]
            async with semaphore:
                results[key] = await call_with_retries(
                    getattr(stub, method), decode(kind, blob), metadata, policy, rng
                )

        await asyncio.gather(*(one(k, v) for k, v in doubts.items()))
    return results
