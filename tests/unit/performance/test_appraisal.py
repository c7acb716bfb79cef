"""Monthly and annual appraisals: sources, weights, window, states."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.common.errors import FailedPrecondition, InvalidArgument, PermissionDenied
from services.performance.domain.annual_appraisal import annual_appraisal
from services.performance.domain.appraisal import (
    DEFAULT_APPRAISAL_WEIGHTS,
    AppraisalCalendar,
    AppraisalState,
    AppraisalWeights,
    MonthlyAppraisal,
    PeerScore,
    weights_for,
)
from services.performance.domain.grades import Grade
from services.performance.domain.period import YearMonth
from services.performance.domain.roles import Role

D = Decimal
MAY = YearMonth(2024, 5)
IN_WINDOW = date(2024, 6, 5)


def appraisal(month: YearMonth = MAY) -> MonthlyAppraisal:
    return MonthlyAppraisal("E1", "OPERATIONS", "S1", month)


def scored(month: YearMonth = MAY, supervisor: str = "80", kpis: str = "70") -> MonthlyAppraisal:
    result = appraisal(month)
    today = month.next().day(5)
    result.record_supervisor_score("S1", D(supervisor), "steady", today)
    result.record_kpi_score(D(kpis), today)
    return result


def test_total_weights_all_four_sources() -> None:
    a = scored()
    a.record_self_assessment(D("95"), "good month", IN_WINDOW)
    a.record_peer_score(PeerScore("P1", "WAREHOUSE", D("90")), IN_WINDOW)
    a.record_peer_score(PeerScore("P2", "FINANCE", D("85")), IN_WINDOW)
    # 0.1 × 95 + 0.4 × 80 + 0.2 × 87.5 + 0.3 × 70 = 9.5 + 32 + 17.5 + 21 = 80.00
    assert a.computed_total() == D("80.00")


def test_missing_sources_are_left_out_and_weights_renormalised() -> None:
    a = scored(supervisor="81", kpis="70")
    # (0.4 × 81 + 0.3 × 70) / 0.7 = 53.4 / 0.7 = 76.2857… → 76.29
    assert a.computed_total() == D("76.29")


def test_total_rounds_half_up_to_two_places() -> None:
    a = scored(supervisor="80", kpis="80")
    a.record_peer_score(PeerScore("P1", "WAREHOUSE", D("80.05")), IN_WINDOW)
    a.record_peer_score(PeerScore("P2", "FINANCE", D("80")), IN_WINDOW)
    # peers 80.025; (0.4 × 80 + 0.2 × 80.025 + 0.3 × 80) / 0.9 = 80.00555… → 80.01
    assert a.computed_total() == D("80.01")


def test_same_peer_scoring_twice_replaces_the_first_score() -> None:
    a = scored()
    a.record_peer_score(PeerScore("P1", "WAREHOUSE", D("10")), IN_WINDOW)
    a.record_peer_score(PeerScore("P1", "WAREHOUSE", D("90")), IN_WINDOW)
    assert a.peer_average() == 90


@pytest.mark.parametrize(
    ("peer", "reason"),
    [
        (PeerScore("P1", "OPERATIONS", D("90")), "PEER_SAME_DEPARTMENT"),
        (PeerScore("E1", "WAREHOUSE", D("90")), "PEER_IS_SELF"),
        (PeerScore("P1", "WAREHOUSE", D("101")), "SCORE_OUT_OF_RANGE"),
    ],
)
def test_invalid_peer_scores_are_rejected(peer: PeerScore, reason: str) -> None:
    with pytest.raises(InvalidArgument) as err:
        appraisal().record_peer_score(peer, IN_WINDOW)
    assert err.value.reason == reason


def test_only_the_supervisor_gives_the_supervisor_score() -> None:
    with pytest.raises(PermissionDenied):
        appraisal().record_supervisor_score("X9", D("80"), "", IN_WINDOW)


def test_weights_must_sum_to_exactly_100_percent() -> None:
    with pytest.raises(InvalidArgument) as err:
        AppraisalWeights(D("0.1"), D("0.4"), D("0.2"), D("0.29"))
    assert err.value.reason == "APPRAISAL_WEIGHTS_NOT_100_PERCENT"
    assert err.value.violations[0].field == "weights"


def test_weights_are_configurable_per_role() -> None:
    analyst = AppraisalWeights(D("0"), D("0.5"), D("0.1"), D("0.4"))
    assert weights_for(Role.DATA_ANALYST, {Role.DATA_ANALYST: analyst}) == analyst
    assert weights_for(Role.PROMOTION, {Role.DATA_ANALYST: analyst}) == DEFAULT_APPRAISAL_WEIGHTS


def test_window_opens_on_day_1_and_closes_on_day_10_of_the_next_month() -> None:
    a = appraisal()
    with pytest.raises(FailedPrecondition) as err:
        a.record_supervisor_score("S1", D("80"), "", date(2024, 5, 31))
    assert err.value.reason == "APPRAISAL_NOT_OPEN_YET"
    a.record_supervisor_score("S1", D("80"), "", date(2024, 6, 1))
    a.record_kpi_score(D("80"), date(2024, 6, 10))
    with pytest.raises(FailedPrecondition) as err:
        a.record_kpi_score(D("80"), date(2024, 6, 11))
    assert err.value.reason == "APPRAISAL_WINDOW_CLOSED"


def test_self_assessment_may_start_at_month_end() -> None:
    a = appraisal()
    a.record_self_assessment(D("88"), "", date(2024, 5, 31))
    with pytest.raises(FailedPrecondition):
        a.record_self_assessment(D("88"), "", date(2024, 5, 30))


def test_calendar_is_validated() -> None:
    with pytest.raises(InvalidArgument):
        AppraisalCalendar(open_day=11, close_day=10)


def test_submit_needs_supervisor_and_kpi_scores() -> None:
    with pytest.raises(FailedPrecondition) as err:
        appraisal().submit(IN_WINDOW)
    assert err.value.reason == "APPRAISAL_INCOMPLETE"


def test_lifecycle_open_submitted_closed_and_frozen_after_close() -> None:
    a = scored(supervisor="92", kpis="90")
    with pytest.raises(FailedPrecondition):
        a.close(IN_WINDOW)  # not submitted yet
    a.submit(IN_WINDOW)
    with pytest.raises(FailedPrecondition) as err:
        a.record_kpi_score(D("10"), IN_WINDOW)
    assert err.value.reason == "APPRAISAL_SUBMITTED"
    a.reopen()
    a.record_kpi_score(D("88"), IN_WINDOW)
    a.submit(IN_WINDOW)
    a.close(date(2024, 6, 10))
    assert a.state is AppraisalState.CLOSED
    assert a.total_score == D("90.29")  # (0.4 × 92 + 0.3 × 88) / 0.7
    assert a.grade is Grade.EXCELLENT
    with pytest.raises(FailedPrecondition) as err:
        a.record_supervisor_score("S1", D("50"), "", IN_WINDOW)
    assert err.value.reason == "APPRAISAL_CLOSED"
    with pytest.raises(FailedPrecondition):
        a.reopen()


def closed(month: int, supervisor: str, kpis: str) -> MonthlyAppraisal:
    a = scored(YearMonth(2024, month), supervisor, kpis)
    today = YearMonth(2024, month).next().day(5)
    a.submit(today)
    a.close(today)
    return a


def test_annual_score_averages_the_closed_months_and_lists_the_missing() -> None:
    months = [
        closed(1, "90", "90"),
        closed(2, "80", "80"),
        closed(3, "71", "71"),
        scored(YearMonth(2024, 4)),
    ]
    result = annual_appraisal("E1", 2024, months, date(2025, 1, 8))
    assert result.score == D("80.33")  # (90 + 80 + 71) / 3 = 80.333…
    assert result.grade is Grade.GOOD
    assert result.months_counted == (YearMonth(2024, 1), YearMonth(2024, 2), YearMonth(2024, 3))
    assert YearMonth(2024, 4) in result.months_missing
    assert len(result.months_missing) == 9


def test_annual_appraisal_waits_for_january() -> None:
    with pytest.raises(FailedPrecondition) as err:
        annual_appraisal("E1", 2024, [closed(1, "90", "90")], date(2024, 12, 31))
    assert err.value.reason == "ANNUAL_APPRAISAL_TOO_EARLY"


def test_annual_appraisal_needs_closed_months() -> None:
    with pytest.raises(FailedPrecondition) as err:
        annual_appraisal("E1", 2024, [scored(YearMonth(2024, 3))], date(2025, 1, 2))
    assert err.value.reason == "NOT_ENOUGH_MONTHLY_APPRAISALS"


def test_annual_appraisal_refuses_another_employees_month() -> None:
    other = MonthlyAppraisal("E2", "OPERATIONS", "S1", YearMonth(2024, 1))
    with pytest.raises(InvalidArgument):
        annual_appraisal("E1", 2024, [other], date(2025, 1, 2))
