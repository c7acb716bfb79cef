"""Token verification: signature, expiry, not-before, audience, issuer, algorithm, key."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path

import jwt
import pytest

from services.common.auth.tokens import StaticKeys, TokenVerifier
from services.common.errors import Unauthenticated
from services.people.service.keystore import KeyStore
from services.people.service.token_issuer import TokenIssuer


@pytest.fixture
def keys(tmp_path: Path) -> KeyStore:
    store = KeyStore(tmp_path / "keys")
    store.ensure_key()
    return store


def verifier(keys: KeyStore, **kwargs: object) -> TokenVerifier:
    return TokenVerifier(StaticKeys(keys.public_keys), "storeops", "storeops-people", **kwargs)  # type: ignore[arg-type]


def issue(
    keys: KeyStore, now: int | None = None, ttl: int = 900, audience: str = "storeops"
) -> str:
    issuer = TokenIssuer(keys, "storeops-people", audience)
    return issuer.issue(
        "E1001", "employee", ["cs_specialist"], ["orders.*"], now or int(time.time()), ttl
    ).token


async def test_valid_token_gives_principal_with_permissions(keys: KeyStore) -> None:
    principal = await verifier(keys).verify(issue(keys))
    assert principal.subject == "E1001"
    assert principal.can("orders.orders.place")
    assert not principal.can("inventory.stock.read")


async def test_expired_token_is_refused(keys: KeyStore) -> None:
    with pytest.raises(Unauthenticated, match="expired"):
        await verifier(keys).verify(issue(keys, now=int(time.time()) - 3600, ttl=60))


async def test_not_yet_valid_token_is_refused(keys: KeyStore) -> None:
    with pytest.raises(Unauthenticated, match="not valid yet"):
        await verifier(keys).verify(issue(keys, now=int(time.time()) + 3600))


async def test_wrong_audience_is_refused(keys: KeyStore) -> None:
    with pytest.raises(Unauthenticated):
        await verifier(keys).verify(issue(keys, audience="someone-else"))


async def test_token_signed_by_another_key_is_refused(keys: KeyStore, tmp_path: Path) -> None:
    other = KeyStore(tmp_path / "other")
    other.ensure_key()
    with pytest.raises(Unauthenticated, match="unknown key"):
        await verifier(keys).verify(issue(other))


async def test_alg_none_is_refused(keys: KeyStore) -> None:
    claims = jwt.decode(issue(keys), options={"verify_signature": False})
    header = base64.urlsafe_b64encode(
        json.dumps({"alg": "none", "kid": keys.signing_key().kid}).encode()
    ).rstrip(b"=")
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=")
    with pytest.raises(Unauthenticated, match="algorithm"):
        await verifier(keys).verify(f"{header.decode()}.{body.decode()}.")


async def test_tampered_payload_is_refused(keys: KeyStore) -> None:
    header, payload, signature = issue(keys).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["perms"] = ["*"]
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(Unauthenticated):
        await verifier(keys).verify(f"{header}.{forged}.{signature}")


async def test_garbage_is_refused(keys: KeyStore) -> None:
    with pytest.raises(Unauthenticated):
        await verifier(keys).verify("not-a-token")


async def test_revocation_check_applies_to_cached_tokens(keys: KeyStore) -> None:
    revoked: set[str] = set()
    check = verifier(keys, is_revoked=lambda p: p.subject in revoked)
    token = issue(keys)
    await check.verify(token)
    revoked.add("E1001")
    with pytest.raises(Unauthenticated, match="revoked"):
        await check.verify(token)


def test_rotated_key_signs_once_active_and_old_key_stays_published(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys", activation_delay=3600, reload_seconds=0)
    store.ensure_key()
    first = store.signing_key().kid
    second = store.rotate()
    assert store.signing_key().kid == first  # the new key waits until caches have it
    assert {first, second} <= set(store.public_keys())


def test_key_files_are_private(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys")
    store.ensure_key()
    for path in (tmp_path / "keys").glob("*.pem"):
        assert path.stat().st_mode & 0o777 == 0o600
