from __future__ import annotations

import pytest

from services.common.errors import PermissionDenied
from services.people.domain.confidentiality import (
    DataCategory,
    VisibilityBasis,
    VisibilityDecision,
    decide_customer_contact_visibility,
    decide_employee_data_visibility,
    employee_view,
    mask_email,
    mask_phone,
)
from services.people.domain.permissions import PermissionMatcher
from services.people.domain.reporting_lines import ReportingLines

from .builders import cny, employee

# GM E1000 ← supervisor E1001 ← specialist E1002; E1003 is E1002's peer under E1001.
LINES = ReportingLines({"E1001": "E1000", "E1002": "E1001", "E1003": "E1001"})
NOTHING = PermissionMatcher([])
HR = PermissionMatcher(
    ["people.salaries.read_all", "performance.appraisals.read_all", "people.employees.read_all"]
)
FINANCE = PermissionMatcher(["people.salaries.read_all", "performance.commission.read_all"])


def decide(
    viewer: str | None, subject: str, category: DataCategory, perms: PermissionMatcher
) -> VisibilityDecision:
    return decide_employee_data_visibility(
        viewer_code=viewer,
        subject_code=subject,
        category=category,
        viewer_permissions=perms,
        reporting_lines=LINES,
    )


@pytest.mark.parametrize(
    "category", [DataCategory.PAY, DataCategory.APPRAISAL, DataCategory.COMMISSION]
)
def test_everyone_sees_their_own_pay_appraisal_and_commission(category: DataCategory) -> None:
    decision = decide("E1002", "E1002", category, NOTHING)
    assert decision.allowed
    assert decision.basis is VisibilityBasis.SELF


def test_direct_supervisor_sees_through_the_reporting_line() -> None:
    decision = decide("E1001", "E1002", DataCategory.PAY, NOTHING)
    assert decision.allowed
    assert decision.basis is VisibilityBasis.REPORTING_LINE


def test_indirect_supervisor_sees_through_the_reporting_line() -> None:
    decision = decide("E1000", "E1002", DataCategory.APPRAISAL, NOTHING)
    assert decision.allowed
    assert decision.basis is VisibilityBasis.REPORTING_LINE


def test_peer_does_not_see_a_colleagues_pay() -> None:
    decision = decide("E1003", "E1002", DataCategory.PAY, NOTHING)
    assert not decision.allowed
    assert decision.basis is VisibilityBasis.NONE
    with pytest.raises(PermissionDenied) as caught:
        decision.require()
    assert caught.value.reason == "CONFIDENTIAL_DATA"


def test_a_report_does_not_see_their_supervisors_pay() -> None:
    assert not decide("E1002", "E1001", DataCategory.PAY, NOTHING).allowed


def test_hr_and_finance_see_everyone_by_role() -> None:
    hr = decide("E5000", "E1002", DataCategory.PAY, HR)
    assert hr.allowed
    assert hr.basis is VisibilityBasis.HR_FINANCE_ROLE
    finance = decide("E6000", "E1002", DataCategory.COMMISSION, FINANCE)
    assert finance.allowed
    assert finance.basis is VisibilityBasis.HR_FINANCE_ROLE


def test_read_all_is_per_category() -> None:
    assert not decide("E6000", "E1002", DataCategory.APPRAISAL, FINANCE).allowed


def test_self_wins_over_role_as_the_recorded_basis() -> None:
    assert decide("E1002", "E1002", DataCategory.PAY, HR).basis is VisibilityBasis.SELF


def test_service_account_needs_the_read_all_permission() -> None:
    assert not decide(None, "E1002", DataCategory.PAY, NOTHING).allowed
    assert decide(None, "E1002", DataCategory.PAY, HR).allowed


def test_customer_contact_only_with_the_customer_permission() -> None:
    cs = decide_customer_contact_visibility(
        viewer_code="E1002", viewer_permissions=PermissionMatcher(["orders.customers.read"])
    )
    assert cs.allowed
    assert cs.basis is VisibilityBasis.PERMISSION
    analyst = decide_customer_contact_visibility(
        viewer_code="E1003", viewer_permissions=PermissionMatcher(["orders.orders.read"])
    )
    assert not analyst.allowed
    assert decide("E1002", "E1002", DataCategory.CUSTOMER_CONTACT, NOTHING).allowed is False


def test_decision_carries_who_and_what_for_the_audit_log() -> None:
    decision = decide("E1001", "E1002", DataCategory.PAY, NOTHING)
    assert (decision.viewer_code, decision.subject_code, decision.category) == (
        "E1001",
        "E1002",
        DataCategory.PAY,
    )


def test_masking_keeps_only_recognisable_fragments() -> None:
    assert mask_phone("13800138000") == "*******8000"
    assert mask_phone("1234") == "****"
    assert mask_email("zhang.wei@example.com") == "z***@example.com"


def test_peer_gets_a_masked_employee_view() -> None:
    subject = employee("E1002", supervisor_code="E1001")
    view = employee_view(
        subject, viewer_code="E1003", viewer_permissions=NOTHING, reporting_lines=LINES
    )
    assert view.salary_masked
    assert view.base_salary is None
    assert view.contact_masked
    assert view.contact.phone == "*******8000"
    assert view.contact.email == "z***@example.com"
    assert view.name == "Zhang Wei"
    assert view.code == "E1002"
    assert all(not d.allowed for d in view.decisions)


def test_supervisor_gets_the_full_employee_view() -> None:
    subject = employee("E1002", supervisor_code="E1001")
    view = employee_view(
        subject, viewer_code="E1001", viewer_permissions=NOTHING, reporting_lines=LINES
    )
    assert not view.salary_masked
    assert view.base_salary == cny(2000)
    assert not view.contact_masked
    assert view.contact.phone == "13800138000"
