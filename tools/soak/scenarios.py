"""The five fault scenarios of issue 9, each under concurrent order traffic, and what follows each:
re-sending what ended in doubt, waiting for the system to settle on its own, the invariants.

`run_scenario` is shared by `make soak` (every scenario, minutes of load) and the quick tier in
`make test` (scenario 1 for a few seconds on the session system).
"""

from __future__ import annotations

import asyncio
import random
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tools.load import driver
from tools.load.seed import seed_stock
from tools.load.stats import Tally
from tools.soak import checks
from tools.soak.clients import RETRYABLE, UNCLEAN, Mix, RetryPolicy, order_mix, resend
from tools.soak.system import SoakSystem

Progress = Callable[[str], None]
Fault = Callable[[SoakSystem, float, dict[str, Any], Progress], None]


@dataclass
class Plan:
    duration: float = 30.0
    concurrency: int = 16
    processes: int = 2
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    mix: Mix = field(default_factory=Mix)
    settle_timeout: float = 180.0
    check_performance: bool = True


@dataclass
class Stock:
    """The run's SKUs and the harness's own book of what was received (the `receipts` side of
    on hand = receipts − shipments)."""

    run: str
    skus: list[str]
    scarce: list[str]
    received: Counter[str] = field(default_factory=Counter)

    @classmethod
    def plan(cls, run: str, skus: int = 100, scarce: int = 3) -> Stock:
        return cls(
            run,
            [f"SK{run}-{i:04d}" for i in range(skus)],
            [f"SK{run}-SCARCE-{i}" for i in range(scarce)],
        )

    @property
    def order_prefix(self) -> str:
        return f"SK{self.run}-"

    def receive(self, system: SoakSystem, token: str, lines: dict[str, int], receipt: str) -> None:
        asyncio.run(
            seed_stock(
                system.address("inventory"),
                token,
                lines,
                receipt_prefix=f"SK{self.run}-{receipt}",
                warehouse=f"SK{self.run}-WH",
            )
        )
        self.received.update(lines)

    def seed(self, system: SoakSystem, token: str, units: int = 100_000) -> None:
        self.receive(system, token, dict.fromkeys(self.skus, units), "seed")


@dataclass
class Outcome:
    number: str
    name: str
    seconds: float
    sent: int = 0
    succeeded: int = 0
    retried: int = 0
    failed_clean: int = 0
    in_doubt: int = 0
    resolved: int = 0
    lost: int = 0
    unclean: int = 0
    codes: dict[str, int] = field(default_factory=dict)
    attempts: dict[str, int] = field(default_factory=dict)
    notes: dict[str, Any] = field(default_factory=dict)
    verdict: checks.Verdict = field(default_factory=checks.Verdict)
    actions: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.lost == 0 and self.unclean == 0 and self.verdict.ok

    def as_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.number,
            "name": self.name,
            "seconds": round(self.seconds, 1),
            "sent": self.sent,
            "succeeded": self.succeeded,
            "retried": self.retried,
            "failed_clean": self.failed_clean,
            "in_doubt": self.in_doubt,
            "resolved": self.resolved,
            "lost": self.lost,
            "unclean": self.unclean,
            "codes": self.codes,
            "attempt_failures": self.attempts,
            "notes": self.notes,
            "actions": self.actions,
            "invariants": [
                {"name": c.name, "ok": c.ok, "detail": c.detail} for c in self.verdict.checks
            ],
            "ok": self.ok,
        }


# ---- the faults ---------------------------------------------------------------------------------
def _sleep_until(start: float, offset: float) -> None:
    time.sleep(max(0.0, start + offset - time.monotonic()))


def inventory_kill(
    system: SoakSystem, duration: float, notes: dict[str, Any], say: Progress
) -> None:
    """1) inventory SIGKILLed in the middle of the stream, restarted 5 s later."""
    start = time.monotonic()
    _sleep_until(start, duration * 0.3)
    system.kill("inventory")
    try:
        time.sleep(5)
    finally:
        system.restart("inventory")
    notes["inventory down (s)"] = round(time.monotonic() - start - duration * 0.3, 1)


def _mid_saga(system: SoakSystem, prefix: str) -> tuple[int, int]:
    """After an orders kill: PENDING orders whose reservation is ACTIVE in inventory (killed
    between "reserved" and "status recorded") and those with none (killed between "order stored"
    and "reservation answered")."""
    with system.connect("orders") as connection:
        pending = [
            r[0]
            for r in connection.execute(
                "SELECT order_id FROM orders"
                " WHERE status = 'PENDING' AND external_order_id LIKE %s",
                (prefix + "%",),
            )
        ]
    states = checks.read_reservations(system, pending)
    reserved = sum(1 for o in pending if states.get(o) == "ACTIVE")
    return len(pending) - reserved, reserved


def orders_kills(system: SoakSystem, duration: float, notes: dict[str, Any], say: Progress) -> None:
    """2) orders SIGKILLed at random moments under load (each kill lands while some PlaceOrders
    are between storing and the reservation answer and others between the answer and recording
    it), restarted at once each time."""
    start = time.monotonic()
    rng = random.Random()
    kills = 0
    stored_not_answered = reserved_not_recorded = 0
    prefix = notes.pop("_prefix")
    while time.monotonic() - start < duration - 6:
        time.sleep(rng.uniform(2.0, 4.5))
        if time.monotonic() - start >= duration - 3:
            break
        system.kill("orders")
        kills += 1
        try:
            time.sleep(0.5)  # inventory finishes the reservations already sent to it
            a, b = _mid_saga(system, prefix)
            stored_not_answered += a
            reserved_not_recorded += b
        finally:
            system.restart("orders")
    notes["orders kills"] = kills
    notes["orders caught stored, reservation unanswered"] = stored_not_answered
    notes["orders caught reserved, status unrecorded"] = reserved_not_recorded


def orders_database_stop(
    system: SoakSystem, duration: float, notes: dict[str, Any], say: Progress
) -> None:
    """3) the orders database stopped for 10 s under load, then started."""
    start = time.monotonic()
    _sleep_until(start, duration * 0.3)
    system.stop_orders_database()
    stopped = time.monotonic()
    try:
        time.sleep(10)
    finally:
        system.start_orders_database()
    notes["orders database down (s)"] = round(time.monotonic() - stopped, 1)


def envoy_restart(
    system: SoakSystem, duration: float, notes: dict[str, Any], say: Progress
) -> None:
    """4) Envoy restarted under load: once stopped with SIGTERM, once killed with SIGKILL."""
    start = time.monotonic()
    down = 0.0
    for offset, sig in ((0.3, signal.SIGTERM), (0.65, signal.SIGKILL)):
        _sleep_until(start, duration * offset)
        stopped = time.monotonic()
        system.restart_gateway(sig)
        down += time.monotonic() - stopped
    notes["gateway restarts"] = 2
    notes["gateway down in total (s)"] = round(down, 1)


def _performance_busy(system: SoakSystem, timeout: float = 3.0) -> bool:
    """Wait (bounded) until performance has a transaction open — a feed page being applied."""
    deadline = time.monotonic() + timeout
    with system.connect("performance") as connection:
        while time.monotonic() < deadline:
            row = connection.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND application_name = 'storeops-performance' AND xact_start IS NOT NULL"
                " AND pid <> pg_backend_pid()"
            ).fetchone()
            if row and row[0]:
                return True
            time.sleep(0.005)
    return False


def performance_kill(
    system: SoakSystem, duration: float, notes: dict[str, Any], say: Progress
) -> None:
    """5) performance SIGKILLed while consuming the feeds (when a transaction of it is open),
    restarted after 3 s; then killed again while it catches up with the backlog, restarted."""
    start = time.monotonic()
    mid_transaction = 0
    _sleep_until(start, duration * 0.25)
    for pause in (3.0, 0.0):
        if _performance_busy(system):
            mid_transaction += 1
        system.kill("performance")
        try:
            time.sleep(pause)
        finally:
            system.restart("performance")
    notes["performance kills"] = 2
    notes["kills while a feed transaction was open"] = mid_transaction


FAULTS: dict[str, tuple[str, Fault]] = {
    "1": ("inventory SIGKILL mid-stream, back after 5 s", inventory_kill),
    "2": ("orders SIGKILL at random moments, restarted", orders_kills),
    "3": ("orders database stopped for 10 s", orders_database_stop),
    "4": ("Envoy restarted under load (TERM, KILL)", envoy_restart),
    "5": ("performance SIGKILL while consuming feeds", performance_kill),
}


# ---- one scenario end to end ---------------------------------------------------------------------
@dataclass
class Requests:
    """What the clients were told: OK'd orders ("CHANNEL|external id" → order id), OK'd cancels
    and ships (order ids), and the requests still in doubt (key → serialized request)."""

    succeeded: dict[str, str] = field(default_factory=dict)
    cancelled: list[str] = field(default_factory=list)
    shipped: list[str] = field(default_factory=list)
    doubts: dict[str, str] = field(default_factory=dict)


def _load_under_fault(
    system: SoakSystem,
    number: str,
    fault: Fault,
    plan: Plan,
    stock: Stock,
    token: str,
    say: Progress,
) -> tuple[Tally, dict[str, Any]]:
    """The order traffic for `plan.duration` s (client processes, in a thread) while the fault
    is inflicted from this thread."""
    prefix = f"SK{stock.run}-{number}"
    options = {
        "skus": stock.skus,
        "scarce": stock.scarce,
        "prefix": prefix,
        "policy": plan.policy,
        "mix": plan.mix,
    }
    result: dict[str, Any] = {}

    def load() -> None:
        try:
            result["tally"] = driver.run(
                order_mix,
                {"gateway": system.gateway},
                token,
                plan.concurrency,
                plan.duration,
                plan.processes,
                f"{stock.run}s{number}",
                options,
            )
        except BaseException as exc:  # reported below
            result["error"] = exc

    thread = threading.Thread(target=load, name=f"soak-load-{number}")
    thread.start()
    notes: dict[str, Any] = {"_prefix": prefix}
    try:
        time.sleep(0.5)  # the client processes are forked before any fault touches grpc here
        fault(system, plan.duration, notes, say)
    finally:
        thread.join()
    notes.pop("_prefix", None)
    if "error" in result:
        raise RuntimeError(f"scenario {number}: load failed") from result["error"]
    return result["tally"], notes


def _count(outcome: Outcome, tally: Tally) -> Requests:
    outcome.codes = dict(sorted(tally.codes.items()))
    outcome.attempts = {
        k.split(":", 1)[1]: v for k, v in sorted(tally.counters.items()) if k.startswith("attempt:")
    }
    outcome.retried = sum(v for k, v in tally.counters.items() if k.endswith(":retried"))
    outcome.sent = sum(tally.codes.values())
    for code, count in tally.codes.items():
        status = code.split(":", 1)[1]
        if status == "OK":
            outcome.succeeded += count
        elif status in UNCLEAN:
            outcome.unclean += count
        elif status not in RETRYABLE:
            outcome.failed_clean += count
    requests = Requests()
    for key, value in tally.accepted.items():
        kind, rest = key.split("|", 1)
        if kind == "place":
            requests.succeeded[rest] = value.split("|", 1)[0]
        elif kind == "cancel":
            requests.cancelled.append(rest)
        elif kind == "ship":
            requests.shipped.append(rest)
        elif kind == "doubt":
            requests.doubts[key] = value
        elif kind == "unclean":
            outcome.notes.setdefault("unclean answers", []).append(f"{rest}: {value}")
    outcome.in_doubt = len(requests.doubts)
    return requests


def _resolve_doubts(
    outcome: Outcome, requests: Requests, system: SoakSystem, token: str, say: Progress
) -> None:
    """Send every request still in doubt again (same key): its answer is its fate."""
    if not requests.doubts:
        return
    say(f"  re-sending {len(requests.doubts)} request(s) that ended in doubt…")
    for key, answer in asyncio.run(resend(system.gateway, token, requests.doubts)).items():
        _, kind, rest = key.split("|", 2)
        if answer.code == "OK":
            outcome.resolved += 1
            outcome.succeeded += 1
            if kind == "place":
                requests.succeeded[rest] = answer.response.order_id
            elif kind == "cancel":
                requests.cancelled.append(rest)
            else:
                requests.shipped.append(rest)
        elif answer.code in RETRYABLE or answer.code in UNCLEAN:
            outcome.lost += 1
            outcome.notes.setdefault("unresolved", []).append(f"{key}: {answer.code}")
        else:
            outcome.resolved += 1
            outcome.failed_clean += 1


def _check(
    outcome: Outcome,
    requests: Requests,
    system: SoakSystem,
    plan: Plan,
    stock: Stock,
    token: str,
    say: Progress,
) -> None:
    verdict = outcome.verdict
    say("  waiting for the system to settle…")
    snapshot = checks.settled_snapshot(
        system, stock.order_prefix, stock.received, plan.settle_timeout, say
    )
    name = "settled: no order PENDING, no saga step pending"
    if isinstance(snapshot, list):
        sample = ", ".join(f"{o.order_id} {o.status}/{o.saga}" for o in snapshot[:5])
        verdict.add(
            name, False, f"{len(snapshot)} unsettled after {plan.settle_timeout:.0f} s: {sample}"
        )
    else:
        verdict.add(
            name,
            True,
            f"{len(snapshot.orders)} orders settled {snapshot.settle_seconds:.1f} s after the load",
        )
        outcome.lost += checks.check_outcomes(
            verdict, snapshot, requests.succeeded, requests.cancelled, requests.shipped
        )
        checks.check_stock(verdict, snapshot, stock.received)
        statuses = Counter(o.status for o in snapshot.orders.values())
        outcome.notes["orders by status (whole run)"] = dict(sorted(statuses.items()))
    checks.check_ledger(verdict, system, token)
    if plan.check_performance:
        say("  comparing the performance facts with a replay from zero…")
        checks.check_replay(verdict, system, token)
    restarts = sum(1 for a in outcome.actions if "restart" in a or "start " in a)
    checks.check_unattended(verdict, system, restarts)
    verdict.add(
        "nothing lost, every answer a clean status",
        outcome.lost == 0 and outcome.unclean == 0,
        f"lost {outcome.lost}, unclean {outcome.unclean}",
    )


def run_scenario(
    system: SoakSystem,
    number: str,
    plan: Plan,
    stock: Stock,
    token: str,
    say: Progress = print,
    fault: Fault | None = None,
) -> Outcome:
    """Scenario `number` (FAULTS) under load, then the doubts re-sent, settlement, invariants.
    `fault` replaces the scenario's own fault (the quick tier shortens it)."""
    name, default_fault = FAULTS[number]
    started = time.monotonic()
    outcome = Outcome(number, f"{number} {name}", 0.0)
    actions_before = len(system.actions)
    if stock.scarce:  # a little more scarce stock each round: backorders get confirmed under load
        stock.receive(system, token, dict.fromkeys(stock.scarce, 40), f"restock{number}")
    tally, notes = _load_under_fault(
        system, number, fault or default_fault, plan, stock, token, say
    )
    requests = _count(outcome, tally)
    _resolve_doubts(outcome, requests, system, token, say)
    outcome.actions = system.actions[actions_before:]
    _check(outcome, requests, system, plan, stock, token, say)
    outcome.notes.update(notes)
    outcome.seconds = time.monotonic() - started
    return outcome
