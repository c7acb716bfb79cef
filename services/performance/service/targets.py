"""Monthly targets: set before the deadline, or proposed late and approved by someone else."""

from __future__ import annotations

from dataclasses import replace

from services.common.context import Viewer
from services.common.errors import FailedPrecondition, NotFound
from services.common.money import Money
from services.performance.db.targets import PendingChange, TargetRecord
from services.performance.db.unit_of_work import PerformanceUnitOfWork
from services.performance.domain.period import YearMonth
from services.performance.domain.targets import (
    TargetProposal,
    TargetScope,
    approve_target_change,
    is_late,
    propose_target_change,
    set_target,
)
from services.performance.service.access import audit_change
from services.performance.service.context import Deps


async def month_closed(deps: Deps, uow: PerformanceUnitOfWork, month: YearMonth) -> bool:
    """A month is closed once it has ended or any of its statements is approved."""
    return month.last_day() < deps.today() or await uow.statements.any_approved(month)


def _details(record: TargetRecord | None) -> dict[str, object]:
    if record is None or record.current is None:
        return {"amount_minor": None}
    return {
        "amount_minor": record.current.amount.amount_minor,
        "currency": record.current.amount.currency,
    }


async def upsert_target(
    deps: Deps, scope: TargetScope, subject_code: str, month: YearMonth, amount: Money, reason: str
) -> TargetRecord:
    viewer = Viewer.current()
    today = deps.today()
    async with deps.db.unit_of_work() as uow:
        previous = await uow.targets.get(scope, subject_code, month, for_update=True)
        closed = await month_closed(deps, uow, month)
        if is_late(month, today):
            proposal = propose_target_change(
                scope=scope,
                subject_code=subject_code,
                month=month,
                amount=amount,
                proposed_by=viewer.subject,
                today=today,
                reason=reason,
                month_closed=closed,
            )
            record = TargetRecord(
                scope,
                subject_code,
                month,
                previous.current if previous else None,
                previous.late if previous else False,
                PendingChange(amount, viewer.subject, today, reason),
            )
            await uow.targets.save(record)
            await audit_change(
                uow,
                viewer,
                "TARGET_PROPOSED",
                "targets",
                subject_code,
                scope=scope.value,
                month=str(month),
                proposed_minor=amount.amount_minor,
                currency=amount.currency,
                reason=reason,
                previous=_details(previous),
                proposal_on=str(proposal.proposed_on),
            )
        else:
            change = set_target(
                scope=scope,
                subject_code=subject_code,
                month=month,
                amount=amount,
                set_by=viewer.subject,
                today=today,
                previous=previous.current if previous else None,
                month_closed=closed,
            )
            record = TargetRecord(scope, subject_code, month, change.target, False, None)
            await uow.targets.save(record)
            await audit_change(
                uow,
                viewer,
                "TARGET_SET",
                "targets",
                subject_code,
                scope=scope.value,
                month=str(month),
                amount_minor=amount.amount_minor,
                currency=amount.currency,
                reason=reason,
                previous=_details(previous),
            )
        await uow.commit()
        return record


async def approve_target(
    deps: Deps, scope: TargetScope, subject_code: str, month: YearMonth
) -> TargetRecord:
    viewer = Viewer.current()
    today = deps.today()
    async with deps.db.unit_of_work() as uow:
        record = await uow.targets.get(scope, subject_code, month, for_update=True)
        if record is None or record.pending is None:
            raise FailedPrecondition(
                f"no late change of the {scope.value} {subject_code} "
                f"target for {month} awaits approval",
                reason="TARGET_NOTHING_TO_APPROVE",
            )
        pending = record.pending
        proposal = TargetProposal(
            scope,
            subject_code,
            month,
            pending.amount,
            pending.proposed_by,
            pending.proposed_on,
            pending.reason,
        )
        change = approve_target_change(
            proposal,
            approver=viewer.subject,
            today=today,
            previous=record.current,
            month_closed=await month_closed(deps, uow, month),
        )
        updated = replace(record, current=change.target, late=True, pending=None)
        await uow.targets.save(updated)
        await audit_change(
            uow,
            viewer,
            "TARGET_APPROVED",
            "targets",
            subject_code,
            scope=scope.value,
            month=str(month),
            amount_minor=pending.amount.amount_minor,
            proposed_by=pending.proposed_by,
            reason=pending.reason,
            previous=_details(record),
        )
        await uow.commit()
        return updated


async def get_target(
    deps: Deps, scope: TargetScope, subject_code: str, month: YearMonth
) -> TargetRecord:
    async with deps.db.unit_of_work() as uow:
        record = await uow.targets.get(scope, subject_code, month)
    if record is None:
        raise NotFound(
            f"no {scope.value} target for {subject_code} in {month}", reason="TARGET_NOT_FOUND"
        )
    return record


async def list_targets(
    deps: Deps,
    month: YearMonth,
    scope: TargetScope | None,
    after: tuple[str, str] | None,
    limit: int,
) -> list[TargetRecord]:
    async with deps.db.unit_of_work() as uow:
        return await uow.targets.page(month, scope, after, limit)
