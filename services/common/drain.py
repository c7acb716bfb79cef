"""Graceful drain: after SIGTERM, calls that arrive are refused with UNAVAILABLE by our own code
(clients retry elsewhere) while calls already running finish; only then is the gRPC server
stopped, so almost no call is caught unmatched in grpc-core's shutdown (it resets those with
CANCELLED, which clients do not retry)."""

from __future__ import annotations

import asyncio
import contextlib


class Drain:
    def __init__(self) -> None:
        self.draining = False
        self.in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()

    def enter(self) -> None:
        self.in_flight += 1
        self._idle.clear()

    def leave(self) -> None:
        self.in_flight -= 1
        if self.in_flight == 0:
            self._idle.set()

    def begin(self) -> None:
        self.draining = True

    async def wait_idle(self, timeout: float) -> bool:
        """True when no call is running any more, False if `timeout` passed first."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), timeout)
        return self.in_flight == 0
