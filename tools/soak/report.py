"""The printed figures of a soak run."""

from __future__ import annotations

from collections.abc import Sequence

from tools.load.stats import Result
from tools.soak.flood import FloodOutcome
from tools.soak.scenarios import Outcome


def print_scenarios(outcomes: Sequence[Outcome]) -> None:
    header = (
        f"{'scenario':<48}{'sent':>7}{'ok':>7}{'retried':>9}{'clean fail':>12}"
        f"{'in doubt':>10}{'lost':>6}{'unclean':>9}"
    )
    print(header)
    print("-" * len(header))
    for o in outcomes:
        print(
            f"{o.name:<48}{o.sent:>7}{o.succeeded:>7}{o.retried:>9}{o.failed_clean:>12}"
            f"{o.in_doubt:>10}{o.lost:>6}{o.unclean:>9}"
        )
    print()
    print("  sent: logical requests (PlaceOrder, CancelOrder, ShipOrder); ok: answered OK,")
    print("  including requests in doubt answered OK when sent again after the fault; retried: ok")
    print("  only after the client re-sent the same request; clean fail: a definite refusal")
    print("  (FAILED_PRECONDITION…); in doubt: still UNAVAILABLE after every retry, then re-sent")
    print("  once the system was back; lost: an OK'd request without its effect, or a request")
    print("  still in doubt after that; unclean: INTERNAL/UNKNOWN answers.")
    for o in outcomes:
        print()
        print(f"{o.name}  [{'PASS' if o.ok else 'FAIL'}]  {o.seconds:.0f} s")
        for check in o.verdict.checks:
            print(f"  {'PASS' if check.ok else 'FAIL'}  {check.name}: {check.detail}")
        codes = ", ".join(f"{k} {v}" for k, v in o.codes.items())
        print(f"    answers: {codes}")
        if o.attempts:
            failed = ", ".join(f"{k} {v}" for k, v in o.attempts.items())
            print(f"    failed attempts (then retried or answered): {failed}")
        for key, value in o.notes.items():
            shown = value
            if isinstance(value, list):
                shown = "; ".join(str(v) for v in value[:5]) + (" …" if len(value) > 5 else "")
            print(f"    {key}: {shown}")
        if o.actions:
            print(f"    faults and restarts: {' | '.join(a.strip() for a in o.actions)}")


def _row(r: Result) -> str:
    errors = {k: v for k, v in r.codes.items() if k != "OK"}
    return (
        f"{r.name:<30}{r.requests:>9}{r.throughput:>9.1f}{r.p50:>9.1f}{r.p99:>9.1f}"
        f"{r.errors:>9}  {errors or ''}"
    )


def print_flood(flood: FloodOutcome) -> None:
    plan = flood.plan
    print()
    print(
        f"flood: per-client limit {plan.limit_per_second}/s (burst {plan.limit_burst}); flooder "
        f"{plan.flood_concurrency} clients in {plan.flood_processes} processes, back to back; "
        f"normal client {plan.normal_rate:g}/s; {plan.seconds:g} s each"
    )
    header = f"{'client':<30}{'calls':>9}{'per s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>9}"
    print(header)
    print("-" * len(header))
    for result in (flood.baseline, flood.normal, flood.flooder):
        print(_row(result))
    if flood.control is not None:
        print(_row(flood.control) + "  (control: the host's CPUs, not Envoy)")
    for check in flood.verdict.checks:
        print(f"  {'PASS' if check.ok else 'FAIL'}  {check.name}: {check.detail}")
