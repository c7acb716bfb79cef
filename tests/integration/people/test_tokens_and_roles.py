"""Revocations (list, cursor, enforcement by the common RevocationList), signing keys, and role
assignment on PostgreSQL."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from storeops.people.v1 import events_pb2 as ev

from services.common.auth.revocations import RevocationList
from services.common.context import Principal
from services.common.errors import FailedPrecondition, PermissionDenied
from services.common.outbox import START
from services.common.permissions import PermissionSet
from services.people.service import employees, roles, tokens
from services.people.service.context import People
from services.people.service.keystore import KeyStore
from tests.integration.people.conftest import Hiring, caller, patterns_of
from tests.unit.people.builders import cny

pytestmark = pytest.mark.integration


def token_of(subject: str, issued_at: float) -> Principal:
    return Principal(subject, "employee", (), PermissionSet(()), "t", issued_at, issued_at + 900)


async def test_revocations_are_listed_from_a_cursor_in_commit_order(people: People) -> None:
    with caller():
        await tokens.revoke(people, "E400001", "lost laptop")
    first, cursor = await tokens.list_revocations(people, "", 1000)
    assert "E400001" in [r.subject for r in first]
    with caller():
        await tokens.revoke(people, "E400002", "lost phone")
    later, cursor2 = await tokens.list_revocations(people, cursor, 1000)
    assert [r.subject for r in later] == ["E400002"]
    nothing, cursor3 = await tokens.list_revocations(people, cursor2, 1000)
    assert nothing == []
    assert cursor3 == cursor2


async def test_revocation_list_refuses_tokens_issued_before_and_accepts_later_ones(
    people: People,
) -> None:
    revocations = RevocationList(tokens.local_revocations(people))
    issued = time.time() - 60
    assert not revocations.is_revoked(token_of("E400010", issued))
    with caller():
        await tokens.revoke(people, "E400010", "dismissed")
    await revocations.refresh()
    assert revocations.is_revoked(token_of("E400010", issued))
    assert not revocations.is_revoked(token_of("E400010", time.time() + 2))
    assert not revocations.is_revoked(token_of("E400011", issued))


async def test_a_future_leave_date_revokes_only_from_midnight_after_it(
    people: People, hire: Hiring
) -> None:
    code = await hire()
    with caller():
        await employees.record_leave(
            people, code=code, leave_date=datetime.now(UTC).date() + timedelta(days=30),
            reason="notice", end_access_now=False,
        )  # fmt: skip
    revocations = RevocationList(tokens.local_revocations(people))
    await revocations.refresh()
    assert not revocations.is_revoked(token_of(code, time.time() - 60))
    rows, _ = await tokens.list_revocations(people, "", 1000)
    [leave] = [r for r in rows if r.subject == code]
    assert leave.revoked_at > datetime.now(UTC) + timedelta(days=30)


def test_a_rotated_key_signs_after_the_delay_and_retires_only_when_safe(tmp_path: Path) -> None:
    keys = KeyStore(tmp_path, activation_delay=120, reload_seconds=0)
    keys.ensure_key()
    first = keys.signing_key().kid
    second = keys.rotate()
    assert keys.signing_key().kid == first  # not active yet: caches must fetch it first
    assert {k["kid"] for k in keys.jwks()} == {first, second}
    for kid, age in ((first, 400), (second, 200)):  # as if rotated 200 s ago
        os.utime(tmp_path / f"{kid}.pem", (time.time() - age, time.time() - age))
    keys._dir_mtime = -1.0  # the test moved the clock of the file, not the directory
    assert keys.signing_key().kid == second
    with pytest.raises(FailedPrecondition) as early:
        keys.retire(first, retire_after=3600)
    assert early.value.reason == "KEY_STILL_NEEDED"
    with pytest.raises(FailedPrecondition) as signing:
        keys.retire(second, retire_after=0)
    assert signing.value.reason == "KEY_SIGNING"
    keys.retire(first, retire_after=60)
    assert {k["kid"] for k in keys.jwks()} == {second}
    assert (tmp_path / "retired" / f"{first}.pem").exists()


async def test_assigning_and_unassigning_roles_publishes_and_revokes(
    people: People, hire: Hiring
) -> None:
    code = await hire("cs_specialist", department="customer_service")
    with caller():
        added = await roles.assign_role(people, code, "data_analyst")
        assert added.roles.codes == ("cs_specialist", "data_analyst", "employee")
        removed = await roles.unassign_role(people, code, "cs_specialist")
    assert removed.roles.codes == ("data_analyst", "employee")
    assert removed.roles.suppressed_position_roles == ("cs_specialist",)
    changes = [
        ev.RolesChanged.FromString(e.payload)
        for e in await people.db.feed.read(START, 100_000)
        if e.key == code and e.type == ev.RolesChanged.DESCRIPTOR.full_name
    ]
    assert [(list(c.added), list(c.removed)) for c in changes] == [
        (["data_analyst"], []),
        ([], ["cs_specialist"]),
    ]
    async with people.db.unit_of_work() as uow:
        assert await uow.revocations.latest_in_force(code, people.clock.now()) is not None


async def test_hr_may_not_hire_into_an_administrators_position(
    people: People, hire: Hiring
) -> None:
    hr = await hire("hr_specialist", department="hr")
    with caller(hr, patterns_of("hr_specialist")), pytest.raises(PermissionDenied) as refused:
        await employees.hire(
            people, code="E555001", name="Fake Admin", department_code="gm_office",
            position_code="admin", supervisor_code=None,
            hire_date=datetime.now(UTC).date(), base_salary=cny(1),
            contact=employees.Contact(),
        )  # fmt: skip
    assert refused.value.reason == "PRIVILEGED_ROLE"
    with caller(hr, patterns_of("hr_specialist")):
        await hire("cs_specialist", department="customer_service")  # an ordinary hire is fine
