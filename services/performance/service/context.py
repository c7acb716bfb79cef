"""What every use case needs: the database, the settings, the clock, and who is calling."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from services.common.clock import utc_now
from services.performance.db.unit_of_work import PerformanceDatabase
from services.performance.settings import PerformanceSettings

Clock = Callable[[], datetime]


@dataclass
class Deps:
    db: PerformanceDatabase
    settings: PerformanceSettings = field(default_factory=PerformanceSettings)
    clock: Clock = utc_now

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        return self.clock().astimezone(self.settings.timezone).date()
