"""Login lockout: after N consecutive failed logins the account is locked for a while.

Defaults (`LockoutPolicy`): 5 consecutive failures lock the account for 15 minutes. Choices:
- the lock ends exactly at `locked_until` (an attempt at that instant is allowed);
- locking resets the failure counter, so after the lock the user again has 5 attempts;
- a success resets the counter and clears any expired lock; while locked even the right
  password is refused (`check_can_attempt` comes first);
- attempts refused during a lock are not counted (the password was never checked), so an
  attacker hammering a locked account does not extend the lock for its owner.
The state (`consecutive_failures`, `locked_until`) is what the adapter stores per account.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from services.common.errors import InvalidArgument, ResourceExhausted
from services.people.domain.validation import require_aware


@dataclass(frozen=True)
class LockoutPolicy:
    """Setting: failures before locking, and how long the lock lasts."""

    max_consecutive_failures: int = 5
    lock_duration: timedelta = timedelta(minutes=15)

    def __post_init__(self) -> None:
        if self.max_consecutive_failures < 1:
            raise InvalidArgument.for_field(
                "max_consecutive_failures", "must be at least 1", reason="INVALID_SETTING"
            )
        if self.lock_duration <= timedelta(0):
            raise InvalidArgument.for_field(
                "lock_duration", "must be positive", reason="INVALID_SETTING"
            )


DEFAULT_LOCKOUT_POLICY = LockoutPolicy()


@dataclass(frozen=True)
class LoginAttempts:
    """Failed-login state of one account; methods return the next state."""

    consecutive_failures: int = 0
    locked_until: datetime | None = None
    policy: LockoutPolicy = field(default=DEFAULT_LOCKOUT_POLICY, compare=False)

    def is_locked(self, now: datetime) -> bool:
        """True while `now` is before `locked_until`."""
        require_aware(now, "now")
        return self.locked_until is not None and now < self.locked_until

    def check_can_attempt(self, now: datetime) -> None:
        """Raise ResourceExhausted (reason ACCOUNT_LOCKED) while the account is locked."""
        require_aware(now, "now")
        locked_until = self.locked_until
        if locked_until is not None and now < locked_until:
            error = ResourceExhausted(
                "too many failed logins: this account is locked until "
                f"{locked_until.isoformat()}; try again then or ask HR to unlock it",
                reason="ACCOUNT_LOCKED",
            )
            error.metadata["locked_until"] = locked_until.isoformat()
            raise error

    def register_failure(self, now: datetime) -> LoginAttempts:
        """The state after a wrong password at `now`."""
        if self.is_locked(now):
            return self  # refused attempts never reached the password check
        failures = self.consecutive_failures + 1
        if failures >= self.policy.max_consecutive_failures:
            locked_until = now + self.policy.lock_duration
            return replace(self, consecutive_failures=0, locked_until=locked_until)
        return replace(self, consecutive_failures=failures, locked_until=None)

    def register_success(self, now: datetime) -> LoginAttempts:
        """The state after a correct password at `now`; refused while locked."""
        self.check_can_attempt(now)
        return replace(self, consecutive_failures=0, locked_until=None)
