"""The people demo data of `make run`: loads through the API, is idempotent, and the documented
logins work with the documented visibility."""

from __future__ import annotations

import pytest

from tests.e2e.test_people_support import ok
from tests.support.system import RunningSystem
from tools.demo_people import EMPLOYEES, demo_password, load_people_demo

pytestmark = pytest.mark.e2e


def login(system: RunningSystem, code: str) -> str:
    body = ok(
        system.rest("POST", "/v1/login", {"employeeCode": code, "password": demo_password(code)})
    )
    return str(body["accessToken"])


def test_demo_people_load_once_and_log_in_with_the_documented_passwords(
    system: RunningSystem,
) -> None:
    load_people_demo(system.local)
    assert load_people_demo(system.local) is False  # idempotent
    li_na, chen_jing, wang_fang = (login(system, c) for c in ("E1001", "E1002", "E1003"))
    assert system.rest("GET", "/v1/employees/E1001/salary", token=chen_jing).status == 200
    assert system.rest("GET", "/v1/employees/E1001/salary", token=wang_fang).status == 200
    assert system.rest("GET", "/v1/employees/E1002/salary", token=li_na).status == 403
    own = ok(system.rest("GET", "/v1/employees/E1001/salary", token=li_na))
    assert own["baseSalary"] == {"currencyCode": "CNY", "amountMinor": "200000"}
    chain = ok(system.rest("GET", "/v1/employees/E1005/reportingChain", token=li_na))
    assert [s["employeeCode"] for s in chain["supervisors"]] == ["E1004"]
    for code, *_ in EMPLOYEES:
        login(system, code)
