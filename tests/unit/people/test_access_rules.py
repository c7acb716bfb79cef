"""Roles held (position defaults ± overrides), privileged roles, when a leaver's access ends,
token issue times after a revocation, HR-recorded leave, and "current" history entries."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from services.common.errors import InvalidArgument, PermissionDenied, Unauthenticated
from services.people.domain.default_roles import DEFAULT_ROLES_BY_CODE
from services.people.domain.employment_history import EmploymentHistory, SalaryChange
from services.people.domain.leave import LeavePart, LeaveRequest, LeaveStatus, LeaveType
from services.people.domain.permissions import PermissionMatcher
from services.people.domain.roles import (
    RoleOverride,
    RoleSource,
    compile_roles,
    effective_roles,
    is_privileged,
    override_for_assign,
    override_for_unassign,
    require_may_confer,
)
from services.people.domain.tokens import (
    access_ends_at,
    check_can_issue_token,
    issued_at_after_revocations,
)

from .builders import SHANGHAI, cny, employee

NOW = datetime(2025, 3, 3, 10, 0, tzinfo=SHANGHAI)

# --- roles held -----------------------------------------------------------------------------------


def test_an_employee_holds_the_positions_roles_by_default() -> None:
    held = effective_roles(("employee", "cs_specialist"), ())
    assert held.codes == ("cs_specialist", "employee")
    assert dict(held.held) == {
        "employee": RoleSource.POSITION,
        "cs_specialist": RoleSource.POSITION,
    }


def test_an_assigned_role_adds_and_a_suppressed_position_role_removes() -> None:
    held = effective_roles(
        ("employee", "cs_specialist"),
        (RoleOverride("data_analyst", True), RoleOverride("cs_specialist", False)),
    )
    assert held.codes == ("data_analyst", "employee")
    assert dict(held.held)["data_analyst"] is RoleSource.ASSIGNED
    assert held.suppressed_position_roles == ("cs_specialist",)


def test_a_suppression_of_a_role_the_new_position_lacks_changes_nothing() -> None:
    held = effective_roles(("employee", "wh_keeper"), (RoleOverride("cs_specialist", False),))
    assert held.codes == ("employee", "wh_keeper")
    assert held.suppressed_position_roles == ()


def test_assigning_a_role_the_position_gives_needs_no_override() -> None:
    assert override_for_assign("cs_specialist", ("employee", "cs_specialist")) is None
    assert override_for_assign("gm", ("employee",)) == RoleOverride("gm", True)


def test_unassigning_a_position_role_suppresses_it_and_an_assigned_one_is_dropped() -> None:
    assert override_for_unassign("employee", ("employee",)) == RoleOverride("employee", False)
    assert override_for_unassign("gm", ("employee",)) is None


# --- privileged roles -----------------------------------------------------------------------------


def role(code: str) -> PermissionMatcher:
    return compile_roles([code], DEFAULT_ROLES_BY_CODE)


def test_only_roles_that_can_grant_themselves_anything_are_privileged() -> None:
    assert is_privileged(role("admin"))
    for code in ("hr_specialist", "gm", "ops_director", "finance_specialist"):
        assert not is_privileged(role(code)), code


def test_hr_may_confer_ordinary_roles_but_not_administrative_ones() -> None:
    hr = role("hr_specialist")
    require_may_confer(role("cs_specialist"), hr, what="hiring")
    with pytest.raises(PermissionDenied) as refused:
        require_may_confer(role("admin"), hr, what="hiring")
    assert refused.value.reason == "PRIVILEGED_ROLE"
    require_may_confer(role("admin"), role("admin"), what="hiring")


# --- when a leaver's access ends ------------------------------------------------------------------


def test_access_ends_at_midnight_after_a_future_leave_date() -> None:
    leaver = employee().record_leave(date(2025, 3, 31))
    assert access_ends_at(leaver, tz=SHANGHAI, now=NOW) == datetime(2025, 4, 1, tzinfo=SHANGHAI)


def test_access_ends_now_for_a_dismissal_or_a_leave_date_already_past() -> None:
    assert (
        access_ends_at(
            employee().record_leave(date(2025, 3, 31)), tz=SHANGHAI, now=NOW, end_access_now=True
        )
        == NOW
    )
    assert access_ends_at(employee().record_leave(date(2025, 2, 1)), tz=SHANGHAI, now=NOW) == NOW


def test_no_token_after_access_ended_even_on_the_last_day() -> None:
    leaver = employee().record_leave(NOW.date())
    check_can_issue_token(leaver, now=NOW, tz=SHANGHAI)
    with pytest.raises(Unauthenticated) as ended:
        check_can_issue_token(leaver, now=NOW, tz=SHANGHAI, access_ended_at=NOW)
    assert ended.value.reason == "ACCOUNT_INACTIVE"
    later = NOW + timedelta(hours=1)
    check_can_issue_token(employee(), now=NOW, tz=SHANGHAI, access_ended_at=later)


# --- issue time after a revocation ----------------------------------------------------------------


def test_a_token_issued_in_the_revocations_second_is_stamped_the_next_second() -> None:
    now = datetime(2025, 3, 3, 2, 0, 0, 700_000, tzinfo=UTC)
    revoked = now - timedelta(milliseconds=300)
    assert issued_at_after_revocations(now, revoked) == int(now.timestamp()) + 1


def test_an_older_or_future_revocation_leaves_the_issue_time_alone() -> None:
    now = datetime(2025, 3, 3, 2, 0, 0, tzinfo=UTC)
    assert issued_at_after_revocations(now, now - timedelta(minutes=5)) == int(now.timestamp())
    assert issued_at_after_revocations(now, now + timedelta(days=3)) == int(now.timestamp())
    assert issued_at_after_revocations(now, None) == int(now.timestamp())


# --- leave recorded by HR -------------------------------------------------------------------------


def test_hr_records_past_leave_as_approved_without_the_advance_rule() -> None:
    recorded = LeaveRequest.record_approved(
        request_id="L1", employee_code="E1001", leave_type=LeaveType.PERSONAL,
        first_day=date(2025, 1, 6), last_day=date(2025, 1, 6), part=LeavePart.MORNING,
        reason="family", recorded_by="E2001", now=NOW,
    )  # fmt: skip
    assert recorded.status is LeaveStatus.APPROVED
    assert recorded.decided_by == "E2001"


def test_nobody_records_their_own_leave_and_the_shape_rules_still_hold() -> None:
    with pytest.raises(PermissionDenied):
        LeaveRequest.record_approved(
            request_id="L1", employee_code="E1001", leave_type=LeaveType.SICK,
            first_day=date(2025, 1, 6), last_day=date(2025, 1, 6), reason="ill",
            recorded_by="E1001", now=NOW,
        )  # fmt: skip
    with pytest.raises(InvalidArgument) as spans:
        LeaveRequest.record_approved(
            request_id="L1", employee_code="E1001", leave_type=LeaveType.SICK,
            first_day=date(2025, 1, 6), last_day=date(2025, 1, 7), part=LeavePart.AFTERNOON,
            reason="ill", recorded_by="E2001", now=NOW,
        )  # fmt: skip
    assert spans.value.reason == "HALF_DAY_SPANS_DAYS"


# --- current entries of the history ---------------------------------------------------------------


def history() -> EmploymentHistory:
    start = EmploymentHistory.start(
        employee_code="E1001", hire_date=date(2025, 4, 1), position_code="ops_specialist",
        department_code="operations", base_salary=cny(2000), recorded_at=NOW,
    )  # fmt: skip
    return start.record_salary_change(SalaryChange(date(2025, 7, 1), cny(2500), NOW))


def test_current_entries_of_a_future_hire_are_the_hire_entries() -> None:
    assert history().current_salary(date(2025, 3, 3)).base_salary == cny(2000)
    assert history().current_position(date(2025, 3, 3)).position_code == "ops_specialist"


def test_current_entries_follow_the_effective_dates_and_stop_at_the_leave_date() -> None:
    assert history().current_salary(date(2025, 8, 1)).base_salary == cny(2500)
    closed = history().with_leave_date(date(2025, 6, 30))
    assert closed.current_salary(date(2026, 1, 1)).base_salary == cny(2000)


def test_every_service_account_may_read_the_revocation_list_and_nothing_more_of_tokens() -> None:
    for code in ("svc_orders", "svc_performance", "svc_inventory"):
        assert role(code).allows("people.tokens.read"), code
        assert not role(code).allows("people.tokens.issue"), code
