"""`make load --smoke` inside `make test`: scenarios 1–3 for about ten seconds at low concurrency
against a system of its own, then the invariants. It proves the tool works and nothing oversells;
speed is never asserted here (docs/performance.md holds the measured figures)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.support.postgres import TestServer

ROOT = Path(__file__).resolve().parents[2]


def test_load_smoke_runs_scenarios_one_to_three_and_holds_the_invariants(
    pg_server: TestServer, tmp_path: Path
) -> None:
    figures_path = tmp_path / "figures.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("STOREOPS_")}
    env["STOREOPS_DATABASE_URL"] = pg_server.url("postgres")
    run = subprocess.run(
        [sys.executable, "-m", "tools.load", "--smoke", "--json", str(figures_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    print(run.stdout[-4000:])
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]

    figures = json.loads(figures_path.read_text())
    names = [result["name"] for result in figures["results"]]
    assert [name[0] for name in names] == ["1", "2", "3"], names
    for result in figures["results"]:
        assert result["codes"].get("OK", 0) > 0, result
    invariants = figures["invariants"]
    assert invariants
    assert all(check["ok"] for check in invariants), invariants
    checked = " | ".join(check["name"] for check in invariants)
    for rule in ("no oversell", "ledger equals balances", "one order per", "every accepted order"):
        assert rule in checked, checked
