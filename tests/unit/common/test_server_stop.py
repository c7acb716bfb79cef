"""Shutdown is bounded even when a background job swallows its cancellation."""

from __future__ import annotations

import asyncio
import contextlib
import time

from services.common.auth.tokens import StaticKeys
from services.common.config import Settings
from services.common.metrics import CallMetrics
from services.common.server import BACKGROUND_STOP_SECONDS, Wiring, create_server


async def test_a_job_that_ignores_cancellation_does_not_hold_shutdown() -> None:
    released = asyncio.Event()

    async def stubborn() -> None:
        while not released.is_set():
            with contextlib.suppress(asyncio.CancelledError):
                await released.wait()

    settings = Settings(
        service="orders",
        database_url="postgresql+psycopg://x@127.0.0.1/x",
        port=0,
        listen_host="127.0.0.1",
        grace_seconds=5,
    )
    wiring = Wiring(
        services=[], register=lambda server: None, key_source=StaticKeys({}), background=[stubborn]
    )
    running = await create_server(settings, wiring, CallMetrics("orders"))
    await asyncio.sleep(0.05)
    started = time.monotonic()
    await running.stop(grace=5)
    elapsed = time.monotonic() - started
    released.set()  # let the job end so the test's event loop can close
    assert running.stuck_jobs == 1
    assert elapsed < BACKGROUND_STOP_SECONDS + 3
