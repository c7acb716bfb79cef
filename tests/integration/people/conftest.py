"""A migrated people database on real PostgreSQL, the service's use cases bound to it, and a way
to act as a given caller (the principal the auth interceptor would have set)."""

from __future__ import annotations

import itertools
import secrets
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from services.common.context import Principal, principal_var
from services.common.money import Money
from services.common.permissions import PermissionSet
from services.people.db.unit_of_work import PeopleDatabase
from services.people.domain.default_roles import DEFAULT_ROLES_BY_CODE
from services.people.domain.employees import Contact
from services.people.service import employees
from services.people.service.context import People
from services.people.service.keystore import KeyStore
from services.people.service.password_hashing import PasswordHashing
from services.people.service.token_issuer import TokenIssuer
from tests.support.postgres import TestServer
from tests.unit.people.builders import cny

ADMIN = ("*",)


def patterns_of(*roles: str) -> tuple[str, ...]:
    return tuple(p for r in ("employee", *roles) for p in DEFAULT_ROLES_BY_CODE[r].patterns)


@contextmanager
def caller(
    subject: str = "E0001", patterns: tuple[str, ...] = ADMIN, kind: str = "employee"
) -> Iterator[None]:
    """Run the block as `subject` holding `patterns` (what the auth interceptor sets)."""
    token = principal_var.set(
        Principal(subject, kind, (), PermissionSet(patterns), "test", 0.0, float("inf"))
    )
    try:
        yield
    finally:
        principal_var.reset(token)


@pytest.fixture(scope="module")
async def engine(pg_server: TestServer) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(pg_server.database("people"), pool_size=30, max_overflow=10)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="module")
def people(engine: AsyncEngine) -> People:
    return People(PeopleDatabase(engine))


@pytest.fixture(scope="module")
def hashing() -> PasswordHashing:
    # Cheap parameters: these tests are about the flow, not the cost.
    return PasswordHashing(time_cost=1, memory_kib=1024, parallelism=1)


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> TokenIssuer:
    keys = KeyStore(Path(tmp_path_factory.mktemp("keys")))
    keys.ensure_key()
    return TokenIssuer(keys, "storeops-people", "storeops")


_CODES = itertools.count(100_000 + secrets.randbelow(400_000))


class Hiring:
    """Hires employees with unique codes (tests share one database)."""

    def __init__(self, people: People) -> None:
        self.people = people

    async def __call__(
        self,
        position: str = "ops_specialist",
        *,
        supervisor: str | None = None,
        department: str = "operations",
        hire_date: date = date(2024, 1, 2),
        name: str = "Lin Mei",
        yuan: int = 3000,
    ) -> str:
        code = f"E{next(_CODES)}"
        with caller():
            await employees.hire(
                self.people,
                code=code,
                name=name,
                department_code=department,
                position_code=position,
                supervisor_code=supervisor,
                hire_date=hire_date,
                base_salary=cny(yuan),
                contact=Contact(email=f"{code.lower()}@example.com", phone="13800138000"),
            )
        return code


@pytest.fixture
def hire(people: People) -> Hiring:
    return Hiring(people)


__all__ = ["ADMIN", "Hiring", "Money", "caller", "patterns_of"]
