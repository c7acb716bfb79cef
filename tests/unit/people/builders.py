"""Small builders shared by the people domain tests."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from services.common.money import Money
from services.people.domain.employees import Contact, Employee

SHANGHAI = ZoneInfo("Asia/Shanghai")


def cny(yuan: int) -> Money:
    return Money(yuan * 100, "CNY")


def at(day: date, hhmmss: str) -> datetime:
    """`at(date(2025, 3, 3), "09:00:59")` in Shanghai time."""
    return datetime.combine(day, time.fromisoformat(hhmmss), tzinfo=SHANGHAI)


def employee(
    code: str = "E1001",
    *,
    name: str = "Zhang Wei",
    supervisor_code: str | None = None,
    hire_date: date = date(2024, 1, 2),
    position_code: str = "ops_specialist",
    department_code: str = "operations",
) -> Employee:
    return Employee.hire(
        code=code,
        name=name,
        department_code=department_code,
        position_code=position_code,
        hire_date=hire_date,
        base_salary=cny(2000),
        contact=Contact(email="zhang.wei@example.com", phone="13800138000"),
        supervisor_code=supervisor_code,
    )
