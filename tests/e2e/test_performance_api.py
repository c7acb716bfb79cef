"""The performance API through the gateway: seeded commission tables, targets and their deadline,
and bad input refused with CONTRACT.md's codes (a target for a closed month, weights not summing
to 100%, overlapping table versions, a score outside 0–100)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.system import RestResponse, RunningSystem

pytestmark = pytest.mark.e2e

INVALID_ARGUMENT, NOT_FOUND, ALREADY_EXISTS, FAILED_PRECONDITION, PERMISSION_DENIED = 3, 5, 6, 9, 7


def reason(response: RestResponse) -> str:
    for detail in response.body.get("details", []):
        if detail.get("@type", "").endswith("ErrorInfo"):
            return str(detail.get("reason", ""))
    return ""


def fields(response: RestResponse) -> list[str]:
    for detail in response.body.get("details", []):
        if detail.get("@type", "").endswith("BadRequest"):
            return [v["field"] for v in detail.get("fieldViolations", [])]
    return []


def test_the_seed_commission_tables_are_served(system: RunningSystem, admin_token: str) -> None:
    response = system.rest(
        "GET", "/v1/commissionTables/CUSTOMER_SERVICE/versions/1", token=admin_token
    )
    assert response.status == 200, response.body
    tiers = [(t["lower"], t.get("upper", ""), t["rate"]) for t in response.body["tiers"]]
    assert tiers == [
        ("0", "0.3", "0"),
        ("0.3", "0.5", "0.005"),
        ("0.5", "0.8", "0.01"),
        ("0.8", "1", "0.015"),
        ("1", "1.2", "0.015"),
        ("1.2", "", "0.02"),
    ]
    assert "PREVIOUS_TIER" in response.body["tiers"][4]["source"]
    listed = system.rest("GET", "/v1/commissionTables", token=admin_token)
    groups = {t["group"] for t in listed.body["commissionTables"]}
    assert groups == {"CUSTOMER_SERVICE", "PROMOTION", "SUPERVISOR", "DEPARTMENT_ACTIVITY_FUND"}


def test_a_target_for_a_closed_month_is_refused(system: RunningSystem, admin_token: str) -> None:
    response = system.rest(
        "PUT",
        "/v1/targets/EMPLOYEE/E1001/2020-01",
        {"amount": {"currencyCode": "CNY", "amountMinor": "100000"}, "reason": "back-dated"},
        token=admin_token,
    )
    assert response.status == 400, response.body
    assert response.body["code"] == FAILED_PRECONDITION
    assert reason(response) == "TARGET_MONTH_CLOSED"


def test_a_target_must_be_positive(system: RunningSystem, admin_token: str) -> None:
    response = system.rest(
        "PUT",
        "/v1/targets/EMPLOYEE/E1001/2031-01",
        {"amount": {"currencyCode": "CNY", "amountMinor": "0"}},
        token=admin_token,
    )
    assert response.status == 400
    assert response.body["code"] == INVALID_ARGUMENT
    assert fields(response) == ["amount"]


def test_a_target_set_in_time_is_in_force_and_readable(
    system: RunningSystem, admin_token: str
) -> None:
    body = {"amount": {"currencyCode": "CNY", "amountMinor": 123456}}
    response = system.rest("PUT", "/v1/targets/GROUP/PROMOTION/2031-02", body, token=admin_token)
    assert response.status == 200, response.body
    assert response.body["amount"]["amountMinor"] == "123456"
    assert response.body["deadline"] == "2031-01-29"
    read = system.rest("GET", "/v1/targets/GROUP/PROMOTION/2031-02", token=admin_token)
    assert read.body == response.body
    listed = system.rest("GET", "/v1/targets?month=2031-02", token=admin_token)
    assert response.body in listed.body["targets"]


@pytest.mark.parametrize("percents", [("10", "40", "20", "20"), ("50", "50", "1", "0")])
def test_appraisal_weights_not_summing_to_100_percent_are_refused(
    system: RunningSystem, admin_token: str, percents: tuple[str, ...]
) -> None:
    body = dict(
        zip(
            ("selfAssessmentPercent", "supervisorPercent", "peersPercent", "kpisPercent"),
            percents,
            strict=True,
        )
    )
    response = system.rest("PUT", "/v1/appraisalWeights/PROMOTION", body, token=admin_token)
    assert response.status == 400, response.body
    assert response.body["code"] == INVALID_ARGUMENT
    assert reason(response) == "APPRAISAL_WEIGHTS_NOT_100_PERCENT"
    assert fields(response) == ["weights"]


def test_share_weights_not_summing_to_100_percent_are_refused(
    system: RunningSystem, admin_token: str
) -> None:
    body = {
        "weights": [
            {"employeeCode": "E1", "percent": "60"},
            {"employeeCode": "E2", "percent": "30"},
        ]
    }
    response = system.rest(
        "PUT", "/v1/commissionGroups/PROMOTION/months/2031-03/shareWeights", body, token=admin_token
    )
    assert response.status == 400, response.body
    assert response.body["code"] == INVALID_ARGUMENT
    assert reason(response) == "SHARE_WEIGHTS_NOT_100_PERCENT"


def test_weights_summing_to_100_percent_are_kept(system: RunningSystem, admin_token: str) -> None:
    body = {
        "selfAssessmentPercent": "5",
        "supervisorPercent": "45",
        "peersPercent": "20",
        "kpisPercent": "30",
    }
    response = system.rest("PUT", "/v1/appraisalWeights/DATA_ANALYST", body, token=admin_token)
    assert response.status == 200, response.body
    listed = system.rest("GET", "/v1/appraisalWeights", token=admin_token)
    row = next(w for w in listed.body["appraisalWeights"] if w["role"] == "DATA_ANALYST")
    assert row["supervisorPercent"] == "45"


def tier(lower: str, upper: str, rate: str, **extra: Any) -> dict[str, Any]:
    return {"lower": lower, "lowerInclusive": True, "upper": upper, "rate": rate, **extra}


def test_overlapping_table_versions_are_refused(system: RunningSystem, admin_token: str) -> None:
    body = {
        "group": "SUPERVISOR",
        "version": 7,
        "effectiveFrom": "2030-01-01",
        "tiers": [tier("0", "", "0.01")],
    }
    response = system.rest("POST", "/v1/commissionTables", body, token=admin_token)
    assert response.status == 400, response.body
    assert response.body["code"] == FAILED_PRECONDITION
    assert reason(response) == "COMMISSION_TABLE_DATES_OVERLAP"
    assert fields(response) == ["effective_from"]


def test_a_table_with_a_gap_needs_a_gap_policy(system: RunningSystem, admin_token: str) -> None:
    tiers = [tier("0", "0.5", "0"), tier("0.8", "", "0.02")]
    body = {"group": "PROMOTION", "version": 99, "effectiveFrom": "2099-01-01", "tiers": tiers}
    response = system.rest("POST", "/v1/commissionTables", body, token=admin_token)
    assert response.status == 400
    assert reason(response) == "COMMISSION_TIERS_GAP"


@pytest.mark.parametrize("score", ["101", "-1", "100.5", "abc"])
def test_a_score_outside_0_to_100_is_refused(
    system: RunningSystem, admin_token: str, score: str
) -> None:
    response = system.rest(
        "POST", "/v1/appraisals/E1001/2031-01:supervisorScore", {"score": score}, token=admin_token
    )
    assert response.status == 400, response.body
    assert response.body["code"] == INVALID_ARGUMENT
    assert fields(response) == ["score"]


def test_an_appraisal_that_was_never_opened_is_not_found(
    system: RunningSystem, admin_token: str
) -> None:
    response = system.rest(
        "POST", "/v1/appraisals/E1001/2031-01:supervisorScore", {"score": "85"}, token=admin_token
    )
    assert response.status == 404
    assert response.body["code"] == NOT_FOUND


def test_kpi_definitions_document_every_formula(system: RunningSystem, admin_token: str) -> None:
    response = system.rest("GET", "/v1/kpiDefinitions", token=admin_token)
    assert response.status == 200
    formulas = {d["kpi"]: d["formula"] for d in response.body["definitions"]}
    assert "average" in formulas["INVENTORY_TURNOVER"]
    sets = {s["role"]: s["weightsPercent"] for s in response.body["kpiSets"]}
    assert sets["PROMOTION"] == {
        "PROMOTION_ROI": "50",
        "TRAFFIC_GROWTH_RATE": "30",
        "PROMOTION_PLAN_EXECUTION": "20",
    }


def test_replay_needs_an_explicit_confirmation(system: RunningSystem, admin_token: str) -> None:
    response = system.rest("POST", "/v1/performance/feeds:replay", {}, token=admin_token)
    assert response.status == 400
    assert fields(response) == ["confirm"]
