"""Builds the people service from settings: key store, database, servicer."""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine
from storeops.people.v1 import people_service_pb2 as pb
from storeops.people.v1 import people_service_pb2_grpc as pb_grpc

from services.common.auth.tokens import StaticKeys
from services.common.config import Settings
from services.common.server import Wiring
from services.people.api.servicer import PeopleServicer
from services.people.db.unit_of_work import PeopleDatabase
from services.people.service.keystore import KeyStore
from services.people.service.token_issuer import TokenIssuer
from services.people.service.tokens import sync_service_accounts

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).parent / "db" / "migrations"


def key_store(settings: Settings) -> KeyStore:
    keys = KeyStore(
        Path(settings.keys_dir),
        activation_delay=float(settings.option("KEY_ACTIVATION_DELAY_SECONDS", "0")),
    )
    if settings.option("GENERATE_KEYS", "true").lower() in ("1", "true", "yes"):
        keys.ensure_key()
    return keys


async def wire(settings: Settings, engine: AsyncEngine) -> Wiring:
    keys = key_store(settings)
    db = PeopleDatabase(engine)
    registered = await sync_service_accounts(db, Path(settings.secrets_dir))
    log.info("service accounts registered", extra={"accounts": registered})
    servicer = PeopleServicer(
        db, keys, TokenIssuer(keys, settings.jwt_issuer, settings.jwt_audience)
    )
    return Wiring(
        services=[pb.DESCRIPTOR.services_by_name["PeopleService"]],
        register=lambda server: pb_grpc.add_PeopleServiceServicer_to_server(servicer, server),
        key_source=StaticKeys(keys.public_keys),
    )
