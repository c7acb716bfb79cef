"""Build a month's DRAFT payroll statement from the month's figures.

Lines, in order: BASE_SALARY; PERFORMANCE_PAY (share of 500 by completion); GRADE_ADJUSTMENT
(performance pay × (coefficient − 1); no closed appraisal → coefficient 1.0); OVER_PLAN_BONUS;
SUPERVISOR_PENALTY (supervisors, when the promoters' completion is supplied); COMMISSION (the
member's share, when supplied); ATTENDANCE_DEDUCTION (one line for day-wage charges, one for
bonus charges, when any). Zero-amount lines for rules that were checked are kept, so the
statement shows why nothing was paid. The attendance bonus charges apply to PERFORMANCE_PAY +
GRADE_ADJUSTMENT (see `attendance`).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date

from services.common.errors import InvalidArgument
from services.common.money import Money
from services.performance.domain.attendance import (
    AttendanceFact,
    AttendanceSettings,
    attendance_deduction,
)
from services.performance.domain.completion import Completion
from services.performance.domain.explained import Explained
from services.performance.domain.grades import (
    Grade,
    grade_adjustment,
    grade_adjustment_not_appraised,
)
from services.performance.domain.payroll import LineKind, PayrollLine, PayrollStatement
from services.performance.domain.performance_pay import (
    PaySettings,
    over_plan_bonus,
    performance_pay,
    supervisor_penalty,
)
from services.performance.domain.period import YearMonth
from services.performance.domain.roles import PayLevel, Role, pay_level


@dataclass(frozen=True)
class PayrollSettings:
    pay: PaySettings = field(default_factory=PaySettings)
    attendance: AttendanceSettings = field(default_factory=AttendanceSettings)


@dataclass(frozen=True)
class StatementInputs:
    """The month's figures for one employee.

    `completion` is the employee's own plan completion (the department's for a supervisor).
    `base_salary` None uses the pay level's default. `commission` is the member's share, already
    explained (see `commission.explain_share`).
    """

    employee_code: str
    month: YearMonth
    role: Role
    completion: Completion
    grade: Grade | None
    base_salary: Money | None = None
    sales_this_month: int | None = None
    sales_last_month: int | None = None
    promoters_completion: Completion | None = None
    commission: Explained | None = None
    attendance: tuple[AttendanceFact, ...] = ()
    working_days: Collection[date] | None = None
    full_performance_pay_granted: bool = False


def build_statement(
    inputs: StatementInputs, settings: PayrollSettings = PayrollSettings()
) -> PayrollStatement:
    """A DRAFT statement whose lines explain every amount."""
    currency = settings.pay.currency
    level = pay_level(inputs.role)
    base = inputs.base_salary or settings.pay.base_salary(level)
    if base.currency != currency:
        raise InvalidArgument.for_field(
            "base_salary", f"must be in {currency}, got {base.currency}", reason="CURRENCY_MISMATCH"
        )
    statement = PayrollStatement(inputs.employee_code, inputs.month, currency)
    statement.add_line(
        PayrollLine(
            LineKind.BASE_SALARY,
            base,
            "seed 003 篇1 三(一) 固定底薪",
            f"monthly base salary ({level.value}): {base}",
            {"pay_level": level.value, "base_salary_minor": str(base.amount_minor)},
        )
    )

    perf = performance_pay(
        inputs.completion, settings.pay, full_pay_granted=inputs.full_performance_pay_granted
    )
    statement.add_line(PayrollLine.of(LineKind.PERFORMANCE_PAY, perf))
    grade = (
        grade_adjustment(perf.amount, inputs.grade)
        if inputs.grade is not None
        else grade_adjustment_not_appraised(perf.amount)
    )
    statement.add_line(PayrollLine.of(LineKind.GRADE_ADJUSTMENT, grade))
    statement.add_line(
        PayrollLine.of(
            LineKind.OVER_PLAN_BONUS,
            over_plan_bonus(
                level,
                inputs.completion,
                inputs.sales_this_month,
                inputs.sales_last_month,
                settings.pay,
            ),
        )
    )
    if level is PayLevel.SUPERVISOR and inputs.promoters_completion is not None:
        statement.add_line(
            PayrollLine.of(
                LineKind.SUPERVISOR_PENALTY,
                supervisor_penalty(inputs.promoters_completion, settings.pay),
            )
        )
    if inputs.commission is not None:
        statement.add_line(PayrollLine.of(LineKind.COMMISSION, inputs.commission))

    attendance = attendance_deduction(
        inputs.attendance,
        inputs.month,
        base_salary=base,
        performance_bonus=perf.amount + grade.amount,
        settings=settings.attendance,
        working_days=inputs.working_days,
    )
    for line in (attendance.wage_line(), attendance.bonus_line()):
        if line is not None:
            statement.add_line(PayrollLine.of(LineKind.ATTENDANCE_DEDUCTION, line))
    return statement
