from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from services.common.errors import InvalidArgument, ResourceExhausted, Unauthenticated
from services.people.domain.login_lockout import LockoutPolicy, LoginAttempts
from services.people.domain.passwords import PasswordPolicy, character_classes, check_password
from services.people.domain.tokens import TokenPolicy, TokenRevocation, check_can_issue_token

from .builders import SHANGHAI, employee

NOW = datetime(2025, 3, 3, 10, 0, tzinfo=SHANGHAI)

# --- passwords -----------------------------------------------------------------------------


def problems(password: str, *, code: str = "E1001", name: str = "Zhang Wei") -> list[str]:
    try:
        check_password(password, employee_code=code, employee_name=name)
    except InvalidArgument as error:
        refused = error
    else:
        return []
    assert refused.reason == "WEAK_PASSWORD"
    assert {v.field for v in refused.violations} == {"password"}
    return [v.description for v in refused.violations]


def test_twelve_characters_with_three_classes_is_accepted() -> None:
    assert problems("Harbour7tide") == []


def test_eleven_characters_is_too_short() -> None:
    assert any("at least 12" in p for p in problems("Harbour7tid"))


def test_two_character_classes_are_not_enough_below_sixteen_characters() -> None:
    assert any("mix at least 3" in p for p in problems("harbourtide7"))


def test_a_passphrase_of_sixteen_characters_needs_no_mix() -> None:
    assert problems("correct horse ba") == []  # exactly 16, lower-case and spaces
    assert any("mix" in p for p in problems("correct horse b"))  # 15 characters


def test_password_containing_the_employee_code_is_refused() -> None:
    assert any("employee code" in p for p in problems("Secure-e1001-pass"))


def test_password_containing_the_name_or_part_of_it_is_refused() -> None:
    assert any("your name" in p for p in problems("Wei-Harbour-2025x", name="Zhang Wei"))
    assert any("your name" in p for p in problems("xx张伟Harbour7!", name="张伟"))


def test_common_password_even_with_digits_and_symbols_around_it_is_refused() -> None:
    assert any("too common" in p for p in problems("Password2024!"))
    assert any("too common" in p for p in problems("Qwertyuiop!23"))
    assert problems("Qwertyuiop!23x") == []  # a common word inside a longer one is allowed


def test_every_broken_rule_is_reported_at_once() -> None:
    found = problems("e1001")
    assert len(found) >= 3


def test_control_characters_are_refused() -> None:
    assert any("control" in p for p in problems("Harbour7tide\x00"))


def test_password_policy_is_a_setting() -> None:
    strict = PasswordPolicy(min_length=20)
    with pytest.raises(InvalidArgument, match="at least 20"):
        check_password("Harbour7tide", employee_code="E1001", employee_name="Li", policy=strict)
    with pytest.raises(InvalidArgument):
        PasswordPolicy(min_length=4)


def test_character_classes_counts_lower_upper_digit_other() -> None:
    assert character_classes("aA1!") == 4
    assert character_classes("密码密码") == 1


# --- login lockout -------------------------------------------------------------------------


def fail(state: LoginAttempts, times: int, now: datetime = NOW) -> LoginAttempts:
    for _ in range(times):
        state = state.register_failure(now)
    return state


def test_four_failures_do_not_lock() -> None:
    state = fail(LoginAttempts(), 4)
    assert state.consecutive_failures == 4
    state.check_can_attempt(NOW)


def test_fifth_consecutive_failure_locks_for_fifteen_minutes() -> None:
    state = fail(LoginAttempts(), 5)
    assert state.locked_until == NOW + timedelta(minutes=15)
    with pytest.raises(ResourceExhausted) as caught:
        state.check_can_attempt(NOW + timedelta(minutes=14, seconds=59))
    assert caught.value.reason == "ACCOUNT_LOCKED"
    assert caught.value.metadata["locked_until"] == state.locked_until.isoformat()


def test_lock_ends_exactly_after_fifteen_minutes() -> None:
    state = fail(LoginAttempts(), 5)
    state.check_can_attempt(NOW + timedelta(minutes=15))
    assert not state.is_locked(NOW + timedelta(minutes=15))


def test_success_resets_the_counter() -> None:
    state = fail(LoginAttempts(), 4).register_success(NOW)
    assert state.consecutive_failures == 0
    assert fail(state, 4).locked_until is None


def test_attempts_during_a_lock_do_not_extend_it() -> None:
    locked = fail(LoginAttempts(), 5)
    assert locked.register_failure(NOW + timedelta(minutes=10)) == locked


def test_after_the_lock_the_user_has_five_fresh_attempts() -> None:
    later = NOW + timedelta(minutes=15)
    state = fail(fail(LoginAttempts(), 5), 4, later)
    assert not state.is_locked(later)
    assert fail(state, 1, later).is_locked(later)


def test_even_the_right_password_is_refused_while_locked() -> None:
    with pytest.raises(ResourceExhausted):
        fail(LoginAttempts(), 5).register_success(NOW + timedelta(minutes=1))


def test_lockout_thresholds_are_settings() -> None:
    policy = LockoutPolicy(max_consecutive_failures=3, lock_duration=timedelta(hours=1))
    state = fail(LoginAttempts(policy=policy), 3)
    assert state.locked_until == NOW + timedelta(hours=1)


def test_lockout_needs_timezone_aware_instants() -> None:
    with pytest.raises(InvalidArgument):
        LoginAttempts().check_can_attempt(datetime(2025, 3, 3, 10))


# --- tokens --------------------------------------------------------------------------------


def test_default_token_lifetime_is_fifteen_minutes() -> None:
    assert TokenPolicy().expires_at(NOW) == NOW + timedelta(minutes=15)
    with pytest.raises(InvalidArgument):
        TokenPolicy(lifetime=timedelta(0))


def test_token_is_valid_until_it_expires() -> None:
    check = TokenRevocation()
    expires = NOW + timedelta(minutes=15)
    check.check_token(issued_at=NOW, expires_at=expires, now=expires - timedelta(seconds=1))
    with pytest.raises(Unauthenticated) as caught:
        check.check_token(issued_at=NOW, expires_at=expires, now=expires)
    assert caught.value.reason == "TOKEN_EXPIRED"


def test_token_issued_before_the_revocation_instant_is_invalid() -> None:
    revoked_at = NOW + timedelta(minutes=5)
    check = TokenRevocation(tokens_revoked_at=revoked_at)
    expires = NOW + timedelta(minutes=15)
    assert (
        check.invalid_reason(issued_at=NOW, expires_at=expires, now=revoked_at) == "TOKEN_REVOKED"
    )
    # Same second as the revocation: refused, since `iat` cannot say which came first.
    assert check.invalid_reason(issued_at=revoked_at, expires_at=expires, now=revoked_at) == (
        "TOKEN_REVOKED"
    )
    later = revoked_at + timedelta(seconds=1)
    assert (
        check.invalid_reason(issued_at=later, expires_at=later + timedelta(minutes=15), now=later)
        is None
    )


def test_tokens_of_a_leaver_stop_working_when_employment_ends() -> None:
    leaver = employee().record_leave(date(2025, 3, 3))
    check = TokenRevocation.for_employee(leaver, tz=SHANGHAI)
    issued = datetime(2025, 3, 3, 23, 50, tzinfo=SHANGHAI)
    expires = issued + timedelta(minutes=15)
    assert check.invalid_reason(issued_at=issued, expires_at=expires, now=issued) is None
    midnight = datetime(2025, 3, 4, 0, 0, tzinfo=SHANGHAI)
    with pytest.raises(Unauthenticated) as caught:
        check.check_token(issued_at=issued, expires_at=expires, now=midnight)
    assert caught.value.reason == "EMPLOYEE_LEFT"


def test_no_token_is_issued_to_someone_not_employed() -> None:
    leaver = employee().record_leave(date(2025, 3, 3))
    check_can_issue_token(leaver, now=datetime(2025, 3, 3, 17, tzinfo=SHANGHAI), tz=SHANGHAI)
    with pytest.raises(Unauthenticated) as caught:
        check_can_issue_token(leaver, now=datetime(2025, 3, 4, 0, 1, tzinfo=SHANGHAI), tz=SHANGHAI)
    assert caught.value.reason == "ACCOUNT_INACTIVE"
    future_hire = employee(hire_date=date(2025, 4, 1))
    with pytest.raises(Unauthenticated):
        check_can_issue_token(future_hire, now=NOW, tz=SHANGHAI)
