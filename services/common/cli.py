"""Command line of every service: `python -m services.<svc> [serve|migrate|check-migrations]`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from services.common import migrations
from services.common.config import Settings, SettingsError, load_settings
from services.common.db import create_engine, ensure_database
from services.common.logs import configure_logging
from services.common.server import Wiring, serve

log = logging.getLogger("storeops.cli")
Wire = Callable[[Settings, AsyncEngine], Awaitable[Wiring]]


def run_service(
    service: str, wire: Wire, migrations_dir: Path, argv: list[str] | None = None
) -> None:
    parser = argparse.ArgumentParser(prog=f"python -m services.{service}")
    parser.add_argument(
        "command", nargs="?", default="serve", choices=["serve", "migrate", "check-migrations"]
    )
    parser.add_argument(
        "--create-database", action="store_true", help="create the database if missing"
    )
    args = parser.parse_args(argv)
    try:
        settings = load_settings(service)
    except SettingsError as exc:
        sys.exit(f"{service}: {exc}")
    configure_logging(service, settings.log_level)
    if args.command == "migrate":
        if args.create_database:
            ensure_database(settings.database_url)
        migrations.upgrade(migrations_dir, settings.database_url)
        log.info("migrated")
    elif args.command == "check-migrations":
        migrations.check(migrations_dir, settings.database_url)
    elif settings.workers > 1:
        sys.exit(_run_workers(settings, wire))
    else:
        _run_loop(_serve_one(settings, wire), settings)


def _run_loop(main: Coroutine[Any, Any, None], settings: Settings) -> None:
    """uvloop when available and wanted (`STOREOPS_EVENT_LOOP=uvloop`, the default): the event
    loop is a large share of every call's CPU in grpc.aio services."""
    if settings.option("EVENT_LOOP", "uvloop") == "uvloop":
        try:
            import uvloop
        except ImportError:
            log.warning("uvloop is not installed; using the standard event loop")
        else:
            uvloop.run(main)
            return
    asyncio.run(main)


async def _serve_one(settings: Settings, wire: Wire) -> None:
    await serve(settings, wire, create_engine(settings))


def _run_workers(settings: Settings, wire: Wire) -> int:
    """N processes share the port (SO_REUSEPORT); the parent forwards SIGTERM and waits."""
    children: list[int] = []
    for index in range(settings.workers):
        pid = os.fork()
        if pid == 0:
            worker = replace(
                settings, metrics_port=settings.metrics_port + index if settings.metrics_port else 0
            )
            code = 1
            try:
                _run_loop(_serve_one(worker, wire), worker)
                code = 0
            finally:
                os._exit(code)
        children.append(pid)

    def forward(signum: int, _frame: object) -> None:
        for child in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    status = 0
    for child in children:
        _, code = os.waitpid(child, 0)
        status = status or os.waitstatus_to_exitcode(code)
    return status
