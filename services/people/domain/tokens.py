"""Access-token rules: lifetime, who may get one, and when an issued token stops counting.

Signing and verifying are adapters' work (`services.common.auth`); the domain decides:
- lifetime: `TokenPolicy.lifetime`, default 15 minutes (ARCHITECTURE "Identity": short-lived
  JWTs, so a revocation takes effect within minutes even where it is not checked);
- only an employee employed at the moment of issue gets a token;
- revocation: a token is invalid once the employee's employment has ended (every token of a
  leaver was issued before the leave time) and when it was issued at or before the employee's
  "tokens revoked at" instant (set on password change, role change or dismissal). The bound is
  inclusive because a JWT's `iat` has whole-second precision: a token stamped in the same
  second as the revocation may predate it, so it is refused (log in again a second later).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from services.common.errors import InvalidArgument, Unauthenticated
from services.people.domain.employees import Employee
from services.people.domain.validation import require_aware


@dataclass(frozen=True)
class TokenPolicy:
    """Setting: how long an access token lives."""

    lifetime: timedelta = timedelta(minutes=15)

    def __post_init__(self) -> None:
        if not timedelta(0) < self.lifetime <= timedelta(hours=12):
            raise InvalidArgument.for_field(
                "lifetime", "must be positive and at most 12 hours", reason="INVALID_SETTING"
            )

    def expires_at(self, issued_at: datetime) -> datetime:
        """When a token issued at `issued_at` expires."""
        return require_aware(issued_at, "issued_at") + self.lifetime


DEFAULT_TOKEN_POLICY = TokenPolicy()


def check_can_issue_token(
    employee: Employee, *, now: datetime, tz: ZoneInfo, access_ended_at: datetime | None = None
) -> None:
    """Refuse a token to someone not employed at `now` (dates in the company's `tz`), or whose
    access was ended at `access_ended_at` (a dismissal ends access before the leave date is
    over; see `access_ends_at`)."""
    require_aware(now, "now")
    ended = access_ended_at is not None and now >= require_aware(access_ended_at, "access_ended_at")
    if ended or not employee.is_employed_on(now.astimezone(tz).date()):
        raise Unauthenticated(
            f"the account of {employee.code} is not active; ask HR if this is a mistake",
            reason="ACCOUNT_INACTIVE",
        )


@dataclass(frozen=True)
class TokenRevocation:
    """Per employee: instants before which issued tokens no longer count."""

    employment_ends_at: datetime | None = None
    tokens_revoked_at: datetime | None = None

    @classmethod
    def for_employee(
        cls, employee: Employee, *, tz: ZoneInfo, tokens_revoked_at: datetime | None = None
    ) -> TokenRevocation:
        """The revocation instants of `employee` (leave date read in `tz`)."""
        return cls(employee.employment_ends_at(tz), tokens_revoked_at)

    def check_token(self, *, issued_at: datetime, expires_at: datetime, now: datetime) -> None:
        """Raise Unauthenticated (TOKEN_EXPIRED, EMPLOYEE_LEFT or TOKEN_REVOKED) if invalid."""
        reason = self.invalid_reason(issued_at=issued_at, expires_at=expires_at, now=now)
        if reason is not None:
            messages = {
                "TOKEN_EXPIRED": "your session has expired; log in again",
                "EMPLOYEE_LEFT": "this account belongs to someone who has left the company",
                "TOKEN_REVOKED": "your session was ended (password or role change); log in again",
            }
            raise Unauthenticated(messages[reason], reason=reason)

    def invalid_reason(
        self, *, issued_at: datetime, expires_at: datetime, now: datetime
    ) -> str | None:
        """Why a token is invalid, or None when it is still good."""
        require_aware(issued_at, "issued_at")
        require_aware(expires_at, "expires_at")
        require_aware(now, "now")
        if now >= expires_at:
            return "TOKEN_EXPIRED"
        if self.employment_ends_at is not None and now >= self.employment_ends_at:
            return "EMPLOYEE_LEFT"
        if self.tokens_revoked_at is not None and issued_at <= self.tokens_revoked_at:
            return "TOKEN_REVOKED"
        return None


def access_ends_at(
    employee: Employee, *, tz: ZoneInfo, now: datetime, end_access_now: bool = False
) -> datetime:
    """When a leaver's tokens stop counting (the revocation instant recorded for them).

    Normally midnight after the leave date; but `now` for a dismissal (`end_access_now`) and
    for a leave date already past, so that tokens issued since are refused too."""
    require_aware(now, "now")
    ends_at = employee.employment_ends_at(tz)
    if end_access_now or ends_at is None or ends_at <= now:
        return now
    return ends_at


def issued_at_after_revocations(now: datetime, revoked_at: datetime | None) -> int:
    """The whole-second `iat` of a token issued at `now`, strictly after `revoked_at`.

    Revocation refuses tokens with `iat <= revoked_at` (whole seconds, see `TokenRevocation`), so
    a login in the same second as a password change would get a token that is already revoked.
    Such a token is stamped with the next second instead (at most one second ahead; verifiers
    allow clock skew). A revocation still ahead (a leave date) does not move `iat`."""
    require_aware(now, "now")
    issued = int(now.timestamp())
    if revoked_at is not None and require_aware(revoked_at, "revoked_at") <= now:
        issued = max(issued, int(revoked_at.timestamp()) + 1)
    return issued
