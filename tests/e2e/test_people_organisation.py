"""People through the gateway: organisation, bad input with CONTRACT.md's codes, and
confidential salary reads (who may, who may not, and the audit log)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.e2e.test_people_support import Staff, cny, ok, unique_code
from tests.support.system import RunningSystem

pytestmark = pytest.mark.e2e


@pytest.fixture
def staff(system: RunningSystem, admin_token: str) -> Staff:
    return Staff(system, admin_token)


def violations(body: dict[str, object]) -> list[str]:
    fields = []
    for detail in body.get("details", []):  # type: ignore[union-attr]
        for violation in detail.get("fieldViolations", []):
            fields.append(violation["field"])
    return fields


def test_hire_and_read_back_with_position_roles(system: RunningSystem, staff: Staff) -> None:
    code = staff.hire("cs_specialist", department="customer_service", salary_yuan=2000)
    employee = ok(system.rest("GET", f"/v1/employees/{code}", token=staff.admin))
    assert employee["code"] == code
    assert employee["positionCode"] == "cs_specialist"
    assert employee["status"] == "ACTIVE"
    assert employee["baseSalary"] == cny(2000)
    roles = ok(system.rest("GET", f"/v1/employees/{code}/roles", token=staff.admin))
    assert {r["roleCode"] for r in roles["roles"]} == {"employee", "cs_specialist"}


def test_unknown_department_is_not_found(system: RunningSystem, staff: Staff) -> None:
    body = {
        "code": unique_code(),
        "name": "Zhou Yu",
        "departmentCode": "no_such_department",
        "positionCode": "cs_specialist",
        "hireDate": "2024-03-01",
        "baseSalary": cny(2000),
    }
    response = system.rest("POST", "/v1/employees", body, token=staff.admin)
    assert response.status == 404, response.body
    assert response.body["code"] == 5
    assert "department_code" in response.body["message"]


def test_duplicate_employee_code_is_already_exists(system: RunningSystem, staff: Staff) -> None:
    code = staff.hire("ops_specialist")
    body = {
        "code": code,
        "name": "Another Person",
        "departmentCode": "operations",
        "positionCode": "ops_specialist",
        "hireDate": "2024-03-01",
        "baseSalary": cny(2000),
    }
    response = system.rest("POST", "/v1/employees", body, token=staff.admin)
    assert response.status == 409, response.body
    assert response.body["code"] == 6


def test_reporting_cycle_is_refused_naming_supervisor_code(
    system: RunningSystem, staff: Staff
) -> None:
    top = staff.hire("ops_manager")
    middle = staff.hire("ops_supervisor", supervisor=top)
    bottom = staff.hire("ops_specialist", supervisor=middle)
    response = system.rest(
        "PATCH",
        f"/v1/employees/{top}",
        {"supervisorCode": bottom, "updateMask": "supervisorCode"},
        token=staff.admin,
    )
    assert response.status == 400, response.body
    assert response.body["code"] == 3
    assert violations(response.body) == ["supervisor_code"]
    assert f"{top} → {bottom} → {middle} → {top}" in response.body["message"]
    chain = ok(system.rest("GET", f"/v1/employees/{bottom}/reportingChain", token=staff.admin))
    assert [s["employeeCode"] for s in chain["supervisors"]] == [middle, top]
    reports = ok(
        system.rest("GET", f"/v1/employees/{top}/reports?transitive=true", token=staff.admin)
    )
    assert [(r["employeeCode"], r["depth"]) for r in reports["reports"]] == [
        (middle, 1),
        (bottom, 2),
    ]


def test_leave_date_before_hire_date_is_invalid(system: RunningSystem, staff: Staff) -> None:
    code = staff.hire("wh_packer", department="warehouse", hire_date=date(2024, 5, 1))
    response = system.rest(
        "POST", f"/v1/employees/{code}:leave", {"leaveDate": "2024-04-30"}, token=staff.admin
    )
    assert response.status == 400, response.body
    assert response.body["code"] == 3
    assert violations(response.body) == ["leave_date"]


def test_weak_password_is_invalid_naming_password(system: RunningSystem, staff: Staff) -> None:
    code = staff.hire("ops_specialist")
    response = system.rest(
        "POST",
        f"/v1/employees/{code}/account:setPassword",
        {"password": "password123"},
        token=staff.admin,
    )
    assert response.status == 400, response.body
    assert response.body["code"] == 3
    assert set(violations(response.body)) == {"password"}


def test_wrong_password_is_unauthenticated_without_saying_which_part(
    system: RunningSystem, staff: Staff
) -> None:
    code = staff.hire("ops_specialist")
    staff.login(code)
    wrong_password = system.rest(
        "POST", "/v1/login", {"employeeCode": code, "password": "Not-The-Password-1"}
    )
    unknown_code = system.rest(
        "POST", "/v1/login", {"employeeCode": unique_code(), "password": "Not-The-Password-1"}
    )
    assert wrong_password.status == unknown_code.status == 401
    assert wrong_password.body["message"] == unknown_code.body["message"]


def test_salary_visible_to_self_supervisor_and_hr_only_and_every_read_audited(
    system: RunningSystem, staff: Staff
) -> None:
    supervisor = staff.hire("cs_supervisor", department="customer_service")
    specialist = staff.hire("cs_specialist", department="customer_service", supervisor=supervisor)
    colleague = staff.hire("cs_specialist", department="customer_service", supervisor=supervisor)
    hr = staff.hire("hr_specialist", department="hr")
    tokens = {code: staff.login(code) for code in (supervisor, specialist, colleague, hr)}

    refused = system.rest("GET", f"/v1/employees/{specialist}/salary", token=tokens[colleague])
    assert refused.status == 403, refused.body
    masked = ok(system.rest("GET", f"/v1/employees/{specialist}", token=tokens[colleague]))
    assert masked["salaryMasked"] is True
    assert "baseSalary" not in masked
    assert masked["contactMasked"] is True
    assert masked["contact"]["phone"].endswith("8000")
    assert "*" in masked["contact"]["phone"]

    for reader in (specialist, supervisor, hr):
        salary = ok(system.rest("GET", f"/v1/employees/{specialist}/salary", token=tokens[reader]))
        assert salary["baseSalary"] == cny(4000)

    log = ok(
        system.rest(
            "GET",
            f"/v1/auditEntries?subject={specialist}&action_prefix=salary.read",
            token=staff.admin,
        )
    )
    reads = {(e["actor"], e.get("basis"), e.get("allowed", False)) for e in log["entries"]}
    assert (specialist, "SELF", True) in reads
    assert (supervisor, "REPORTING_LINE", True) in reads
    assert (hr, "HR_FINANCE_ROLE", True) in reads
    assert (colleague, "NONE", False) in reads


def test_position_and_salary_history_is_appended_never_overwritten(
    system: RunningSystem, staff: Staff
) -> None:
    code = staff.hire("ops_specialist", salary_yuan=2000, hire_date=date(2024, 1, 2))
    ok(
        system.rest(
            "POST",
            f"/v1/employees/{code}:changeSalary",
            {"baseSalary": cny(2500), "effectiveDate": "2024-07-01", "reason": "review"},
            token=staff.admin,
        )
    )
    ok(
        system.rest(
            "POST",
            f"/v1/employees/{code}:changeSalary",
            {"baseSalary": cny(2600), "effectiveDate": "2024-07-01", "reason": "correction"},
            token=staff.admin,
        )
    )
    ok(
        system.rest(
            "POST",
            f"/v1/employees/{code}:changePosition",
            {"positionCode": "ops_supervisor", "effectiveDate": "2024-09-01"},
            token=staff.admin,
        )
    )
    history = ok(system.rest("GET", f"/v1/employees/{code}/history", token=staff.admin))
    assert [(s["effectiveDate"], s["baseSalary"]) for s in history["salaries"]] == [
        ("2024-01-02", cny(2000)),
        ("2024-07-01", cny(2500)),
        ("2024-07-01", cny(2600)),
    ]
    assert [p["positionCode"] for p in history["positions"]] == ["ops_specialist", "ops_supervisor"]
    employee = ok(system.rest("GET", f"/v1/employees/{code}", token=staff.admin))
    assert employee["positionCode"] == "ops_supervisor"
    assert employee["baseSalary"] == cny(2600)


def test_departments_tree_refuses_a_cycle(system: RunningSystem, staff: Staff) -> None:
    parent = f"team_{unique_code().lower()}"
    child = f"{parent}_sub"
    ok(
        system.rest(
            "POST",
            "/v1/departments",
            {"code": parent, "name": "Amazon team", "parentCode": "operations"},
            token=staff.admin,
        )
    )
    ok(
        system.rest(
            "POST",
            "/v1/departments",
            {"code": child, "name": "Amazon ads", "parentCode": parent},
            token=staff.admin,
        )
    )
    response = system.rest(
        "PATCH",
        f"/v1/departments/{parent}",
        {"parentCode": child, "updateMask": "parentCode"},
        token=staff.admin,
    )
    assert response.status == 400, response.body
    assert violations(response.body) == ["parent_code"]
    unknown_parent = system.rest(
        "POST",
        "/v1/departments",
        {"code": f"{parent}_x", "name": "Orphan", "parentCode": "nowhere"},
        token=staff.admin,
    )
    assert unknown_parent.status == 404
