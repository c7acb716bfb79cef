"""Connections a service keeps to its peers: people (token keys, service tokens) and any service it
calls. One channel per peer, opened at start and closed at shutdown."""

from __future__ import annotations

from dataclasses import dataclass, field

import grpc

from services.common.auth.revocations import RevocationList, remote_revocations
from services.common.auth.tokens import RemoteJwks
from services.common.clients import (
    CallOptions,
    ServiceCredentials,
    fetch_jwks,
    open_channel,
    read_client_secret,
)
from services.common.config import Settings


@dataclass
class Peers:
    settings: Settings
    people: grpc.aio.Channel
    key_source: RemoteJwks
    _channels: dict[str, grpc.aio.Channel] = field(default_factory=dict)
    _credentials: ServiceCredentials | None = None

    def channel(self, address: str) -> grpc.aio.Channel:
        if address not in self._channels:
            self._channels[address] = open_channel(address)
        return self._channels[address]

    def call_options(self) -> CallOptions:
        """Metadata and timeouts for calls made as this service's own account."""
        if self._credentials is None:
            self._credentials = ServiceCredentials(
                self.people, self.settings.client_id, read_client_secret(self.settings)
            )
        return CallOptions(self._credentials, self.settings.call_timeout_seconds)

    async def close(self) -> None:
        for channel in [self.people, *self._channels.values()]:
            await channel.close()


def connect_peers(settings: Settings) -> Peers:
    people = open_channel(settings.people_address)
    return Peers(settings, people, RemoteJwks(lambda: fetch_jwks(people)))


def connect_revocations(settings: Settings) -> RevocationList | None:
    """The token revocation list polled from people as this service's own account (None when
    `STOREOPS_REVOCATION_POLL_SECONDS` is 0). The secret is read at the first poll."""
    poll_seconds = float(settings.option("REVOCATION_POLL_SECONDS", "5"))
    if poll_seconds <= 0:
        return None
    channel = open_channel(settings.people_address)
    credentials: list[ServiceCredentials] = []

    async def token() -> str:
        if not credentials:
            secret = read_client_secret(settings)
            credentials.append(ServiceCredentials(channel, settings.client_id, secret))
        return await credentials[0].token()

    def invalidate() -> None:
        for c in credentials:
            c.invalidate()

    fetch = remote_revocations(channel, token, invalidate, settings.call_timeout_seconds)
    return RevocationList(fetch, poll_seconds, on_close=channel.close)
