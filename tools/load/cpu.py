"""CPU seconds each part of a local system spends per request, from the kernel's accounting.

Where a scenario's throughput stops is where the CPU goes on this 2-core machine: this splits one
request's CPU between the services, Envoy and PostgreSQL (backends included), so a table row says
what a PlaceOrder costs and which part to make cheaper."""

from __future__ import annotations

from pathlib import Path

import psutil

from tools.load.processes import process_family


def postmaster_pid(data_dir: Path) -> int | None:
    """The server's pid from its postmaster.pid (first line), if it runs."""
    try:
        return int((data_dir / "postmaster.pid").read_text().split("\n", 1)[0])
    except (OSError, ValueError):
        return None


def _family_seconds(pid: int) -> float:
    total = 0.0
    for member in process_family(pid):
        try:
            times = member.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


class CpuMeter:
    """CPU seconds of named process families between `start()` and `per_request()`."""

    def __init__(self, pids: dict[str, int]) -> None:
        self._pids = pids
        self._start: dict[str, float] = {}

    def start(self) -> None:
        self._start = {name: _family_seconds(pid) for name, pid in self._pids.items()}

    def per_request(self, requests: int) -> dict[str, float]:
        """Milliseconds of CPU per request for each family (empty when nothing ran)."""
        if not requests or not self._start:
            return {}
        return {
            name: round((_family_seconds(pid) - self._start[name]) * 1000 / requests, 3)
            for name, pid in self._pids.items()
        }
