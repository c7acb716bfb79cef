"""Payroll statements: computed from the facts, approved (closed), corrected by new statements."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from services.common.audit import AuditEntry
from services.common.context import Viewer
from services.common.errors import NotFound
from services.common.money import Money
from services.people.domain.confidentiality import DataCategory
from services.performance.db.statements import GroupCommissionRecord, StoredStatement
from services.performance.db.unit_of_work import PerformanceUnitOfWork
from services.performance.domain.payroll import (
    StatementState,
    adjustment_line,
    correction_statement,
)
from services.performance.domain.payroll_month import MonthInputs, MonthPayroll, compute_month
from services.performance.domain.period import YearMonth
from services.performance.service.access import Access, audit_change, audit_read, guarded_read
from services.performance.service.commission import catalog
from services.performance.service.context import Deps


async def month_inputs(deps: Deps, uow: PerformanceUnitOfWork, month: YearMonth) -> MonthInputs:
    first, last = month.previous().first_day(), month.last_day()
    return MonthInputs(
        month=month,
        employees=await uow.facts.employees(month.last_day()),
        payments=await uow.facts.payments(first, last),
        refunds=await uow.facts.refunds(first, last),
        targets=await uow.targets.amounts(month),
        grades=await uow.appraisals.closed_grades(month),
        review_flags=await uow.appraisals.review_flags(month),
        attendance=await uow.facts.attendance(month),
        share_weights=await uow.commission.share_weights(month),
        misconduct_found_on=await uow.commission.misconduct(),
    )


def _group_records(payroll: MonthPayroll) -> list[GroupCommissionRecord]:
    return [
        GroupCommissionRecord(
            group,
            result.commission.base,
            ""
            if result.commission.completion.ratio is None
            else str(result.commission.completion.ratio),
            str(result.commission.rate),
            result.commission.table_version,
            result.commission.amount,
            result.members,
        )
        for group, result in payroll.groups.items()
    ]


async def compute_statements(
    deps: Deps, month: YearMonth, codes: Iterable[str] = ()
) -> list[StoredStatement]:
    """(Re)compute the month's regular drafts; approved statements never change."""
    viewer = Viewer.current()
    only = frozenset(codes) or None
    async with deps.db.unit_of_work() as uow:
        await uow.statements.lock_month(month)
        inputs = replace(await month_inputs(deps, uow, month), only=only)
        payroll = compute_month(inputs, await catalog(uow), deps.settings.policy)
        approved = await uow.statements.approved_regular(month)
        for code, computed in payroll.statements.items():
            if code in approved:
                continue
            await uow.statements.save(
                StoredStatement(
                    computed.statement, (*computed.flags, *payroll.flags), computed.group
                )
            )
        if only is None:
            await uow.statements.delete_drafts(month, set(payroll.statements) | approved)
        await uow.statements.replace_groups(month, _group_records(payroll))
        await audit_change(
            uow,
            viewer,
            "STATEMENTS_COMPUTED",
            "statements",
            None,
            month=str(month),
            employees=sorted(payroll.statements),
        )
        stored = await uow.statements.page(
            month, set(only) if only else None, None, 10_000, sequence=0
        )
        # The answer carries pay: only what the caller may see, and every read audited.
        access = await Access.load(deps, uow)
        decisions = [access.decide(s.statement.employee_code, DataCategory.PAY) for s in stored]
        shown = [d for d in decisions if d.allowed]
        await audit_read(uow, access.viewer, "statements", shown, month=str(month), computed=True)
        await uow.commit()
    visible = {d.subject_code for d in shown}
    return [s for s in stored if s.statement.employee_code in visible]


async def _audit_handled(uow: PerformanceUnitOfWork, stored: StoredStatement, action: str) -> None:
    """The approver or issuer sees the statement they act on: recorded as a read on that basis."""
    st = stored.statement
    await uow.audit.write(
        [
            AuditEntry.by_caller(
                "READ",
                "statements",
                subject=st.employee_code,
                category=DataCategory.PAY.value,
                basis=action,
                details={"month": str(st.month), "sequence": str(st.sequence)},
            )
        ]
    )


async def get_statement(deps: Deps, code: str, month: YearMonth, sequence: int) -> StoredStatement:
    async with deps.db.unit_of_work() as uow:
        access = await Access.load(deps, uow)
        return await guarded_read(
            uow,
            access,
            code,
            DataCategory.PAY,
            "statements",
            lambda: uow.statements.get(code, month, sequence),
            lambda: NotFound(
                f"no statement {sequence} of {code} for {month}", reason="STATEMENT_NOT_FOUND"
            ),
            month=str(month),
            sequence=sequence,
        )


async def list_statements(
    deps: Deps, month: YearMonth, code: str | None, after: tuple[str, int] | None, limit: int
) -> tuple[list[StoredStatement], tuple[str, int] | None]:
    """The caller's visible statements; the cursor covers rows read, shown or not."""
    async with deps.db.unit_of_work() as uow:
        access = await Access.load(deps, uow)
        page = await uow.statements.page(month, {code} if code else None, after, limit)
        decisions = {
            s.statement.employee_code: access.decide(s.statement.employee_code, DataCategory.PAY)
            for s in page
        }
        shown = [s for s in page if decisions[s.statement.employee_code].allowed]
        await audit_read(
            uow,
            access.viewer,
            "statements",
            [decisions[code] for code in sorted({s.statement.employee_code for s in shown})],
            month=str(month),
            listed=True,
        )
        await uow.commit()
    last = page[-1].statement if len(page) == limit else None
    return shown, (last.employee_code, last.sequence) if last else None


async def approve_statement(
    deps: Deps, code: str, month: YearMonth, sequence: int
) -> StoredStatement:
    viewer = Viewer.current()
    async with deps.db.unit_of_work() as uow:
        await uow.statements.lock_month(month)
        stored = await uow.statements.get(code, month, sequence, for_update=True)
        if stored is None:
            raise NotFound(
                f"no statement {sequence} of {code} for {month}", reason="STATEMENT_NOT_FOUND"
            )
        if stored.statement.state is StatementState.APPROVED:  # approving twice changes nothing
            await _audit_handled(uow, stored, "APPROVER")
            await uow.commit()
            return stored
        stored.statement.approve(viewer.subject, deps.today())
        await uow.statements.close(stored.statement)
        await _audit_handled(uow, stored, "APPROVER")
        await audit_change(
            uow,
            viewer,
            "STATEMENT_APPROVED",
            "statements",
            code,
            month=str(month),
            sequence=sequence,
            total_minor=stored.statement.total().amount_minor,
        )
        await uow.commit()
    return stored


async def create_correction(
    deps: Deps, code: str, month: YearMonth, adjustments: list[tuple[Money, str]]
) -> StoredStatement:
    viewer = Viewer.current()
    async with deps.db.unit_of_work() as uow:
        await uow.statements.lock_month(month)
        original = await uow.statements.get(code, month, 0)
        if original is None:
            raise NotFound(f"no statement of {code} for {month}", reason="STATEMENT_NOT_FOUND")
        lines = [adjustment_line(amount, reason, viewer.subject) for amount, reason in adjustments]
        sequence = await uow.statements.next_sequence(code, month)
        correction = correction_statement(original.statement, lines, sequence)
        stored = StoredStatement(correction, (), original.group)
        await uow.statements.save(stored)
        await _audit_handled(uow, stored, "ISSUER")
        await audit_change(
            uow,
            viewer,
            "CORRECTION_CREATED",
            "statements",
            code,
            month=str(month),
            sequence=sequence,
            adjustments=[{"amount_minor": a.amount_minor, "reason": r} for a, r in adjustments],
        )
        await uow.commit()
    return stored
