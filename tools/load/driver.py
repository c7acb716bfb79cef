"""Runs an operation from many concurrent clients in several processes for a fixed time.

A Python client costs most of a core (LIMITS.md), so the load is spread over processes, each
with its own asyncio loop, several gRPC channels (so servers see several connections) and
`concurrency / processes` tasks calling the operation back to back.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import grpc

from tools.load.stats import Tally

# An operation gets its worker context and a per-call sequence number; it returns the status
# code name and optionally (client key, server id) of something the server accepted.
Operation = Callable[["Worker", int], Awaitable[tuple[str, tuple[str, str] | None]]]
Factory = Callable[["Worker"], Operation]


@dataclass
class Worker:
    process: int
    run_id: str
    channels: dict[str, list[grpc.aio.Channel]]
    token: str
    options: dict[str, Any]
    _next: int = 0
    # Counts an operation wants reported (merged into the tally, e.g. retries by status).
    counters: Counter[str] = field(default_factory=Counter)

    def channel(self, target: str) -> grpc.aio.Channel:
        pool = self.channels[target]
        self._next += 1
        return pool[self._next % len(pool)]

    @property
    def metadata(self) -> tuple[tuple[str, str], ...]:
        return (("authorization", f"Bearer {self.token}"),)


async def _run_process(
    index: int,
    factory: Factory,
    targets: dict[str, str],
    token: str,
    concurrency: int,
    seconds: float,
    run_id: str,
    options: dict[str, Any],
    channels_per_target: int,
) -> Tally:
    channels = {
        name: [
            grpc.aio.insecure_channel(address, options=[("grpc.use_local_subchannel_pool", 1)])
            for _ in range(channels_per_target)
        ]
        for name, address in targets.items()
    }
    worker = Worker(index, run_id, channels, token, options)
    operation = factory(worker)
    tally = Tally()
    deadline = time.monotonic() + seconds
    counter = iter(range(10**12))

    async def client() -> None:
        while time.monotonic() < deadline:
            started = time.perf_counter()
            code, accepted = await operation(worker, next(counter))
            tally.record(code, (time.perf_counter() - started) * 1000)
            if accepted is not None:
                tally.accepted[accepted[0]] = accepted[1]

    started = time.monotonic()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    tally.seconds = time.monotonic() - started
    tally.counters.update(worker.counters)
    for pool in channels.values():
        for channel in pool:
            await channel.close()
    return tally


def _process_main(connection: Any, args: tuple[Any, ...]) -> None:
    try:
        tally = asyncio.run(_run_process(*args))
        connection.send(("ok", tally))
    except BaseException as exc:  # report, never hang the parent
        connection.send(("error", repr(exc)))
    finally:
        connection.close()


def run(
    factory: Factory,
    targets: dict[str, str],
    token: str,
    concurrency: int,
    seconds: float,
    processes: int,
    run_id: str,
    options: dict[str, Any] | None = None,
    channels_per_target: int = 4,
) -> Tally:
    """Total `concurrency` clients over `processes` processes for `seconds`; merged tally."""
    processes = max(1, min(processes, concurrency))
    context = multiprocessing.get_context("fork")
    pipes = []
    children = []
    for index in range(processes):
        share = concurrency // processes + (1 if index < concurrency % processes else 0)
        parent_end, child_end = context.Pipe(duplex=False)
        child = context.Process(
            target=_process_main,
            args=(
                child_end,
                (
                    index,
                    factory,
                    targets,
                    token,
                    share,
                    seconds,
                    run_id,
                    options or {},
                    channels_per_target,
                ),
            ),
        )
        child.start()
        pipes.append(parent_end)
        children.append(child)
    total = Tally()
    failures = []
    for pipe in pipes:
        status, payload = pipe.recv()
        if status == "ok":
            total.merge(payload)
        else:
            failures.append(payload)
    for child in children:
        child.join()
    if failures:
        raise RuntimeError(f"load client process failed: {failures[0]}")
    return total


def code_of(error: grpc.RpcError) -> str:
    code = error.code() if hasattr(error, "code") else None
    return code.name if code is not None else "UNKNOWN"
