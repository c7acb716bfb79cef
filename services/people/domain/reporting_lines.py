"""Reporting lines: who supervises whom (DOMAIN "People": the line matters for appraisal and for
who may see what).

`ReportingLines` maps employee code → supervisor code. It is immutable and acyclic: `assign`
refuses any change that would make someone their own (indirect) supervisor, naming the field
`supervisor_code` and the cycle. The line "upwards" is the chain of supervisors, nearest first.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from types import MappingProxyType

from services.common.errors import FailedPrecondition, InvalidArgument
from services.people.domain.employees import Employee


class ReportingLines:
    """Supervisor assignments; every instance is free of cycles."""

    __slots__ = ("_supervisor_of",)

    def __init__(self, supervisors: Mapping[str, str | None] | None = None) -> None:
        self._supervisor_of: dict[str, str] = {
            employee: supervisor
            for employee, supervisor in (supervisors or {}).items()
            if supervisor is not None
        }
        for employee in self._supervisor_of:
            self._walk_up(employee)  # stored data with a cycle is refused, not looped over

    def supervisor_of(self, employee_code: str) -> str | None:
        """The direct supervisor, or None."""
        return self._supervisor_of.get(employee_code)

    def as_mapping(self) -> Mapping[str, str]:
        """Read-only view: employee code → supervisor code."""
        return MappingProxyType(self._supervisor_of)

    def assign(
        self,
        employee_code: str,
        supervisor_code: str | None,
        *,
        field_path: str = "supervisor_code",
    ) -> ReportingLines:
        """Lines where `employee_code` reports to `supervisor_code` (None: to nobody)."""
        if supervisor_code is not None:
            chain = (supervisor_code, *self.chain_upwards(supervisor_code))
            if employee_code in chain:
                # The new edge closes a loop: employee → supervisor → … → employee.
                shown = " → ".join((employee_code, *chain[: chain.index(employee_code) + 1]))
                error = InvalidArgument.for_field(
                    field_path,
                    f"{employee_code} cannot report to {supervisor_code}: that would create "
                    f"the reporting cycle {shown}",
                    reason="REPORTING_CYCLE",
                )
                error.metadata["cycle"] = shown
                raise error
        updated = dict(self._supervisor_of)
        if supervisor_code is None:
            updated.pop(employee_code, None)
        else:
            updated[employee_code] = supervisor_code
        lines = ReportingLines.__new__(ReportingLines)
        lines._supervisor_of = updated
        return lines

    def chain_upwards(self, employee_code: str) -> tuple[str, ...]:
        """Supervisor, supervisor's supervisor, … up to the top (employee excluded)."""
        return self._walk_up(employee_code)

    def is_in_line_upwards(self, candidate_code: str, employee_code: str) -> bool:
        """True when `candidate_code` supervises `employee_code` directly or indirectly."""
        current = self._supervisor_of.get(employee_code)
        while current is not None:
            if current == candidate_code:
                return True
            current = self._supervisor_of.get(current)
        return False

    def direct_reports(self, supervisor_code: str) -> frozenset[str]:
        """Employees whose direct supervisor is `supervisor_code`."""
        return frozenset(e for e, s in self._supervisor_of.items() if s == supervisor_code)

    def all_reports(self, supervisor_code: str) -> frozenset[str]:
        """Everyone below `supervisor_code`, at any depth."""
        return frozenset(
            e for e in self._supervisor_of if self.is_in_line_upwards(supervisor_code, e)
        )

    def _walk_up(self, employee_code: str) -> tuple[str, ...]:
        chain: list[str] = []
        seen = {employee_code}
        current = self._supervisor_of.get(employee_code)
        while current is not None:
            if current in seen:
                raise FailedPrecondition(
                    f"stored reporting lines form a cycle through {current}; repair the data",
                    reason="REPORTING_CYCLE",
                )
            seen.add(current)
            chain.append(current)
            current = self._supervisor_of.get(current)
        return tuple(chain)


def check_supervisor_eligible(employee: Employee, supervisor: Employee, *, today: date) -> None:
    """A supervisor must be a different person employed today."""
    if supervisor.code == employee.code:
        raise InvalidArgument.for_field(
            "supervisor_code",
            f"{employee.code} cannot be their own supervisor (cycle {employee.code} → "
            f"{employee.code})",
            reason="REPORTING_CYCLE",
        )
    if not supervisor.is_employed_on(today):
        raise FailedPrecondition(
            f"{supervisor.code} is not an active employee and cannot supervise "
            f"{employee.code}; choose a current employee",
            reason="SUPERVISOR_NOT_ACTIVE",
        )
