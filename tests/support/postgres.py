"""The PostgreSQL server a test session uses: `STOREOPS_DATABASE_URL`'s server when set (CI),
else an embedded one in a temporary directory. Every database a session creates has a random
prefix and is dropped at the end, so runs never clash with each other or with `make run`."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import make_url

from services.common import migrations
from services.common.db import drop_database, ensure_database
from tools.embedded_pg import EmbeddedPostgres, free_port

ROOT = Path(__file__).resolve().parent.parent.parent


@dataclass
class TestServer:
    """A server URL without a database name, and the databases created on it."""

    __test__ = False  # not a test class, despite the name

    base_url: str
    prefix: str = field(default_factory=lambda: f"t{secrets.token_hex(4)}")
    created: list[str] = field(default_factory=list)

    def url(self, name: str) -> str:
        return make_url(self.base_url).set(database=name).render_as_string(hide_password=False)

    def database(self, service: str) -> str:
        """A fresh, migrated database for `service` (alembic upgrade head, never create_all)."""
        url = self.url(f"{self.prefix}_{service}_{secrets.token_hex(3)}")
        ensure_database(url)
        self.created.append(url)
        migrations.upgrade(ROOT / "services" / service / "db" / "migrations", url)
        return url

    def drop_all(self) -> None:
        for url in self.created:
            drop_database(url)
        self.created.clear()


@contextmanager
def test_server(environ: dict[str, str], tmp: Path) -> Iterator[TestServer]:
    external = environ.get("STOREOPS_DATABASE_URL")
    if external:
        server = TestServer(external)
        try:
            yield server
        finally:
            server.drop_all()
        return
    postgres = EmbeddedPostgres(tmp / "pgdata", free_port()).start()
    try:
        yield TestServer(postgres.url)
    finally:
        postgres.stop()
