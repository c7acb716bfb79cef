"""What every use case needs: the database, the settings, the clock, and who is calling."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from services.common.context import current_principal
from services.common.permissions import PermissionSet
from services.performance.db.unit_of_work import PerformanceDatabase
from services.performance.settings import PerformanceSettings

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Viewer:
    """The caller: an employee (code set) or a service account (code None)."""

    subject: str
    code: str | None
    permissions: PermissionSet

    def allows(self, permission: str) -> bool:
        return self.permissions.allows(permission)

    @classmethod
    def current(cls) -> Viewer:
        principal = current_principal()
        code = principal.subject if principal.kind == "employee" else None
        return cls(principal.subject, code, principal.permissions)


@dataclass
class Deps:
    db: PerformanceDatabase
    settings: PerformanceSettings = field(default_factory=PerformanceSettings)
    clock: Clock = system_clock

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        return self.clock().astimezone(self.settings.timezone).date()
