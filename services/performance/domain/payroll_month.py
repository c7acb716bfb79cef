"""A month's payroll for every employee the rules cover: completions, group commissions, shares,
statements. Pure: everything it needs arrives in `MonthInputs`.

Figures (all in the payroll currency; sales in other currencies are left out and flagged):
- Net sales of a set of orders in a month = payments collected in the month − refunds issued in
  the month, never below 0 (`commission_conditions.commission_base`).
- All-shops sales (seed 003 篇1 (三): "以当月销售总金额", "全部店铺下单金额减去退货金额") =
  net sales of every order, whoever handled it. It is the department's sales.
- An employee's own sales = net sales of the orders they handled (`handled_by`).
- Completion: a team member's own sales / their EMPLOYEE target; a supervisor or manager's =
  all-shops sales / the DEPARTMENT target of their department (三(二)B.a: "整个部门"). A group's
  = its commission base / its GROUP target. The activity fund's = all-shops sales / the
  DEPARTMENT target of `PayrollPolicy.sales_department`.
- `PayrollPolicy.sales_departments` (a setting, empty by default) limits all of this to the
  employees of those departments and the orders they handled, for a company where other
  departments also sell (e.g. wholesale) outside this commission plan.
- Group commission base: all-shops sales (`BaseScope.ALL_SHOPS`, the default) or the sales of
  the orders the group's members handled (`BaseScope.GROUP_MEMBERS`).
- Members of a group in a month: employees of the group's positions employed on at least one day
  of the month, plus leavers whose 15-day grace reaches into it; shared equally, or by the
  month's weights (which must name exactly those members).
- A leaver's share is restricted to the payments that count under the leaving rules
  (`commission.restrict_share`); an employee with a misconduct finding gets no commission on any
  statement not yet approved (`forfeit_unpaid_commission`): both amounts stay with the company.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from enum import Enum

from services.common.errors import FailedPrecondition
from services.common.money import Money
from services.performance.domain.attendance import AttendanceFact, attendance_deduction
from services.performance.domain.commission import (
    GroupCommission,
    explain_share,
    group_commission,
    restrict_share,
    share_commission,
)
from services.performance.domain.commission_conditions import (
    CommissionAccrual,
    CommissionBase,
    LeavingRules,
    OrderPayment,
    ReturnRefund,
    commission_base,
    forfeit_unpaid_commission,
)
from services.performance.domain.commission_tables import CommissionGroup, CommissionTableCatalog
from services.performance.domain.completion import Completion, CompletionFlag, completion
from services.performance.domain.explained import Explained
from services.performance.domain.grades import Grade
from services.performance.domain.payroll import LineKind, PayrollLine, PayrollStatement
from services.performance.domain.payroll_builder import (
    PayrollSettings,
    StatementInputs,
    build_statement,
)
from services.performance.domain.period import YearMonth
from services.performance.domain.roles import PayLevel, Role, pay_level
from services.performance.domain.staff import (
    DEFAULT_POSITION_ASSIGNMENTS,
    EmployeeRecord,
    StaffAssignment,
)
from services.performance.domain.targets import TargetScope

SHARED_GROUPS = (
    CommissionGroup.CUSTOMER_SERVICE,
    CommissionGroup.PROMOTION,
    CommissionGroup.SUPERVISOR,
)


class BaseScope(Enum):
    ALL_SHOPS = "ALL_SHOPS"
    GROUP_MEMBERS = "GROUP_MEMBERS"


@dataclass(frozen=True)
class SalePayment:
    """A collected (or awaited) order payment and who handled the order ("" if nobody)."""

    payment: OrderPayment
    handled_by: str


@dataclass(frozen=True)
class SaleRefund:
    refund: ReturnRefund
    handled_by: str


@dataclass(frozen=True)
class PayrollPolicy:
    payroll: PayrollSettings = field(default_factory=PayrollSettings)
    leaving: LeavingRules = field(default_factory=LeavingRules)
    assignments: Mapping[str, StaffAssignment] = field(
        default_factory=lambda: DEFAULT_POSITION_ASSIGNMENTS
    )
    base_scope: BaseScope = BaseScope.ALL_SHOPS
    sales_department: str = "operations"
    sales_departments: frozenset[str] = frozenset()

    @property
    def currency(self) -> str:
        return self.payroll.pay.currency

    def covers(self, record: EmployeeRecord) -> bool:
        """Whether the plan covers this employee's department (no list: every department)."""
        return not self.sales_departments or record.department_code in self.sales_departments


@dataclass(frozen=True)
class MonthInputs:
    """Everything known about `month` (payments and refunds may cover other months too)."""

    month: YearMonth
    employees: Mapping[str, EmployeeRecord]
    payments: tuple[SalePayment, ...] = ()
    refunds: tuple[SaleRefund, ...] = ()
    targets: Mapping[tuple[TargetScope, str], Money] = field(default_factory=dict)
    grades: Mapping[str, Grade] = field(default_factory=dict)
    review_flags: frozenset[str] = frozenset()
    attendance: Mapping[str, tuple[AttendanceFact, ...]] = field(default_factory=dict)
    share_weights: Mapping[CommissionGroup, Mapping[str, Decimal]] = field(default_factory=dict)
    misconduct_found_on: Mapping[str, date] = field(default_factory=dict)
    only: frozenset[str] | None = None


@dataclass(frozen=True)
class GroupResult:
    commission: GroupCommission
    members: tuple[str, ...]
    shares: Mapping[str, Money]
    lines: Mapping[str, Explained]


@dataclass(frozen=True)
class ComputedStatement:
    statement: PayrollStatement
    flags: tuple[str, ...]
    group: CommissionGroup | None


@dataclass(frozen=True)
class MonthPayroll:
    month: YearMonth
    statements: Mapping[str, ComputedStatement]
    groups: Mapping[CommissionGroup, GroupResult]
    flags: tuple[str, ...]


class _Sales:
    """Net sales figures over the month's payments and refunds, in the payroll currency."""

    def __init__(self, inputs: MonthInputs, currency: str) -> None:
        self.currency = currency
        self.payments = tuple(p for p in inputs.payments if p.payment.amount.currency == currency)
        self.refunds = tuple(r for r in inputs.refunds if r.refund.amount.currency == currency)
        self.foreign = len(self.payments) != len(inputs.payments) or len(self.refunds) != len(
            inputs.refunds
        )

    def base(
        self,
        month: YearMonth,
        who: Callable[[str], bool] | None = None,
        employee: EmployeeRecord | None = None,
        leaving: LeavingRules | None = None,
    ) -> CommissionBase:
        payments = [p.payment for p in self.payments if who is None or who(p.handled_by)]
        refunds = [r.refund for r in self.refunds if who is None or who(r.handled_by)]
        return commission_base(
            payments,
            refunds,
            month,
            self.currency,
            employment=employee.employment() if employee is not None else None,
            rules=leaving or LeavingRules(),
        )


def net_sales(
    inputs: MonthInputs, currency: str, month: YearMonth, handled_by: str | None = None
) -> Money:
    """Net collected sales of `month` (all shops, or one employee's orders)."""
    sales = _Sales(inputs, currency)
    who = None if handled_by is None else (lambda code: code == handled_by)
    return sales.base(month, who).base


def scoped(inputs: MonthInputs, policy: PayrollPolicy) -> MonthInputs:
    """The inputs limited to `policy.sales_departments`: their employees, and the orders those
    employees handled (with no list, everything: all shops' orders, every employee)."""
    if not policy.sales_departments:
        return inputs
    employees = {code: r for code, r in inputs.employees.items() if policy.covers(r)}
    return replace(
        inputs,
        employees=employees,
        payments=tuple(p for p in inputs.payments if p.handled_by in employees),
        refunds=tuple(r for r in inputs.refunds if r.handled_by in employees),
    )


def compute_month(
    inputs: MonthInputs, catalog: CommissionTableCatalog, policy: PayrollPolicy = PayrollPolicy()
) -> MonthPayroll:
    """Every covered employee's statement for `inputs.month`, and each group's commission."""
    inputs = scoped(inputs, policy)
    month = inputs.month
    sales = _Sales(inputs, policy.currency)
    all_shops = sales.base(month).base
    members = _members(inputs, policy)
    groups: dict[CommissionGroup, GroupResult] = {}
    completions: dict[CommissionGroup, Completion] = {}
    for group in CommissionGroup:
        result, group_completion = _group(
            inputs, catalog, policy, sales, group, members.get(group, ()), all_shops
        )
        completions[group] = group_completion
        if result is not None:
            groups[group] = result
    statements: dict[str, ComputedStatement] = {}
    for code in sorted(inputs.employees):
        record = inputs.employees[code]
        assignment = policy.assignments.get(record.position_code)
        if assignment is None or not record.collects_during(month, policy.leaving):
            continue
        if inputs.only is not None and code not in inputs.only:
            continue
        statements[code] = _statement(
            inputs, policy, sales, record, assignment, all_shops, completions, groups
        )
    flags = ("FOREIGN_CURRENCY_SALES_IGNORED",) if sales.foreign else ()
    return MonthPayroll(month, statements, groups, flags)


def _members(inputs: MonthInputs, policy: PayrollPolicy) -> dict[CommissionGroup, tuple[str, ...]]:
    result: dict[CommissionGroup, list[str]] = {}
    for code in sorted(inputs.employees):
        record = inputs.employees[code]
        assignment = policy.assignments.get(record.position_code)
        if assignment is None or assignment.group is None:
            continue
        if record.collects_during(inputs.month, policy.leaving):
            result.setdefault(assignment.group, []).append(code)
    return {group: tuple(codes) for group, codes in result.items()}


def _group(
    inputs: MonthInputs,
    catalog: CommissionTableCatalog,
    policy: PayrollPolicy,
    sales: _Sales,
    group: CommissionGroup,
    members: tuple[str, ...],
    all_shops: Money,
) -> tuple[GroupResult | None, Completion]:
    month = inputs.month
    if group is CommissionGroup.DEPARTMENT_ACTIVITY_FUND:
        target = inputs.targets.get((TargetScope.DEPARTMENT, policy.sales_department))
        fund_completion = completion(all_shops.amount_minor, _minor(target))
        fund = group_commission(catalog, group, month, base=all_shops, completion=fund_completion)
        return GroupResult(fund, (), {}, {}), fund_completion
    member_set = frozenset(members)
    if policy.base_scope is BaseScope.GROUP_MEMBERS:
        base = sales.base(month, lambda code: code in member_set).base
    else:
        base = all_shops
    target = inputs.targets.get((TargetScope.GROUP, group.value))
    group_completion = completion(base.amount_minor, _minor(target))
    if not members:
        return None, group_completion
    commission = group_commission(catalog, group, month, base=base, completion=group_completion)
    weights = _weights(inputs, group, members)
    shares = share_commission(commission.amount, members, weights)
    paid: dict[str, Money] = {}
    lines: dict[str, Explained] = {}
    for code in members:
        weight = weights[code] if weights is not None else None
        line = explain_share(commission, code, shares[code], members, weight)
        record = inputs.employees[code]
        if record.leave_date is not None and record.leave_date <= month.last_day():
            eligible = sales.base(
                month,
                (lambda c: c in member_set)
                if policy.base_scope is BaseScope.GROUP_MEMBERS
                else None,
                employee=record,
                leaving=policy.leaving,
            ).base
            line = _restricted(line, base, eligible, record, policy.leaving)
        found_on = inputs.misconduct_found_on.get(code)
        if found_on is not None:
            line = _forfeited(line, code, month, found_on)
        paid[code] = line.amount
        lines[code] = line
    return GroupResult(commission, members, paid, lines), group_completion


def _weights(
    inputs: MonthInputs, group: CommissionGroup, members: tuple[str, ...]
) -> Mapping[str, Decimal] | None:
    weights = inputs.share_weights.get(group)
    if not weights:
        return None
    if set(weights) != set(members):
        raise FailedPrecondition(
            f"the {group.value} share weights for {inputs.month} name {sorted(weights)} but the "
            f"group's members are {list(members)}; set the weights again",
            reason="SHARE_WEIGHTS_STALE",
        )
    return weights


def _restricted(
    line: Explained, group_base: Money, eligible: Money, record: EmployeeRecord, rules: LeavingRules
) -> Explained:
    amount = restrict_share(line.amount, group_base, eligible)
    if amount == line.amount:
        return line
    which = (
        "only payments received by the leaving date count"
        if record.employment().left_within_first_year()
        else f"payments received within {rules.grace_days_after_first_year} days after "
        "leaving count"
    )
    return Explained(
        amount=amount,
        rule=f"{line.rule}; seed 003 篇1 (四)3-4 离职提成",
        explanation=(
            f"{line.explanation} Left on {record.leave_date}: {which}; "
            f"{line.amount} × {eligible} / {group_base} = {amount}."
        ),
        inputs={
            **line.inputs,
            "leave_date": str(record.leave_date),
            "eligible_base_minor": str(eligible.amount_minor),
            "unrestricted_minor": str(line.amount.amount_minor),
        },
    )


def _forfeited(line: Explained, code: str, month: YearMonth, found_on: date) -> Explained:
    accrual = CommissionAccrual(code, month, line.amount, paid_on=None)
    outcome = forfeit_unpaid_commission([accrual], found_on)
    if not outcome.forfeited:  # pragma: no cover - an unpaid accrual is always forfeited
        return line
    zero = Money.zero(line.amount.currency)
    return Explained(
        amount=zero,
        rule="seed 003 篇1 (四)2 欺诈公司, 未发放的提成不予发放",
        explanation=(
            f"misconduct found on {found_on}: the unpaid commission of {line.amount} is "
            f"forfeited. {line.explanation}"
        ),
        inputs={
            **line.inputs,
            "forfeited_minor": str(line.amount.amount_minor),
            "misconduct_found_on": str(found_on),
        },
    )


def _statement(
    inputs: MonthInputs,
    policy: PayrollPolicy,
    sales: _Sales,
    record: EmployeeRecord,
    assignment: StaffAssignment,
    all_shops: Money,
    completions: Mapping[CommissionGroup, Completion],
    groups: Mapping[CommissionGroup, GroupResult],
) -> ComputedStatement:
    month = inputs.month
    flags: list[str] = []
    group = groups.get(assignment.group) if assignment.group is not None else None
    commission_line = group.lines.get(record.code) if group is not None else None
    if commission_line is not None and record.code in inputs.misconduct_found_on:
        flags.append("COMMISSION_FORFEITED")
    if group is not None and group.commission.completion.exact is None:
        flags.append("GROUP_TARGET_MISSING")
    if not record.employed_during(month):
        statement = PayrollStatement(record.code, month, policy.currency)
        if commission_line is not None:
            statement.add_line(PayrollLine.of(LineKind.COMMISSION, commission_line))
        return ComputedStatement(statement, (*flags, "LEFT_BEFORE_MONTH"), assignment.group)
    level = pay_level(assignment.role)
    if level is PayLevel.SUPERVISOR:
        target = inputs.targets.get((TargetScope.DEPARTMENT, record.department_code))
        this_month, last_month = all_shops, sales.base(month.previous()).base
    else:
        target = inputs.targets.get((TargetScope.EMPLOYEE, record.code))
        mine = lambda code: code == record.code  # noqa: E731 - one-line filter
        this_month = sales.base(month, mine).base
        last_month = sales.base(month.previous(), mine).base
    own = completion(this_month.amount_minor, _minor(target))
    if CompletionFlag.TARGET_MISSING in own.flags:
        flags.append("TARGET_MISSING")
    facts = inputs.attendance.get(record.code, ())
    base_salary = (
        record.base_salary
        if record.base_salary is not None and record.base_salary.currency == policy.currency
        else None
    )
    statement = build_statement(
        StatementInputs(
            employee_code=record.code,
            month=month,
            role=assignment.role,
            completion=own,
            grade=inputs.grades.get(record.code),
            base_salary=base_salary,
            sales_this_month=this_month.amount_minor,
            sales_last_month=last_month.amount_minor,
            promoters_completion=(
                completions.get(CommissionGroup.PROMOTION)
                if assignment.role is Role.SUPERVISOR
                else None
            ),
            commission=commission_line,
            attendance=facts,
        ),
        policy.payroll,
    )
    if record.code not in inputs.grades:
        flags.append("NOT_APPRAISED")
    if record.code in inputs.review_flags:
        flags.append("REVIEW_FLAG")
    if facts and _termination_grounds(facts, month, statement, policy):
        flags.append("TERMINATION_GROUNDS")
    if record.leave_date is not None and month.contains(record.leave_date):
        flags.append("LEFT_DURING_MONTH")
    return ComputedStatement(statement, tuple(flags), assignment.group)


def _termination_grounds(
    facts: Iterable[AttendanceFact],
    month: YearMonth,
    statement: PayrollStatement,
    policy: PayrollPolicy,
) -> bool:
    base = statement.lines_of(LineKind.BASE_SALARY)[0].amount
    return attendance_deduction(
        facts,
        month,
        base_salary=base,
        performance_bonus=Money.zero(base.currency),
        settings=policy.payroll.attendance,
    ).termination_grounds


def _minor(target: Money | None) -> int | None:
    return None if target is None else target.amount_minor


def with_only(inputs: MonthInputs, codes: Iterable[str]) -> MonthInputs:
    """The same inputs, computing statements only for `codes` (groups still share among all)."""
    return replace(inputs, only=frozenset(codes))
