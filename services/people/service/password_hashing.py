"""Password hashing: argon2id (argon2-cffi), run off the event loop.

Parameters are settings (`STOREOPS_PEOPLE_ARGON2_TIME_COST`, `…_MEMORY_KIB`,
`…_PARALLELISM`); the defaults are argon2-cffi's, RFC 9106's "low memory" profile (t=3,
64 MiB, p=4), about 0.1 s per hash here. Hashes made with other parameters still verify and are
re-hashed at the next successful login.
"""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError


class PasswordHashing:
    def __init__(self, time_cost: int = 3, memory_kib: int = 65536, parallelism: int = 4) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism
        )
        # Verified against when the code is unknown, so that a login takes as long whether or not
        # the account exists (no user enumeration by timing).
        self._decoy = self._hasher.hash("storeops decoy password, never valid")

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        return await asyncio.to_thread(self._verify, password_hash, password)

    def _verify(self, password_hash: str | None, password: str) -> bool:
        try:
            self._hasher.verify(password_hash or self._decoy, password)
        except (VerificationError, InvalidHashError):
            return False
        return password_hash is not None

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)
