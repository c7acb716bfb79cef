"""The flood test: one client floods the gateway while another keeps its normal pace.

The gateway runs with a low per-client limit (the token's subject keys the bucket). The normal
client first runs alone (its baseline), then beside the flooder (several processes, one subject,
calls back to back). The flooder must be held to its limit with RESOURCE_EXHAUSTED (HTTP 429
for REST); the other client must see no error and keep its rate.
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass, field, replace
from typing import Any

import grpc
from storeops.inventory.v1 import inventory_service_pb2 as inv
from storeops.inventory.v1 import inventory_service_pb2_grpc as inv_grpc

from tools.load import driver
from tools.load.stats import Result, Tally, summarize
from tools.soak.checks import Verdict
from tools.soak.system import SoakSystem


@dataclass
class FloodPlan:
    seconds: float = 15.0
    limit_per_second: int = 100
    limit_burst: int = 100
    flood_processes: int = 2
    flood_concurrency: int = 32
    normal_rate: float = 20.0  # calls per second of the well-behaved client
    normal_concurrency: int = 4


@dataclass
class FloodOutcome:
    plan: FloodPlan
    baseline: Result
    normal: Result
    flooder: Result
    # The same paced client calling inventory directly during the flood: how much of the
    # normal client's latency is the host's CPUs (shared with the flooder's processes), not Envoy.
    control: Result | None = None
    verdict: Verdict = field(default_factory=Verdict)

    @property
    def ok(self) -> bool:
        return self.verdict.ok

    def as_dict(self) -> dict[str, Any]:
        return {
            "plan": vars(self.plan),
            "baseline": self.baseline.as_dict(),
            "normal": self.normal.as_dict(),
            "flooder": self.flooder.as_dict(),
            "control_direct": self.control.as_dict() if self.control else None,
            "invariants": [
                {"name": c.name, "ok": c.ok, "detail": c.detail} for c in self.verdict.checks
            ],
        }


def stock_reader(worker: driver.Worker) -> driver.Operation:
    """GetStockLevel through the gateway, back to back (the flooder)."""
    request = inv.GetStockLevelRequest(sku_code=worker.options["sku"])

    async def read(worker: driver.Worker, n: int) -> tuple[str, tuple[str, str] | None]:
        stub = inv_grpc.InventoryServiceStub(worker.channel("gateway"))
        try:
            await stub.GetStockLevel(request, metadata=worker.metadata, timeout=10)
        except grpc.RpcError as error:
            return driver.code_of(error), None
        return "OK", None

    return read


async def _paced(gateway: str, token: str, sku: str, plan: FloodPlan) -> Tally:
    """The well-behaved client: GetStockLevel at `plan.normal_rate` calls/s on a fixed schedule
    (latency is the call alone, not the wait for its slot)."""
    tally = Tally()
    metadata = (("authorization", f"Bearer {token}"),)
    request = inv.GetStockLevelRequest(sku_code=sku)
    slots = iter(range(10**9))
    started = time.monotonic()
    async with grpc.aio.insecure_channel(gateway) as channel:
        stub = inv_grpc.InventoryServiceStub(channel)

        async def client() -> None:
            while True:
                at = next(slots) / plan.normal_rate
                if at >= plan.seconds:
                    return
                await asyncio.sleep(max(0.0, started + at - time.monotonic()))
                begun = time.perf_counter()
                try:
                    await stub.GetStockLevel(request, metadata=metadata, timeout=10)
                    code = "OK"
                except grpc.RpcError as error:
                    code = driver.code_of(error)
                tally.record(code, (time.perf_counter() - begun) * 1000)

        await asyncio.gather(*(client() for _ in range(plan.normal_concurrency)))
    tally.seconds = time.monotonic() - started
    return tally


def _normal(system: SoakSystem, plan: FloodPlan, sku: str, token: str) -> Tally:
    return asyncio.run(_paced(system.gateway, token, sku, plan))


def _normal_and_control(
    system: SoakSystem, plan: FloodPlan, sku: str, token: str
) -> tuple[Tally, Tally]:
    async def both() -> tuple[Tally, Tally]:
        return await asyncio.gather(
            _paced(system.gateway, token, sku, plan),
            _paced(system.address("inventory"), token, sku, plan),
        )

    return asyncio.run(both())


def run_flood(system: SoakSystem, sku: str, plan: FloodPlan, run: str) -> FloodOutcome:
    original = system.local.gateway_options
    system.local.gateway_options = replace(
        original,
        client_rate_limit_burst=plan.limit_burst,
        client_rate_limit_per_second=plan.limit_per_second,
    )
    try:
        system.restart_gateway()
        normal_token = system.token("soak-normal-client")
        flood_token = system.token("soak-flooder")
        baseline = summarize("normal client alone", _normal(system, plan, sku, normal_token))
        flooded: dict[str, Tally] = {}

        def flood() -> None:
            flooded["tally"] = driver.run(
                stock_reader,
                {"gateway": system.gateway},
                flood_token,
                plan.flood_concurrency,
                plan.seconds,
                plan.flood_processes,
                f"{run}f",
                {"sku": sku},
            )

        thread = threading.Thread(target=flood, name="soak-flooder")
        thread.start()
        time.sleep(0.5)  # forked; the flood is on
        during, direct = _normal_and_control(system, plan, sku, normal_token)
        normal = summarize("normal client during flood", during)
        control = summarize("same, direct (no Envoy)", direct)
        thread.join()
        flooder = summarize("flooding client", flooded["tally"])
    finally:
        system.local.gateway_options = original
        system.restart_gateway()
    outcome = FloodOutcome(plan, baseline, normal, flooder, control)
    verdict = outcome.verdict
    allowed = plan.limit_per_second + plan.limit_burst / plan.seconds
    ok_rate = flooder.codes.get("OK", 0) / flooder.seconds if flooder.seconds else 0.0
    verdict.add(
        "flooder held to its limit",
        ok_rate <= allowed * 1.15,
        f"{ok_rate:.0f} OK/s against a limit of {plan.limit_per_second}/s "
        f"(+{plan.limit_burst} burst over {plan.seconds:g} s)",
    )
    refused = {k: v for k, v in flooder.codes.items() if k != "OK"}
    verdict.add(
        "flooder refused with RESOURCE_EXHAUSTED (not a retryable status) beyond it",
        set(refused) == {"RESOURCE_EXHAUSTED"},
        f"refusals by status: {refused}",
    )
    verdict.add(
        "the other client is not starved (no error, its rate kept)",
        normal.errors == 0 and normal.throughput >= 0.9 * plan.normal_rate,
        f"{normal.throughput:.1f}/s of {plan.normal_rate:.0f}/s, errors {normal.errors}, "
        f"p99 {normal.p99:.1f} ms (alone: {baseline.p99:.1f} ms)",
    )
    return outcome
