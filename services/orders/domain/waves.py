"""Shipping waves (发货批次): which cut-off an order ships by, and whether it made it.

Seed 003 篇3 4.1 3.2: on a normal selling day the first batch is marked shipped by 10:30, the second
by 12:00, the third by 14:30, the fourth by 16:30 and the fifth by 17:30. 篇3 2.2: orders in before
17:00 are reviewed, printed and shipped the same day. Times are local to the warehouse
(`WavePolicy.timezone`, default Asia/Shanghai).

Readings and settings (`WavePolicy`):
* An order belongs to the first wave whose cut-off is strictly later than the order's reference time
  plus `lead_time` (default 0): an order in at exactly 10:30:00 cannot be marked shipped "by 10:30",
  so it goes to the 12:00 wave.
* The same-day cut-off is strict too: 16:59:59 ships today (17:30 wave), 17:00:00 ships on the next
  working day's first wave.
* The reference time is when the order became printable — paid and stock-confirmed, whichever came
  later (`Order.wave_reference_time`).
* `working_days` (default every day: online shops ship seven days a week) and
  `non_working_dates` (holidays, default none). An order that arrives on a non-working day goes to
  the first wave of the next working day.
* On time = shipped at or before the wave's cut-off instant (inclusive: 10:30:00.000 is on time).
  An order whose cut-off passed while it was still in the warehouse is late; before the cut-off
  its outcome is not known yet (`wave_outcome`).
* A wave is named `<local date>.<number>` (`wave_id`), e.g. "2024-05-06.2". `wave_window` gives
  the reference times that `assign_wave` maps to a wave, so a database can find a wave's orders
  with one range condition.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from zoneinfo import ZoneInfo

from services.common.errors import InvalidArgument, NotFound
from services.orders.domain.inputs import require_aware

DEFAULT_TIMEZONE = "Asia/Shanghai"
DEFAULT_CUTOFFS = (time(10, 30), time(12, 0), time(14, 30), time(16, 30), time(17, 30))
ALL_WEEKDAYS = frozenset(range(7))  # Monday = 0


@dataclass(frozen=True)
class WavePolicy:
    """The warehouse's wave timetable (see module docstring)."""

    cutoffs: tuple[time, ...] = DEFAULT_CUTOFFS
    same_day_cutoff: time = time(17, 0)
    timezone: tzinfo = field(default_factory=lambda: ZoneInfo(DEFAULT_TIMEZONE))
    working_days: frozenset[int] = ALL_WEEKDAYS
    non_working_dates: frozenset[date] = frozenset()
    lead_time: timedelta = timedelta(0)

    def __post_init__(self) -> None:
        if not self.cutoffs:
            raise ValueError("a wave timetable needs at least one cut-off")
        if list(self.cutoffs) != sorted(set(self.cutoffs)):
            raise ValueError("wave cut-offs must be strictly increasing")
        if not self.working_days or not self.working_days <= ALL_WEEKDAYS:
            raise ValueError("working_days must be a non-empty set of weekdays 0 (Mon)–6 (Sun)")
        if self.lead_time < timedelta(0):
            raise ValueError("lead_time must not be negative")

    def is_working_day(self, day: date) -> bool:
        """True when the warehouse ships on `day`."""
        return day.weekday() in self.working_days and day not in self.non_working_dates


@dataclass(frozen=True, slots=True, order=True)
class Wave:
    """One wave: its local date, its number that day (1-based) and its cut-off instant."""

    day: date
    number: int
    cutoff: time
    deadline: datetime  # aware; the cut-off on `day` in the policy's timezone

    @property
    def wave_id(self) -> str:
        """E.g. "2024-05-01.2": the local date and the wave's number that day."""
        return f"{self.day.isoformat()}.{self.number}"

    @property
    def label(self) -> str:
        """E.g. "2024-05-01 wave 2 (12:00)"."""
        return f"{self.day.isoformat()} wave {self.number} ({self.cutoff.strftime('%H:%M')})"


def waves_of_day(day: date, policy: WavePolicy | None = None) -> tuple[Wave, ...]:
    """The day's waves in order; none on a non-working day."""
    policy = policy or WavePolicy()
    if not policy.is_working_day(day):
        return ()
    return tuple(
        Wave(day, number, cutoff, datetime.combine(day, cutoff, tzinfo=policy.timezone))
        for number, cutoff in enumerate(policy.cutoffs, start=1)
    )


def next_working_day(day: date, policy: WavePolicy | None = None) -> date:
    """The first working day after `day`."""
    policy = policy or WavePolicy()
    candidate = day + timedelta(days=1)
    # Bounded: a policy with at least one weekday finds one within a week plus the holidays.
    for _ in range(7 + len(policy.non_working_dates) + 1):
        if policy.is_working_day(candidate):
            return candidate
        candidate += timedelta(days=1)
    raise ValueError("no working day found: check working_days and non_working_dates")


def previous_working_day(day: date, policy: WavePolicy | None = None) -> date:
    """The last working day before `day`."""
    policy = policy or WavePolicy()
    candidate = day - timedelta(days=1)
    for _ in range(7 + len(policy.non_working_dates) + 1):
        if policy.is_working_day(candidate):
            return candidate
        candidate -= timedelta(days=1)
    raise ValueError("no working day found: check working_days and non_working_dates")


def parse_wave_id(wave_id: str, policy: WavePolicy | None = None) -> Wave:
    """The wave named `wave_id`; InvalidArgument if malformed, NotFound if there is no such wave."""
    policy = policy or WavePolicy()
    day_text, _, number_text = wave_id.partition(".")
    try:
        day = date.fromisoformat(day_text)
        number = int(number_text)
    except ValueError:
        raise InvalidArgument.for_field(
            "wave_id", "must be <YYYY-MM-DD>.<number>, e.g. 2024-05-06.2"
        ) from None
    waves = waves_of_day(day, policy)
    if not 1 <= number <= len(waves):
        raise NotFound(
            f"there is no wave {wave_id}: {day_text} has {len(waves)} wave(s)",
            reason="WAVE_NOT_FOUND",
            metadata={"wave_id": wave_id},
        )
    return waves[number - 1]


def wave_window(wave: Wave, policy: WavePolicy | None = None) -> tuple[datetime, datetime]:
    """The half-open range [start, end) of reference times that `assign_wave` maps to `wave`.

    Wave n > 1 takes that day's references from the previous cut-off (less the lead time) up to
    its own, but none at or after the same-day cut-off. Wave 1 also takes everything that did not
    fit the previous working day: from the earlier of that day's same-day cut-off and its last
    cut-off (less the lead time), through any non-working days in between. An empty window has
    start == end.
    """
    policy = policy or WavePolicy()
    tz, lead = policy.timezone, policy.lead_time
    day_start = datetime.combine(wave.day, time(0), tzinfo=tz)
    same_day_end = datetime.combine(wave.day, policy.same_day_cutoff, tzinfo=tz)
    end = max(day_start, min(same_day_end, wave.deadline - lead))
    if wave.number == 1:
        before = previous_working_day(wave.day, policy)
        start = min(
            datetime.combine(before, policy.same_day_cutoff, tzinfo=tz),
            datetime.combine(before, policy.cutoffs[-1], tzinfo=tz) - lead,
        )
        return start, end
    previous = waves_of_day(wave.day, policy)[wave.number - 2]
    start = max(day_start, previous.deadline - lead)
    return start, max(start, end)


def assign_wave(reference_time: datetime, policy: WavePolicy | None = None) -> Wave:
    """The wave an order printable at `reference_time` must ship by."""
    policy = policy or WavePolicy()
    local = require_aware(reference_time, "reference_time").astimezone(policy.timezone)
    ready = local + policy.lead_time
    if policy.is_working_day(local.date()) and local.time() < policy.same_day_cutoff:
        for wave in waves_of_day(local.date(), policy):
            if ready < wave.deadline:
                return wave
    return waves_of_day(next_working_day(local.date(), policy), policy)[0]


def shipped_on_time(wave: Wave, shipped_at: datetime) -> bool:
    """True when the parcel left at or before its wave's cut-off."""
    return require_aware(shipped_at, "shipped_at") <= wave.deadline


def wave_outcome(wave: Wave, shipped_at: datetime | None, now: datetime) -> bool | None:
    """On time (True), late (False), or not known yet (None: in the warehouse, cut-off ahead)."""
    if shipped_at is not None:
        return shipped_on_time(wave, shipped_at)
    if require_aware(now) > wave.deadline:
        return False
    return None


def on_time_rate(outcomes: Iterable[bool]) -> Decimal | None:
    """Share of orders shipped on time (订单处理及时率, seed 000), None when there are none."""
    values = list(outcomes)
    if not values:
        return None
    return Decimal(sum(values)) / Decimal(len(values))
