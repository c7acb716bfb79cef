from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from services.people.domain.attendance_day import (
    ClockDirection,
    ClockEvent,
    DayAttendance,
    DayIncident,
    DayStatus,
    IncidentKind,
    classify_day,
)
from services.people.domain.attendance_policy import AttendancePolicy, MissingPunch
from services.people.domain.leave import LeaveCoverage
from services.people.domain.working_time import HalfDay, WorkSchedule

from .builders import at

MONDAY = date(2025, 3, 3)
SATURDAY = date(2025, 3, 8)
SCHEDULE = WorkSchedule()
NO_LEAVE = LeaveCoverage()
MORNING_OFF = LeaveCoverage(approved=frozenset({HalfDay.MORNING}))
AFTERNOON_OFF = LeaveCoverage(approved=frozenset({HalfDay.AFTERNOON}))


def punches(
    day: date, clock_in: str | None = "09:00:00", clock_out: str | None = "18:00:00"
) -> list[ClockEvent]:
    events = []
    if clock_in is not None:
        events.append(ClockEvent("E1001", at(day, clock_in), ClockDirection.IN))
    if clock_out is not None:
        events.append(ClockEvent("E1001", at(day, clock_out), ClockDirection.OUT))
    return events


def judge(
    clock_in: str | None = "09:00:00",
    clock_out: str | None = "18:00:00",
    *,
    day: date = MONDAY,
    leave: LeaveCoverage = NO_LEAVE,
    policy: AttendancePolicy | None = None,
    schedule: WorkSchedule = SCHEDULE,
) -> DayAttendance:
    return classify_day(
        day,
        clock_events=punches(day, clock_in, clock_out),
        leave=leave,
        employed=True,
        schedule=schedule,
        policy=policy or AttendancePolicy(),
    )


# --- arrival ---------------------------------------------------------------------------------


def test_clock_in_exactly_at_nine_is_on_time() -> None:
    day = judge("09:00:00")
    assert day.status is DayStatus.ON_TIME
    assert day.incidents == ()
    assert day.late_minutes == 0


def test_clock_in_at_nine_and_fifty_nine_seconds_is_on_time_because_seconds_do_not_count() -> None:
    assert judge("09:00:59").status is DayStatus.ON_TIME


def test_one_whole_minute_late_is_a_lateness_event() -> None:
    day = judge("09:01:00")
    assert day.status is DayStatus.LATE
    assert day.incidents == (DayIncident(IncidentKind.LATE, 1),)


def test_exactly_fifteen_minutes_late_is_a_lateness_event() -> None:
    day = judge("09:15:00")
    assert day.status is DayStatus.LATE
    assert day.incidents == (DayIncident(IncidentKind.LATE, 15),)


def test_fifteen_minutes_and_fifty_nine_seconds_late_is_still_fifteen_minutes() -> None:
    assert judge("09:15:59").incidents == (DayIncident(IncidentKind.LATE, 15),)


def test_sixteen_minutes_late_counts_as_half_day_absence() -> None:
    day = judge("09:16:00")
    assert day.status is DayStatus.HALF_DAY_ABSENCE
    assert day.incidents == (DayIncident(IncidentKind.LATE, 16),)


def test_counting_started_minutes_is_a_setting() -> None:
    strict = AttendancePolicy(count_partial_minutes=True)
    assert judge("09:00:00", policy=strict).status is DayStatus.ON_TIME
    assert judge("09:00:01", policy=strict).incidents == (DayIncident(IncidentKind.LATE, 1),)
    assert judge("09:15:01", policy=strict).status is DayStatus.HALF_DAY_ABSENCE


# --- departure -------------------------------------------------------------------------------


def test_leaving_at_six_is_on_time_and_staying_late_changes_nothing() -> None:
    assert judge(clock_out="18:00:00").status is DayStatus.ON_TIME
    assert judge(clock_out="21:30:00").status is DayStatus.ON_TIME


def test_leaving_fifteen_minutes_early_is_a_lateness_event() -> None:
    day = judge(clock_out="17:45:00")
    assert day.status is DayStatus.EARLY
    assert day.incidents == (DayIncident(IncidentKind.EARLY_LEAVE, 15),)


def test_leaving_fifteen_minutes_and_some_seconds_early_is_still_fifteen() -> None:
    assert judge(clock_out="17:44:30").incidents == (DayIncident(IncidentKind.EARLY_LEAVE, 15),)


def test_leaving_sixteen_minutes_early_counts_as_half_day_absence() -> None:
    day = judge(clock_out="17:44:00")
    assert day.status is DayStatus.HALF_DAY_ABSENCE
    assert day.incidents == (DayIncident(IncidentKind.EARLY_LEAVE, 16),)


def test_late_and_early_on_one_day_are_two_lateness_events_arrival_first() -> None:
    day = judge("09:05:00", "17:50:00")
    assert day.status is DayStatus.LATE_AND_EARLY
    assert day.incidents == (
        DayIncident(IncidentKind.LATE, 5),
        DayIncident(IncidentKind.EARLY_LEAVE, 10),
    )


# --- absence ---------------------------------------------------------------------------------


def test_no_clock_records_on_a_working_day_is_a_full_day_absence() -> None:
    day = judge(None, None)
    assert day.status is DayStatus.FULL_DAY_ABSENCE
    assert day.incidents == (DayIncident(IncidentKind.ABSENT_FULL_DAY),)


def test_no_clock_records_on_a_weekend_is_nothing() -> None:
    day = judge(None, None, day=SATURDAY)
    assert day.status is DayStatus.NON_WORKING_DAY
    assert day.incidents == ()


def test_public_holiday_is_not_a_working_day_and_a_make_up_saturday_is() -> None:
    schedule = WorkSchedule(holidays=frozenset({MONDAY}), extra_working_days=frozenset({SATURDAY}))
    assert judge(None, None, schedule=schedule).status is DayStatus.NON_WORKING_DAY
    assert judge(None, None, day=SATURDAY, schedule=schedule).status is DayStatus.FULL_DAY_ABSENCE


def test_arriving_after_the_morning_is_a_half_day_absence() -> None:
    day = judge("12:30:00")
    assert day.status is DayStatus.HALF_DAY_ABSENCE
    assert day.incidents == (DayIncident(IncidentKind.ABSENT_HALF_DAY),)


def test_small_lateness_after_a_missed_morning_is_absorbed_into_the_half_day() -> None:
    day = judge("13:10:00")
    assert day.late_minutes == 10
    assert day.incidents == (DayIncident(IncidentKind.ABSENT_HALF_DAY),)


def test_missed_morning_plus_over_limit_afternoon_lateness_is_a_full_day_absence() -> None:
    day = judge("14:00:00")
    assert day.status is DayStatus.FULL_DAY_ABSENCE
    assert day.incidents == (DayIncident(IncidentKind.ABSENT_FULL_DAY),)


def test_leaving_at_lunch_is_a_half_day_absence() -> None:
    day = judge("09:00:00", "12:30:00")
    assert day.status is DayStatus.HALF_DAY_ABSENCE
    assert day.incidents == (DayIncident(IncidentKind.ABSENT_HALF_DAY),)


def test_arriving_after_the_working_day_is_a_full_day_absence() -> None:
    assert judge("18:00:00", "19:00:00").status is DayStatus.FULL_DAY_ABSENCE


def test_missing_clock_out_leaves_the_afternoon_unexplained() -> None:
    day = judge("09:00:00", None)
    assert day.incidents == (DayIncident(IncidentKind.ABSENT_HALF_DAY),)


def test_missing_clock_in_leaves_the_morning_unexplained() -> None:
    day = judge(None, "18:00:00")
    assert day.incidents == (DayIncident(IncidentKind.ABSENT_HALF_DAY),)


def test_missing_punch_can_be_ignored_by_setting() -> None:
    lenient = AttendancePolicy(missing_punch=MissingPunch.IGNORE)
    assert judge("09:00:00", None, policy=lenient).status is DayStatus.ON_TIME
    assert judge("09:20:00", None, policy=lenient).status is DayStatus.HALF_DAY_ABSENCE


def test_a_clock_out_before_the_clock_in_is_a_stale_punch() -> None:
    day = judge("09:00:00", "08:00:00")
    assert day.incidents == (DayIncident(IncidentKind.ABSENT_HALF_DAY),)


def test_earliest_clock_in_and_latest_clock_out_count() -> None:
    events = [
        *punches(MONDAY, "09:20:00", "12:00:00"),
        *punches(MONDAY, "08:58:00", "18:05:00"),
    ]
    day = classify_day(
        MONDAY, clock_events=events, leave=NO_LEAVE, employed=True, schedule=SCHEDULE
    )
    assert day.status is DayStatus.ON_TIME


def test_clock_times_are_read_in_the_company_time_zone() -> None:
    utc_events = [
        ClockEvent("E1001", datetime(2025, 3, 3, 1, 0, 59, tzinfo=UTC), ClockDirection.IN),
        ClockEvent("E1001", datetime(2025, 3, 3, 10, 0, tzinfo=UTC), ClockDirection.OUT),
        ClockEvent("E1001", datetime(2025, 3, 2, 1, 0, tzinfo=UTC), ClockDirection.IN),  # Sunday
    ]
    day = classify_day(
        MONDAY, clock_events=utc_events, leave=NO_LEAVE, employed=True, schedule=SCHEDULE
    )
    assert day.status is DayStatus.ON_TIME


def test_not_employed_days_are_not_judged() -> None:
    day = classify_day(MONDAY, clock_events=[], leave=NO_LEAVE, employed=False, schedule=SCHEDULE)
    assert day.status is DayStatus.NOT_EMPLOYED
    assert day.incidents == ()


# --- leave -----------------------------------------------------------------------------------


def test_approved_full_day_leave_is_not_absence() -> None:
    both = LeaveCoverage(approved=frozenset(HalfDay))
    day = judge(None, None, leave=both)
    assert day.status is DayStatus.ON_LEAVE
    assert day.incidents == ()


def test_requested_but_unapproved_leave_is_absence_flagged_as_pending() -> None:
    pending = LeaveCoverage(pending=frozenset(HalfDay))
    day = judge(None, None, leave=pending)
    assert day.status is DayStatus.FULL_DAY_ABSENCE
    assert day.pending_leave


def test_morning_leave_moves_the_expected_start_to_the_afternoon() -> None:
    assert judge("13:00:00", leave=MORNING_OFF).status is DayStatus.ON_TIME
    assert judge("13:10:00", leave=MORNING_OFF).incidents == (DayIncident(IncidentKind.LATE, 10),)
    assert judge("13:16:00", leave=MORNING_OFF).status is DayStatus.HALF_DAY_ABSENCE


def test_afternoon_leave_moves_the_expected_end_to_noon() -> None:
    assert judge("09:00:00", "12:00:00", leave=AFTERNOON_OFF).status is DayStatus.ON_TIME
    day = judge("09:00:00", "11:50:00", leave=AFTERNOON_OFF)
    assert day.incidents == (DayIncident(IncidentKind.EARLY_LEAVE, 10),)


def test_absence_on_the_remaining_half_of_a_half_day_leave_is_a_half_day_absence() -> None:
    day = judge(None, None, leave=MORNING_OFF)
    assert day.status is DayStatus.HALF_DAY_ABSENCE
    assert day.incidents == (DayIncident(IncidentKind.ABSENT_HALF_DAY),)
    assert day.expected_halves == {HalfDay.AFTERNOON}


@pytest.mark.parametrize(
    ("clock_in", "status"),
    [
        ("08:30:59", DayStatus.ON_TIME),
        ("08:45:00", DayStatus.LATE),
        ("08:46:00", DayStatus.HALF_DAY_ABSENCE),
    ],
)
def test_custom_shift_times_are_a_setting(clock_in: str, status: DayStatus) -> None:
    warehouse = WorkSchedule(morning_start=time(8, 30), afternoon_end=time(17, 30))
    assert judge(clock_in, "17:30:00", schedule=warehouse).status is status
