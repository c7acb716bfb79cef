"""Latency and status bookkeeping of a load run, mergeable across client processes."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


def percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]


@dataclass
class Tally:
    """What one client process saw: latencies in ms of successful-or-not calls, codes, ids."""

    latencies_ms: list[float] = field(default_factory=list)
    codes: Counter[str] = field(default_factory=Counter)
    accepted: dict[str, str] = field(default_factory=dict)  # client key → server id
    seconds: float = 0.0
    # Free-form counts an operation keeps on `Worker.counters` (e.g. retries by status).
    counters: Counter[str] = field(default_factory=Counter)

    def record(self, code: str, ms: float) -> None:
        self.codes[code] += 1
        self.latencies_ms.append(ms)

    def merge(self, other: Tally) -> None:
        self.latencies_ms.extend(other.latencies_ms)
        self.codes.update(other.codes)
        self.accepted.update(other.accepted)
        self.seconds = max(self.seconds, other.seconds)
        self.counters.update(other.counters)


@dataclass
class Result:
    name: str
    requests: int
    seconds: float
    codes: dict[str, int]
    p50: float
    p95: float
    p99: float
    max: float
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def errors(self) -> int:
        return sum(n for code, n in self.codes.items() if code != "OK")

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "requests": self.requests,
            "seconds": round(self.seconds, 2),
            "throughput": round(self.throughput, 1),
            "p50_ms": round(self.p50, 2),
            "p95_ms": round(self.p95, 2),
            "p99_ms": round(self.p99, 2),
            "max_ms": round(self.max, 2),
            "codes": self.codes,
            **self.extra,
        }


def summarize(name: str, tally: Tally) -> Result:
    ordered = sorted(tally.latencies_ms)
    return Result(
        name=name,
        requests=len(ordered),
        seconds=tally.seconds,
        codes=dict(tally.codes),
        p50=percentile(ordered, 0.50),
        p95=percentile(ordered, 0.95),
        p99=percentile(ordered, 0.99),
        max=ordered[-1] if ordered else 0.0,
    )
