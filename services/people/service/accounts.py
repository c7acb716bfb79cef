"""Use cases: employee login (argon2id, lockout), passwords, and the account view.

A failed login answers UNAUTHENTICATED "employee code or password is wrong" whether the code
exists, has no password, or the password is wrong; the lockout counts failures per code typed,
known or not, so neither the answer, the timing nor the lock reveals which codes exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.common.audit import AuditEntry
from services.common.context import Viewer, current_principal
from services.common.errors import (
    FailedPrecondition,
    InvalidArgument,
    PermissionDenied,
    Unauthenticated,
)
from services.people.db.unit_of_work import PeopleUnitOfWork
from services.people.domain.employees import EmploymentStatus
from services.people.domain.login_lockout import LoginAttempts
from services.people.domain.passwords import check_password
from services.people.domain.roles import compile_roles, require_may_confer
from services.people.domain.tokens import check_can_issue_token, issued_at_after_revocations
from services.people.service.context import People, employee_or_404
from services.people.service.password_hashing import PasswordHashing
from services.people.service.roles import LEFT, employee_access, revoke_tokens
from services.people.service.token_issuer import IssuedToken, TokenIssuer

WRONG_CREDENTIALS = "employee code or password is wrong"


@dataclass(frozen=True)
class LoginResult:
    employee_code: str
    token: IssuedToken
    roles: tuple[str, ...]


@dataclass(frozen=True)
class AccountView:
    employee_code: str
    has_password: bool
    password_changed_at: datetime | None
    last_login_at: datetime | None
    consecutive_failures: int
    locked_until: datetime | None


def _login_entry(code: str, allowed: bool, detail: str) -> AuditEntry:
    return AuditEntry(
        action="account.login",
        resource=f"employees/{code}/account",
        actor=code,
        actor_kind="anonymous",
        subject=code,
        allowed=allowed,
        details={"result": detail},
    )


async def _fail(people: People, code: str, now: datetime, what: str) -> None:
    """Count one failure for `code` (in its own transaction, committed before answering)."""
    async with people.db.unit_of_work() as uow:
        state = await uow.accounts.attempts(code, people.policies.lockout, for_update=True)
        after = state.register_failure(now)
        await uow.accounts.save_attempts(code, after)
        detail = what if after.locked_until is None else f"{what}; locked"
        await uow.audit(_login_entry(code, False, detail))
        await uow.commit()


async def login(
    people: People, hashing: PasswordHashing, issuer: TokenIssuer, code: str, password: str
) -> LoginResult:
    now = people.clock.now()
    async with people.db.unit_of_work() as uow:
        attempts = await uow.accounts.attempts(code, people.policies.lockout)
        account = await uow.accounts.get(code)
    attempts.check_can_attempt(now)  # locked: RESOURCE_EXHAUSTED ACCOUNT_LOCKED
    # The slow hash runs outside any transaction: no row is locked while it runs.
    if not await hashing.verify(account.password_hash if account else None, password):
        await _fail(people, code, now, "wrong credentials")
        raise Unauthenticated(WRONG_CREDENTIALS, reason="INVALID_CREDENTIALS")
    assert account is not None
    async with people.db.unit_of_work() as uow:
        state = await uow.accounts.attempts(code, people.policies.lockout, for_update=True)
        await uow.accounts.save_attempts(code, state.register_success(now))
        await uow.accounts.record_login(code, now)
        if hashing.needs_rehash(account.password_hash):
            await uow.accounts.rehash(code, await hashing.hash(password))
        schedule = await uow.attendance.schedule()
        access = await employee_access(uow, code, schedule.local_date(now))
        left_at = None
        if access.row.employee.status is EmploymentStatus.LEFT:
            left_at = await uow.revocations.latest_in_force(code, now, LEFT)
        check_can_issue_token(access.row.employee, now=now, tz=schedule.tz, access_ended_at=left_at)
        revoked_at = await uow.revocations.latest_in_force(code, now)
        issued = issuer.issue(
            code,
            "employee",
            access.roles.codes,
            access.permissions,
            issued_at_after_revocations(now, revoked_at),
            int(people.policies.token.lifetime.total_seconds()),
        )
        await uow.audit(_login_entry(code, True, "token issued"))
        await uow.commit()
    return LoginResult(code, issued, access.roles.codes)


async def _account_view(uow: PeopleUnitOfWork, people: People, code: str) -> AccountView:
    account = await uow.accounts.get(code)
    attempts = await uow.accounts.attempts(code, people.policies.lockout)
    locked = attempts.locked_until if attempts.is_locked(people.clock.now()) else None
    return AccountView(
        employee_code=code,
        has_password=account is not None,
        password_changed_at=None if account is None else account.password_changed_at,
        last_login_at=None if account is None else account.last_login_at,
        consecutive_failures=attempts.consecutive_failures,
        locked_until=locked,
    )


async def get_account(people: People, code: str) -> AccountView:
    who = Viewer.current()
    if who.code != code and not who.can("people.accounts.read_all"):
        raise PermissionDenied(
            "you may see only your own account (people.accounts.read_all shows any)",
            reason="NOT_OWN_ACCOUNT",
        )
    async with people.db.unit_of_work() as uow:
        await employee_or_404(uow, code, people.clock.now().date())
        return await _account_view(uow, people, code)


async def set_password(
    people: People, hashing: PasswordHashing, code: str, password: str
) -> AccountView:
    """An administrator creates or resets a login: lockout cleared, sessions ended."""
    now = people.clock.now()
    async with people.db.unit_of_work() as uow:
        schedule = await uow.attendance.schedule()
        access = await employee_access(uow, code, schedule.local_date(now))
        roles = {r.role.code: r.role for r in await uow.roles.rows(list(access.roles.codes))}
        # Resetting an administrator's password would hand over their roles.
        require_may_confer(
            compile_roles(roles, roles),
            Viewer.current().permissions,
            what=f"setting {code}'s password",
        )
    check_password(
        password,
        employee_code=code,
        employee_name=access.row.employee.name,
        policy=people.policies.password,
    )
    password_hash = await hashing.hash(password)
    async with people.db.unit_of_work() as uow:
        had_password = await uow.accounts.get(code) is not None
        await uow.accounts.set_password(code, password_hash, now)
        await uow.accounts.attempts(code, people.policies.lockout, for_update=True)
        await uow.accounts.save_attempts(code, LoginAttempts(policy=people.policies.lockout))
        if had_password:
            await revoke_tokens(uow, code, now, "PASSWORD_RESET")
        await uow.audit(
            AuditEntry.by_caller(
                "account.set_password",
                f"employees/{code}/account",
                subject=code,
                details={"created": str(not had_password).lower()},
            )
        )
        await uow.commit()
    async with people.db.unit_of_work() as read:
        return await _account_view(read, people, code)


async def change_password(
    people: People, hashing: PasswordHashing, current: str, password: str
) -> AccountView:
    """The caller changes their own password; their tokens until now are revoked."""
    principal = current_principal()
    if principal.kind != "employee":
        raise PermissionDenied("only employees have passwords", reason="NOT_AN_EMPLOYEE")
    code = principal.subject
    now = people.clock.now()
    async with people.db.unit_of_work() as uow:
        await employee_or_404(uow, code, now.date())
        account = await uow.accounts.get(code)
        attempts = await uow.accounts.attempts(code, people.policies.lockout)
        name = (await uow.employees.names([code]))[code]
    if account is None:
        raise FailedPrecondition(
            f"{code} has no password yet; ask HR to set one", reason="NO_PASSWORD"
        )
    attempts.check_can_attempt(now)
    if not await hashing.verify(account.password_hash, current):
        await _fail(people, code, now, "wrong current password")
        raise InvalidArgument.for_field("current_password", "is not your current password")
    if current == password:
        raise InvalidArgument.for_field("password", "must differ from the current password")
    check_password(
        password, employee_code=code, employee_name=name, policy=people.policies.password
    )
    password_hash = await hashing.hash(password)
    async with people.db.unit_of_work() as uow:
        await uow.accounts.set_password(code, password_hash, now)
        await revoke_tokens(uow, code, now, "PASSWORD_CHANGED")
        await uow.audit(
            AuditEntry.by_caller(
                "account.change_password", f"employees/{code}/account", subject=code
            )
        )
        await uow.commit()
    async with people.db.unit_of_work() as read:
        return await _account_view(read, people, code)
