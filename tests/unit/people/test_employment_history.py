from __future__ import annotations

from datetime import date, datetime

import pytest

from services.common.errors import AlreadyExists, InvalidArgument
from services.common.money import Money
from services.people.domain.employment_history import (
    EmploymentHistory,
    HistoryPolicy,
    PositionAssignment,
    SalaryChange,
    SameDayChange,
)

from .builders import SHANGHAI, cny

HIRED = date(2024, 3, 1)
T0 = datetime(2024, 3, 1, 9, tzinfo=SHANGHAI)


def history() -> EmploymentHistory:
    return EmploymentHistory.start(
        employee_code="E1001",
        hire_date=HIRED,
        position_code="ops_specialist",
        department_code="operations",
        base_salary=cny(2000),
        recorded_at=T0,
    )


def raise_to(amount_yuan: int, effective: date, recorded: datetime = T0) -> SalaryChange:
    return SalaryChange(effective, cny(amount_yuan), recorded, "E9000", "annual review")


def test_salary_on_a_date_is_the_latest_change_effective_by_then() -> None:
    h = history().record_salary_change(raise_to(3500, date(2025, 1, 1)))
    assert h.salary_on(date(2024, 12, 31)) == cny(2000)
    assert h.salary_on(date(2025, 1, 1)) == cny(3500)
    assert h.salary_on(date(2030, 1, 1)) == cny(3500)


def test_nothing_is_known_before_the_hire_date() -> None:
    assert history().salary_on(date(2024, 2, 29)) is None
    assert history().position_on(date(2024, 2, 29)) is None


def test_changes_are_appended_never_overwritten() -> None:
    h = history().record_salary_change(raise_to(3500, date(2025, 1, 1)))
    h = h.record_salary_change(raise_to(3000, date(2024, 7, 1)))  # a back-dated change
    assert [c.base_salary for c in h.salaries] == [cny(2000), cny(3500), cny(3000)]
    assert h.salary_on(date(2024, 8, 1)) == cny(3000)
    assert h.salary_on(date(2025, 2, 1)) == cny(3500)


def test_change_effective_on_the_hire_date_is_allowed() -> None:
    h = history().record_salary_change(raise_to(2100, HIRED))
    assert h.salary_on(HIRED) == cny(2100)


def test_change_back_dated_before_the_hire_date_is_refused() -> None:
    with pytest.raises(InvalidArgument) as caught:
        history().record_salary_change(raise_to(2100, date(2024, 2, 29)))
    assert caught.value.violations[0].field == "effective_date"
    assert caught.value.reason == "EFFECTIVE_BEFORE_HIRE"


def test_change_after_the_leave_date_is_refused() -> None:
    h = history().with_leave_date(date(2025, 6, 30))
    with pytest.raises(InvalidArgument) as caught:
        h.record_position_change(
            PositionAssignment(date(2025, 7, 1), "ops_supervisor", "operations", T0)
        )
    assert caught.value.reason == "EFFECTIVE_AFTER_LEAVE"
    assert h.salary_on(date(2025, 7, 1)) is None
    assert h.salary_on(date(2025, 6, 30)) == cny(2000)


def test_same_day_second_change_supersedes_and_the_first_stays_visible() -> None:
    day = date(2025, 1, 1)
    h = history().record_salary_change(raise_to(3500, day))
    h = h.record_salary_change(raise_to(3300, day, datetime(2025, 1, 2, tzinfo=SHANGHAI)))
    assert h.salary_on(day) == cny(3300)
    assert [c.base_salary for c in h.salaries if c.effective_date == day] == [cny(3500), cny(3300)]


def test_recording_the_value_already_in_force_that_day_is_a_harmless_retry() -> None:
    h = history().record_salary_change(raise_to(3500, date(2025, 1, 1)))
    assert h.record_salary_change(raise_to(3500, date(2025, 1, 1))) is h


def test_same_day_change_can_be_rejected_by_setting() -> None:
    strict = HistoryPolicy(same_day_change=SameDayChange.REJECT)
    h = history().record_salary_change(raise_to(3500, date(2025, 1, 1)), strict)
    with pytest.raises(AlreadyExists) as caught:
        h.record_salary_change(raise_to(3300, date(2025, 1, 1)), strict)
    assert caught.value.reason == "CHANGE_ALREADY_RECORDED_FOR_DATE"
    assert h.record_salary_change(raise_to(3500, date(2025, 1, 1)), strict) is h


def test_position_history_answers_what_was_held_on_a_date() -> None:
    promoted = PositionAssignment(
        date(2025, 4, 1), "ops_supervisor", "operations", T0, "E9000", "promotion"
    )
    h = history().record_position_change(promoted)
    before = h.position_on(date(2025, 3, 31))
    after = h.position_on(date(2025, 4, 1))
    assert before is not None
    assert before.position_code == "ops_specialist"
    assert after is not None
    assert after.position_code == "ops_supervisor"


def test_salary_keeps_the_hiring_currency() -> None:
    with pytest.raises(InvalidArgument) as caught:
        history().record_salary_change(SalaryChange(date(2025, 1, 1), Money(100000, "USD"), T0))
    assert caught.value.violations[0].field == "base_salary.currency_code"


def test_salary_must_be_positive() -> None:
    with pytest.raises(InvalidArgument, match="base_salary"):
        SalaryChange(date(2025, 1, 1), Money(0, "CNY"), T0)


def test_leave_date_before_hire_is_refused() -> None:
    with pytest.raises(InvalidArgument, match="leave_date"):
        history().with_leave_date(date(2024, 1, 1))
