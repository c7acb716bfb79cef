from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.common.errors import FailedPrecondition, InvalidArgument
from services.people.domain.reporting_lines import ReportingLines, check_supervisor_eligible

from .builders import employee

# E1 ← E2 ← E3 ← E4 (E4 reports to E3, …), and E5 reports to E2.
LINES = ReportingLines({"E2": "E1", "E3": "E2", "E4": "E3", "E5": "E2"})


def test_chain_upwards_lists_supervisors_nearest_first() -> None:
    assert LINES.chain_upwards("E4") == ("E3", "E2", "E1")
    assert LINES.chain_upwards("E1") == ()


def test_indirect_supervisors_are_in_the_line_upwards() -> None:
    assert LINES.is_in_line_upwards("E1", "E4")
    assert LINES.is_in_line_upwards("E3", "E4")


def test_peers_reports_and_self_are_not_in_the_line_upwards() -> None:
    assert not LINES.is_in_line_upwards("E5", "E4")  # a peer's branch
    assert not LINES.is_in_line_upwards("E4", "E1")  # downwards
    assert not LINES.is_in_line_upwards("E4", "E4")


def test_reports_direct_and_transitive() -> None:
    assert LINES.direct_reports("E2") == {"E3", "E5"}
    assert LINES.all_reports("E2") == {"E3", "E4", "E5"}
    assert LINES.all_reports("E4") == frozenset()


def test_assigning_a_supervisor_that_closes_a_loop_names_the_field_and_the_cycle() -> None:
    with pytest.raises(InvalidArgument) as caught:
        LINES.assign("E1", "E4")
    error = caught.value
    assert error.reason == "REPORTING_CYCLE"
    assert error.violations[0].field == "supervisor_code"
    assert error.metadata["cycle"] == "E1 → E4 → E3 → E2 → E1"
    assert "E1 → E4 → E3 → E2 → E1" in error.message


def test_reporting_to_oneself_is_a_cycle() -> None:
    with pytest.raises(InvalidArgument) as caught:
        LINES.assign("E3", "E3")
    assert caught.value.metadata["cycle"] == "E3 → E3"


def test_direct_two_person_loop_is_refused() -> None:
    with pytest.raises(InvalidArgument) as caught:
        LINES.assign("E1", "E2")
    assert caught.value.metadata["cycle"] == "E1 → E2 → E1"


def test_reassignment_moves_the_whole_subtree_and_leaves_the_original_unchanged() -> None:
    moved = LINES.assign("E3", "E5")
    assert moved.chain_upwards("E4") == ("E3", "E5", "E2", "E1")
    assert LINES.chain_upwards("E4") == ("E3", "E2", "E1")


def test_removing_a_supervisor_makes_a_top() -> None:
    assert LINES.assign("E3", None).chain_upwards("E4") == ("E3",)


def test_stored_lines_with_a_cycle_are_refused() -> None:
    with pytest.raises(FailedPrecondition):
        ReportingLines({"A": "B", "B": "A"})


def test_supervisor_must_be_an_active_employee() -> None:
    worker = employee("E1001")
    boss = employee("E1000").record_leave(date(2024, 12, 31))
    with pytest.raises(FailedPrecondition) as caught:
        check_supervisor_eligible(worker, boss, today=date(2025, 1, 2))
    assert caught.value.reason == "SUPERVISOR_NOT_ACTIVE"
    check_supervisor_eligible(worker, employee("E1002"), today=date(2025, 1, 2))
    with pytest.raises(InvalidArgument):
        check_supervisor_eligible(worker, worker, today=date(2025, 1, 2))


CODES = st.sampled_from([f"E{n}" for n in range(8)])


@given(st.lists(st.tuples(CODES, st.one_of(st.none(), CODES)), max_size=40))
def test_no_sequence_of_accepted_assignments_creates_a_cycle(
    steps: list[tuple[str, str | None]],
) -> None:
    lines = ReportingLines()
    for employee_code, supervisor_code in steps:
        closes_loop = supervisor_code is not None and (
            supervisor_code == employee_code
            or lines.is_in_line_upwards(employee_code, supervisor_code)
        )
        try:
            lines = lines.assign(employee_code, supervisor_code)
        except InvalidArgument:
            refused = True
        else:
            refused = False
        # Refused exactly when the supervisor already reports (transitively) to the employee.
        assert refused == closes_loop
        # Invariant: walking up from anyone terminates without meeting themselves.
        for code in lines.as_mapping():
            assert code not in lines.chain_upwards(code)
    ReportingLines(lines.as_mapping())  # the stored form is accepted back
