"""Employees, history, reporting lines and the audit log on real PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
import sqlalchemy as sa
import sqlalchemy.exc
from storeops.people.v1 import events_pb2 as ev

from services.common.audit import AuditQuery
from services.common.errors import AlreadyExists, InvalidArgument, NotFound, PermissionDenied
from services.common.outbox import START
from services.people.domain.employees import Contact
from services.people.service import employees
from services.people.service.context import People
from tests.integration.people.conftest import Hiring, caller, patterns_of
from tests.unit.people.builders import cny

pytestmark = pytest.mark.integration


async def audit(people: People, subject: str) -> list[tuple[str, str, str | None, bool]]:
    async with people.db.unit_of_work() as uow:
        rows = await people.db.audit_reader.page(
            uow.connection, AuditQuery(subject=subject), None, 1000
        )
    return [(r.entry.actor, r.entry.action, r.entry.basis, r.entry.allowed) for r in rows]


async def test_salary_reads_are_audited_with_their_basis_and_refusals_too(
    people: People, hire: Hiring
) -> None:
    boss = await hire("cs_supervisor", department="customer_service")
    worker = await hire("cs_specialist", department="customer_service", supervisor=boss)
    peer = await hire("cs_specialist", department="customer_service", supervisor=boss)
    finance = await hire("finance_specialist", department="finance")
    with caller(boss, patterns_of("cs_supervisor")):
        assert (await employees.get_salary(people, worker)).current.base_salary == cny(3000)
    with caller(finance, patterns_of("finance_specialist")):
        await employees.get_salary(people, worker)
    with caller(peer, patterns_of("cs_specialist")), pytest.raises(PermissionDenied):
        await employees.get_salary(people, worker)
    reads = [r for r in await audit(people, worker) if r[1] == "salary.read"]
    assert (boss, "salary.read", "REPORTING_LINE", True) in reads
    assert (finance, "salary.read", "HR_FINANCE_ROLE", True) in reads
    assert (peer, "salary.read", "NONE", False) in reads


async def test_viewing_an_employee_masks_what_is_not_allowed_and_audits_what_is_shown(
    people: People, hire: Hiring
) -> None:
    worker = await hire()
    peer = await hire()
    with caller(peer, patterns_of("ops_specialist")):
        masked = await employees.get_employee(people, worker)
    assert masked.view.base_salary is None
    assert masked.view.contact.phone == "*******8000"
    with caller(worker, patterns_of("ops_specialist")):
        own = await employees.get_employee(people, worker)
    assert own.view.base_salary == cny(3000)
    reads = [r for r in await audit(people, worker) if r[1] == "employee.read"]
    assert reads.count((worker, "employee.read", "SELF", True)) == 2  # pay and contact
    assert not [r for r in reads if r[0] == peer]  # nothing confidential was shown to the peer


async def test_audit_log_and_history_refuse_update_delete_and_truncate(
    people: People, hire: Hiring
) -> None:
    await hire()  # rows in all three tables
    for table, column in (
        ("audit_log", "actor"),
        ("salary_history", "reason"),
        ("position_history", "reason"),
    ):
        for statement in (
            f"UPDATE {table} SET {column} = 'rewritten'",  # fixed table names
            f"DELETE FROM {table}",
            f"TRUNCATE {table}",
        ):
            async with people.db.engine.connect() as connection:
                with pytest.raises(sqlalchemy.exc.DBAPIError, match="append-only"):
                    await connection.execute(sa.text(statement))


async def test_salary_history_is_appended_never_overwritten(people: People, hire: Hiring) -> None:
    code = await hire(yuan=2000)
    with caller():
        await employees.change_salary(
            people, code=code, base_salary=cny(2500), effective_date=date(2024, 7, 1), reason="a"
        )
        await employees.change_salary(
            people, code=code, base_salary=cny(2600), effective_date=date(2024, 7, 1), reason="b"
        )
        retried = await employees.change_salary(
            people, code=code, base_salary=cny(2600), effective_date=date(2024, 7, 1), reason="b"
        )
    assert [(c.effective_date, c.base_salary) for c in retried.changes] == [
        (date(2024, 1, 2), cny(2000)),
        (date(2024, 7, 1), cny(2500)),
        (date(2024, 7, 1), cny(2600)),
    ]
    assert retried.current.base_salary == cny(2600)
    changes = [r for r in await audit(people, code) if r[1] == "salary.change"]
    assert changes == [("E0001", "salary.change", "HR_FINANCE_ROLE", True)] * 2  # not the retry
    with caller(), pytest.raises(InvalidArgument) as early:
        await employees.change_salary(
            people, code=code, base_salary=cny(1), effective_date=date(2023, 1, 1), reason=""
        )
    assert early.value.violations[0].field == "effective_date"


async def test_a_future_position_change_takes_effect_on_its_date(
    people: People, hire: Hiring
) -> None:
    code = await hire("ops_specialist")
    with caller():
        changed = await employees.change_position(
            people,
            code=code,
            position_code="ops_supervisor",
            department_code=None,
            effective_date=date(2099, 1, 1),
            reason="promotion",
        )
    assert changed.view.position_code == "ops_specialist"
    with caller():
        history = await employees.get_history(people, code)
    assert [p.position_code for p in history.history.positions] == [
        "ops_specialist",
        "ops_supervisor",
    ]


async def test_reporting_cycle_is_refused(people: People, hire: Hiring) -> None:
    top = await hire("ops_manager")
    middle = await hire("ops_supervisor", supervisor=top)
    with caller(), pytest.raises(InvalidArgument) as cycle:
        await employees.update_employee(
            people, code=top, mask={"supervisor_code"}, name="", contact=Contact(),
            supervisor_code=middle,
        )  # fmt: skip
    assert cycle.value.violations[0].field == "supervisor_code"
    assert cycle.value.metadata["cycle"] == f"{top} → {middle} → {top}"


async def test_two_concurrent_changes_cannot_together_make_a_cycle(
    people: People, hire: Hiring
) -> None:
    a = await hire()
    b = await hire()

    async def report(employee: str, supervisor: str) -> str:
        with caller():
            try:
                await employees.update_employee(
                    people, code=employee, mask={"supervisor_code"}, name="", contact=Contact(),
                    supervisor_code=supervisor,
                )  # fmt: skip
            except InvalidArgument:
                return "refused"
        return "done"

    outcomes = await asyncio.gather(report(a, b), report(b, a))
    assert sorted(outcomes) == ["done", "refused"]


async def test_hire_publishes_an_event_in_its_transaction_and_a_refused_hire_none(
    people: People, hire: Hiring
) -> None:
    code = await hire("wh_keeper", department="warehouse")
    with caller(), pytest.raises(AlreadyExists):
        await employees.hire(
            people, code=code, name="Dup", department_code="warehouse", position_code="wh_keeper",
            supervisor_code=None, hire_date=date(2024, 1, 2), base_salary=cny(1),
            contact=Contact(),
        )  # fmt: skip
    with caller(), pytest.raises(NotFound):
        await employees.hire(
            people, code="E777001", name="Nobody", department_code="nowhere",
            position_code="wh_keeper", supervisor_code=None, hire_date=date(2024, 1, 2),
            base_salary=cny(1), contact=Contact(),
        )  # fmt: skip
    stored = [e for e in await people.db.feed.read(START, 100_000) if e.key in (code, "E777001")]
    assert [e.type for e in stored] == [ev.EmployeeHired.DESCRIPTOR.full_name]
    hired = ev.EmployeeHired.FromString(stored[0].payload)
    assert (hired.position_code, hired.hire_date, hired.base_salary.amount_minor) == (
        "wh_keeper",
        "2024-01-02",
        300000,
    )


async def test_leaving_is_published_with_the_dates_commission_rules_need(
    people: People, hire: Hiring
) -> None:
    code = await hire(hire_date=date(2024, 3, 1))
    with caller():
        await employees.record_leave(
            people, code=code, leave_date=date(2024, 12, 31), reason="resigned",
            end_access_now=False,
        )  # fmt: skip
    [left] = [
        ev.EmployeeLeft.FromString(e.payload)
        for e in await people.db.feed.read(START, 100_000)
        if e.key == code and e.type == ev.EmployeeLeft.DESCRIPTOR.full_name
    ]
    assert (left.hire_date, left.leave_date, left.reason) == (
        "2024-03-01",
        "2024-12-31",
        "resigned",
    )
