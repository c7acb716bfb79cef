"""Shipping waves: cut-offs 10:30/12:00/14:30/16:30/17:30 local, same-day cut-off 17:00."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from services.orders.domain.waves import (
    WavePolicy,
    assign_wave,
    next_working_day,
    on_time_rate,
    shipped_on_time,
    waves_of_day,
)

from .factories import confirmed_order

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = date(2024, 5, 6)
FRIDAY = date(2024, 5, 10)
WEEKDAYS_ONLY = WavePolicy(working_days=frozenset(range(5)))


def local(day: date, hh: int, mm: int, ss: int = 0, us: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, ss, us, tzinfo=SHANGHAI)


def wave_of(at: datetime, policy: WavePolicy | None = None) -> tuple[date, int, time]:
    wave = assign_wave(at, policy)
    return wave.day, wave.number, wave.cutoff


def test_a_day_has_five_waves_at_the_seed_cutoffs() -> None:
    waves = waves_of_day(MONDAY)
    assert [w.cutoff.strftime("%H:%M") for w in waves] == [
        "10:30",
        "12:00",
        "14:30",
        "16:30",
        "17:30",
    ]
    assert [w.number for w in waves] == [1, 2, 3, 4, 5]
    assert waves[0].deadline == local(MONDAY, 10, 30)
    assert waves[1].label == "2024-05-06 wave 2 (12:00)"


def test_early_morning_order_ships_in_the_first_wave() -> None:
    assert wave_of(local(MONDAY, 0, 0)) == (MONDAY, 1, time(10, 30))
    assert wave_of(local(MONDAY, 9, 0)) == (MONDAY, 1, time(10, 30))


def test_order_one_second_before_a_cutoff_makes_that_wave() -> None:
    assert wave_of(local(MONDAY, 10, 29, 59)) == (MONDAY, 1, time(10, 30))


def test_order_exactly_at_a_cutoff_goes_to_the_next_wave() -> None:
    assert wave_of(local(MONDAY, 10, 30)) == (MONDAY, 2, time(12, 0))
    assert wave_of(local(MONDAY, 16, 30)) == (MONDAY, 5, time(17, 30))


def test_order_paid_at_165959_local_ships_the_same_day_in_the_last_wave() -> None:
    assert wave_of(local(MONDAY, 16, 59, 59)) == (MONDAY, 5, time(17, 30))


def test_order_paid_at_1700_local_ships_next_day_first_wave() -> None:
    assert wave_of(local(MONDAY, 17, 0)) == (MONDAY + timedelta(days=1), 1, time(10, 30))


def test_late_evening_order_ships_next_day_first_wave() -> None:
    assert wave_of(local(MONDAY, 23, 59, 59)) == (MONDAY + timedelta(days=1), 1, time(10, 30))


def test_utc_times_are_read_in_the_warehouse_timezone() -> None:
    # 08:59:59Z is 16:59:59 in Shanghai; 09:00:00Z is 17:00.
    assert wave_of(datetime(2024, 5, 6, 8, 59, 59, tzinfo=UTC))[0] == MONDAY
    assert wave_of(datetime(2024, 5, 6, 9, 0, 0, tzinfo=UTC))[0] == MONDAY + timedelta(days=1)
    # 20:00Z Sunday is already 04:00 Monday in Shanghai.
    assert wave_of(datetime(2024, 5, 5, 20, 0, tzinfo=UTC)) == (MONDAY, 1, time(10, 30))


def test_shipped_exactly_at_the_cutoff_is_on_time() -> None:
    wave = assign_wave(local(MONDAY, 9, 0))
    assert shipped_on_time(wave, local(MONDAY, 10, 30)) is True
    assert shipped_on_time(wave, local(MONDAY, 10, 30, 0, 1)) is False
    assert shipped_on_time(wave, datetime(2024, 5, 6, 2, 30, tzinfo=UTC)) is True


def test_by_default_every_day_is_a_working_day() -> None:
    saturday = date(2024, 5, 11)
    assert len(waves_of_day(saturday)) == 5
    assert wave_of(local(saturday, 9, 0))[0] == saturday


def test_weekend_orders_wait_for_the_next_working_day_when_weekends_are_off() -> None:
    saturday = date(2024, 5, 11)
    next_monday = date(2024, 5, 13)
    assert waves_of_day(saturday, WEEKDAYS_ONLY) == ()
    assert wave_of(local(saturday, 9, 0), WEEKDAYS_ONLY) == (next_monday, 1, time(10, 30))
    assert wave_of(local(FRIDAY, 17, 0), WEEKDAYS_ONLY) == (next_monday, 1, time(10, 30))
    assert wave_of(local(FRIDAY, 16, 59, 59), WEEKDAYS_ONLY) == (FRIDAY, 5, time(17, 30))


def test_holidays_are_skipped() -> None:
    policy = WavePolicy(non_working_dates=frozenset({date(2024, 5, 7), date(2024, 5, 8)}))
    assert next_working_day(MONDAY, policy) == date(2024, 5, 9)
    assert wave_of(local(MONDAY, 18, 0), policy)[0] == date(2024, 5, 9)


def test_lead_time_moves_an_order_to_a_later_wave() -> None:
    policy = WavePolicy(lead_time=timedelta(minutes=45))
    assert wave_of(local(MONDAY, 9, 44, 59), policy)[1] == 1
    assert wave_of(local(MONDAY, 9, 45), policy)[1] == 2
    assert wave_of(local(MONDAY, 16, 44, 59), policy) == (MONDAY, 5, time(17, 30))
    # 16:45 + 45 min reaches the last cut-off: next day although before 17:00.
    assert wave_of(local(MONDAY, 16, 45), policy) == (MONDAY + timedelta(days=1), 1, time(10, 30))


def test_cutoffs_and_timezone_are_settings() -> None:
    la = ZoneInfo("America/Los_Angeles")
    policy = WavePolicy(cutoffs=(time(9, 0), time(15, 0)), same_day_cutoff=time(14, 0), timezone=la)
    at = datetime(2024, 5, 6, 13, 59, tzinfo=la)
    wave = assign_wave(at, policy)
    assert (wave.number, wave.deadline) == (2, datetime(2024, 5, 6, 15, 0, tzinfo=la))
    assert assign_wave(at + timedelta(minutes=1), policy).day == date(2024, 5, 7)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"cutoffs": ()},
        {"cutoffs": (time(12, 0), time(10, 30))},
        {"cutoffs": (time(10, 30), time(10, 30))},
        {"working_days": frozenset()},
        {"working_days": frozenset({7})},
        {"lead_time": timedelta(minutes=-1)},
    ],
)
def test_invalid_wave_timetables_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the messages are checked by eye
        WavePolicy(**kwargs)  # type: ignore[arg-type]


def test_naive_times_are_a_programming_error() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        assign_wave(datetime(2024, 5, 6, 9, 0))


def test_on_time_rate_is_the_share_of_orders_on_time() -> None:
    assert on_time_rate([True, False, True, True]) == Decimal("0.75")
    assert on_time_rate([]) is None


def test_an_order_gets_its_wave_from_when_it_became_printable() -> None:
    order = confirmed_order(at=local(MONDAY, 16, 59, 58))  # confirmed one second later
    reference = order.wave_reference_time()
    assert reference is not None
    assert wave_of(reference) == (MONDAY, 5, time(17, 30))
