"""Payload fingerprints of idempotent creates: the same id with the same payload returns the
stored document, with a different payload it is refused (ALREADY_EXISTS)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from services.common.errors import AlreadyExists


def fingerprint(kind: str, payload: Any) -> str:
    """A stable hash of a JSON-able payload."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{kind}/v1\n{canonical}".encode()).hexdigest()


def require_same(what: str, stored: str, given: str) -> None:
    """Raise AlreadyExists (``IDEMPOTENCY_KEY_REUSED``) unless the fingerprints match."""
    if stored != given:
        raise AlreadyExists(
            f"{what} already exists with a different payload; use a new id for a new request",
            reason="IDEMPOTENCY_KEY_REUSED",
        )
