"""gRPC server bootstrap shared by every service.

`create_server` builds a started server on a given port (tests bind port 0); `serve` runs one until
SIGTERM/SIGINT, then shuts down gracefully: health turns NOT_SERVING, background jobs stop, new
calls are refused with UNAVAILABLE, calls in flight get `grace_seconds` to finish, pools close.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import grpc
from google.protobuf.descriptor import ServiceDescriptor
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from sqlalchemy.ext.asyncio import AsyncEngine

from services.common.auth.policy import method_policies
from services.common.auth.revocations import RevocationList
from services.common.auth.tokens import KeySource, TokenVerifier
from services.common.config import Settings
from services.common.drain import Drain
from services.common.interceptors import Chain
from services.common.interceptors.auth import AuthInterceptor
from services.common.interceptors.errors import ErrorInterceptor
from services.common.interceptors.observability import ObservabilityInterceptor
from services.common.interceptors.validation import ValidationInterceptor
from services.common.metrics import CallMetrics
from services.common.peers import connect_revocations

log = logging.getLogger("storeops.server")

BackgroundJob = Callable[[], Awaitable[None]]
DRAIN_HOLD_SECONDS = 0.5
BACKGROUND_STOP_SECONDS = 3.0


@dataclass
class Wiring:
    """What a service contributes: its servicers, its background jobs, what to close at the end."""

    services: Sequence[ServiceDescriptor]
    register: Callable[[grpc.aio.Server], None]
    key_source: KeySource
    background: list[BackgroundJob] = field(default_factory=list)
    close: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    # Token revocations to enforce; None: polled from people (services/common/auth/revocations).
    revocations: RevocationList | None = None


@dataclass
class RunningServer:
    server: grpc.aio.Server
    port: int
    health: health.aio.HealthServicer
    wiring: Wiring
    tasks: list[asyncio.Task[None]]
    settings: Settings
    drain: Drain
    stuck_jobs: int = 0

    async def stop(self, grace: float | None = None) -> None:
        grace = self.settings.grace_seconds if grace is None else grace
        deadline = asyncio.get_running_loop().time() + grace
        await self.health.enter_graceful_shutdown()
        self.drain.begin()  # new calls: UNAVAILABLE from here on
        for task in self.tasks:
            task.cancel()
        if self.tasks:
            # A job that swallows its cancellation must not hold the shutdown hostage.
            done, stuck = await asyncio.wait(self.tasks, timeout=BACKGROUND_STOP_SECONDS)
            for task in done:
                if not task.cancelled() and task.exception() is not None:
                    log.warning("background job ended with %r", task.exception())
            for task in stuck:
                log.error("background job ignored cancellation", extra={"job": task.get_name()})
            self.stuck_jobs = len(stuck)
        loop = asyncio.get_running_loop()
        await self.drain.wait_idle(max(0.0, deadline - loop.time()))
        # Keep refusing with UNAVAILABLE a moment longer so balancers see NOT_SERVING and
        # clients back off: grpc-core resets calls it has received but not yet handed to us at
        # the instant the server stops (as CANCELLED), so the fewer arrive then, the better.
        await asyncio.sleep(min(DRAIN_HOLD_SECONDS, max(0.0, deadline - loop.time())))
        await self.server.stop(max(0.0, deadline - loop.time()))
        for close in self.wiring.close:
            try:
                await close()
            except Exception:
                log.exception("error while closing")


def server_options(settings: Settings) -> list[tuple[str, int]]:
    return [
        ("grpc.max_receive_message_length", settings.max_message_bytes),
        ("grpc.max_send_message_length", settings.max_message_bytes),
        # Reusing the port is only wanted when several worker processes share it on purpose.
        ("grpc.so_reuseport", 1 if settings.workers > 1 else 0),
        ("grpc.keepalive_time_ms", 30_000),
        ("grpc.keepalive_timeout_ms", 10_000),
        ("grpc.http2.min_ping_interval_without_data_ms", 10_000),
        ("grpc.keepalive_permit_without_calls", 1),
    ]


async def create_server(settings: Settings, wiring: Wiring, metrics: CallMetrics) -> RunningServer:
    revocations = wiring.revocations or connect_revocations(settings)
    if revocations is not None:
        wiring.background.append(revocations.run)
        wiring.close.append(revocations.close)
    verifier = TokenVerifier(
        wiring.key_source,
        settings.jwt_audience,
        settings.jwt_issuer,
        is_revoked=revocations.is_revoked if revocations is not None else None,
    )
    drain = Drain()
    server = grpc.aio.server(
        interceptors=[
            Chain(
                ObservabilityInterceptor(metrics, drain, log_calls=settings.access_log),
                ErrorInterceptor(),
                AuthInterceptor(verifier, method_policies(wiring.services)),
                ValidationInterceptor(),
            )
        ],
        options=server_options(settings),
        maximum_concurrent_rpcs=None,
    )
    wiring.register(server)
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    names = [s.full_name for s in wiring.services]
    reflection.enable_server_reflection(
        [*names, health.SERVICE_NAME, reflection.SERVICE_NAME], server
    )
    port = server.add_insecure_port(f"{settings.listen_host}:{settings.port}")
    if port == 0:
        raise OSError(f"could not bind {settings.listen_host}:{settings.port}")
    await server.start()
    for name in ["", *names]:
        await health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    tasks = [asyncio.create_task(_supervised(job)) for job in wiring.background]
    return RunningServer(server, port, health_servicer, wiring, tasks, settings, drain)


async def _supervised(job: BackgroundJob) -> None:
    """Background jobs restart after an error (with a pause) rather than dying silently."""
    name = getattr(job, "__qualname__", repr(job))
    while True:
        try:
            await job()
            return
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("background job failed; restarting in 2 s", extra={"job": name})
            await asyncio.sleep(2)


async def serve(
    settings: Settings,
    wire: Callable[[Settings, AsyncEngine], Awaitable[Wiring]],
    engine: AsyncEngine,
) -> None:
    metrics = CallMetrics(settings.service)
    metrics.serve(settings.metrics_port)
    wiring = await wire(settings, engine)
    wiring.close.append(engine.dispose)
    running = await create_server(settings, wiring, metrics)
    log.info(
        "serving",
        extra={
            "port": running.port,
            "metrics_port": settings.metrics_port,
            "workers": settings.workers,
        },
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    log.info("shutting down", extra={"grace_seconds": settings.grace_seconds})
    await running.stop()
    log.info("stopped")
    if running.stuck_jobs:
        # Closing the event loop would wait for the stuck job forever: leave now, cleanly done.
        logging.shutdown()
        os._exit(0)
