"""KPIs per role, computed from the facts (and the manual inputs no feed carries)."""

from __future__ import annotations

from decimal import Decimal

from services.common.context import Viewer
from services.common.errors import FailedPrecondition, InvalidArgument, NotFound
from services.people.domain.confidentiality import DataCategory
from services.performance.db.unit_of_work import PerformanceUnitOfWork
from services.performance.domain.kpi_scoring import Kpi
from services.performance.domain.kpi_values import (
    KPI_DEFINITIONS,
    EmployeeKpis,
    KpiFacts,
    KpiSource,
    employee_kpis,
)
from services.performance.domain.payroll_month import MonthInputs, net_sales, scoped
from services.performance.domain.period import YearMonth
from services.performance.domain.roles import Role
from services.performance.domain.targets import TargetScope
from services.performance.service.access import Access, audit_change, guarded_read
from services.performance.service.context import Deps


async def role_of(
    deps: Deps, uow: PerformanceUnitOfWork, code: str, month: YearMonth
) -> tuple[Role, str]:
    employees = await uow.facts.employees(month.last_day())
    record = employees.get(code)
    if record is None:
        raise NotFound(f"no employee {code} in the people feed", reason="EMPLOYEE_NOT_FOUND")
    assignment = deps.settings.policy.assignments.get(record.position_code)
    if assignment is None:
        raise FailedPrecondition(
            f"{code}'s position {record.position_code} has no KPI set", reason="NO_KPI_SET"
        )
    return assignment.role, record.department_code


async def kpi_facts(
    deps: Deps, uow: PerformanceUnitOfWork, code: str, month: YearMonth
) -> KpiFacts:
    currency = deps.settings.policy.currency
    previous = month.previous()
    payments = await uow.facts.payments(previous.first_day(), month.last_day())
    refunds = await uow.facts.refunds(previous.first_day(), month.last_day())
    policy = deps.settings.policy
    employees = await uow.facts.employees(month.last_day())
    inputs = MonthInputs(month, employees, payments, refunds)
    department_inputs = scoped(inputs, policy)
    activity = await uow.facts.order_activity(month, code)
    targets = await uow.targets.amounts(month)
    cogs, values = await uow.facts.stock_figures(month, currency)
    has_stock = await uow.facts.has_stock_facts()
    own = targets.get((TargetScope.EMPLOYEE, code))
    department = targets.get((TargetScope.DEPARTMENT, deps.settings.policy.sales_department))
    return KpiFacts(
        sales=net_sales(inputs, currency, month, code).amount_minor,
        sales_last_month=net_sales(inputs, currency, previous, code).amount_minor,
        own_target=own.amount_minor if own else None,
        units=activity.units,
        units_last_month=await uow.facts.units(previous, code),
        shipments=activity.shipments,
        shipped_on_time=activity.shipped_on_time,
        reviews=activity.reviews,
        positive_reviews=activity.positive_reviews,
        after_sales_cases=activity.after_sales_cases,
        after_sales_resolved=activity.after_sales_resolved,
        complaints=activity.complaints,
        complaints_resolved=activity.complaints_resolved,
        department_sales=net_sales(department_inputs, currency, month).amount_minor,
        department_sales_last_month=net_sales(department_inputs, currency, previous).amount_minor,
        department_target=department.amount_minor if department else None,
        cost_of_goods_sold=cogs,
        inventory_values=values if has_stock else (),
        manual=await uow.appraisals.kpi_inputs(code, month),
    )


async def compute_employee_kpis(
    deps: Deps, uow: PerformanceUnitOfWork, code: str, month: YearMonth
) -> EmployeeKpis:
    role, _ = await role_of(deps, uow, code, month)
    return employee_kpis(role, await kpi_facts(deps, uow, code, month))


async def get_employee_kpis(deps: Deps, code: str, month: YearMonth) -> EmployeeKpis:
    async with deps.db.unit_of_work() as uow:
        access = await Access.load(deps, uow)

        async def load() -> EmployeeKpis:
            return await compute_employee_kpis(deps, uow, code, month)

        return await guarded_read(
            uow,
            access,
            code,
            DataCategory.APPRAISAL,
            "kpis",
            load,
            lambda: NotFound(f"no KPIs of {code}", reason="EMPLOYEE_NOT_FOUND"),
            month=str(month),
        )


async def record_kpi_input(
    deps: Deps, code: str, month: YearMonth, kpi_code: str, value: Decimal
) -> str:
    viewer = Viewer.current()
    try:
        kpi = Kpi[kpi_code]
    except KeyError as exc:
        raise InvalidArgument.for_field(
            "kpi", f"unknown KPI {kpi_code}", reason="UNKNOWN_KPI"
        ) from exc
    if KPI_DEFINITIONS[kpi].source is not KpiSource.MANUAL:
        raise InvalidArgument.for_field(
            "kpi",
            f"{kpi.value} is computed from the "
            f"{KPI_DEFINITIONS[kpi].source.value.lower()} feed, not entered by hand",
            reason="KPI_NOT_MANUAL",
        )
    async with deps.db.unit_of_work() as uow:
        await uow.appraisals.set_kpi_input(code, month, kpi, value, viewer.subject)
        await audit_change(
            uow,
            viewer,
            "KPI_INPUT_RECORDED",
            "kpis",
            code,
            month=str(month),
            kpi=kpi.value,
            value=str(value),
        )
        await uow.commit()
    return viewer.subject
