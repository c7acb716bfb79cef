"""Payroll statements: worked examples computed by hand, approval, corrections."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.common.errors import FailedPrecondition, InvalidArgument
from services.common.money import Money
from services.performance.domain.attendance import AttendanceFact, AttendanceKind
from services.performance.domain.commission import (
    explain_share,
    group_commission,
    share_commission,
)
from services.performance.domain.commission_tables import CommissionGroup
from services.performance.domain.completion import Completion, completion
from services.performance.domain.grades import Grade
from services.performance.domain.payroll import (
    LineKind,
    PayrollLine,
    PayrollStatement,
    StatementKind,
    StatementState,
    adjustment_line,
    correction_statement,
)
from services.performance.domain.payroll_builder import StatementInputs, build_statement
from services.performance.domain.period import YearMonth
from services.performance.domain.roles import Role
from services.performance.domain.seed_tables import seed_commission_catalog

MAY = YearMonth(2024, 5)


def cny(minor: int) -> Money:
    return Money(minor, "CNY")


def may(day: int, kind: AttendanceKind, minutes: int = 0) -> AttendanceFact:
    return AttendanceFact(date(2024, 5, day), kind, minutes)


def amounts(statement: PayrollStatement) -> list[tuple[LineKind, int]]:
    return [(line.kind, line.amount.amount_minor) for line in statement.lines]


def customer_service_statement() -> PayrollStatement:
    group = group_commission(
        seed_commission_catalog(),
        CommissionGroup.CUSTOMER_SERVICE,
        MAY,
        base=cny(8_500_000),
        completion=completion(8_500_000, 10_000_000),
    )
    members = ["E1", "E2", "E3"]
    shares = share_commission(group.amount, members)
    return build_statement(
        StatementInputs(
            employee_code="E1",
            month=MAY,
            role=Role.CUSTOMER_SERVICE,
            completion=completion(8_500_000, 10_000_000),
            grade=Grade.GOOD,
            sales_this_month=8_500_000,
            sales_last_month=9_000_000,
            commission=explain_share(group, "E1", shares["E1"], members),
            attendance=(
                may(2, AttendanceKind.LATE, 5),
                may(3, AttendanceKind.LATE, 5),
                may(6, AttendanceKind.EARLY_LEAVE, 15),
                may(7, AttendanceKind.LATE, 10),
                may(8, AttendanceKind.LATE, 20),
                may(13, AttendanceKind.ABSENT_HALF_DAY),
            ),
        )
    )


def test_worked_statement_for_a_customer_service_member() -> None:
    # By hand, in fen:
    #   base salary (team member)                       200,000
    #   performance pay 50,000 × 85%                     42,500
    #   grade GOOD: 42,500 × (1.2 − 1)                    8,500
    #   over-plan bonus: 85% does not beat the plan           0
    #   commission: 8,500,000 × 1.5% = 127,500 / 3       42,500
    #   day wage 200,000 / 21.75 = 9,195.40 → 9,195
    #   day-wage charges: 20-min late 1 × + half day 2 × = 3 × 9,195 = 27,585
    #   bonus charges: 4th minor lateness 5% + long lateness 10% + half day 20% = 35%
    #                  of (42,500 + 8,500) = 51,000 → 17,850
    #   total = 200,000 + 42,500 + 8,500 + 42,500 − 27,585 − 17,850 = 248,065
    statement = customer_service_statement()
    assert amounts(statement) == [
        (LineKind.BASE_SALARY, 200_000),
        (LineKind.PERFORMANCE_PAY, 42_500),
        (LineKind.GRADE_ADJUSTMENT, 8_500),
        (LineKind.OVER_PLAN_BONUS, 0),
        (LineKind.COMMISSION, 42_500),
        (LineKind.ATTENDANCE_DEDUCTION, -27_585),
        (LineKind.ATTENDANCE_DEDUCTION, -17_850),
    ]
    assert statement.total() == cny(248_065)
    assert statement.state is StatementState.DRAFT


def test_every_line_explains_its_figures() -> None:
    statement = customer_service_statement()
    for line in statement.lines:
        assert line.rule
        assert line.explanation
        assert line.inputs
    commission = statement.lines_of(LineKind.COMMISSION)[0]
    assert commission.inputs["rate"] == "0.015"
    assert commission.inputs["group_total_minor"] == "127500"
    assert "equal share of 3 members" in commission.explanation
    wage, bonus = statement.lines_of(LineKind.ATTENDANCE_DEDUCTION)
    assert wage.inputs["day_wage_minor"] == "9195"
    assert bonus.inputs["share_applied"] == "0.35"
    assert bonus.inputs["free_minor_lateness"] == "3"


def test_worked_statement_for_a_supervisor_over_plan() -> None:
    # By hand, in fen:
    #   base salary (supervisor)                                        350,000
    #   performance pay: 125% capped at 100% → 50,000                    50,000
    #   grade EXCELLENT: 50,000 × 0.5                                    25,000
    #   over-plan bonus: 125% ≥ 120% and sales up → top of 100-150       15,000
    #   promoters at 25% < 30%                                           −5,000
    #   commission: 10,000,000 × 5% (≥ 120%), sole member               500,000
    #   day wage 350,000 / 21.75 = 16,091.95 → 16,092; full day 3 ×     −48,276
    #   bonus charge 50% of (50,000 + 25,000)                           −37,500
    #   total                                                           849,224
    group = group_commission(
        seed_commission_catalog(),
        CommissionGroup.SUPERVISOR,
        MAY,
        base=cny(10_000_000),
        completion=Completion.of_ratio(Decimal("1.25")),
    )
    statement = build_statement(
        StatementInputs(
            employee_code="S1",
            month=MAY,
            role=Role.SUPERVISOR,
            completion=Completion.of_ratio(Decimal("1.25")),
            grade=Grade.EXCELLENT,
            sales_this_month=10_000_000,
            sales_last_month=9_000_000,
            promoters_completion=completion(25, 100),
            commission=explain_share(group, "S1", group.amount, ["S1"]),
            attendance=(may(15, AttendanceKind.ABSENT_FULL_DAY),),
        )
    )
    assert amounts(statement) == [
        (LineKind.BASE_SALARY, 350_000),
        (LineKind.PERFORMANCE_PAY, 50_000),
        (LineKind.GRADE_ADJUSTMENT, 25_000),
        (LineKind.OVER_PLAN_BONUS, 15_000),
        (LineKind.SUPERVISOR_PENALTY, -5_000),
        (LineKind.COMMISSION, 500_000),
        (LineKind.ATTENDANCE_DEDUCTION, -48_276),
        (LineKind.ATTENDANCE_DEDUCTION, -37_500),
    ]
    assert statement.total() == cny(849_224)


def test_contract_salary_replaces_the_default_and_fail_halves_performance_pay() -> None:
    statement = build_statement(
        StatementInputs(
            employee_code="E9",
            month=MAY,
            role=Role.PROMOTION,
            completion=completion(1, 2),
            grade=Grade.FAIL,
            base_salary=cny(260_000),
        )
    )
    # 260,000 + 25,000 − 12,500 + 0 = 272,500
    assert amounts(statement)[:3] == [
        (LineKind.BASE_SALARY, 260_000),
        (LineKind.PERFORMANCE_PAY, 25_000),
        (LineKind.GRADE_ADJUSTMENT, -12_500),
    ]
    assert statement.total() == cny(272_500)


def test_base_salary_in_another_currency_is_refused() -> None:
    with pytest.raises(InvalidArgument):
        build_statement(
            StatementInputs(
                employee_code="E9",
                month=MAY,
                role=Role.PROMOTION,
                completion=completion(1, 2),
                grade=Grade.PASS,
                base_salary=Money(100_000, "USD"),
            )
        )


def test_approved_statement_is_closed_and_corrected_only_by_a_new_statement() -> None:
    statement = customer_service_statement()
    statement.approve("HR1", date(2024, 6, 12))
    assert statement.state is StatementState.APPROVED
    with pytest.raises(FailedPrecondition) as err:
        statement.add_line(adjustment_line(cny(100), "forgot travel", "HR1"))
    assert err.value.reason == "STATEMENT_APPROVED"
    with pytest.raises(FailedPrecondition):
        statement.approve("HR2", date(2024, 6, 13))

    correction = correction_statement(
        statement,
        [adjustment_line(cny(-2_500), "4th lateness was an approved errand", "HR1")],
        sequence=1,
    )
    assert correction.kind is StatementKind.CORRECTION
    assert correction.total() == cny(-2_500)
    assert statement.total() == cny(248_065)  # the original is untouched
    with pytest.raises(InvalidArgument) as bad:
        correction.add_line(PayrollLine(LineKind.COMMISSION, cny(1), "r", "e", {}))
    assert bad.value.reason == "CORRECTION_NOT_ADJUSTMENT"


def test_draft_is_changed_directly_not_corrected() -> None:
    with pytest.raises(FailedPrecondition) as err:
        correction_statement(
            customer_service_statement(), [adjustment_line(cny(1), "x", "HR1")], sequence=1
        )
    assert err.value.reason == "STATEMENT_NOT_APPROVED"


def test_adjustment_needs_a_reason_and_correction_needs_a_line() -> None:
    with pytest.raises(InvalidArgument):
        adjustment_line(cny(1), "  ", "HR1")
    statement = customer_service_statement()
    statement.approve("HR1", date(2024, 6, 12))
    with pytest.raises(InvalidArgument):
        correction_statement(statement, [], sequence=1)
    with pytest.raises(InvalidArgument):
        correction_statement(statement, [adjustment_line(cny(1), "x", "HR1")], sequence=0)


def test_empty_statement_cannot_be_approved() -> None:
    with pytest.raises(FailedPrecondition) as err:
        PayrollStatement("E1", MAY, "CNY").approve("HR1", date(2024, 6, 1))
    assert err.value.reason == "STATEMENT_EMPTY"
