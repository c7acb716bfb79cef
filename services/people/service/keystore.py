"""The token signing keys: RSA private keys as PEM files in one directory (git-ignored locally,
a mounted Secret in Kubernetes). Every key is published in the JWKS; the newest *active* key signs.

A new key becomes active only `activation_delay` after it appears, so gateways and services that
cache the JWKS have fetched it before the first token signed with it arrives. A key is retired by
moving its file to `retired/` (kept for the record, no longer published), which is allowed only
once a newer key has been signing for longer than any token lives.
"""

from __future__ import annotations

import os
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from services.common.auth.jwk import public_jwk
from services.common.errors import FailedPrecondition, NotFound


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: rsa.RSAPrivateKey
    created: float


class KeyStore:
    def __init__(self, directory: Path, activation_delay: float = 0.0, reload_seconds: float = 5.0):
        self.directory = directory
        self.activation_delay = activation_delay
        self._reload_seconds = reload_seconds
        self._keys: list[SigningKey] = []
        self._loaded_at = float("-inf")
        self._dir_mtime = -1.0

    def ensure_key(self) -> None:
        """Generate a first key if the directory holds none (local runs, first start)."""
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not any(self.directory.glob("*.pem")):
            self.rotate(activate_now=True)

    def rotate(self, activate_now: bool = False) -> str:
        """Write a new key; it signs once active. Returns its key id."""
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        kid = f"k{datetime.now(UTC):%Y%m%d%H%M%S}-{secrets.token_hex(3)}"
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        path = self.directory / f"{kid}.pem"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        if activate_now:
            past = time.time() - self.activation_delay - 1
            os.utime(path, (past, past))
        self._loaded_at = float("-inf")
        self._dir_mtime = -1.0
        return kid

    def _load(self) -> list[SigningKey]:
        now = time.monotonic()
        if now - self._loaded_at < self._reload_seconds:
            return self._keys
        self._loaded_at = now
        try:
            mtime = self.directory.stat().st_mtime
        except FileNotFoundError:
            self._keys = []
            return self._keys
        if mtime == self._dir_mtime and self._keys:
            return self._keys
        keys = []
        for path in sorted(self.directory.glob("*.pem")):
            private_key = serialization.load_pem_private_key(path.read_bytes(), password=None)
            if isinstance(private_key, rsa.RSAPrivateKey):
                keys.append(SigningKey(path.stem, private_key, path.stat().st_mtime))
        # Oldest first by creation (file time), not by name: two keys made in the same second
        # have kids that differ only in their random part.
        self._keys = sorted(keys, key=lambda k: (k.created, k.kid))
        self._dir_mtime = mtime
        return self._keys

    def signing_key(self) -> SigningKey:
        keys = self._load()
        if not keys:
            raise RuntimeError(f"no signing key in {self.directory}")
        active = [k for k in keys if k.created + self.activation_delay <= time.time()]
        return (active or keys)[-1]

    def published(self) -> list[SigningKey]:
        """Every published key, oldest first."""
        return list(self._load())

    def active_from(self, key: SigningKey) -> float:
        """When `key` starts (or started) signing."""
        return key.created + self.activation_delay

    def retire(self, kid: str, *, retire_after: float, now: float | None = None) -> SigningKey:
        """Stop publishing `kid`. Refused for the signing key and while a token it signed may
        still be alive (a newer key must have been active for `retire_after` seconds)."""
        now = time.time() if now is None else now
        keys = self._load()
        key = next((k for k in keys if k.kid == kid), None)
        if key is None:
            raise NotFound(f"kid: no published key {kid!r}", reason="KEY_NOT_FOUND")
        if key.kid == self.signing_key().kid:
            raise FailedPrecondition(
                f"{kid} signs new tokens; rotate first, then retire it later",
                reason="KEY_SIGNING",
            )
        newer = [k for k in keys if k.created > key.created and self.active_from(k) <= now]
        replaced_at = min((self.active_from(k) for k in newer), default=None)
        if replaced_at is None or now - replaced_at < retire_after:
            raise FailedPrecondition(
                f"tokens signed by {kid} may still be alive; retire it {int(retire_after)} s "
                "after a newer key started signing",
                reason="KEY_STILL_NEEDED",
            )
        retired = self.directory / "retired"
        retired.mkdir(exist_ok=True, mode=0o700)
        (self.directory / f"{kid}.pem").rename(retired / f"{kid}.pem")
        self._loaded_at = float("-inf")
        self._dir_mtime = -1.0
        return key

    def public_keys(self) -> dict[str, rsa.RSAPublicKey]:
        return {k.kid: k.private_key.public_key() for k in self._load()}

    def jwks(self) -> list[dict[str, str]]:
        return [public_jwk(k.kid, k.private_key.public_key()) for k in self._load()]
