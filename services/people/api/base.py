"""What every part of the people servicer holds."""

from __future__ import annotations

from dataclasses import dataclass

from services.people.service.context import People
from services.people.service.keystore import KeyStore
from services.people.service.password_hashing import PasswordHashing
from services.people.service.token_issuer import TokenIssuer


@dataclass(frozen=True)
class TokenSettings:
    """Settings of the token RPCs (see wiring)."""

    retire_key_after_seconds: float = 12 * 3600 + 120
    revocation_retention_seconds: float = 12 * 3600 + 120


class Base:
    """The servicer's dependencies; the RPC mixins read them."""

    def __init__(
        self,
        people: People,
        keys: KeyStore,
        issuer: TokenIssuer,
        hashing: PasswordHashing,
        token_settings: TokenSettings | None = None,
    ) -> None:
        self.people = people
        self.keys = keys
        self.issuer = issuer
        self.hashing = hashing
        self.token_settings = token_settings or TokenSettings()
