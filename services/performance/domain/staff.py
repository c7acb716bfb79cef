"""Employees as the performance rules see them: role, commission group, employment.

The people service owns positions; this module maps a position code to the appraisal `Role`
(KPI set and pay level) and the commission group of seed 003 篇1 (三). The default mapping
(`DEFAULT_POSITION_ASSIGNMENTS`, a setting) follows seed 003's department: the supervisor
(部门主管 = ops_supervisor) is paid from the SUPERVISOR table, promoters from PROMOTION, customer
service (specialist and supervisor) from CUSTOMER_SERVICE. Operations specialists, managers and
data analysts are appraised with their KPI sets but earn no seed-003 commission. Positions without
an entry (warehouse, HR, finance…) are outside these pay rules: no statement is computed for them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from services.common.errors import InvalidArgument
from services.common.money import Money
from services.performance.domain.commission_conditions import Employment, LeavingRules
from services.performance.domain.commission_conditions import collection_cutoff as _cutoff
from services.performance.domain.commission_tables import CommissionGroup
from services.performance.domain.period import YearMonth
from services.performance.domain.roles import Role


@dataclass(frozen=True)
class StaffAssignment:
    """The role and (optional) commission group of a position."""

    role: Role
    group: CommissionGroup | None = None


DEFAULT_POSITION_ASSIGNMENTS: Mapping[str, StaffAssignment] = MappingProxyType(
    {
        "ops_supervisor": StaffAssignment(Role.SUPERVISOR, CommissionGroup.SUPERVISOR),
        "promotion_specialist": StaffAssignment(Role.PROMOTION, CommissionGroup.PROMOTION),
        "cs_specialist": StaffAssignment(Role.CUSTOMER_SERVICE, CommissionGroup.CUSTOMER_SERVICE),
        "cs_supervisor": StaffAssignment(Role.CUSTOMER_SERVICE, CommissionGroup.CUSTOMER_SERVICE),
        "ops_specialist": StaffAssignment(Role.OPERATIONS_SPECIALIST),
        "ops_manager": StaffAssignment(Role.MANAGER),
        "data_analyst": StaffAssignment(Role.DATA_ANALYST),
    }
)


def parse_position_assignments(text: str) -> Mapping[str, StaffAssignment]:
    """`position=ROLE[:GROUP],…`, e.g. `ops_supervisor=SUPERVISOR:SUPERVISOR,data_analyst=
    DATA_ANALYST`; an empty text gives the defaults."""
    if not text.strip():
        return DEFAULT_POSITION_ASSIGNMENTS
    result: dict[str, StaffAssignment] = {}
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        position, _, spec = item.partition("=")
        role_name, _, group_name = spec.partition(":")
        try:
            role = Role[role_name.strip()]
            group = CommissionGroup[group_name.strip()] if group_name.strip() else None
        except KeyError as exc:
            raise InvalidArgument.for_field(
                "position_assignments",
                f"unknown role or group in {item!r}",
                reason="INVALID_POSITION_ASSIGNMENT",
            ) from exc
        if not position.strip():
            raise InvalidArgument.for_field(
                "position_assignments",
                f"no position in {item!r}",
                reason="INVALID_POSITION_ASSIGNMENT",
            )
        result[position.strip()] = StaffAssignment(role, group)
    return MappingProxyType(result)


@dataclass(frozen=True)
class EmployeeRecord:
    """An employee as last described by the people feed."""

    code: str
    name: str
    department_code: str
    position_code: str
    supervisor_code: str | None
    hire_date: date
    leave_date: date | None = None
    base_salary: Money | None = None

    def employment(self) -> Employment:
        return Employment(self.code, self.hire_date, self.leave_date)

    def employed_during(self, month: YearMonth) -> bool:
        """Employed on at least one day of `month`."""
        started = self.hire_date <= month.last_day()
        still_there = self.leave_date is None or self.leave_date >= month.first_day()
        return started and still_there

    def collects_during(self, month: YearMonth, rules: LeavingRules) -> bool:
        """Employed during `month`, or left earlier with payments still counting in it
        (the 15-day grace after a first year, seed 003 篇1 (四)4)."""
        if self.employed_during(month):
            return True
        if self.leave_date is None or self.leave_date >= month.first_day():
            return False
        cutoff = _cutoff(self.employment(), rules)
        return cutoff is not None and cutoff >= month.first_day()


def assignment_of(
    record: EmployeeRecord, assignments: Mapping[str, StaffAssignment]
) -> StaffAssignment | None:
    return assignments.get(record.position_code)
