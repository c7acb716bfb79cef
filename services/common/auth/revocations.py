"""Token revocation, enforced by every service (the gateway cannot: its JWT filter knows only
signatures and expiry).

The people service keeps a list of revocations: "tokens of `subject` issued at or before
`revoked_at` no longer count from `revoked_at` on" (an employee who left, a password change, an
administrator's revocation). Each service holds a `RevocationList` that polls that list every
`poll_seconds` (setting `STOREOPS_REVOCATION_POLL_SECONDS`, default 5) from a cursor, and plugs
`is_revoked` into its `TokenVerifier`, so a revoked token is refused everywhere within one poll
interval.

Choices:
- The bound is inclusive (`iat <= revoked_at`): `iat` has whole seconds, so a token stamped in
  the revocation's second may predate it. People stamps later tokens of that subject after it.
- A revocation dated in the future (the midnight after a leave date) takes effect then.
- Entries older than the longest token lifetime (`retention_seconds`) are dropped: every token
  they could refuse has expired anyway.
- If people cannot be reached, the list keeps what it has and retries (fail open for that
  interval, bounded by the short token lifetime); a warning is logged on every failed poll.
  Until the first list has arrived (people starting after this service) it retries every second.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence

import grpc
from storeops.people.v1 import access_pb2 as access_pb
from storeops.people.v1 import people_service_pb2_grpc as people_grpc

from services.common.context import Principal

log = logging.getLogger(__name__)

DEFAULT_POLL_SECONDS = 5.0
# IssueToken allows 12 h; a revocation older than that (plus clock skew) refuses nothing.
DEFAULT_RETENTION_SECONDS = 12 * 3600 + 120

# One page of the people service's list: (subject, revoked_at as unix seconds) and next cursor.
FetchRevocations = Callable[[str], Awaitable[tuple[Sequence[tuple[str, float]], str]]]


class RevocationList:
    """Revocations known to this process, refreshed from a fetch function."""

    def __init__(
        self,
        fetch: FetchRevocations,
        poll_seconds: float = DEFAULT_POLL_SECONDS,
        retention_seconds: float = DEFAULT_RETENTION_SECONDS,
        on_close: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self._fetch = fetch
        self.poll_seconds = poll_seconds
        self._retention = retention_seconds
        self._on_close = on_close
        self._revoked: dict[str, list[float]] = {}
        self._cursor = ""
        self.refreshed_at: float | None = None  # time.time() of the last successful poll

    def is_revoked(self, principal: Principal) -> bool:
        """True when a revocation in force covers the token's issue time (TokenVerifier hook)."""
        times = self._revoked.get(principal.subject)
        if not times:
            return False
        now = time.time()
        return any(at <= now and principal.issued_at <= at for at in times)

    def add(self, subject: str, revoked_at: float) -> None:
        """Record one revocation (what a poll does; also lets people apply its own at once)."""
        times = self._revoked.setdefault(subject, [])
        if revoked_at not in times:
            times.append(revoked_at)

    async def refresh(self) -> int:
        """Fetch every page after the cursor; returns how many revocations arrived."""
        received = 0
        while True:
            entries, cursor = await self._fetch(self._cursor)
            for subject, revoked_at in entries:
                self.add(subject, revoked_at)
            received += len(entries)
            if not entries or cursor == self._cursor:
                self._cursor = cursor or self._cursor
                break
            self._cursor = cursor
        self._prune()
        self.refreshed_at = time.time()
        return received

    def _prune(self) -> None:
        horizon = time.time() - self._retention
        for subject in list(self._revoked):
            kept = [at for at in self._revoked[subject] if at > horizon]
            if kept:
                self._revoked[subject] = kept
            else:
                del self._revoked[subject]

    async def run(self) -> None:
        """Forever: refresh, then wait `poll_seconds` (a background job of the server)."""
        while True:
            try:
                await self.refresh()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # people may be down: keep what we know, try again
                log.warning("could not refresh token revocations: %s", exc)
            # Until the first list has arrived (people may still be starting), retry within 1 s.
            started = self.refreshed_at is not None
            await asyncio.sleep(self.poll_seconds if started else min(self.poll_seconds, 1.0))

    async def close(self) -> None:
        if self._on_close is not None:
            await self._on_close()


def remote_revocations(
    channel: grpc.aio.Channel,
    token: Callable[[], Awaitable[str]],
    on_unauthenticated: Callable[[], None] = lambda: None,
    timeout_seconds: float = 3.0,
) -> FetchRevocations:
    """A fetch function calling people's ListRevocations with this service's own token."""
    stub = people_grpc.PeopleServiceStub(channel)

    async def fetch(after: str) -> tuple[Sequence[tuple[str, float]], str]:
        metadata = (("authorization", f"Bearer {await token()}"),)
        try:
            response = await stub.ListRevocations(
                access_pb.ListRevocationsRequest(after=after, page_size=1000),
                metadata=metadata,
                timeout=timeout_seconds,
            )
        except grpc.aio.AioRpcError as error:
            if error.code() == grpc.StatusCode.UNAUTHENTICATED:
                on_unauthenticated()  # e.g. our own token was revoked: get a new one next time
            raise
        entries = [
            (r.subject, r.revoke_time.seconds + r.revoke_time.nanos / 1e9)
            for r in response.revocations
        ]
        return entries, response.next_cursor

    return fetch
