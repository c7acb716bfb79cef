"""Session fixtures: one PostgreSQL server per run (embedded, or CI's via STOREOPS_DATABASE_URL),
fresh migrated databases for integration tests, and the whole system for end-to-end tests."""

from __future__ import annotations

import os
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
