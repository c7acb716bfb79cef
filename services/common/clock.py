"""The wall clock: the only place a service reads the time of day.

Use cases take a clock as a dependency (this function by default) and pass `now` into the domain,
so tests run on a clock of their own.
"""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    """The current time, in UTC."""
    return datetime.now(UTC)
