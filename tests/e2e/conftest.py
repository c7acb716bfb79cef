"""The whole system (PostgreSQL, four services, Envoy) started once per session on free ports."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest

from tests.support.postgres import TestServer
from tests.support.system import RunningSystem, start_system


@pytest.fixture(scope="session")
def system(
    pg_server: TestServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningSystem]:
    with start_system(pg_server, tmp_path_factory.mktemp("system"), dict(os.environ)) as running:
        yield running


@pytest.fixture(scope="session")
def gateway_channel(system: RunningSystem) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(system.gateway_address) as channel:
        yield channel


@pytest.fixture(scope="session")
def admin_token(system: RunningSystem) -> str:
    return system.tokens.admin()


@pytest.fixture
def logs_dir(system: RunningSystem) -> Path:
    return system.log_dir
