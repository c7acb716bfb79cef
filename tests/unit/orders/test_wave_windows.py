"""Wave ids, the window of reference times each wave takes, and an order's on-time outcome."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.common.errors import InvalidArgument, NotFound
from services.orders.domain.waves import (
    WavePolicy,
    assign_wave,
    parse_wave_id,
    wave_outcome,
    wave_window,
    waves_of_day,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = date(2024, 5, 6)
WEEKDAYS_ONLY = WavePolicy(working_days=frozenset(range(5)))


def local(day: date, hh: int, mm: int) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=SHANGHAI)


def test_wave_id_names_the_local_date_and_number() -> None:
    assert waves_of_day(MONDAY)[1].wave_id == "2024-05-06.2"


def test_a_wave_id_parses_back_to_its_wave() -> None:
    assert parse_wave_id("2024-05-06.5") == waves_of_day(MONDAY)[4]


@pytest.mark.parametrize("text", ["2024-05-06", "2024-13-01.1", "yesterday.1", "2024-05-06.x"])
def test_malformed_wave_ids_are_invalid(text: str) -> None:
    with pytest.raises(InvalidArgument):
        parse_wave_id(text)


def test_a_wave_number_beyond_the_day_is_not_found() -> None:
    with pytest.raises(NotFound):
        parse_wave_id("2024-05-06.6")


def test_a_non_working_day_has_no_waves_to_find() -> None:
    with pytest.raises(NotFound):
        parse_wave_id("2024-05-11.1", WEEKDAYS_ONLY)  # a Saturday


def test_second_wave_takes_the_references_between_the_first_two_cutoffs() -> None:
    start, end = wave_window(waves_of_day(MONDAY)[1])
    assert (start, end) == (local(MONDAY, 10, 30), local(MONDAY, 12, 0))


def test_last_wave_ends_at_the_same_day_cutoff() -> None:
    start, end = wave_window(waves_of_day(MONDAY)[4])
    assert (start, end) == (local(MONDAY, 16, 30), local(MONDAY, 17, 0))


def test_first_wave_takes_the_previous_evening() -> None:
    start, end = wave_window(waves_of_day(MONDAY)[0])
    assert (start, end) == (local(MONDAY - timedelta(days=1), 17, 0), local(MONDAY, 10, 30))


def test_monday_first_wave_takes_the_weekend_when_weekends_are_off() -> None:
    start, _ = wave_window(waves_of_day(MONDAY, WEEKDAYS_ONLY)[0], WEEKDAYS_ONLY)
    assert start == local(date(2024, 5, 3), 17, 0)  # Friday evening


POLICIES = st.sampled_from(
    [
        WavePolicy(),
        WEEKDAYS_ONLY,
        WavePolicy(lead_time=timedelta(minutes=45)),
        WavePolicy(lead_time=timedelta(hours=11)),
        WavePolicy(non_working_dates=frozenset({date(2024, 5, 7), date(2024, 5, 8)})),
    ]
)


@settings(max_examples=400, deadline=None)
@given(
    policy=POLICIES,
    minutes=st.integers(min_value=0, max_value=14 * 24 * 60),
)
def test_every_reference_time_lies_in_the_window_of_the_wave_it_is_assigned(
    policy: WavePolicy, minutes: int
) -> None:
    reference = datetime(2024, 5, 1, tzinfo=UTC) + timedelta(minutes=minutes, seconds=minutes % 7)
    wave = assign_wave(reference, policy)
    start, end = wave_window(wave, policy)
    assert start <= reference < end


@settings(max_examples=200, deadline=None)
@given(policy=POLICIES, day_offset=st.integers(0, 10), number=st.integers(1, 5))
def test_windows_of_consecutive_waves_do_not_overlap(
    policy: WavePolicy, day_offset: int, number: int
) -> None:
    waves = waves_of_day(MONDAY + timedelta(days=day_offset), policy)
    if number >= len(waves):
        return
    _, end = wave_window(waves[number - 1], policy)
    start, _ = wave_window(waves[number], policy)
    assert end <= start


def test_shipped_by_the_cutoff_is_on_time_and_after_it_is_late() -> None:
    wave = waves_of_day(MONDAY)[1]
    assert wave_outcome(wave, local(MONDAY, 12, 0), local(MONDAY, 13, 0)) is True
    assert wave_outcome(wave, local(MONDAY, 12, 1), local(MONDAY, 13, 0)) is False


def test_unshipped_order_is_unknown_before_the_cutoff_and_late_after_it() -> None:
    wave = waves_of_day(MONDAY)[1]
    assert wave_outcome(wave, None, local(MONDAY, 11, 0)) is None
    assert wave_outcome(wave, None, local(MONDAY, 12, 1)) is False
