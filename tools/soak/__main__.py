"""`make soak` / `python -m tools.soak`: the fault scenarios of issue 9 and the flood test.

Starts its own system (orders' database on an embedded PostgreSQL server of its own, the rest on a
second one, or on STOREOPS_DATABASE_URL's server), seeds stock, then runs each scenario under
concurrent order traffic from retrying clients, checks the invariants after each, and prints a
table. Exits 1 if anything was lost or any invariant broke. Logs and the JSON figures stay in the
state directory (var/soak/<run> by default).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import psutil

from tools.soak.clients import Mix, RetryPolicy
from tools.soak.flood import FloodOutcome, FloodPlan, run_flood
from tools.soak.report import print_flood, print_scenarios
from tools.soak.scenarios import FAULTS, Outcome, Plan, Progress, Stock, run_scenario
from tools.soak.system import SoakSystem

ROOT = Path(__file__).resolve().parent.parent.parent


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tools.soak", description=__doc__)
    parser.add_argument("--duration", type=float, default=30, help="seconds of load per scenario")
    parser.add_argument("--concurrency", type=int, default=16, help="concurrent clients")
    parser.add_argument("--processes", type=int, default=2, help="client processes")
    parser.add_argument("--skus", type=int, default=100)
    parser.add_argument(
        "--scenarios", default="1,2,3,4,5,flood", help="subset, e.g. 1,3 or flood (default: all)"
    )
    parser.add_argument("--settle-timeout", type=float, default=180)
    parser.add_argument("--flood-seconds", type=float, default=15)
    parser.add_argument("--flood-limit", type=int, default=100, help="per-client calls/s")
    parser.add_argument("--no-performance-check", dest="performance", action="store_false")
    parser.add_argument("--state-dir", type=Path, help="default: var/soak/<run>")
    parser.add_argument("--keep-data", action="store_true", help="keep the PostgreSQL data")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args(argv)
    chosen = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    unknown = [s for s in chosen if s not in FAULTS and s != "flood"]
    if unknown:
        parser.error(f"unknown scenario(s) {unknown}; choose from {[*FAULTS, 'flood']}")
    args.chosen = chosen
    return args


def describe(args: argparse.Namespace, plan: Plan, run: str) -> dict[str, Any]:
    return {
        "run": run,
        "machine": {
            "cpus": psutil.cpu_count(),
            "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "python": platform.python_version(),
        },
        "settings": {
            "duration": args.duration,
            "concurrency": args.concurrency,
            "processes": args.processes,
            "skus": args.skus,
            "scenarios": args.chosen,
            "retry": vars(plan.policy),
            "mix": vars(plan.mix),
        },
    }


def run_all(
    system: SoakSystem, args: argparse.Namespace, plan: Plan, stock: Stock, say: Progress
) -> tuple[list[Outcome], FloodOutcome | None]:
    token = system.token()
    say(f"seeding {len(stock.skus)} SKUs and {len(stock.scarce)} scarce ones…")
    stock.seed(system, token)
    outcomes: list[Outcome] = []
    for number in args.chosen:
        if number == "flood":
            continue
        say(f"scenario {FAULTS[number][0]} …")
        try:
            outcome = run_scenario(system, number, plan, stock, token, say)
        except Exception as exc:  # the harness could not finish it: a failure, stop here
            outcome = Outcome(number, f"{number} {FAULTS[number][0]}", 0.0)
            outcome.verdict.add("the scenario ran to its end", False, repr(exc)[:500])
            outcomes.append(outcome)
            say(f"  FAIL: {exc!r}")
            return outcomes, None
        outcomes.append(outcome)
        say(
            f"  {'PASS' if outcome.ok else 'FAIL'}: sent {outcome.sent}, "
            f"lost {outcome.lost}, {outcome.seconds:.0f} s"
        )
    if "flood" not in args.chosen:
        return outcomes, None
    say("flood test…")
    limit = FloodPlan(
        seconds=args.flood_seconds, limit_per_second=args.flood_limit, limit_burst=args.flood_limit
    )
    return outcomes, run_flood(system, stock.skus[0], limit, stock.run)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    run = secrets.token_hex(3)
    state = args.state_dir or ROOT / "var" / "soak" / run
    plan = Plan(
        duration=args.duration,
        concurrency=args.concurrency,
        processes=args.processes,
        policy=RetryPolicy(),
        mix=Mix(),
        settle_timeout=args.settle_timeout,
        check_performance=args.performance,
    )
    figures = describe(args, plan, run)
    began = time.monotonic()

    def say(text: str) -> None:
        print(f"soak {time.monotonic() - began:7.1f}s {text}", flush=True)

    say(f"starting the system in {state} …")
    stock = Stock.plan(run, skus=args.skus)
    system = SoakSystem.start(state)
    try:
        outcomes, flood = run_all(system, args, plan, stock, say)
    finally:
        say("stopping the system…")
        system.stop()
        if not args.keep_data:
            for data in ("pg-orders", "pg-main", "pgdata"):
                shutil.rmtree(state / data, ignore_errors=True)
    print()
    print(
        f"make soak on {figures['machine']['cpus']} CPUs: {args.duration:g} s of load per "
        f"scenario, {args.concurrency} clients in {args.processes} processes, "
        f"{len(stock.skus)} SKUs + {len(stock.scarce)} scarce"
    )
    print()
    if outcomes:
        print_scenarios(outcomes)
    if flood is not None:
        print_flood(flood)
    ok = all(o.ok for o in outcomes) and (flood is None or flood.ok)
    print(f"\nsoak: {'PASS' if ok else 'FAIL'} — logs in {state / 'logs'}")
    figures["scenarios"] = [o.as_dict() for o in outcomes]
    figures["flood"] = flood.as_dict() if flood else None
    figures["ok"] = ok
    (state / "soak.json").write_text(json.dumps(figures, indent=2, default=str))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, default=str))
    return 0 if ok else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
