"""services.common.auth.revocations.RevocationList: what every service enforces."""

from __future__ import annotations

import time
from collections.abc import Sequence

import pytest

from services.common.auth.revocations import RevocationList
from services.common.context import Principal
from services.common.permissions import PermissionSet


def token(subject: str, issued_at: float) -> Principal:
    return Principal(subject, "employee", (), PermissionSet(()), "jti", issued_at, issued_at + 900)


class FakePeople:
    """Pages of (subject, revoked_at) behind cursors "1", "2", …"""

    def __init__(self) -> None:
        self.pages: list[list[tuple[str, float]]] = []
        self.asked: list[str] = []
        self.down = False

    async def fetch(self, after: str) -> tuple[Sequence[tuple[str, float]], str]:
        self.asked.append(after)
        if self.down:
            raise ConnectionError("people unavailable")
        index = int(after or 0)
        if index >= len(self.pages):
            return [], after
        return self.pages[index], str(index + 1)


async def test_tokens_issued_at_or_before_the_revocation_are_refused() -> None:
    people = FakePeople()
    revoked_at = time.time() - 10
    people.pages = [[("E1001", revoked_at)]]
    revocations = RevocationList(people.fetch)
    await revocations.refresh()
    assert revocations.is_revoked(token("E1001", revoked_at - 100))
    assert revocations.is_revoked(token("E1001", revoked_at))  # same instant: refused
    assert not revocations.is_revoked(token("E1001", revoked_at + 1))
    assert not revocations.is_revoked(token("E1002", revoked_at - 100))


async def test_a_future_revocation_takes_effect_only_when_its_time_comes() -> None:
    people = FakePeople()
    people.pages = [[("E1001", time.time() + 3600)]]
    revocations = RevocationList(people.fetch)
    await revocations.refresh()
    assert not revocations.is_revoked(token("E1001", time.time() - 60))


async def test_refresh_reads_every_page_then_continues_from_its_cursor() -> None:
    people = FakePeople()
    now = time.time()
    people.pages = [[("E1", now - 5)], [("E2", now - 5)]]
    revocations = RevocationList(people.fetch)
    assert await revocations.refresh() == 2
    assert people.asked == ["", "1", "2"]
    people.pages.append([("E3", now - 1)])
    assert await revocations.refresh() == 1
    assert people.asked[-2:] == ["2", "3"]
    assert revocations.is_revoked(token("E3", now - 2))


async def test_when_people_is_down_the_known_revocations_stay_in_force() -> None:
    people = FakePeople()
    people.pages = [[("E1", time.time() - 5)]]
    revocations = RevocationList(people.fetch)
    await revocations.refresh()
    people.down = True
    with pytest.raises(ConnectionError):
        await revocations.refresh()
    assert revocations.is_revoked(token("E1", time.time() - 60))


async def test_revocations_older_than_any_live_token_are_dropped() -> None:
    people = FakePeople()
    people.pages = [[("E1", time.time() - 100_000), ("E2", time.time() - 5)]]
    revocations = RevocationList(people.fetch, retention_seconds=43_200)
    await revocations.refresh()
    assert not revocations.is_revoked(token("E1", time.time() - 200_000))
    assert revocations.is_revoked(token("E2", time.time() - 60))
