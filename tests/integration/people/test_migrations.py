"""The people migrations: `check-migrations` passes, and the seeded role table is complete."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from services.common.db import libpq_url
from services.people.db import frozen_seeds
from services.people.domain.default_roles import DEFAULT_POSITION_ROLES, DEFAULT_ROLES
from tests.support.postgres import TestServer

# Migration modules start with a digit: load the one that granted permissions later.
role_grants_0005 = importlib.import_module(
    "services.people.db.migrations.versions.0005_role_grants"
)

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[3]


def test_check_migrations_command_passes(pg_server: TestServer) -> None:
    url = pg_server.database("people")
    env = {**os.environ, "STOREOPS_PEOPLE_DATABASE_URL": url}
    result = subprocess.run(
        [sys.executable, "-m", "services.people", "check-migrations"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_seeded_roles_and_position_roles_match_the_frozen_seed(pg_server: TestServer) -> None:
    url = pg_server.database("people")
    with psycopg.connect(libpq_url(url)) as conn:
        roles: dict[str, set[str]] = {}
        for code, pattern in conn.execute("SELECT role_code, pattern FROM role_permissions"):
            roles.setdefault(code, set()).add(pattern)
        positions: dict[str, set[str]] = {}
        for position, role in conn.execute("SELECT position_code, role_code FROM position_roles"):
            positions.setdefault(position, set()).add(role)
    granted_later = role_grants_0005.GRANTS
    expected = {
        code: set(patterns) | set(granted_later.get(code, ()))
        for code, (_, patterns) in frozen_seeds.ROLES.items()
    }
    assert roles == expected
    assert positions == {p: set(r) for p, r in frozen_seeds.POSITION_ROLES.items()}
    # Today the migrated table is the domain's default table (new migrations keep them together).
    assert roles == {r.code: set(r.patterns) for r in DEFAULT_ROLES}
    assert positions == {p: set(r) for p, r in DEFAULT_POSITION_ROLES.items()}
