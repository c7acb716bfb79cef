"""Tokens signed with a local deployment's key store (tests, demo data, load tools): the
holder of the key files is trusted, exactly like `make token`."""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path

from services.people.service.keystore import KeyStore
from services.people.service.token_issuer import TokenIssuer


class LocalTokens:
    __test__ = False  # pytest: not a test class

    def __init__(
        self,
        keys_dir: Path,
        issuer: str = "storeops-people",
        audience: str = "storeops",
        activation_delay: float = 120.0,
    ):
        # Same activation delay as the people service: a freshly rotated key signs only once
        # every JWKS cache (the gateway's) has had time to fetch it.
        self.keys = KeyStore(keys_dir, activation_delay=activation_delay)
        self.keys.ensure_key()
        self.issuer = TokenIssuer(self.keys, issuer, audience)

    def token(
        self,
        permissions: Iterable[str] = ("*",),
        subject: str = "E0001",
        roles: Iterable[str] = ("admin",),
        ttl: int = 3600,
        kind: str = "employee",
    ) -> str:
        return self.issuer.issue(subject, kind, roles, permissions, int(time.time()), ttl).token

    def admin(self) -> str:
        return self.token()
