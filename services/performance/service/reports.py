"""Reports: department ranking, KPI trends, commission by group (confidential figures masked)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from services.common.errors import FailedPrecondition, InvalidArgument, NotFound
from services.common.money import Money
from services.people.domain.confidentiality import DataCategory
from services.performance.db.statements import GroupCommissionRecord
from services.performance.domain.kpi_scoring import Kpi
from services.performance.domain.kpi_values import kpi_value
from services.performance.domain.payroll import LineKind
from services.performance.domain.payroll_month import MonthInputs, net_sales
from services.performance.domain.period import YearMonth
from services.performance.domain.reports import (
    KpiObservation,
    RankBy,
    RankedEntry,
    RankingEntry,
    TrendPoint,
    department_ranking,
    kpi_trend,
)
from services.performance.service.access import Access, audit_read, guarded_read
from services.performance.service.context import Deps
from services.performance.service.kpis import kpi_facts, role_of

MAX_TREND_MONTHS = 24


@dataclass(frozen=True)
class ShownRank:
    ranked: RankedEntry
    masked: bool


async def ranking(deps: Deps, month: YearMonth, by: RankBy) -> dict[str, list[ShownRank]]:
    currency = deps.settings.policy.currency
    async with deps.db.unit_of_work() as uow:
        access = await Access.load(deps, uow)
        employees = await uow.facts.employees(month.last_day())
        covered = {
            code: e
            for code, e in employees.items()
            if e.employed_during(month)
            and deps.settings.policy.assignments.get(e.position_code) is not None
            and deps.settings.policy.covers(e)
        }
        entries: list[RankingEntry] = []
        if by is RankBy.SALES:
            first, last = month.first_day(), month.last_day()
            inputs = MonthInputs(
                month,
                {},
                await uow.facts.payments(first, last),
                await uow.facts.refunds(first, last),
            )
            entries = [
                RankingEntry(
                    code,
                    e.department_code,
                    sales_minor=net_sales(inputs, currency, month, code).amount_minor,
                )
                for code, e in covered.items()
            ]
        else:
            page = await uow.appraisals.page(month, set(covered), None, 10_000)
            entries = [
                RankingEntry(
                    s.appraisal.employee_code,
                    s.appraisal.department,
                    total_score=s.appraisal.total_score,
                )
                for s in page
                if s.appraisal.total_score is not None
            ]
        ranked = department_ranking(entries, by)
        result: dict[str, list[ShownRank]] = {}
        decisions = []
        for department, rows in ranked.items():
            shown = []
            for row in rows:
                masked = False
                if by is RankBy.TOTAL_SCORE:
                    decision = access.decide(row.entry.employee_code, DataCategory.APPRAISAL)
                    masked = not decision.allowed
                    if decision.allowed:
                        decisions.append(decision)
                shown.append(ShownRank(row, masked))
            result[department] = shown
        await audit_read(
            uow,
            access.viewer,
            "reports.department_ranking",
            decisions,
            month=str(month),
            rank_by=by.value,
        )
        await uow.commit()
    return result


async def trend(
    deps: Deps, code: str, kpi_code: str, first: YearMonth, last: YearMonth
) -> list[TrendPoint]:
    try:
        kpi = Kpi[kpi_code]
    except KeyError as exc:
        raise InvalidArgument.for_field(
            "kpi", f"unknown KPI {kpi_code}", reason="UNKNOWN_KPI"
        ) from exc
    months = [first]
    while months[-1] < last:
        months.append(months[-1].next())
        if len(months) > MAX_TREND_MONTHS:
            raise InvalidArgument.for_field(
                "to_month",
                f"at most {MAX_TREND_MONTHS} months from from_month",
                reason="TREND_TOO_LONG",
            )
    if last < first:
        raise InvalidArgument.for_field(
            "to_month", "must not be before from_month", reason="TREND_EMPTY"
        )
    async with deps.db.unit_of_work() as uow:
        access = await Access.load(deps, uow)

        async def load() -> list[KpiObservation]:
            observations = []
            for month in months:
                try:
                    await role_of(deps, uow, code, month)
                except (FailedPrecondition, NotFound):
                    continue  # not employed then, or in a position without KPIs
                value, _, _ = kpi_value(kpi, await kpi_facts(deps, uow, code, month))
                observations.append(KpiObservation(code, month, kpi, value))
            return observations

        observations = await guarded_read(
            uow,
            access,
            code,
            DataCategory.APPRAISAL,
            "reports.kpi_trend",
            load,
            lambda: NotFound(f"no KPIs of {code}", reason="EMPLOYEE_NOT_FOUND"),
            kpi=kpi.value,
            from_month=str(first),
            to_month=str(last),
        )
    return kpi_trend(observations, code, kpi)


@dataclass(frozen=True)
class MemberShare:
    employee_code: str
    amount: Money | None


@dataclass(frozen=True)
class GroupReport:
    record: GroupCommissionRecord
    total_masked: bool
    members: tuple[MemberShare, ...]


async def commission_by_group(deps: Deps, month: YearMonth) -> list[GroupReport]:
    async with deps.db.unit_of_work() as uow:
        access = await Access.load(deps, uow)
        groups = await uow.statements.groups(month)
        statements = {
            s.statement.employee_code: s
            for s in await uow.statements.page(month, None, None, 100_000, sequence=0)
        }
        reports, decisions = [], []
        for record in groups:
            members = []
            for code in record.members:
                decision = access.decide(code, DataCategory.COMMISSION)
                stored = statements.get(code)
                amount = None
                if decision.allowed and stored is not None:
                    decisions.append(decision)
                    lines = stored.statement.lines_of(LineKind.COMMISSION)
                    amount = lines[0].amount if lines else Money.zero(record.amount.currency)
                members.append(MemberShare(code, amount))
            masked = any(m.amount is None for m in members)
            reports.append(GroupReport(record, masked, tuple(members)))
        await audit_read(
            uow, access.viewer, "reports.commission_by_group", decisions, month=str(month)
        )
        await uow.commit()
    return reports


def percent_value(value: Decimal | None) -> str:
    return "" if value is None else str(value)
