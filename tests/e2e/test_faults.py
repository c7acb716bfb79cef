"""The quick tier of the fault suite (`make soak` is the long one, docs/reliability.md): inventory
SIGKILLed in the middle of a burst of concurrent PlaceOrders from retrying clients, restarted 5 s
later; once the system has settled by itself, nothing a client was told is lost and the stock
books balance. The scenario, the clients and the checks are the soak's own (tools/soak)."""

from __future__ import annotations

import signal
import time
import uuid
from typing import Any

import pytest

from tests.support.system import RunningSystem
from tools.soak.clients import Mix
from tools.soak.scenarios import Plan, Progress, Stock, run_scenario
from tools.soak.system import SoakSystem

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def kill_inventory_then_restart(
    system: SoakSystem, duration: float, notes: dict[str, Any], say: Progress
) -> None:
    time.sleep(duration * 0.3)
    system.kill("inventory", signal.SIGKILL)
    try:
        time.sleep(5)
    finally:
        system.restart("inventory")


def test_inventory_killed_mid_stream_loses_nothing_and_stock_balances(
    system: RunningSystem,
) -> None:
    soak = SoakSystem.attach(system.local)
    token = system.tokens.token(subject="fault-tier")
    stock = Stock.plan(uuid.uuid4().hex[:6], skus=8, scarce=1)
    stock.seed(soak, token, units=10_000)
    plan = Plan(
        duration=8,
        concurrency=8,
        processes=2,
        # Paced clients, no cancels: a cancel during the outage is released again only after the
        # late-reservation window (30 s, docs/orders.md), which the soak waits for and this tier
        # does not.
        mix=Mix(pause=0.05, cancel=0.0),
        settle_timeout=60,
        check_performance=False,  # the replay check belongs to the soak (it rebuilds all facts)
    )
    lines: list[str] = []
    outcome = run_scenario(soak, "1", plan, stock, token, lines.append, kill_inventory_then_restart)

    failed = [f"{c.name}: {c.detail}" for c in outcome.verdict.checks if not c.ok]
    assert not failed, "\n".join(failed + lines)
    assert outcome.actions[0].endswith("SIGKILL inventory")  # the fault happened, under load
    assert outcome.sent > 100
    assert (outcome.lost, outcome.unclean) == (0, 0)
    assert outcome.succeeded + outcome.failed_clean == outcome.sent
    assert not soak.dead_processes()
