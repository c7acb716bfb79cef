"""Performance settings: the appraisal window is a setting, checked when the service starts."""

from __future__ import annotations

from datetime import date

import pytest

from services.common.config import SettingsError, load_settings
from services.performance.domain.period import YearMonth
from services.performance.settings import load_performance_settings

ENV = {"STOREOPS_DATABASE_URL": "postgresql+psycopg://u@h/s"}


def test_the_default_window_is_the_1st_to_the_10th_of_the_next_month() -> None:
    calendar = load_performance_settings(load_settings("performance", ENV)).appraisal_calendar
    october = YearMonth(2026, 10)
    assert calendar.opens_on(october) == date(2026, 11, 1)
    assert calendar.closes_on(october) == date(2026, 11, 10)


def test_the_window_can_be_set() -> None:
    environ = {**ENV, "STOREOPS_PERFORMANCE_APPRAISAL_OPEN_DAY": "3"}
    environ["STOREOPS_PERFORMANCE_APPRAISAL_CLOSE_DAY"] = "28"
    calendar = load_performance_settings(load_settings("performance", environ)).appraisal_calendar
    assert calendar.opens_on(YearMonth(2026, 12)) == date(2027, 1, 3)
    assert calendar.closes_on(YearMonth(2026, 12)) == date(2027, 1, 28)


@pytest.mark.parametrize(
    ("open_day", "close_day"), [("11", "10"), ("0", "10"), ("1", "29"), ("x", "10")]
)
def test_an_impossible_window_stops_the_service_at_start(open_day: str, close_day: str) -> None:
    environ = {
        **ENV,
        "STOREOPS_PERFORMANCE_APPRAISAL_OPEN_DAY": open_day,
        "STOREOPS_PERFORMANCE_APPRAISAL_CLOSE_DAY": close_day,
    }
    with pytest.raises(SettingsError):
        load_performance_settings(load_settings("performance", environ))
