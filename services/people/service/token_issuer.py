"""Signs storeops JWTs: RS256, short-lived, carrying the caller's roles and permission patterns."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass

import jwt

from services.people.service.keystore import KeyStore

DEFAULT_TTL_SECONDS = 900


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: int
    permissions: tuple[str, ...]


class TokenIssuer:
    def __init__(self, keys: KeyStore, issuer: str, audience: str) -> None:
        self._keys = keys
        self._issuer = issuer
        self._audience = audience

    def issue(
        self,
        subject: str,
        kind: str,
        roles: Iterable[str],
        permissions: Iterable[str],
        now: int,
        ttl_seconds: int = DEFAULT_TTL_SECONDS,
    ) -> IssuedToken:
        perms = tuple(sorted(set(permissions)))
        expires_at = now + (ttl_seconds or DEFAULT_TTL_SECONDS)
        claims = {
            "iss": self._issuer,
            "aud": self._audience,
            "sub": subject,
            "kind": kind,
            "roles": sorted(set(roles)),
            "perms": list(perms),
            "iat": now,
            "nbf": now,
            "exp": expires_at,
            "jti": secrets.token_hex(12),
        }
        key = self._keys.signing_key()
        token = jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": key.kid})
        return IssuedToken(token, expires_at, perms)
