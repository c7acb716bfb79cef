"""Alembic per service: each service keeps `db/migrations/` and its own `alembic_version`.

Migrations run with a synchronous psycopg engine (the same URL works for both), from
`python -m services.<svc> migrate` and at start in the local run.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config


def alembic_config(migrations_dir: Path, url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    # configparser interpolation: a literal % in a password must be doubled.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(migrations_dir: Path, url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(migrations_dir, url), revision)


def check(migrations_dir: Path, url: str) -> None:
    """Fails if the models and the migrations have drifted apart (`alembic check`)."""
    command.check(alembic_config(migrations_dir, url))


def run_env(metadata: sa.MetaData) -> None:
    """Body of every service's `env.py` (online mode only: we always have a database)."""
    from alembic import context

    url = context.config.get_main_option("sqlalchemy.url")
    assert url is not None
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=metadata, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
