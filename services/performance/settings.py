"""Performance settings from the environment (`STOREOPS_PERFORMANCE_<NAME>` or `STOREOPS_<NAME>`),
read once at start. Every default is documented in docs/commission.md."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from decimal import Decimal
from enum import Enum
from typing import TypeVar
from zoneinfo import ZoneInfo

from services.common.config import Settings, SettingsError
from services.performance.domain.appraisal import AppraisalCalendar
from services.performance.domain.attendance import AttendanceSettings
from services.performance.domain.commission_conditions import LeavingRules
from services.performance.domain.commission_tables import GapPolicy
from services.performance.domain.payroll_builder import PayrollSettings
from services.performance.domain.payroll_month import BaseScope, PayrollPolicy
from services.performance.domain.performance_pay import PaySettings
from services.performance.domain.seed_tables import DEFAULT_GAP_POLICY
from services.performance.domain.staff import parse_position_assignments


@dataclass(frozen=True)
class PerformanceSettings:
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))
    policy: PayrollPolicy = field(default_factory=PayrollPolicy)
    gap_policy: GapPolicy = DEFAULT_GAP_POLICY
    ship_cutoff: time = time(17, 0)
    consume_feeds: bool = True
    feed_page_size: int = 200
    feed_idle_seconds: float = 1.0
    # Monthly appraisals are scored from `open_day` to `close_day` of the next month.
    appraisal_calendar: AppraisalCalendar = field(default_factory=AppraisalCalendar)


E = TypeVar("E", bound=Enum)


def _enum(kind: type[E], name: str, raw: str) -> E:
    try:
        return kind[raw]
    except KeyError as exc:
        raise SettingsError(
            f"STOREOPS_PERFORMANCE_{name}: {raw!r} is not one of {', '.join(kind.__members__)}"
        ) from exc


def load_performance_settings(settings: Settings) -> PerformanceSettings:
    option = settings.option
    try:
        tz = ZoneInfo(option("TIMEZONE", "Asia/Shanghai"))
        cutoff = time.fromisoformat(option("SHIP_CUTOFF", "17:00"))
        pay = PaySettings(
            currency=option("CURRENCY", "CNY"),
            supervisor_base_salary=int(option("SUPERVISOR_BASE_SALARY_MINOR", "350000")),
            team_member_base_salary=int(option("TEAM_MEMBER_BASE_SALARY_MINOR", "200000")),
            performance_pay=int(option("PERFORMANCE_PAY_MINOR", "50000")),
            bonus_full_at=Decimal(option("BONUS_FULL_AT", "1.20")),
            supervisor_needs_sales_lift=option("SUPERVISOR_NEEDS_SALES_LIFT", "true") == "true",
        )
        attendance = AttendanceSettings(
            working_days_per_month=Decimal(option("WORKING_DAYS_PER_MONTH", "21.75"))
        )
        leaving = LeavingRules(
            grace_days_after_first_year=int(option("LEAVING_GRACE_DAYS", "15")),
            count_leaving_day=option("COUNT_LEAVING_DAY", "true") == "true",
        )
        policy = PayrollPolicy(
            payroll=PayrollSettings(pay, attendance),
            leaving=leaving,
            assignments=parse_position_assignments(option("POSITION_ROLES", "")),
            base_scope=_enum(
                BaseScope, "COMMISSION_BASE_SCOPE", option("COMMISSION_BASE_SCOPE", "ALL_SHOPS")
            ),
            sales_department=option("SALES_DEPARTMENT", "operations"),
            sales_departments=frozenset(
                d.strip() for d in option("SALES_DEPARTMENTS", "").split(",") if d.strip()
            ),
        )
        return PerformanceSettings(
            timezone=tz,
            policy=policy,
            gap_policy=_enum(
                GapPolicy,
                "COMMISSION_GAP_POLICY",
                option("COMMISSION_GAP_POLICY", DEFAULT_GAP_POLICY.value),
            ),
            ship_cutoff=cutoff,
            consume_feeds=option("CONSUME_FEEDS", "true") == "true",
            feed_page_size=int(option("FEED_PAGE_SIZE", "200")),
            feed_idle_seconds=float(option("FEED_IDLE_SECONDS", "1.0")),
            appraisal_calendar=AppraisalCalendar(
                open_day=int(option("APPRAISAL_OPEN_DAY", "1")),
                close_day=int(option("APPRAISAL_CLOSE_DAY", "10")),
            ),
        )
    except SettingsError:
        raise
    except Exception as exc:  # a malformed number, zone or time: name it and stop
        raise SettingsError(f"performance settings: {exc}") from exc
