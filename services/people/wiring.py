"""Builds the people service from settings: key store, database, policies, servicer, and the
revocation list it enforces on its own RPCs (read from its own database).

People settings (`STOREOPS_PEOPLE_<NAME>` or `STOREOPS_<NAME>`):
- KEY_ACTIVATION_DELAY_SECONDS (120): a rotated key signs only after every JWKS cache (gateway
  60 s, services on unknown kid) has had time to fetch it.
- GENERATE_KEYS (true): create a first key when the key directory is empty (local runs).
- KEY_RETIRE_AFTER_SECONDS (43320): a key leaves the JWKS only this long after a newer one
  started signing (the longest token lifetime plus clock skew).
- LOGIN_TOKEN_TTL_SECONDS (900): lifetime of tokens from Login.
- LOGIN_MAX_FAILURES (5) and LOGIN_LOCK_MINUTES (15): lockout.
- PASSWORD_MIN_LENGTH (12).
- ARGON2_TIME_COST (3), ARGON2_MEMORY_KIB (65536), ARGON2_PARALLELISM (4).
- REVOCATION_POLL_SECONDS (5): how often every service refreshes the revocation list.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine
from storeops.people.v1 import people_service_pb2 as pb
from storeops.people.v1 import people_service_pb2_grpc as pb_grpc

from services.common.auth.revocations import DEFAULT_RETENTION_SECONDS, RevocationList
from services.common.auth.tokens import StaticKeys
from services.common.config import Env, Settings
from services.common.server import Wiring
from services.people.api.base import TokenSettings
from services.people.api.servicer import PeopleServicer
from services.people.db.unit_of_work import PeopleDatabase
from services.people.domain.login_lockout import LockoutPolicy
from services.people.domain.passwords import PasswordPolicy
from services.people.domain.tokens import TokenPolicy
from services.people.service.context import People, Policies
from services.people.service.keystore import KeyStore
from services.people.service.password_hashing import PasswordHashing
from services.people.service.token_issuer import TokenIssuer
from services.people.service.tokens import local_revocations, sync_service_accounts

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).parent / "db" / "migrations"


def _env(settings: Settings) -> Env:
    return Env(settings.service, settings.extra)


def key_store(settings: Settings) -> KeyStore:
    keys = KeyStore(
        Path(settings.keys_dir),
        activation_delay=_env(settings).float("KEY_ACTIVATION_DELAY_SECONDS", 120.0),
    )
    if _env(settings).bool("GENERATE_KEYS", True):
        keys.ensure_key()
    return keys


def policies(settings: Settings) -> Policies:
    env = _env(settings)
    return Policies(
        password=PasswordPolicy(min_length=env.int("PASSWORD_MIN_LENGTH", 12)),
        lockout=LockoutPolicy(
            max_consecutive_failures=env.int("LOGIN_MAX_FAILURES", 5),
            lock_duration=timedelta(minutes=env.float("LOGIN_LOCK_MINUTES", 15.0)),
        ),
        token=TokenPolicy(lifetime=timedelta(seconds=env.int("LOGIN_TOKEN_TTL_SECONDS", 900))),
    )


def password_hashing(settings: Settings) -> PasswordHashing:
    env = _env(settings)
    return PasswordHashing(
        time_cost=env.int("ARGON2_TIME_COST", 3),
        memory_kib=env.int("ARGON2_MEMORY_KIB", 65536),
        parallelism=env.int("ARGON2_PARALLELISM", 4),
    )


async def wire(settings: Settings, engine: AsyncEngine) -> Wiring:
    env = _env(settings)
    keys = key_store(settings)
    db = PeopleDatabase(engine)
    registered = await sync_service_accounts(db, Path(settings.secrets_dir))
    log.info("service accounts registered", extra={"accounts": registered})
    people = People(db, policies=policies(settings))
    token_settings = TokenSettings(
        retire_key_after_seconds=env.float("KEY_RETIRE_AFTER_SECONDS", 12 * 3600 + 120),
        revocation_retention_seconds=DEFAULT_RETENTION_SECONDS,
    )
    servicer = PeopleServicer(
        people,
        keys,
        TokenIssuer(keys, settings.jwt_issuer, settings.jwt_audience),
        password_hashing(settings),
        token_settings,
    )
    revocations = RevocationList(
        local_revocations(people), env.float("REVOCATION_POLL_SECONDS", 5.0)
    )
    return Wiring(
        services=[pb.DESCRIPTOR.services_by_name["PeopleService"]],
        register=lambda server: pb_grpc.add_PeopleServiceServicer_to_server(servicer, server),
        key_source=StaticKeys(keys.public_keys),
        revocations=revocations,
    )
