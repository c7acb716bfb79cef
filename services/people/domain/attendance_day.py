"""Classification of one employee's working day from clock records and approved leave.

How a day is judged (seed 004 考勤制度; settings in `attendance_policy`, hours in
`working_time`):
- Not a working day, or not employed that day: nothing to judge.
- The expected halves are the day's morning and afternoon minus approved leave; none left:
  ON_LEAVE. Pending (not yet approved) leave does not excuse anything; the day is flagged.
- Presence runs from the earliest clock-in to the latest clock-out. No record at all:
  absent for every expected half. A half is also absent when the employee arrived after it
  ended or left before it started (arriving at 14:00 misses the morning).
- Lateness is measured against the start of the first half attended, early leaving against the
  end of the last half attended, in whole minutes: up to 15 is a lateness event (LATE or
  EARLY_LEAVE), more than 15 "counts as a half-day absence" (status HALF_DAY_ABSENCE).
- Each day yields at most one absence fact, which replaces that day's lateness facts (so the
  performance service never prices one day twice):
  * every expected half absent → ABSENT_FULL_DAY (ABSENT_HALF_DAY if only half a day was
    expected because of half-day leave);
  * one half absent and the other half over the lateness limit → ABSENT_FULL_DAY: a half-day
    absence plus a lateness the seed treats as a half-day absence make a whole day;
  * one half absent and the other half late by up to 15 minutes → ABSENT_HALF_DAY only (the
    small lateness is absorbed: in the employee's favour by at most one lateness event).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from services.people.domain.attendance_policy import (
    DEFAULT_ATTENDANCE_POLICY,
    AttendancePolicy,
    MissingPunch,
)
from services.people.domain.leave import LeaveCoverage
from services.people.domain.validation import require_aware
from services.people.domain.working_time import HalfDay, WorkSchedule

_MINUTE = timedelta(minutes=1)


class ClockDirection(StrEnum):
    IN = "IN"
    OUT = "OUT"


class ClockSource(StrEnum):
    """Where a clock record came from (a correction is a supervisor's entry)."""

    DEVICE = "DEVICE"
    CORRECTION = "CORRECTION"  # entered by a supervisor for a forgotten punch


@dataclass(frozen=True)
class ClockEvent:
    """One clock-in or clock-out of an employee."""

    employee_code: str
    at: datetime
    direction: ClockDirection
    source: ClockSource = ClockSource.DEVICE

    def __post_init__(self) -> None:
        require_aware(self.at, "at")


class DayStatus(StrEnum):
    """The headline verdict on a day; over-limit lateness shows as HALF_DAY_ABSENCE."""

    NON_WORKING_DAY = "NON_WORKING_DAY"
    NOT_EMPLOYED = "NOT_EMPLOYED"
    ON_LEAVE = "ON_LEAVE"
    ON_TIME = "ON_TIME"
    LATE = "LATE"
    EARLY = "EARLY"
    LATE_AND_EARLY = "LATE_AND_EARLY"
    HALF_DAY_ABSENCE = "HALF_DAY_ABSENCE"
    FULL_DAY_ABSENCE = "FULL_DAY_ABSENCE"


class IncidentKind(StrEnum):
    """Same names as the performance service's attendance kinds."""

    LATE = "LATE"
    EARLY_LEAVE = "EARLY_LEAVE"
    ABSENT_HALF_DAY = "ABSENT_HALF_DAY"
    ABSENT_FULL_DAY = "ABSENT_FULL_DAY"


@dataclass(frozen=True)
class DayIncident:
    """An unpriced incident: `minutes` for LATE/EARLY_LEAVE, 0 for absences."""

    kind: IncidentKind
    minutes: int = 0


@dataclass(frozen=True)
class DayAttendance:
    """The verdict on one day, with the numbers behind it."""

    day: date
    status: DayStatus
    incidents: tuple[DayIncident, ...] = ()
    expected_halves: frozenset[HalfDay] = frozenset()
    late_minutes: int | None = None
    early_minutes: int | None = None
    pending_leave: bool = False

    @property
    def is_working_day(self) -> bool:
        """False only for weekends and holidays of the schedule."""
        return self.status is not DayStatus.NON_WORKING_DAY


def _whole_minutes(delta: timedelta, policy: AttendancePolicy) -> int:
    if delta <= timedelta(0):
        return 0
    if policy.count_partial_minutes:
        return -(-delta // _MINUTE)  # a started minute counts
    return delta // _MINUTE  # only completed minutes count


def _presence(
    day: date, clock_events: Iterable[ClockEvent], schedule: WorkSchedule
) -> tuple[datetime | None, datetime | None]:
    todays = [e for e in clock_events if schedule.local_date(e.at) == day]
    ins = [e.at for e in todays if e.direction is ClockDirection.IN]
    outs = [e.at for e in todays if e.direction is ClockDirection.OUT]
    first_in = min(ins) if ins else None
    last_out = max(outs) if outs else None
    if first_in is not None and last_out is not None and last_out <= first_in:
        last_out = None  # a clock-out before the clock-in is a stale punch, not a departure
    return first_in, last_out


def _absent_halves(
    windows: dict[HalfDay, tuple[datetime, datetime]],
    first_in: datetime | None,
    last_out: datetime | None,
    policy: AttendancePolicy,
) -> set[HalfDay]:
    expected = list(windows)
    if first_in is None and last_out is None:
        return set(expected)
    absent = {
        half
        for half, (start, end) in windows.items()
        if (first_in is not None and first_in >= end)
        or (last_out is not None and last_out <= start)
    }
    present = [h for h in expected if h not in absent]
    if policy.missing_punch is MissingPunch.HALF_DAY_ABSENCE and present:
        if first_in is None:
            absent.add(present[0])
        if last_out is None:
            absent.add(present[-1])
    return absent


def _verdict(
    expected: int, absent: int, late: int | None, early: int | None, policy: AttendancePolicy
) -> tuple[DayStatus, tuple[DayIncident, ...]]:
    limit = policy.lateness_limit_minutes
    over_limit = (late or 0) > limit or (early or 0) > limit
    if absent:
        if expected == len(HalfDay) and (absent == expected or over_limit):
            return DayStatus.FULL_DAY_ABSENCE, (DayIncident(IncidentKind.ABSENT_FULL_DAY),)
        return DayStatus.HALF_DAY_ABSENCE, (DayIncident(IncidentKind.ABSENT_HALF_DAY),)
    incidents = []
    if late:
        incidents.append(DayIncident(IncidentKind.LATE, late))
    if early:
        incidents.append(DayIncident(IncidentKind.EARLY_LEAVE, early))
    if over_limit:
        status = DayStatus.HALF_DAY_ABSENCE
    elif late and early:
        status = DayStatus.LATE_AND_EARLY
    elif late:
        status = DayStatus.LATE
    elif early:
        status = DayStatus.EARLY
    else:
        status = DayStatus.ON_TIME
    return status, tuple(incidents)


def classify_day(
    day: date,
    *,
    clock_events: Iterable[ClockEvent],
    leave: LeaveCoverage,
    employed: bool,
    schedule: WorkSchedule,
    policy: AttendancePolicy = DEFAULT_ATTENDANCE_POLICY,
) -> DayAttendance:
    """Judge `day`; `clock_events` may include other days' events (they are ignored)."""
    if not schedule.is_working_day(day):
        return DayAttendance(day, DayStatus.NON_WORKING_DAY)
    if not employed:
        return DayAttendance(day, DayStatus.NOT_EMPLOYED)
    expected = [h for h in HalfDay if h not in leave.approved]
    if not expected:
        return DayAttendance(day, DayStatus.ON_LEAVE)
    first_in, last_out = _presence(day, clock_events, schedule)
    windows = {h: schedule.half_window(day, h) for h in expected}
    absent = _absent_halves(windows, first_in, last_out, policy)
    present = [h for h in expected if h not in absent]
    late = early = None
    if present and first_in is not None:
        late = _whole_minutes(first_in - windows[present[0]][0], policy)
    if present and last_out is not None:
        early = _whole_minutes(windows[present[-1]][1] - last_out, policy)
    status, incidents = _verdict(len(expected), len(absent), late, early, policy)
    return DayAttendance(
        day=day,
        status=status,
        incidents=incidents,
        expected_halves=frozenset(expected),
        late_minutes=late,
        early_minutes=early,
        pending_leave=bool(leave.pending.intersection(expected)),
    )
