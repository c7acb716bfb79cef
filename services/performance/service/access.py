"""Confidentiality of statements, appraisals, KPIs and commission: the people service's rule
(`services.people.domain.confidentiality`) applied with this service's `read_all` permissions,
and the reporting lines as the people feed last described them. Every decision on a read is
written to the audit log with who, when, whose data and on what basis (or the refusal)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

from services.common.audit import AuditEntry
from services.common.context import Viewer
from services.people.domain.confidentiality import (
    ConfidentialityPolicy,
    DataCategory,
    VisibilityDecision,
    decide_employee_data_visibility,
)
from services.people.domain.reporting_lines import ReportingLines
from services.performance.db.unit_of_work import PerformanceUnitOfWork
from services.performance.service.context import Deps

PERFORMANCE_POLICY = ConfidentialityPolicy(
    read_all_permissions={
        DataCategory.PAY: "performance.statements.read_all",
        DataCategory.APPRAISAL: "performance.appraisals.read_all",
        DataCategory.COMMISSION: "performance.commission.read_all",
        DataCategory.ATTENDANCE: "people.attendance.read_all",
        DataCategory.EMPLOYEE_CONTACT: "people.employees.read_all",
    }
)


class Access:
    """Visibility decisions for one caller within one unit of work."""

    def __init__(self, viewer: Viewer, lines: ReportingLines) -> None:
        self.viewer = viewer
        self.lines = lines

    @classmethod
    async def load(cls, deps: Deps, uow: PerformanceUnitOfWork) -> Access:
        employees = await uow.facts.employees(deps.today())
        lines = ReportingLines(
            {
                code: e.supervisor_code
                for code, e in employees.items()
                if e.supervisor_code and e.supervisor_code != code
            }
        )
        return cls(Viewer.current(), lines)

    def decide(self, subject_code: str, category: DataCategory) -> VisibilityDecision:
        return decide_employee_data_visibility(
            viewer_code=self.viewer.code,
            subject_code=subject_code,
            category=category,
            viewer_permissions=self.viewer.permissions,
            reporting_lines=self.lines,
            policy=PERFORMANCE_POLICY,
        )

    def visible(self, subject_codes: Iterable[str], category: DataCategory) -> set[str]:
        return {code for code in subject_codes if self.decide(code, category).allowed}


def _flat(details: dict[str, Any]) -> dict[str, str]:
    """Audit details are text: nested figures are kept as JSON."""
    return {
        k: v if isinstance(v, str) else json.dumps(v, default=str, sort_keys=True)
        for k, v in details.items()
    }


async def audit_read(
    uow: PerformanceUnitOfWork,
    viewer: Viewer,
    resource: str,
    decisions: Iterable[VisibilityDecision],
    **details: Any,
) -> None:
    """One audit entry per subject read (or refused), committed before any data is returned."""
    await uow.audit.write(
        [
            AuditEntry.by_caller(
                "READ" if decision.allowed else "READ_DENIED",
                resource,
                subject=decision.subject_code,
                category=decision.category.value,
                basis=decision.basis.value,
                allowed=decision.allowed,
                details=_flat(details),
            )
            for decision in decisions
        ]
    )


async def audit_change(
    uow: PerformanceUnitOfWork,
    viewer: Viewer,
    action: str,
    resource: str,
    subject_code: str | None,
    **details: Any,
) -> None:
    await uow.audit.write(
        [AuditEntry.by_caller(action, resource, subject=subject_code, details=_flat(details))]
    )


T = TypeVar("T")


async def guarded_read(
    uow: PerformanceUnitOfWork,
    access: Access,
    subject_code: str,
    category: DataCategory,
    resource: str,
    load: Callable[[], Awaitable[T | None]],
    not_found: Callable[[], Exception],
    **details: Any,
) -> T:
    """Read one employee's confidential record: a refusal is audited and raised before anything
    is loaded; a record that exists is returned only once its read is audited (a missing one
    was not read, so it leaves no trace)."""
    decision = access.decide(subject_code, category)
    if not decision.allowed:
        await audit_read(uow, access.viewer, resource, [decision], **details)
        await uow.commit()
        decision.require()
    value = await load()
    if value is None:
        raise not_found()
    await audit_read(uow, access.viewer, resource, [decision], **details)
    await uow.commit()
    return value
