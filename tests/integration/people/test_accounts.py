"""Login, lockout and passwords on real PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import date

import jwt
import pytest
import sqlalchemy as sa

from services.common.errors import (
    InvalidArgument,
    PermissionDenied,
    ResourceExhausted,
    Unauthenticated,
)
from services.people.db import tables as t
from services.people.service import accounts, employees
from services.people.service.context import People
from services.people.service.password_hashing import PasswordHashing
from services.people.service.token_issuer import TokenIssuer
from tests.integration.people.conftest import Hiring, caller, patterns_of

pytestmark = pytest.mark.integration
GOOD = "Marble-Harbour-58"


async def test_login_issues_a_token_with_the_positions_roles_and_permissions(
    people: People, hashing: PasswordHashing, issuer: TokenIssuer, hire: Hiring
) -> None:
    code = await hire("cs_specialist", department="customer_service")
    with caller():
        await accounts.set_password(people, hashing, code, GOOD)
    result = await accounts.login(people, hashing, issuer, code, GOOD)
    claims = jwt.decode(result.token.token, options={"verify_signature": False})
    assert claims["sub"] == code
    assert claims["kind"] == "employee"
    assert claims["roles"] == ["cs_specialist", "employee"]
    assert "orders.customers.read" in claims["perms"]
    assert claims["exp"] - claims["iat"] == 900


async def test_password_is_stored_as_an_argon2id_hash(
    people: People, hashing: PasswordHashing, hire: Hiring
) -> None:
    code = await hire()
    with caller():
        await accounts.set_password(people, hashing, code, GOOD)
    async with people.db.engine.connect() as connection:
        stored = (
            await connection.execute(
                sa.select(t.employee_accounts.c.password_hash).where(
                    t.employee_accounts.c.employee_code == code
                )
            )
        ).scalar_one()
    assert stored.startswith("$argon2id$")
    assert GOOD not in stored


async def test_a_stronger_hash_setting_rehashes_at_the_next_login(
    people: People, hashing: PasswordHashing, issuer: TokenIssuer, hire: Hiring
) -> None:
    code = await hire()
    with caller():
        await accounts.set_password(people, hashing, code, GOOD)
    stronger = PasswordHashing(time_cost=2, memory_kib=2048, parallelism=1)
    await accounts.login(people, stronger, issuer, code, GOOD)
    async with people.db.engine.connect() as connection:
        stored = (
            await connection.execute(
                sa.select(t.employee_accounts.c.password_hash).where(
                    t.employee_accounts.c.employee_code == code
                )
            )
        ).scalar_one()
    assert "m=2048,t=2" in stored


async def test_five_failures_lock_the_account_even_for_the_right_password(
    people: People, hashing: PasswordHashing, issuer: TokenIssuer, hire: Hiring
) -> None:
    code = await hire()
    with caller():
        await accounts.set_password(people, hashing, code, GOOD)
    for _ in range(5):
        with pytest.raises(Unauthenticated) as wrong:
            await accounts.login(people, hashing, issuer, code, "Wrong-Password-99")
        assert wrong.value.reason == "INVALID_CREDENTIALS"
    with pytest.raises(ResourceExhausted) as locked:
        await accounts.login(people, hashing, issuer, code, GOOD)
    assert locked.value.reason == "ACCOUNT_LOCKED"
    with caller():
        await accounts.set_password(people, hashing, code, "Another-Harbour-77")
    await accounts.login(people, hashing, issuer, code, "Another-Harbour-77")


async def test_concurrent_wrong_passwords_are_all_counted(
    people: People, hashing: PasswordHashing, issuer: TokenIssuer, hire: Hiring
) -> None:
    code = await hire()
    with caller():
        await accounts.set_password(people, hashing, code, GOOD)

    async def attempt() -> None:
        with pytest.raises(Unauthenticated):
            await accounts.login(people, hashing, issuer, code, "Wrong-Password-99")

    await asyncio.gather(*(attempt() for _ in range(5)))
    with pytest.raises(ResourceExhausted):
        await accounts.login(people, hashing, issuer, code, GOOD)


async def test_unknown_codes_fail_and_lock_exactly_like_known_ones(
    people: People, hashing: PasswordHashing, issuer: TokenIssuer
) -> None:
    for _ in range(5):
        with pytest.raises(Unauthenticated) as error:
            await accounts.login(people, hashing, issuer, "E999999", "Whatever-Pass-12")
        assert error.value.message == accounts.WRONG_CREDENTIALS
    with pytest.raises(ResourceExhausted):
        await accounts.login(people, hashing, issuer, "E999999", "Whatever-Pass-12")


async def test_weak_password_is_refused_naming_the_field(
    people: People, hashing: PasswordHashing, hire: Hiring
) -> None:
    code = await hire(name="Zhang Wei")
    with caller(), pytest.raises(InvalidArgument) as weak:
        await accounts.set_password(people, hashing, code, "zhangwei2024!")
    assert {v.field for v in weak.value.violations} == {"password"}


async def test_change_password_checks_the_current_one_and_ends_other_sessions(
    people: People, hashing: PasswordHashing, issuer: TokenIssuer, hire: Hiring
) -> None:
    code = await hire()
    with caller():
        await accounts.set_password(people, hashing, code, GOOD)
    before = await accounts.login(people, hashing, issuer, code, GOOD)
    with caller(code, patterns_of("ops_specialist")):
        with pytest.raises(InvalidArgument) as wrong:
            await accounts.change_password(people, hashing, "not-it", "Sapphire-Window-31")
        assert wrong.value.violations[0].field == "current_password"
        await accounts.change_password(people, hashing, GOOD, "Sapphire-Window-31")
    async with people.db.unit_of_work() as uow:
        revoked = await uow.revocations.latest_in_force(code, people.clock.now())
    assert revoked is not None
    claims = jwt.decode(before.token.token, options={"verify_signature": False})
    assert claims["iat"] <= revoked.timestamp()  # the old session is revoked
    after = await accounts.login(people, hashing, issuer, code, "Sapphire-Window-31")
    fresh = jwt.decode(after.token.token, options={"verify_signature": False})
    assert fresh["iat"] > revoked.timestamp()  # stamped after it, even in the same second


async def test_hr_cannot_reset_an_administrators_password(
    people: People, hashing: PasswordHashing, hire: Hiring
) -> None:
    admin = await hire("admin", department="gm_office")
    hr = await hire("hr_specialist", department="hr")
    with caller(hr, patterns_of("hr_specialist")), pytest.raises(PermissionDenied) as refused:
        await accounts.set_password(people, hashing, admin, GOOD)
    assert refused.value.reason == "PRIVILEGED_ROLE"


async def test_a_dismissed_employee_cannot_log_in_again_the_same_day(
    people: People, hashing: PasswordHashing, issuer: TokenIssuer, hire: Hiring
) -> None:
    code = await hire()
    with caller():
        await accounts.set_password(people, hashing, code, GOOD)
        await employees.record_leave(
            people,
            code=code,
            leave_date=people.clock.now().date(),
            reason="dismissed",
            end_access_now=True,
        )
    with pytest.raises(Unauthenticated) as refused:
        await accounts.login(people, hashing, issuer, code, GOOD)
    assert refused.value.reason == "ACCOUNT_INACTIVE"


async def test_an_employee_leaving_later_can_log_in_until_then(
    people: People, hashing: PasswordHashing, issuer: TokenIssuer, hire: Hiring
) -> None:
    code = await hire()
    with caller():
        await accounts.set_password(people, hashing, code, GOOD)
        await employees.record_leave(
            people, code=code, leave_date=date(2099, 1, 31), reason="notice", end_access_now=False
        )
    await accounts.login(people, hashing, issuer, code, GOOD)
