"""Verification of storeops JWTs (RS256, signed by the people service).

Signature, expiry, not-before, audience and issuer are all checked; `alg: none` and every other
algorithm are refused. A verified token is cached until it expires, so a busy client costs one
RSA verification per token rather than per call.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from services.common.auth.jwk import public_key_from_jwk
from services.common.context import Principal
from services.common.errors import Unauthenticated
from services.common.permissions import PermissionSet

log = logging.getLogger(__name__)
LEEWAY_SECONDS = 30
REQUIRED_CLAIMS = ["exp", "iat", "nbf", "sub", "aud", "iss", "jti"]


class KeySource(Protocol):
    """Where verification keys come from (the people service's JWKS, or its own key store)."""

    async def key(self, kid: str) -> rsa.RSAPublicKey | None: ...


class StaticKeys:
    """Keys known up front (tests, and the people service verifying with its own store)."""

    def __init__(
        self, keys: dict[str, rsa.RSAPublicKey] | Callable[[], dict[str, rsa.RSAPublicKey]]
    ):
        self._keys = keys

    async def key(self, kid: str) -> rsa.RSAPublicKey | None:
        keys = self._keys() if callable(self._keys) else self._keys
        return keys.get(kid)


class RemoteJwks:
    """A JWKS fetched by a callable (a GetJwks RPC), refreshed when an unknown key id shows up
    (at most every `min_refresh_seconds`) and when older than `max_age_seconds`."""

    def __init__(
        self,
        fetch: Callable[[], Awaitable[list[dict[str, Any]]]],
        min_refresh_seconds: float = 5.0,
        max_age_seconds: float = 300.0,
    ) -> None:
        self._fetch = fetch
        self._keys: dict[str, rsa.RSAPublicKey] = {}
        self._fetched_at = float("-inf")
        self._min_refresh = min_refresh_seconds
        self._max_age = max_age_seconds
        self._lock = asyncio.Lock()

    async def key(self, kid: str) -> rsa.RSAPublicKey | None:
        age = time.monotonic() - self._fetched_at
        if (kid not in self._keys and age >= self._min_refresh) or age >= self._max_age:
            await self.refresh()
        return self._keys.get(kid)

    async def refresh(self) -> None:
        async with self._lock:
            if time.monotonic() - self._fetched_at < self._min_refresh:
                return
            try:
                jwks = await self._fetch()
            except Exception as exc:  # the key server may be down; keep the keys we have
                log.warning("could not refresh JWKS: %s", exc)
                self._fetched_at = time.monotonic() - self._max_age + self._min_refresh
                return
            self._keys = {jwk["kid"]: public_key_from_jwk(jwk) for jwk in jwks}
            self._fetched_at = time.monotonic()


RevocationCheck = Callable[[Principal], bool]


class TokenVerifier:
    def __init__(
        self,
        keys: KeySource,
        audience: str,
        issuer: str,
        is_revoked: RevocationCheck | None = None,
        cache_size: int = 20_000,
    ) -> None:
        self._keys = keys
        self._audience = audience
        self._issuer = issuer
        self._is_revoked = is_revoked
        self._cache: OrderedDict[str, Principal] = OrderedDict()
        self._cache_size = cache_size

    async def verify(self, token: str) -> Principal:
        principal = self._cache.get(token)
        if principal is None:
            principal = await self._verify_uncached(token)
            self._cache[token] = principal
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        if time.time() > principal.expires_at + LEEWAY_SECONDS:
            self._cache.pop(token, None)
            raise Unauthenticated("token expired; get a new one", reason="TOKEN_EXPIRED")
        if self._is_revoked is not None and self._is_revoked(principal):
            raise Unauthenticated("token revoked", reason="TOKEN_REVOKED")
        return principal

    async def _verify_uncached(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise Unauthenticated("malformed token", reason="TOKEN_MALFORMED") from exc
        if header.get("alg") != "RS256":
            raise Unauthenticated("token algorithm not accepted", reason="TOKEN_ALGORITHM")
        kid = header.get("kid")
        key = await self._keys.key(kid) if isinstance(kid, str) else None
        if key is None:
            raise Unauthenticated("token signed by an unknown key", reason="TOKEN_UNKNOWN_KEY")
        try:
            claims = jwt.decode(
                token,
                key=key,
                algorithms=["RS256"],
                audience=self._audience,
                issuer=self._issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": REQUIRED_CLAIMS},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthenticated("token expired; get a new one", reason="TOKEN_EXPIRED") from exc
        except jwt.ImmatureSignatureError as exc:
            raise Unauthenticated("token not valid yet", reason="TOKEN_NOT_YET_VALID") from exc
        except jwt.PyJWTError as exc:
            raise Unauthenticated(f"invalid token: {exc}", reason="TOKEN_INVALID") from exc
        return principal_from_claims(claims)


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    perms = claims.get("perms", [])
    roles = claims.get("roles", [])
    if not isinstance(perms, list) or not isinstance(roles, list):
        raise Unauthenticated(
            "invalid token: perms and roles must be lists", reason="TOKEN_INVALID"
        )
    return Principal(
        subject=str(claims["sub"]),
        kind=str(claims.get("kind", "employee")),
        roles=tuple(str(r) for r in roles),
        permissions=PermissionSet(str(p) for p in perms),
        token_id=str(claims["jti"]),
        issued_at=float(claims["iat"]),
        expires_at=float(claims["exp"]),
    )
