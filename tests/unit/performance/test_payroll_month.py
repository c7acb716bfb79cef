"""A whole month's payroll from its figures: completions, group commission and sharing, the
leaving and collected-payment rules with dated examples, misconduct, scoping and flags."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.common.errors import FailedPrecondition
from services.common.money import Money
from services.performance.domain.commission_conditions import OrderPayment, ReturnRefund
from services.performance.domain.commission_tables import CommissionGroup
from services.performance.domain.grades import Grade
from services.performance.domain.payroll import LineKind
from services.performance.domain.payroll_month import (
    BaseScope,
    MonthInputs,
    PayrollPolicy,
    SalePayment,
    SaleRefund,
    compute_month,
    net_sales,
)
from services.performance.domain.period import YearMonth
from services.performance.domain.seed_tables import seed_commission_catalog
from services.performance.domain.staff import EmployeeRecord
from services.performance.domain.targets import TargetScope

MAY = YearMonth(2026, 5)
CATALOG = seed_commission_catalog()
E, G, D = TargetScope.EMPLOYEE, TargetScope.GROUP, TargetScope.DEPARTMENT


def cny(minor: int) -> Money:
    return Money(minor, "CNY")


def person(
    code: str,
    position: str,
    hired: date = date(2024, 1, 1),
    left: date | None = None,
    department: str = "operations",
    supervisor: str | None = None,
) -> EmployeeRecord:
    return EmployeeRecord(code, code, department, position, supervisor, hired, left)


def sale(order: str, by: str, amount: int, ordered: date, collected: date | None) -> SalePayment:
    return SalePayment(OrderPayment(order, "TMALL", cny(amount), ordered, collected), by)


def refund(order: str, by: str, amount: int, on: date) -> SaleRefund:
    return SaleRefund(ReturnRefund(order, cny(amount), on), by)


def amounts(statement: object) -> dict[str, int]:
    result: dict[str, int] = {}
    for line in statement.lines:  # type: ignore[attr-defined]
        result[line.kind.value] = result.get(line.kind.value, 0) + line.amount.amount_minor
    return result


TEAM = {
    "S1": person("S1", "ops_supervisor"),
    "P1": person("P1", "promotion_specialist", supervisor="S1"),
    "C1": person("C1", "cs_specialist", department="customer_service", supervisor="S1"),
    "C2": person("C2", "cs_specialist", department="customer_service", supervisor="S1"),
    "W1": person("W1", "wh_keeper", department="warehouse"),
}
TARGETS = {
    (E, "P1"): cny(100_000),
    (E, "C1"): cny(50_000),
    (E, "C2"): cny(50_000),
    (G, "PROMOTION"): cny(100_000),
    (G, "CUSTOMER_SERVICE"): cny(100_000),
    (G, "SUPERVISOR"): cny(100_000),
    (D, "operations"): cny(100_000),
}


def month(**changes: object) -> MonthInputs:
    base = {
        "month": MAY,
        "employees": TEAM,
        "targets": TARGETS,
        "payments": (
            sale("O1", "P1", 60_000, date(2026, 5, 3), date(2026, 5, 3)),
            sale("O2", "C1", 30_000, date(2026, 5, 4), date(2026, 5, 4)),
            sale("O3", "C2", 10_000, date(2026, 5, 5), date(2026, 5, 5)),
        ),
    }
    base.update(changes)
    return MonthInputs(**base)  # type: ignore[arg-type]


def test_only_positions_under_the_plan_get_a_statement() -> None:
    payroll = compute_month(month(), CATALOG)
    assert sorted(payroll.statements) == ["C1", "C2", "P1", "S1"]


def test_group_commission_is_all_shops_sales_times_the_rate_shared_equally() -> None:
    payroll = compute_month(month(), CATALOG)
    cs = payroll.groups[CommissionGroup.CUSTOMER_SERVICE]
    # All shops 1,000.00 / target 1,000.00 = 100% → 1.5% = 15.00, two members: 7.50 each.
    assert cs.commission.amount == cny(1_500)
    assert cs.shares == {"C1": cny(750), "C2": cny(750)}
    assert payroll.groups[CommissionGroup.SUPERVISOR].shares == {"S1": cny(4_000)}
    assert payroll.groups[CommissionGroup.DEPARTMENT_ACTIVITY_FUND].commission.amount == cny(500)


def test_group_members_scope_counts_only_the_members_orders() -> None:
    policy = PayrollPolicy(base_scope=BaseScope.GROUP_MEMBERS)
    payroll = compute_month(month(), CATALOG, policy)
    cs = payroll.groups[CommissionGroup.CUSTOMER_SERVICE]
    # C1 + C2 = 400.00 / 1,000.00 = 40% → 0.5% = 2.00.
    assert cs.commission.base == cny(40_000)
    assert cs.commission.amount == cny(200)


def test_only_collected_payments_count_in_the_month_they_were_collected() -> None:
    payments = (
        sale("O1", "P1", 60_000, date(2026, 4, 28), date(2026, 5, 2)),  # counts in May
        sale("O2", "P1", 20_000, date(2026, 5, 10), None),  # not collected
        sale("O3", "P1", 30_000, date(2026, 5, 30), date(2026, 6, 1)),  # June's
    )
    inputs = month(payments=payments)
    assert net_sales(inputs, "CNY", MAY, "P1") == cny(60_000)
    assert net_sales(inputs, "CNY", YearMonth(2026, 6), "P1") == cny(30_000)


def test_refunds_deduct_in_the_month_they_are_issued_and_never_below_zero() -> None:
    inputs = month(refunds=(refund("O1", "P1", 80_000, date(2026, 5, 20)),))
    assert net_sales(inputs, "CNY", MAY, "P1") == cny(0)
    statement = compute_month(inputs, CATALOG).statements["P1"]
    assert "TARGET_MISSING" not in statement.flags
    assert amounts(statement.statement)["PERFORMANCE_PAY"] == 0  # 0% completion


def test_first_year_leaver_keeps_only_payments_received_by_the_leaving_day() -> None:
    # C2 hired 2025-09-01, leaves 2026-05-15 (inside the first year). O2 by C1 paid on the 4th
    # counts; O5 by C1 ordered on the 10th but paid on the 16th does not count for C2.
    team = dict(TEAM, C2=person("C2", "cs_specialist", date(2025, 9, 1), date(2026, 5, 15)))
    payments = (
        sale("O2", "C1", 30_000, date(2026, 5, 4), date(2026, 5, 4)),
        sale("O5", "C1", 70_000, date(2026, 5, 10), date(2026, 5, 16)),
    )
    payroll = compute_month(month(employees=team, payments=payments), CATALOG)
    cs = payroll.groups[CommissionGroup.CUSTOMER_SERVICE]
    assert cs.commission.amount == cny(1_500)  # 1,000 / 1,000 = 100% → 1.5%
    assert cs.shares["C1"] == cny(750)
    assert cs.shares["C2"] == cny(225)  # 750 × 300 / 1,000
    assert "LEFT_DURING_MONTH" in payroll.statements["C2"].flags


def test_leaver_after_a_year_counts_payments_within_15_days_even_next_month() -> None:
    # C2 hired 2024-01-01, leaves 2026-04-25: grace until 2026-05-10 inclusive.
    team = dict(TEAM, C2=person("C2", "cs_specialist", date(2024, 1, 1), date(2026, 4, 25)))
    payments = (
        sale("O7", "C1", 40_000, date(2026, 4, 20), date(2026, 5, 10)),  # day 15: counts
        sale("O8", "C1", 60_000, date(2026, 4, 21), date(2026, 5, 11)),  # day 16: does not
    )
    payroll = compute_month(month(employees=team, payments=payments), CATALOG)
    c2 = payroll.statements["C2"]
    assert "LEFT_BEFORE_MONTH" in c2.flags
    assert [line.kind for line in c2.statement.lines] == [LineKind.COMMISSION]
    assert c2.statement.total() == cny(300)  # 750 × 400 / 1,000


def test_misconduct_forfeits_the_unpaid_share_and_does_not_redistribute_it() -> None:
    payroll = compute_month(month(misconduct_found_on={"C1": date(2026, 6, 2)}), CATALOG)
    c1 = payroll.statements["C1"]
    assert amounts(c1.statement)["COMMISSION"] == 0
    assert "COMMISSION_FORFEITED" in c1.flags
    assert payroll.groups[CommissionGroup.CUSTOMER_SERVICE].shares["C2"] == cny(750)


def test_weights_share_the_group_total_exactly() -> None:
    weights = {CommissionGroup.CUSTOMER_SERVICE: {"C1": Decimal("0.7"), "C2": Decimal("0.3")}}
    payroll = compute_month(month(share_weights=weights), CATALOG)
    assert payroll.groups[CommissionGroup.CUSTOMER_SERVICE].shares == {
        "C1": cny(1_050),
        "C2": cny(450),
    }


def test_stale_weights_are_refused_with_what_to_do() -> None:
    weights = {CommissionGroup.CUSTOMER_SERVICE: {"C1": Decimal(1)}}
    with pytest.raises(FailedPrecondition) as stale:
        compute_month(month(share_weights=weights), CATALOG)
    assert stale.value.reason == "SHARE_WEIGHTS_STALE"


def test_supervisor_is_paid_on_the_department_and_penalised_for_weak_promoters() -> None:
    targets = {**TARGETS, (G, "PROMOTION"): cny(400_000)}
    payroll = compute_month(month(targets=targets), CATALOG)
    s1 = amounts(payroll.statements["S1"].statement)
    assert s1["BASE_SALARY"] == 350_000
    assert s1["PERFORMANCE_PAY"] == 50_000  # 1,000 / 1,000 department target
    assert s1["SUPERVISOR_PENALTY"] == -5_000  # promoters 1,000 / 4,000 = 25% < 30%


def test_missing_targets_pay_nothing_that_depends_on_them_and_say_so() -> None:
    payroll = compute_month(month(targets={}), CATALOG)
    p1 = payroll.statements["P1"]
    assert amounts(p1.statement)["PERFORMANCE_PAY"] == 0
    assert amounts(p1.statement)["COMMISSION"] == 0
    assert {"TARGET_MISSING", "GROUP_TARGET_MISSING"} <= set(p1.flags)


def test_grade_coefficient_and_review_flag_come_from_closed_appraisals() -> None:
    payroll = compute_month(
        month(grades={"P1": Grade.EXCELLENT}, review_flags=frozenset({"C1"})), CATALOG
    )
    assert amounts(payroll.statements["P1"].statement)["GRADE_ADJUSTMENT"] == 15_000  # 300 × .5
    assert "NOT_APPRAISED" not in payroll.statements["P1"].flags
    assert "REVIEW_FLAG" in payroll.statements["C1"].flags


def test_sales_departments_limit_the_plan_to_their_staff_and_orders() -> None:
    policy = PayrollPolicy(sales_departments=frozenset({"customer_service"}))
    payroll = compute_month(month(), CATALOG, policy)
    assert sorted(payroll.statements) == ["C1", "C2"]
    # Only C1's and C2's orders: 400.00 / 1,000.00 = 40% → 0.5%.
    assert payroll.groups[CommissionGroup.CUSTOMER_SERVICE].commission.amount == cny(200)


def test_sales_in_another_currency_are_left_out_and_flagged() -> None:
    usd = SalePayment(
        OrderPayment("U1", "AMAZON", Money(99_999, "USD"), date(2026, 5, 3), date(2026, 5, 3)), "P1"
    )
    payroll = compute_month(month(payments=(*month().payments, usd)), CATALOG)
    assert payroll.flags == ("FOREIGN_CURRENCY_SALES_IGNORED",)
    assert payroll.groups[CommissionGroup.SUPERVISOR].commission.base == cny(100_000)


def test_only_computes_the_named_employees_but_shares_among_all_members() -> None:
    payroll = compute_month(month(only=frozenset({"C1"})), CATALOG)
    assert list(payroll.statements) == ["C1"]
    assert amounts(payroll.statements["C1"].statement)["COMMISSION"] == 750
