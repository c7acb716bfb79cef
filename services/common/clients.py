"""Outgoing calls to other storeops services: a service-account token, the caller's request id,
and a timeout that never outlives the incoming call's deadline."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import grpc
from storeops.people.v1 import people_service_pb2 as people_pb
from storeops.people.v1 import people_service_pb2_grpc as people_grpc

from services.common.config import Settings
from services.common.context import remaining_seconds, request_id_var

CHANNEL_OPTIONS = [
    # Peers are headless Services in Kubernetes: spread calls over every pod's address.
    ("grpc.lb_policy_name", "round_robin"),
    ("grpc.keepalive_time_ms", 30_000),
    ("grpc.keepalive_timeout_ms", 10_000),
    ("grpc.max_receive_message_length", 16 * 1024 * 1024),
    ("grpc.enable_retries", 0),
]


def open_channel(address: str) -> grpc.aio.Channel:
    return grpc.aio.insecure_channel(address, options=CHANNEL_OPTIONS)


def read_client_secret(settings: Settings) -> str:
    path = Path(settings.client_secret_file or Path(settings.secrets_dir) / settings.client_id)
    try:
        return path.read_text().strip()
    except OSError as exc:
        raise RuntimeError(
            f"no secret for service account {settings.client_id} at {path}: "
            "set STOREOPS_CLIENT_SECRET_FILE"
        ) from exc


class ServiceCredentials:
    """A token for this service's own account, fetched from people and renewed before expiry."""

    def __init__(self, people: grpc.aio.Channel, client_id: str, secret: str) -> None:
        self._stub = people_grpc.PeopleServiceStub(people)
        self._client_id = client_id
        self._secret = secret
        self._token = ""
        self._renew_at = 0.0
        self._lock = asyncio.Lock()

    async def token(self) -> str:
        if time.time() < self._renew_at:
            return self._token
        async with self._lock:
            if time.time() >= self._renew_at:
                response = await self._stub.CreateServiceToken(
                    people_pb.CreateServiceTokenRequest(
                        client_id=self._client_id, client_secret=self._secret
                    ),
                    timeout=5.0,
                )
                self._token = response.access_token
                lifetime = response.expire_time.seconds - time.time()
                self._renew_at = time.time() + max(5.0, lifetime * 0.8)
        return self._token

    def invalidate(self) -> None:
        self._renew_at = 0.0


class CallOptions:
    """Metadata and timeout for one outgoing call made while serving an incoming one."""

    def __init__(self, credentials: ServiceCredentials, default_timeout: float) -> None:
        self._credentials = credentials
        self._default_timeout = default_timeout

    async def kwargs(self, timeout: float | None = None) -> dict[str, Any]:
        metadata = [("authorization", f"Bearer {await self._credentials.token()}")]
        request_id = request_id_var.get()
        if request_id:
            metadata.append(("x-request-id", request_id))
        return {
            "metadata": tuple(metadata),
            "timeout": remaining_seconds(timeout or self._default_timeout),
        }


async def fetch_jwks(people: grpc.aio.Channel) -> list[dict[str, Any]]:
    response = await people_grpc.PeopleServiceStub(people).GetJwks(
        people_pb.GetJwksRequest(), timeout=3.0
    )
    return [
        {"kty": k.kty, "kid": k.kid, "use": k.use, "alg": k.alg, "n": k.n, "e": k.e}
        for k in response.keys
    ]
