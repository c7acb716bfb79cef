"""Monthly and annual appraisals: cycles, scores from four sources, grades, review flags."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal

from services.common.context import Viewer
from services.common.errors import FailedPrecondition, NotFound, PermissionDenied
from services.people.domain.confidentiality import DataCategory
from services.performance.db.appraisals import StoredAppraisal
from services.performance.db.unit_of_work import PerformanceUnitOfWork
from services.performance.domain.annual_appraisal import AnnualAppraisal, annual_appraisal
from services.performance.domain.appraisal import (
    AppraisalCalendar,
    AppraisalWeights,
    MonthlyAppraisal,
    PeerScore,
    weights_for,
)
from services.performance.domain.grades import consecutive_fail_review
from services.performance.domain.period import YearMonth
from services.performance.domain.roles import Role
from services.performance.service.access import (
    Access,
    audit_change,
    audit_read,
    guarded_read,
)
from services.performance.service.context import Deps
from services.performance.service.kpis import compute_employee_kpis


async def set_weights(deps: Deps, role: Role, percents: dict[str, Decimal]) -> AppraisalWeights:
    viewer = Viewer.current()
    weights = AppraisalWeights(**{name: value / Decimal(100) for name, value in percents.items()})
    async with deps.db.unit_of_work() as uow:
        await uow.appraisals.set_weights(role, weights, viewer.subject)
        await audit_change(
            uow,
            viewer,
            "APPRAISAL_WEIGHTS_SET",
            "appraisals",
            None,
            role=role.value,
            **{k: str(v) for k, v in weights.as_dict().items()},
        )
        await uow.commit()
    return weights


async def list_weights(deps: Deps) -> dict[Role, tuple[AppraisalWeights, bool]]:
    async with deps.db.unit_of_work() as uow:
        stored = await uow.appraisals.weights()
    return {
        role: (stored[role], False) if role in stored else (weights_for(role), True)
        for role in Role
    }


async def open_cycle(deps: Deps, month: YearMonth) -> tuple[int, int]:
    """Open `month`'s appraisal for every employee with a role employed during it.
    Returns (appraisals in the cycle, opened now)."""
    viewer = Viewer.current()
    async with deps.db.unit_of_work() as uow:
        employees = await uow.facts.employees(month.last_day())
        weights = await uow.appraisals.weights()
        assignments = deps.settings.policy.assignments
        total = opened = 0
        for code in sorted(employees):
            record = employees[code]
            assignment = assignments.get(record.position_code)
            if (
                assignment is None
                or not record.employed_during(month)
                or not deps.settings.policy.covers(record)
            ):
                continue
            total += 1
            appraisal = MonthlyAppraisal(
                employee_code=code,
                department=record.department_code,
                supervisor_code=record.supervisor_code or "",
                month=month,
                weights=weights_for(assignment.role, weights),
                calendar=deps.settings.appraisal_calendar,
            )
            if await uow.appraisals.create(StoredAppraisal(appraisal, assignment.role, False)):
                opened += 1
        await audit_change(
            uow,
            viewer,
            "APPRAISAL_CYCLE_OPENED",
            "appraisals",
            None,
            month=str(month),
            opened=opened,
        )
        await uow.commit()
    return total, opened


async def _load(
    uow: PerformanceUnitOfWork, code: str, month: YearMonth, calendar: AppraisalCalendar
) -> StoredAppraisal:
    stored = await uow.appraisals.get(code, month, for_update=True)
    if stored is None:
        raise NotFound(
            f"no {month} appraisal of {code}; open the cycle first", reason="APPRAISAL_NOT_FOUND"
        )
    stored.appraisal.calendar = calendar
    return stored


Change = Callable[[PerformanceUnitOfWork, StoredAppraisal, Viewer], Awaitable[None]]


async def _change(
    deps: Deps, code: str, month: YearMonth, action: str, apply: Change
) -> StoredAppraisal:
    viewer = Viewer.current()
    async with deps.db.unit_of_work() as uow:
        stored = await _load(uow, code, month, deps.settings.appraisal_calendar)
        await apply(uow, stored, viewer)
        await uow.appraisals.save(stored)
        await audit_change(
            uow,
            viewer,
            action,
            "appraisals",
            code,
            month=str(month),
            state=stored.appraisal.state.value,
        )
        await uow.commit()
    return stored


async def record_self_assessment(
    deps: Deps, code: str, month: YearMonth, score: Decimal, comment: str
) -> StoredAppraisal:
    async def apply(uow: PerformanceUnitOfWork, stored: StoredAppraisal, viewer: Viewer) -> None:
        if viewer.code != code:
            raise PermissionDenied(
                f"only {code} writes their own self-assessment", reason="NOT_SELF"
            )
        stored.appraisal.record_self_assessment(score, comment, deps.today())

    return await _change(deps, code, month, "SELF_ASSESSMENT_RECORDED", apply)


async def record_supervisor_score(
    deps: Deps, code: str, month: YearMonth, score: Decimal, comments: str
) -> StoredAppraisal:
    async def apply(uow: PerformanceUnitOfWork, stored: StoredAppraisal, viewer: Viewer) -> None:
        stored.appraisal.record_supervisor_score(
            viewer.code or viewer.subject, score, comments, deps.today()
        )

    return await _change(deps, code, month, "SUPERVISOR_SCORE_RECORDED", apply)


async def record_peer_score(
    deps: Deps, code: str, month: YearMonth, score: Decimal
) -> StoredAppraisal:
    async def apply(uow: PerformanceUnitOfWork, stored: StoredAppraisal, viewer: Viewer) -> None:
        if viewer.code is None:
            raise PermissionDenied("peer scores come from employees", reason="NOT_AN_EMPLOYEE")
        reviewer = (await uow.facts.employees(deps.today())).get(viewer.code)
        if reviewer is None:
            raise FailedPrecondition(
                f"{viewer.code} is not a known employee", reason="REVIEWER_UNKNOWN"
            )
        stored.appraisal.record_peer_score(
            PeerScore(viewer.code, reviewer.department_code, score), deps.today()
        )

    return await _change(deps, code, month, "PEER_SCORE_RECORDED", apply)


async def compute_kpi_score(deps: Deps, code: str, month: YearMonth) -> StoredAppraisal:
    async def apply(uow: PerformanceUnitOfWork, stored: StoredAppraisal, viewer: Viewer) -> None:
        kpis = await compute_employee_kpis(deps, uow, code, month)
        if kpis.score is None:
            raise FailedPrecondition(
                f"no KPI of {code}'s set has a value in {month}; enter the manual KPI inputs first",
                reason="KPI_ALL_UNDEFINED",
            )
        stored.appraisal.record_kpi_score(kpis.score.total, deps.today())

    return await _change(deps, code, month, "KPI_SCORE_RECORDED", apply)


async def submit(deps: Deps, code: str, month: YearMonth) -> StoredAppraisal:
    async def apply(uow: PerformanceUnitOfWork, stored: StoredAppraisal, viewer: Viewer) -> None:
        if viewer.code != stored.appraisal.supervisor_code and not viewer.can(
            "performance.appraisals.update"
        ):
            raise PermissionDenied(
                f"only {code}'s supervisor ({stored.appraisal.supervisor_code})"
                " or HR submits the appraisal",
                reason="NOT_THE_SUPERVISOR",
            )
        stored.appraisal.submit(deps.today())

    return await _change(deps, code, month, "APPRAISAL_SUBMITTED", apply)


async def reopen(deps: Deps, code: str, month: YearMonth) -> StoredAppraisal:
    async def apply(uow: PerformanceUnitOfWork, stored: StoredAppraisal, viewer: Viewer) -> None:
        stored.appraisal.reopen()

    return await _change(deps, code, month, "APPRAISAL_REOPENED", apply)


async def close(deps: Deps, code: str, month: YearMonth) -> StoredAppraisal:
    async def apply(uow: PerformanceUnitOfWork, stored: StoredAppraisal, viewer: Viewer) -> None:
        stored.appraisal.close(deps.today())
        previous = await uow.appraisals.closed_grades(month.previous())
        grades = {month.previous(): previous[code]} if code in previous else {}
        if stored.appraisal.grade is not None:
            grades[month] = stored.appraisal.grade
        stored.review_flag = consecutive_fail_review(grades, month) is not None

    return await _change(deps, code, month, "APPRAISAL_CLOSED", apply)


async def get_appraisal(deps: Deps, code: str, month: YearMonth) -> StoredAppraisal:
    async with deps.db.unit_of_work() as uow:
        access = await Access.load(deps, uow)
        return await guarded_read(
            uow,
            access,
            code,
            DataCategory.APPRAISAL,
            "appraisals",
            lambda: uow.appraisals.get(code, month),
            lambda: NotFound(f"no {month} appraisal of {code}", reason="APPRAISAL_NOT_FOUND"),
            month=str(month),
        )


async def list_appraisals(
    deps: Deps, month: YearMonth, code: str | None, after: str | None, limit: int
) -> list[StoredAppraisal]:
    async with deps.db.unit_of_work() as uow:
        access = await Access.load(deps, uow)
        page = await uow.appraisals.page(month, {code} if code else None, after, limit)
        shown = [
            s
            for s in page
            if access.decide(s.appraisal.employee_code, DataCategory.APPRAISAL).allowed
        ]
        await audit_read(
            uow,
            access.viewer,
            "appraisals",
            [access.decide(s.appraisal.employee_code, DataCategory.APPRAISAL) for s in shown],
            month=str(month),
            listed=True,
        )
        await uow.commit()
    return shown


async def compute_annual(deps: Deps, code: str, year: int) -> AnnualAppraisal:
    viewer = Viewer.current()
    async with deps.db.unit_of_work() as uow:
        months = await uow.appraisals.of_year(code, year)
        annual = annual_appraisal(code, year, months, deps.today())
        await uow.appraisals.save_annual(annual)
        await audit_change(
            uow,
            viewer,
            "ANNUAL_APPRAISAL_COMPUTED",
            "appraisals",
            code,
            year=year,
            score=str(annual.score),
            grade=annual.grade.value,
        )
        await uow.commit()
    return annual


async def get_annual(deps: Deps, code: str, year: int) -> AnnualAppraisal:
    async with deps.db.unit_of_work() as uow:
        access = await Access.load(deps, uow)
        return await guarded_read(
            uow,
            access,
            code,
            DataCategory.APPRAISAL,
            "annual_appraisals",
            lambda: uow.appraisals.annual(code, year),
            lambda: NotFound(f"no {year} annual appraisal of {code}", reason="APPRAISAL_NOT_FOUND"),
            year=year,
        )
