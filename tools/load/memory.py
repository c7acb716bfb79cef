"""Peak resident memory of each service process (and its worker children) during a run."""

from __future__ import annotations

import threading

import psutil

from tools.load.processes import process_family


class MemoryWatch:
    def __init__(self, pids: dict[str, int], interval: float = 0.5) -> None:
        self._pids = pids
        self._interval = interval
        self.peak_mb: dict[str, float] = dict.fromkeys(pids, 0.0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            for name, pid in self._pids.items():
                try:
                    # Each worker process is its own Python: report the largest one.
                    family = process_family(pid)
                    rss = max((p.memory_info().rss for p in family), default=0) / 1_048_576
                except psutil.Error:
                    continue
                self.peak_mb[name] = max(self.peak_mb[name], rss)
            self._stop.wait(self._interval)

    def __enter__(self) -> MemoryWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
