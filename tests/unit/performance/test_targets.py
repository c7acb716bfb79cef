"""Seed 003 篇1 (三): targets are set before the 30th of the month before; later changes need
an approver other than the setter; closed months are frozen."""

from __future__ import annotations

from datetime import date

import pytest

from services.common.errors import FailedPrecondition, InvalidArgument, PermissionDenied
from services.common.money import Money
from services.performance.domain.period import YearMonth
from services.performance.domain.targets import (
    MonthlyTarget,
    TargetChange,
    TargetScope,
    set_target,
    target_deadline,
)

JUNE = YearMonth(2024, 6)
AMOUNT = Money(10_000_000, "CNY")


def setting(
    today: date,
    month: YearMonth = JUNE,
    *,
    previous: MonthlyTarget | None = None,
    approved_by: str | None = None,
    month_closed: bool = False,
) -> TargetChange:
    return set_target(
        scope=TargetScope.GROUP,
        subject_code="CS",
        month=month,
        amount=AMOUNT,
        set_by="M1",
        today=today,
        previous=previous,
        approved_by=approved_by,
        month_closed=month_closed,
    )


@pytest.mark.parametrize(
    ("month", "deadline"),
    [
        (YearMonth(2024, 6), date(2024, 5, 29)),
        (YearMonth(2024, 5), date(2024, 4, 29)),
        (YearMonth(2024, 3), date(2024, 2, 29)),  # leap February: its last day
        (YearMonth(2023, 3), date(2023, 2, 28)),  # February: its last day
        (YearMonth(2025, 1), date(2024, 12, 29)),
    ],
)
def test_deadline_is_day_29_of_the_previous_month_or_its_last_day(
    month: YearMonth, deadline: date
) -> None:
    assert target_deadline(month) == deadline


def test_target_set_on_day_29_needs_no_approval() -> None:
    change = setting(date(2024, 5, 29))
    assert not change.late
    assert change.target.approved_by is None


def test_target_set_on_day_30_needs_an_approver() -> None:
    with pytest.raises(FailedPrecondition) as err:
        setting(date(2024, 5, 30))
    assert err.value.reason == "TARGET_CHANGE_NEEDS_APPROVAL"


def test_target_for_march_may_be_set_on_28_february_in_a_common_year() -> None:
    assert not setting(date(2023, 2, 28), YearMonth(2023, 3)).late
    with pytest.raises(FailedPrecondition):
        setting(date(2023, 3, 1), YearMonth(2023, 3))


def test_late_change_approved_by_another_person_is_recorded_for_audit() -> None:
    first = setting(date(2024, 5, 20)).target
    change = setting(date(2024, 6, 3), previous=first, approved_by="GM")
    assert change.late
    assert change.previous == first
    assert change.target.approved_by == "GM"
    assert change.target.set_on == date(2024, 6, 3)


def test_setter_cannot_approve_their_own_late_change() -> None:
    with pytest.raises(PermissionDenied) as err:
        setting(date(2024, 6, 3), approved_by="M1")
    assert err.value.reason == "TARGET_SELF_APPROVAL"


def test_change_before_the_deadline_needs_no_approval() -> None:
    first = setting(date(2024, 5, 1)).target
    assert not setting(date(2024, 5, 29), previous=first).late


def test_target_for_a_closed_month_is_refused() -> None:
    with pytest.raises(FailedPrecondition) as err:
        setting(date(2024, 5, 1), month_closed=True, approved_by="GM")
    assert err.value.reason == "TARGET_MONTH_CLOSED"


def test_target_must_be_positive_and_match_the_previous_one() -> None:
    with pytest.raises(InvalidArgument) as err:
        set_target(
            scope=TargetScope.EMPLOYEE,
            subject_code="E1",
            month=JUNE,
            amount=Money(0, "CNY"),
            set_by="M1",
            today=date(2024, 5, 1),
        )
    assert err.value.reason == "TARGET_NOT_POSITIVE"
    other = setting(date(2024, 5, 1), YearMonth(2024, 7)).target
    with pytest.raises(InvalidArgument) as err:
        setting(date(2024, 5, 1), previous=other)
    assert err.value.reason == "TARGET_PREVIOUS_MISMATCH"


# ---- late changes: proposal, then another person's approval ---------------------------------


def _proposal(**changes: object) -> object:
    from services.performance.domain.targets import propose_target_change

    arguments = {
        "scope": TargetScope.EMPLOYEE,
        "subject_code": "E1001",
        "month": YearMonth(2026, 4),
        "amount": Money(80_000, "CNY"),
        "proposed_by": "M1",
        "today": date(2026, 3, 30),
        "reason": "supplier delay",
    }
    arguments.update(changes)
    return propose_target_change(**arguments)  # type: ignore[arg-type]


def test_a_late_change_is_proposed_and_applied_only_when_someone_else_approves() -> None:
    from services.performance.domain.targets import approve_target_change

    proposal = _proposal()
    with pytest.raises(PermissionDenied):
        approve_target_change(
            proposal,
            approver="M1",
            today=date(2026, 3, 30),  # type: ignore[arg-type]
            previous=None,
        )
    change = approve_target_change(
        proposal,
        approver="GM1",
        today=date(2026, 3, 31),  # type: ignore[arg-type]
        previous=None,
    )
    assert change.late
    assert change.target.approved_by == "GM1"
    assert change.target.set_by == "M1"


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"today": date(2026, 3, 29)}, "TARGET_NOT_LATE"),
        ({"reason": "  "}, "TARGET_CHANGE_REASON_MISSING"),
        ({"month_closed": True}, "TARGET_MONTH_CLOSED"),
        ({"amount": Money(0, "CNY")}, "TARGET_NOT_POSITIVE"),
    ],
)
def test_a_proposal_is_checked_like_a_target(changes: dict[str, object], reason: str) -> None:
    with pytest.raises((InvalidArgument, FailedPrecondition)) as refused:
        _proposal(**changes)
    assert refused.value.reason == reason
