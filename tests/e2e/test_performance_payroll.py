"""Payroll end to end through the gateway: employees hired in people, stock received in inventory,
orders placed, shipped, partly returned and paid in orders by attributed employees → the three
feeds are consumed by performance → this month's statements match a table computed by hand, to
the fen; replaying every feed from zero reproduces the same statements.

The shared system holds other tests' orders and employees, so performance is restarted for this
module with `STOREOPS_PERFORMANCE_SALES_DEPARTMENTS` naming a department created here: the plan
then covers only this department's staff and the orders they handled (restored afterwards).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.support.performance import performance_knows
from tests.support.system import RestResponse, RunningSystem

pytestmark = pytest.mark.e2e

UNIMPLEMENTED = 12
SHANGHAI = ZoneInfo("Asia/Shanghai")
RUN = secrets.token_hex(3)
DEPARTMENT = f"pf_{RUN}"
_BASE = 100_000 + secrets.randbelow(890_000)
S, P, C = f"E{_BASE}", f"E{_BASE + 1}", f"E{_BASE + 2}"  # people wants E + 4–6 digits
SKU = f"PF-TEA-{RUN}"
NAMES = {
    "ops_supervisor": "Wang Fang",
    "promotion_specialist": "Li Lei",
    "cs_specialist": "Zhao Min",
}

# This month, handled by P: O1 3 × 400.00 paid at intake and shipped, one unit returned and
# refunded (400.00); O3 2 × 150.00 paid later. Handled by C: O2 1 × 500.00 paid and shipped;
# O4 200.00 never paid (does not count).
# Net collected sales: P 1,200 + 300 − 400 = 1,100.00; C 500.00; department 1,600.00.
# Targets: P 1,000 (110%), C 1,000 (50%), department 2,000 (80%), groups PROMOTION 1,000
# (160%), CUSTOMER_SERVICE 2,000 (80%), SUPERVISOR 1,500 (106.67%: the 100–120% gap, previous
# tier).
# P: base 2,000 + performance pay 500 (110% capped at 100%) + over-plan bonus 50 + (100 − 50)
#    × (1.10 − 1) / (1.20 − 1) = 75 (sales rose from 0 last month) + PROMOTION 1,600 × 2.5% = 40.
# C: 2,000 + 500 × 50% = 250 + CUSTOMER_SERVICE 1,600 × 1% = 16.
# S: 3,500 + 500 × 80% = 400 + SUPERVISOR 1,600 × 4% = 64; promoters at 160%: no penalty.
# Nobody is appraised yet (coefficient 1.0) and attendance is only published by people when a
# month is over, so this month has no attendance deduction.
EXPECTED = {
    P: {"BASE_SALARY": 200_000, "PERFORMANCE_PAY": 50_000, "GRADE_ADJUSTMENT": 0,
        "OVER_PLAN_BONUS": 7_500, "COMMISSION": 4_000, "ATTENDANCE_DEDUCTION": 0,
        "total": 261_500},
    C: {"BASE_SALARY": 200_000, "PERFORMANCE_PAY": 25_000, "GRADE_ADJUSTMENT": 0,
        "OVER_PLAN_BONUS": 0, "COMMISSION": 1_600, "ATTENDANCE_DEDUCTION": 0,
        "total": 226_600},
    S: {"BASE_SALARY": 350_000, "PERFORMANCE_PAY": 40_000, "GRADE_ADJUSTMENT": 0,
        "OVER_PLAN_BONUS": 0, "SUPERVISOR_PENALTY": 0, "COMMISSION": 6_400,
        "ATTENDANCE_DEDUCTION": 0, "total": 396_400},
}  # fmt: skip


def cny(minor: int) -> dict[str, Any]:
    return {"currencyCode": "CNY", "amountMinor": str(minor)}


class Api:
    def __init__(self, system: RunningSystem, token: str) -> None:
        self.system = system
        self.token = token

    def raw(self, method: str, path: str, body: Any = None) -> RestResponse:
        return self.system.rest(method, path, body, token=self.token)

    def call(self, method: str, path: str, body: Any = None) -> Any:
        response = self.raw(method, path, body)
        if response.status == 501 or (
            isinstance(response.body, dict) and response.body.get("code") == UNIMPLEMENTED
        ):
            pytest.skip(f"{method} {path} is not implemented yet: {response.body}")
        assert 200 <= response.status < 300, (method, path, response.status, response.body)
        return response.body


def this_month() -> str:
    return datetime.now(SHANGHAI).strftime("%Y-%m")


def wait_for(check: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.3)


@pytest.fixture(scope="module")
def api(system: RunningSystem, admin_token: str) -> Api:
    return Api(system, admin_token)


@pytest.fixture(scope="module")
def plan(system: RunningSystem) -> Iterator[None]:
    """Performance restarted with the plan limited to this module's department."""
    names = ("STOREOPS_PERFORMANCE_SALES_DEPARTMENTS", "STOREOPS_PERFORMANCE_SALES_DEPARTMENT")
    env = system.local.service_env

    def restart() -> None:
        system.local.stop_process("performance")
        system.local.restart_service("performance")

    for name in names:
        env[name] = DEPARTMENT
    restart()
    try:
        yield
    finally:
        for name in names:
            env.pop(name, None)
        restart()


def hire(api: Api, code: str, position: str, supervisor: str, salary: int) -> None:
    api.call("POST", "/v1/employees", {
        "code": code, "name": NAMES[position], "departmentCode": DEPARTMENT,
        "positionCode": position, "supervisorCode": supervisor, "hireDate": "2025-01-02",
        "baseSalary": cny(salary)})  # fmt: skip


def stock(api: Api) -> None:
    warehouse = f"PFWH-{RUN}"
    api.call("POST", "/v1/warehouses", {"code": warehouse, "name": "Perf", "kind": "SELLABLE"})
    api.call("PUT", f"/v1/skus/{SKU}", {
        "styleCode": "TEA", "color": "green", "size": "250g", "name": "Longjing",
        "unitCost": cny(10_000)})  # fmt: skip
    receipt = api.call("POST", "/v1/receipts", {
        "receiptId": f"PFR-{RUN}", "warehouseCode": warehouse, "supplier": "Tea farm",
        "lines": [{"skuCode": SKU, "quantity": 50}]})  # fmt: skip
    api.call("POST", f"/v1/receipts/PFR-{RUN}:inspect", {"lines": [
        {"skuCode": line["skuCode"], "inspected": line["sampleSize"], "defective": 0}
        for line in receipt["lines"]]})  # fmt: skip
    api.call("POST", f"/v1/receipts/PFR-{RUN}:complete", {})


def order(api: Api, number: str, by: str, units: int, price: int, paid: bool) -> str:
    placed = api.call("POST", "/v1/orders", {
        "channel": "TMALL", "externalOrderId": f"PF-{RUN}-{number}", "handledBy": by,
        "customer": {"name": "Buyer", "phone": "13800138000", "address": "Hangzhou"},
        "lines": [{"skuCode": SKU, "quantity": units, "unitPrice": cny(price)}],
        "paid": paid})  # fmt: skip
    return str(placed["orderId"])


def ship(api: Api, order_id: str) -> None:
    api.call(
        "POST",
        f"/v1/orders/{order_id}:ship",
        {"carrier": "SF", "trackingNumber": f"SF{secrets.token_hex(5)}", "weightGrams": 500},
    )


def return_one_unit(api: Api, order_id: str) -> None:
    """After-sales opens, the warehouse receives, QC inspects, the statistician approves (four
    different people), then the refund."""
    request = f"PFAS-{RUN}"
    qc, statistician = (
        Api(api.system, api.system.tokens.token(subject=s)) for s in ("E0000771", "E0000772")
    )
    api.call("POST", f"/v1/orders/{order_id}/afterSales", {
        "requestId": request, "kind": "RETURN", "reason": "QUALITY_PROBLEM",
        "lines": [{"lineNo": 1, "quantity": 1}], "description": "leaves broken"})  # fmt: skip
    api.call("POST", f"/v1/afterSales/{request}:receive", {"lines": [{"lineNo": 1, "quantity": 1}]})
    qc.call(
        "POST",
        f"/v1/afterSales/{request}:inspect",
        {"verdict": "RETURNABLE", "dispositions": [{"lineNo": 1, "sellable": 1, "defective": 0}]},
    )
    statistician.call("POST", f"/v1/afterSales/{request}:approve", {})
    api.call(
        "POST",
        f"/v1/afterSales/{request}:refund",
        {"refundId": f"PFRF-{RUN}", "reason": "quality problem"},
    )


def set_target(api: Api, approver: Api, scope: str, subject: str, month: str, amount: int) -> None:
    """Set after the deadline (the month is under way): proposed, then approved by another."""
    path = f"/v1/targets/{scope}/{subject}/{month}"
    proposed = api.call("PUT", path, {"amount": cny(amount), "reason": "e2e plan"})
    if "pending" in proposed:
        approved = approver.call("POST", f"{path}:approve", {})
        assert approved["approvedBy"] == "PFAPPROVER"
    assert api.call("GET", path)["amount"]["amountMinor"] == str(amount)


def table(statements: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    result = {}
    for statement in statements:
        row: dict[str, int] = {}
        for line in statement["lines"]:
            row[line["kind"]] = row.get(line["kind"], 0) + int(line["amount"]["amountMinor"])
        row["total"] = int(statement["total"]["amountMinor"])
        result[statement["employeeCode"]] = row
    return result


def nonzero(rows: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    return {code: {k: v for k, v in row.items() if v} for code, row in rows.items()}


def sales_of(api: Api, month: str, code: str) -> tuple[int, int]:
    rows = api.call("GET", f"/v1/performance/facts/sales?month={month}&employee_code={code}")
    sales = rows.get("sales", [])
    return (
        sum(int(r["collected"]["amountMinor"]) for r in sales),
        sum(int(r["refunded"]["amountMinor"]) for r in sales),
    )


def staff_known(api: Api) -> bool:
    """The people feed has been consumed as far as this test's employees."""
    return performance_knows(lambda path: api.call("GET", path), {S, P, C})


def facts_ready(api: Api, month: str) -> bool:
    return (
        staff_known(api)
        and sales_of(api, month, P) == (150_000, 40_000)
        and sales_of(api, month, C) == (50_000, 0)
    )


def compute(api: Api, month: str) -> list[dict[str, Any]]:
    response = api.call(
        "POST", "/v1/statements:compute", {"month": month, "employeeCodes": [S, P, C]}
    )
    return list(response["statements"])


def test_statements_from_the_feeds_match_the_hand_computed_table(
    system: RunningSystem, api: Api, plan: None
) -> None:
    month = this_month()
    approver = Api(system, system.tokens.token(subject="PFAPPROVER"))
    api.call(
        "POST",
        "/v1/departments",
        {"code": DEPARTMENT, "name": f"E-commerce {RUN}", "parentCode": "operations"},
    )
    hire(api, S, "ops_supervisor", "", 350_000)
    hire(api, P, "promotion_specialist", S, 200_000)
    hire(api, C, "cs_specialist", S, 200_000)
    stock(api)
    o1 = order(api, "1", P, 3, 40_000, paid=True)
    o2 = order(api, "2", C, 1, 50_000, paid=True)
    o3 = order(api, "3", P, 2, 15_000, paid=False)
    order(api, "4", C, 1, 20_000, paid=False)
    ship(api, o1)
    ship(api, o2)
    return_one_unit(api, o1)
    api.call("POST", f"/v1/orders/{o3}:markPaid", {})
    for scope, subject, amount in [
        ("EMPLOYEE", P, 100_000), ("EMPLOYEE", C, 100_000), ("DEPARTMENT", DEPARTMENT, 200_000),
        ("GROUP", "PROMOTION", 100_000), ("GROUP", "CUSTOMER_SERVICE", 200_000),
        ("GROUP", "SUPERVISOR", 150_000),
    ]:  # fmt: skip
        set_target(api, approver, scope, subject, month, amount)

    wait_for(lambda: facts_ready(api, month), "the people and orders feeds to be consumed")
    statements = compute(api, month)
    assert this_month() == month, "the month turned during the test"
    assert nonzero(table(statements)) == nonzero(EXPECTED)
    by_code = {s["employeeCode"]: s for s in statements}
    commission = next(line for line in by_code[S]["lines"] if line["kind"] == "COMMISSION")
    assert commission["inputs"]["rate"] == "0.04"
    assert commission["inputs"]["completion_ratio"] == "1.066667"
    assert "filled by PREVIOUS_TIER" in commission["rule"]  # the 100–120% gap default
    assert "NOT_APPRAISED" in by_code[P]["flags"]

    # Replaying every feed from zero into emptied fact tables gives the same statements.
    replay = api.call("POST", "/v1/performance/feeds:replay", {"confirm": True})
    assert int(replay["factsDeleted"]) > 0
    wait_for(lambda: facts_ready(api, month), "the feeds to be replayed")
    replayed = compute(api, month)
    assert replayed == statements

    # Approved, the statement never changes; reads are confidential and audited.
    approved = api.call("POST", f"/v1/statements/{P}/{month}/0:approve", {})
    assert approved["state"] == "APPROVED"
    colleague = Api(
        system, system.tokens.token(permissions=["performance.statements.read"], subject=C)
    )
    denied = colleague.raw("GET", f"/v1/statements/{P}/{month}/0")
    assert denied.status == 403, denied.body
    supervisor = Api(
        system, system.tokens.token(permissions=["performance.statements.read"], subject=S)
    )
    assert supervisor.call("GET", f"/v1/statements/{P}/{month}/0")["total"] == approved["total"]
    audit = api.call("GET", f"/v1/performance/auditEntries?subject={P}&action_prefix=READ")
    seen = {(e["actor"], e["action"], e.get("basis", "")) for e in audit["entries"]}
    assert (C, "READ_DENIED", "NONE") in seen
    assert (S, "READ", "REPORTING_LINE") in seen
