"""`make load` / `python -m tools.load`: reference ceilings, then the load scenarios, then the
invariants; prints a table with ratios and exits non-zero if an invariant broke.

Without `--gateway` it starts its own system (embedded PostgreSQL unless STOREOPS_DATABASE_URL
is set) in a temporary directory; with `--gateway/--inventory/--token` it drives any deployment
(e.g. a Kubernetes cluster) and skips what needs local access (pgbench, memory, worker restarts).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import secrets
import signal
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import psutil

from tools.load import driver, reference, rest, scenarios
from tools.load.cpu import CpuMeter, postmaster_pid
from tools.load.invariants import Verdict, check_orders, check_stock
from tools.load.memory import MemoryWatch
from tools.load.seed import seed
from tools.load.stats import Result, summarize
from tools.system import LocalSystem, Ports
from tools.tokens import LocalTokens


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tools.load", description=__doc__)
    parser.add_argument("--duration", type=float, default=20, help="seconds per scenario")
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--processes", type=int, default=4, help="client processes")
    parser.add_argument("--skus", type=int, default=10_000)
    parser.add_argument("--scenarios", default="1,2,3,4,5")
    parser.add_argument(
        "--gateway", help="host:port of a running gateway (default: start a system)"
    )
    parser.add_argument("--inventory", help="host:port of inventory for scenario 3 (remote runs)")
    parser.add_argument("--token", help="bearer token with every permission (remote runs)")
    parser.add_argument(
        "--approver-token",
        help="a second person's token: approves the mixed day's returns, which the inspector "
        "may not (remote runs; without it returns stop after QC)",
    )
    parser.add_argument("--workers", type=int, default=1, help="processes per service (local)")
    parser.add_argument("--compare-workers", action="store_true", default=True)
    parser.add_argument("--no-compare-workers", dest="compare_workers", action="store_false")
    parser.add_argument("--no-reference", dest="reference", action="store_false", default=True)
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--smoke", action="store_true", help="10 s of scenarios 1-3 at low load")
    args = parser.parse_args(argv)
    if args.smoke:
        args.duration, args.concurrency, args.processes, args.skus = 3, 8, 2, 200
        args.scenarios, args.reference, args.compare_workers = "1,2,3", False, False
    return args


class Target:
    """Addresses and a token for the run, and the local system if we started one."""

    def __init__(self, args: argparse.Namespace, stack: ExitStack) -> None:
        self.local: LocalSystem | None = None
        if args.gateway:
            self.gateway = args.gateway
            self.inventory = args.inventory or args.gateway
            self.token = args.token or os.environ.get("STOREOPS_TOKEN", "")
            self.approver_token = args.approver_token or os.environ.get(
                "STOREOPS_APPROVER_TOKEN", ""
            )
            self.server_url = os.environ.get("STOREOPS_DATABASE_URL", "")
            return
        state = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="storeops-load-")))
        environ = {**os.environ, "STOREOPS_ACCESS_LOG": "0", "STOREOPS_LOG_LEVEL": "WARNING"}
        self.local = LocalSystem(
            state_dir=state,
            ports=Ports.free(),
            environ=environ,
            quiet=True,
            database_prefix=f"storeops_load_{secrets.token_hex(3)}",
            drop_databases_on_stop=bool(os.environ.get("STOREOPS_DATABASE_URL")),
        )
        self.local.service_env["STOREOPS_WORKERS"] = str(args.workers)
        self.local.service_env["STOREOPS_ACCESS_LOG"] = "0"
        self.local.start()
        stack.callback(self.local.stop)
        self.gateway = f"127.0.0.1:{self.local.ports.gateway}"
        self.inventory = f"127.0.0.1:{self.local.ports.services['inventory']}"
        tokens = LocalTokens(self.local.keys_dir)
        self.token = tokens.token(subject="load-test", ttl=6 * 3600)
        self.approver_token = tokens.token(subject="load-approver", ttl=6 * 3600)
        self.server_url = (
            self.local.postgres.url if self.local.postgres else self.local.database_urls["orders"]
        )

    def pids(self) -> dict[str, int]:
        if self.local is None:
            return {}
        return {name: p.pid for name, p in self.local.processes.items() if name != "gateway"}

    def cpu_pids(self) -> dict[str, int]:
        """Every process family of the local system whose CPU a request costs."""
        if self.local is None:
            return {}
        pids = {name: p.pid for name, p in self.local.processes.items()}
        if self.local.postgres is not None:
            postmaster = postmaster_pid(self.local.postgres.data_dir)
            if postmaster is not None:
                pids["postgres"] = postmaster
        return pids

    def restart_services(self, workers: int) -> None:
        assert self.local is not None
        self.local.service_env["STOREOPS_WORKERS"] = str(workers)
        for service in ("orders", "inventory"):
            self.local.stop_process(service)
            self.local.restart_service(service)
        time.sleep(3)  # Envoy's health checks mark the restarted upstreams healthy


def run_scenario(
    number: str, args: argparse.Namespace, target: Target, run_id: str
) -> tuple[Result | str, dict[str, str]]:
    options = {"skus": args.skus, "approver_token": target.approver_token}
    targets = {"gateway": target.gateway, "inventory": target.inventory}
    factories: dict[str, tuple[str, driver.Factory]] = {
        "1": (
            "1 PlaceOrder gRPC via gateway, 10k SKUs"
            if args.skus >= 10_000
            else f"1 PlaceOrder gRPC, {args.skus} SKUs",
            scenarios.place_order(hot=False),
        ),
        "2": ("2 PlaceOrder gRPC, one hot SKU", scenarios.place_order(hot=True)),
        "3": ("3 ReserveStock+Release direct", scenarios.reserve_release),
        "4": ("4 mixed day via gateway", scenarios.mixed_day),
    }
    if number == "5":
        base = f"http://{target.gateway}"
        return rest.run_wrk(
            base, target.token, args.skus, run_id, args.concurrency, int(args.duration)
        ), {}
    name, factory = factories[number]
    tally = driver.run(
        factory,
        targets,
        target.token,
        args.concurrency,
        args.duration,
        args.processes,
        f"{run_id}s{number}",
        options,
    )
    return summarize(name, tally), tally.accepted


def ratio(value: float, ceiling: float | None) -> str:
    return f"{value / ceiling:.2f}" if ceiling else "-"


def print_table(results: list[Result], ceilings: dict[str, float]) -> None:
    header = (
        f"{'scenario':<44}{'req/s':>9}{'p50':>8}{'p95':>8}{'p99':>8}{'max':>9}{'errors':>8}"
        f"  {'/noop':>6}{'/sql':>6}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        noop = ceilings.get("noop_direct") if r.name.startswith("3") else ceilings.get("noop_envoy")
        sql = ceilings.get("sql_hot") if "hot" in r.name else ceilings.get("sql_uniform")
        print(
            f"{r.name:<44}{r.throughput:>9.1f}{r.p50:>8.1f}{r.p95:>8.1f}{r.p99:>8.1f}"
            f"{r.max:>9.1f}{r.errors:>8}"
            f"  {ratio(r.throughput, noop):>6}{ratio(r.throughput, sql):>6}"
        )
        failed = {k: v for k, v in r.codes.items() if k != "OK"}
        if failed:
            print(f"    errors by status: {failed}")
        if cpu := r.extra.get("cpu_ms_per_request"):
            parts = ", ".join(f"{name} {ms:.2f}" for name, ms in cpu.items())
            print(f"    CPU ms per request: {parts} (total {sum(cpu.values()):.2f})")


def measure_ceilings(
    args: argparse.Namespace, target: Target
) -> tuple[dict[str, float], list[Result]]:
    """The same-run reference: raw SQL (pgbench) and a no-op gRPC call via Envoy and direct."""
    ceilings: dict[str, float] = {}
    if target.server_url:
        for key, hot in (("sql_uniform", False), ("sql_hot", True)):
            ceilings[key] = reference.raw_sql_ceiling(
                target.server_url, args.concurrency, int(args.duration), hot=hot
            )
    noop_envoy = reference.noop_grpc(
        target.gateway, args.concurrency, args.duration, args.processes, "noop via Envoy"
    )
    noop_direct = reference.noop_grpc(
        target.inventory, args.concurrency, args.duration, args.processes, "noop direct (inventory)"
    )
    ceilings["noop_envoy"] = noop_envoy.throughput
    ceilings["noop_direct"] = noop_direct.throughput
    rounded = {k: round(v, 1) for k, v in ceilings.items()}
    print(f"load: ceilings {json.dumps(rounded)}", flush=True)
    return ceilings, [noop_envoy, noop_direct]


def run_scenarios(
    args: argparse.Namespace, target: Target, run_id: str, figures: dict[str, Any]
) -> tuple[list[Result], dict[str, str]]:
    results: list[Result] = []
    accepted: dict[str, str] = {}
    cpu = CpuMeter(target.cpu_pids())
    with MemoryWatch(target.pids()) as memory:
        for number in args.scenarios.split(","):
            print(f"load: scenario {number}…", flush=True)
            cpu.start()
            result, ok = run_scenario(number.strip(), args, target, run_id)
            if isinstance(result, str):
                print(f"    skipped: {result}")
                figures.setdefault("skipped", {})[number] = result
                continue
            if per_request := cpu.per_request(result.requests):
                result.extra["cpu_ms_per_request"] = per_request
            results.append(result)
            accepted.update(ok)
    if target.local is not None:
        figures["peak_rss_mb"] = {k: round(v, 1) for k, v in memory.peak_mb.items()}
    return results, accepted


def compare_workers(
    args: argparse.Namespace, target: Target, run_id: str
) -> tuple[list[Result], dict[str, str]]:
    """Scenario 1 again with 1 and 2 processes per service (local runs only)."""
    results: list[Result] = []
    accepted: dict[str, str] = {}
    for workers in (1, 2):
        target.restart_services(workers)
        result, ok = run_scenario("1", args, target, f"{run_id}w{workers}")
        assert not isinstance(result, str)
        result.name = f"1 PlaceOrder, {workers} worker(s)/service"
        results.append(result)
        accepted.update(ok)
    return results, accepted


def report(
    results: list[Result], ceilings: dict[str, float], verdict: Verdict, figures: dict[str, Any]
) -> None:
    print()
    print_table(results, ceilings)
    print()
    for name, ok, detail in verdict.checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {name}: {detail}")
    if "peak_rss_mb" in figures:
        print(f"  peak RSS (MB): {figures['peak_rss_mb']}")
    figures["ceilings"] = ceilings
    figures["results"] = [r.as_dict() for r in results]
    figures["invariants"] = [{"name": n, "ok": ok, "detail": d} for n, ok, d in verdict.checks]


def _exit_on_sigterm(signum: int, _frame: object) -> None:
    sys.exit(128 + signum)  # unwinds the ExitStack: the system we started is stopped


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    run_id = secrets.token_hex(3)
    figures: dict[str, Any] = {
        "machine": {
            "cpus": psutil.cpu_count(),
            "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "python": platform.python_version(),
        },
        "settings": {k: v for k, v in vars(args).items() if k not in ("token", "json")}
        | {"json": str(args.json) if args.json else None},
    }
    results: list[Result] = []
    ceilings: dict[str, float] = {}
    verdict = Verdict()
    with ExitStack() as stack:
        where = "local system" if not args.gateway else args.gateway
        print(f"load: preparing ({where})…", flush=True)
        target = Target(args, stack)
        if args.reference:
            ceilings, noop_results = measure_ceilings(args, target)
            results += noop_results
        print(f"load: seeding {args.skus} SKUs…", flush=True)
        asyncio.run(
            seed(target.inventory, target.token, args.skus, units_per_sku=1000, hot_units=1_000_000)
        )
        scenario_results, accepted = run_scenarios(args, target, run_id, figures)
        results += scenario_results
        if args.compare_workers and target.local is not None and "1" in args.scenarios:
            worker_results, worker_accepted = compare_workers(args, target, run_id)
            results += worker_results
            accepted.update(worker_accepted)
        asyncio.run(check_stock(target.inventory, target.token, args.skus, verdict))
        asyncio.run(check_orders(target.gateway, target.token, accepted, verdict))
    report(results, ceilings, verdict, figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0 if verdict.ok else 1


if __name__ == "__main__":
    sys.exit(main())
