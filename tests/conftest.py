"""Session fixtures: one PostgreSQL server per run (embedded, or CI's via STOREOPS_DATABASE_URL),
fresh migrated databases for integration tests, and the whole system for end-to-end tests."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.postgres import TestServer, test_server


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestServer]:
    with test_server(dict(os.environ), tmp_path_factory.mktemp("postgres")) as server:
        yield server


@pytest.fixture(scope="session")
def state_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("state")


SESSION_STARTED = time.time()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print how many fuzz cases ran (the fuzz tests write the count at module teardown)."""
    report = Path(os.environ.get("STOREOPS_FUZZ_REPORT", "/tmp/storeops-fuzz-count.txt"))
    if report.exists() and report.stat().st_mtime >= SESSION_STARTED:
        terminalreporter.write_line(f"fuzzing: {report.read_text().strip()}")
