"""The March 2026 scenario through the use cases on real PostgreSQL: statements to the fen,
replay from zero, approval, corrections, misconduct, confidentiality and the audit trail."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from services.common.errors import FailedPrecondition, PermissionDenied
from services.common.money import Money
from services.performance.db import tables
from services.performance.db.statements import StoredStatement
from services.performance.domain.payroll import LineKind
from services.performance.domain.period import YearMonth
from services.performance.domain.targets import TargetScope
from services.performance.service import appraisals, commission, facts, statements, targets
from services.performance.service.context import Deps
from tests.integration.performance import scenario
from tests.integration.performance.conftest import Clock, acting_as, consume, new_deps
from tests.support.postgres import TestServer

pytestmark = pytest.mark.integration
MARCH = YearMonth(2026, 3)

TARGETS = [
    (TargetScope.EMPLOYEE, "P1", 80_000),
    (TargetScope.EMPLOYEE, "C1", 50_000),
    (TargetScope.EMPLOYEE, "C2", 50_000),
    (TargetScope.GROUP, "PROMOTION", 200_000),
    (TargetScope.GROUP, "CUSTOMER_SERVICE", 150_000),
    (TargetScope.GROUP, "SUPERVISOR", 200_000),
    (TargetScope.DEPARTMENT, "operations", 200_000),
]

# Hand-computed (see scenario.py). All-shops net sales in March: 1,200 + 400 + 300 − 200 = 1,700.
# P1: own 1,000 / 800 = 125% → 500 (capped) + over-plan bonus 100 (≥ 120%, February 500 < 1,000)
#     + PROMOTION commission 1,700 × 2% (85%) = 34.00.
# C1: 400 / 500 = 80% → 400; CUSTOMER_SERVICE 1,700 / 1,500 = 113.33% → gap, previous tier 1.5%
#     = 25.50, half each = 12.75; attendance: 4th lateness 5% + full day 50% of 400 = 220.00 and
#     3 day wages 3 × (2,000 / 21.75 = 91.95) = 275.85.
# C2: 300 / 500 = 60% → 300; share 12.75 restricted to payments by the leaving day (03-15):
#     (1,200 + 400 − 200) / 1,700 → 12.75 × 1,400 / 1,700 = 10.50.
# S1: department 1,700 / 2,000 = 85% → 425.00, grade GOOD × 1.2 → +85.00, promoters 85%: no
#     penalty, SUPERVISOR 1,700 × 4% = 68.00.
EXPECTED: dict[str, dict[str, int]] = {
    "P1": {
        "BASE_SALARY": 200_000,
        "PERFORMANCE_PAY": 50_000,
        "GRADE_ADJUSTMENT": 0,
        "OVER_PLAN_BONUS": 10_000,
        "COMMISSION": 3_400,
        "ATTENDANCE_DEDUCTION": 0,
        "total": 263_400,
    },
    "C1": {
        "BASE_SALARY": 200_000,
        "PERFORMANCE_PAY": 40_000,
        "GRADE_ADJUSTMENT": 0,
        "OVER_PLAN_BONUS": 0,
        "COMMISSION": 1_275,
        "ATTENDANCE_DEDUCTION": -27_585 - 22_000,
        "total": 191_690,
    },
    "C2": {
        "BASE_SALARY": 200_000,
        "PERFORMANCE_PAY": 30_000,
        "GRADE_ADJUSTMENT": 0,
        "OVER_PLAN_BONUS": 0,
        "COMMISSION": 1_050,
        "ATTENDANCE_DEDUCTION": 0,
        "total": 231_050,
    },
    "S1": {
        "BASE_SALARY": 350_000,
        "PERFORMANCE_PAY": 42_500,
        "GRADE_ADJUSTMENT": 8_500,
        "OVER_PLAN_BONUS": 0,
        "SUPERVISOR_PENALTY": 0,
        "COMMISSION": 6_800,
        "ATTENDANCE_DEDUCTION": 0,
        "total": 407_800,
    },
}


def table(stored: list[StoredStatement]) -> dict[str, dict[str, int]]:
    result = {}
    for s in stored:
        row: dict[str, int] = {}
        for line in s.statement.lines:
            row[line.kind.value] = row.get(line.kind.value, 0) + line.amount.amount_minor
        row["total"] = s.statement.total().amount_minor
        result[s.statement.employee_code] = {k: v for k, v in row.items() if v}
    return result


def nonzero(rows: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    return {code: {k: v for k, v in row.items() if v} for code, row in rows.items()}


async def set_up_month(deps: Deps, clock: Clock) -> None:
    """Targets before the deadline, then the feeds."""
    clock.set("2026-02-20 10:00")
    with acting_as("M1"):
        for scope, subject, amount in TARGETS:
            await targets.upsert_target(deps, scope, subject, MARCH, Money(amount, "CNY"), "")
    await consume(deps.db.engine, scenario.feeds())


async def appraise_s1(deps: Deps, clock: Clock) -> None:
    """April 3rd: GM1 scores S1 80; the KPI score from the facts is 100 (department sales grew
    from 500 to 1,700; the other supervisor KPIs have no input): (0.4 × 80 + 0.3 × 100) / 0.7
    = 88.57 → GOOD (× 1.2)."""
    clock.set("2026-04-03 10:00")
    with acting_as("HR1"):
        await appraisals.open_cycle(deps, MARCH)
        await appraisals.compute_kpi_score(deps, "S1", MARCH)
    with acting_as("GM1", ("performance.appraisals.create",)):
        await appraisals.record_supervisor_score(deps, "S1", MARCH, Decimal("80"), "solid")
        await appraisals.submit(deps, "S1", MARCH)
    with acting_as("HR1"):
        closed = await appraisals.close(deps, "S1", MARCH)
    assert closed.appraisal.total_score == Decimal("88.57")
    assert closed.appraisal.grade is not None
    assert closed.appraisal.grade.value == "GOOD"


async def statements_for(deps: Deps) -> dict[str, dict[str, int]]:
    with acting_as("FIN1"):
        return table(await statements.compute_statements(deps, MARCH))


async def test_statements_match_the_hand_computed_table(fresh: tuple[Deps, Clock]) -> None:
    deps, clock = fresh
    await set_up_month(deps, clock)
    clock.set("2026-04-01 10:00")
    before = await statements_for(deps)
    # Not appraised yet: coefficient 1.0 for S1, flagged.
    assert (
        before["S1"]
        == nonzero(
            {"S1": dict(EXPECTED["S1"], GRADE_ADJUSTMENT=0, total=EXPECTED["S1"]["total"] - 8_500)}
        )["S1"]
    )
    await appraise_s1(deps, clock)
    computed = await statements_for(deps)
    assert computed == nonzero(EXPECTED)  # W1 (warehouse) and GM1 are outside these pay rules


async def test_every_line_says_which_rule_and_figures_it_used(fresh: tuple[Deps, Clock]) -> None:
    deps, clock = fresh
    await set_up_month(deps, clock)
    clock.set("2026-04-01 10:00")
    with acting_as("FIN1"):
        rows = {
            s.statement.employee_code: s for s in await statements.compute_statements(deps, MARCH)
        }
    c2 = rows["C2"]
    commission_line = c2.statement.lines_of(LineKind.COMMISSION)[0]
    assert "seed 003 篇1 (四)3-4" in commission_line.rule
    assert commission_line.inputs["eligible_base_minor"] == "140000"
    assert commission_line.inputs["rate"] == "0.015"
    assert "113.3333%" in commission_line.explanation
    assert "LEFT_DURING_MONTH" in c2.flags
    c1_deductions = rows["C1"].statement.lines_of(LineKind.ATTENDANCE_DEDUCTION)
    assert [line.amount.amount_minor for line in c1_deductions] == [-27_585, -22_000]
    assert "3 minor lateness free" in c1_deductions[1].explanation
    assert "NOT_APPRAISED" in rows["P1"].flags
    perf = rows["P1"].statement.lines_of(LineKind.PERFORMANCE_PAY)[0]
    assert perf.inputs["completion_ratio"] == "1.250000"


async def facts_dump(deps: Deps) -> dict[str, list[tuple[Any, ...]]]:
    result = {}
    async with deps.db.engine.connect() as connection:
        for fact_table in tables.FACT_TABLES:
            rows = await connection.execute(sa.select(fact_table))
            result[fact_table.name] = sorted((tuple(r) for r in rows), key=repr)
    return result


async def test_replaying_from_zero_reproduces_facts_and_statements(
    pg_server: TestServer, fresh: tuple[Deps, Clock]
) -> None:
    deps, clock = fresh
    await set_up_month(deps, clock)
    await appraise_s1(deps, clock)
    first = await statements_for(deps)
    first_facts = await facts_dump(deps)

    # An empty database fed the same events.
    other, other_clock = await new_deps(pg_server)
    try:
        await set_up_month(other, other_clock)
        await appraise_s1(other, other_clock)
        assert await facts_dump(other) == first_facts
        assert await statements_for(other) == first
    finally:
        await other.db.engine.dispose()

    # The same database: ReplayFeeds deletes every fact, the consumers start again from zero.
    with acting_as("ADMIN"):
        deleted = await facts.replay(deps)
    assert deleted > 0
    assert await facts.positions(deps) == []
    assert await statements_for(deps) == {}  # no facts: nobody to pay, drafts dropped
    await consume(deps.db.engine, scenario.feeds(), page_size=7)
    assert await facts_dump(deps) == first_facts
    assert await statements_for(deps) == first


async def test_approved_statements_never_change_and_corrections_are_new_statements(
    fresh: tuple[Deps, Clock],
) -> None:
    deps, clock = fresh
    await set_up_month(deps, clock)
    clock.set("2026-04-01 10:00")
    await statements_for(deps)
    with acting_as("FIN1"):
        approved = await statements.approve_statement(deps, "P1", MARCH, 0)
        again = await statements.approve_statement(deps, "P1", MARCH, 0)
    assert approved.statement.state.value == "APPROVED"
    assert again.statement.approved_on == approved.statement.approved_on

    # A late refund arrives: drafts follow the facts, the approved statement does not.
    feeds = scenario.feeds()
    from tests.integration.performance import events as ev

    ev.refunded(
        feeds["orders"], "R2", "O2", "C1", 40_000, "2026-03-05 18:30", 10_000, "2026-03-28 10:00"
    )
    await consume(deps.db.engine, feeds)
    after = await statements_for(deps)
    assert after["P1"] == nonzero(EXPECTED)["P1"]
    assert after["C1"]["PERFORMANCE_PAY"] == 30_000  # (400 − 100) / 500 = 60%

    with acting_as("FIN1"):
        correction = await statements.create_correction(
            deps, "P1", MARCH, [(Money(-1_000, "CNY"), "commission on the late refund R2")]
        )
        with pytest.raises(FailedPrecondition) as draft:
            await statements.create_correction(deps, "C1", MARCH, [(Money(1, "CNY"), "x")])
    assert draft.value.reason == "STATEMENT_NOT_APPROVED"
    assert correction.statement.sequence == 1
    assert correction.statement.kind.value == "CORRECTION"
    assert [line.kind for line in correction.statement.lines] == [LineKind.ADJUSTMENT]
    assert "late refund R2" in correction.statement.lines[0].explanation
    with acting_as("FIN1"):
        original = await statements.get_statement(deps, "P1", MARCH, 0)
    assert original.statement.total().amount_minor == EXPECTED["P1"]["total"]

    # Once a statement of the month is approved, the month's targets are closed.
    with acting_as("M1"), pytest.raises(FailedPrecondition) as closed:
        await targets.upsert_target(
            deps, TargetScope.EMPLOYEE, "P1", MARCH, Money(1, "CNY"), "too late"
        )
    assert closed.value.reason == "TARGET_MONTH_CLOSED"


async def test_misconduct_forfeits_unpaid_commission_only(fresh: tuple[Deps, Clock]) -> None:
    deps, clock = fresh
    await set_up_month(deps, clock)
    clock.set("2026-04-01 10:00")
    await statements_for(deps)
    with acting_as("FIN1"):
        await statements.approve_statement(deps, "C1", MARCH, 0)
    with acting_as("HR1"):
        await commission.record_misconduct(deps, "P1", clock().date(), "fake orders")
        await commission.record_misconduct(deps, "C1", clock().date(), "fake orders")
    with acting_as("FIN1"):
        rows = {
            s.statement.employee_code: s for s in await statements.compute_statements(deps, MARCH)
        }
    p1 = rows["P1"].statement.lines_of(LineKind.COMMISSION)[0]
    assert p1.amount.amount_minor == 0
    assert p1.inputs["forfeited_minor"] == "3400"
    assert "COMMISSION_FORFEITED" in rows["P1"].flags
    assert (
        rows["C1"].statement.lines_of(LineKind.COMMISSION)[0].amount.amount_minor == 1_275
    )  # paid


async def audit_rows(deps: Deps) -> list[Any]:
    async with deps.db.engine.connect() as connection:
        return list(
            await connection.execute(sa.select(tables.audit_log).order_by(tables.audit_log.c.id))
        )


async def test_statements_follow_the_reporting_line_and_every_read_is_audited(
    fresh: tuple[Deps, Clock],
) -> None:
    deps, clock = fresh
    await set_up_month(deps, clock)
    clock.set("2026-04-01 10:00")
    await statements_for(deps)
    already = len(await audit_rows(deps))
    read = ("performance.statements.read",)
    with acting_as("C1", read):
        own = await statements.get_statement(deps, "C1", MARCH, 0)
        with pytest.raises(PermissionDenied) as denied:
            await statements.get_statement(deps, "P1", MARCH, 0)
        visible, _ = await statements.list_statements(deps, MARCH, None, None, 50)
    assert own.statement.employee_code == "C1"
    assert denied.value.reason == "CONFIDENTIAL_DATA"
    assert [s.statement.employee_code for s in visible] == ["C1"]
    with acting_as("S1", read):  # S1 supervises P1, C1, C2
        listed, _ = await statements.list_statements(deps, MARCH, None, None, 50)
    assert [s.statement.employee_code for s in listed] == ["C1", "C2", "P1", "S1"]
    with acting_as("GM1", read):  # GM1 → S1 → P1: the line upwards
        await statements.get_statement(deps, "P1", MARCH, 0)
    with acting_as("FIN1", (*read, "performance.statements.read_all")):
        await statements.get_statement(deps, "S1", MARCH, 0)
    with acting_as("svc-reports", read, kind="service"), pytest.raises(PermissionDenied):
        await statements.get_statement(deps, "S1", MARCH, 0)
    reads = [
        (r.actor, r.action, r.subject, r.basis)
        for r in (await audit_rows(deps))[already:]
        if r.resource == "statements" and r.action.startswith("READ")
    ]
    assert reads == [
        ("C1", "READ", "C1", "SELF"),
        ("C1", "READ_DENIED", "P1", "NONE"),
        ("C1", "READ", "C1", "SELF"),
        ("S1", "READ", "C1", "REPORTING_LINE"),
        ("S1", "READ", "C2", "REPORTING_LINE"),
        ("S1", "READ", "P1", "REPORTING_LINE"),
        ("S1", "READ", "S1", "SELF"),
        ("GM1", "READ", "P1", "REPORTING_LINE"),
        ("FIN1", "READ", "S1", "HR_FINANCE_ROLE"),
        ("svc-reports", "READ_DENIED", "S1", "NONE"),
    ]


async def test_the_database_itself_refuses_to_change_an_approved_statement(
    fresh: tuple[Deps, Clock],
) -> None:
    deps, clock = fresh
    await set_up_month(deps, clock)
    clock.set("2026-04-01 10:00")
    await statements_for(deps)
    with acting_as("FIN1"):
        await statements.approve_statement(deps, "P1", MARCH, 0)
    key = (tables.statements.c.employee_code == "P1", tables.statements.c.month == "2026-03")
    for change in (
        tables.statements.update().where(*key).values(total_minor=1),
        tables.statements.delete().where(*key),
        tables.statement_lines.update()
        .where(tables.statement_lines.c.employee_code == "P1")
        .values(amount_minor=1),
    ):
        async with deps.db.engine.begin() as connection:
            with pytest.raises(sa.exc.IntegrityError, match="approved"):
                await connection.execute(change)


async def test_computing_shows_only_the_statements_the_caller_may_see(
    fresh: tuple[Deps, Clock],
) -> None:
    deps, clock = fresh
    await set_up_month(deps, clock)
    clock.set("2026-04-01 10:00")
    with acting_as("S1", ("performance.statements.issue",)):
        shown = await statements.compute_statements(deps, MARCH)
    assert sorted(s.statement.employee_code for s in shown) == ["C1", "C2", "P1", "S1"]
    with acting_as("C1", ("performance.statements.issue",)):
        shown = await statements.compute_statements(deps, MARCH)
    assert [s.statement.employee_code for s in shown] == ["C1"]
    async with deps.db.engine.connect() as connection:
        stored = await connection.execute(sa.select(sa.func.count()).select_from(tables.statements))
    assert stored.scalar_one() == 4  # every statement was computed all the same
