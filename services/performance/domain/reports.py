"""Pure aggregations for reports: department ranking, KPI trend, commission by group.

Ranking uses competition ranking (1, 1, 3): equal values share a rank, listed by employee code,
so the same data always gives the same report. Entries without a value are left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from services.common.errors import InvalidArgument
from services.common.money import Money, total
from services.performance.domain.commission_tables import CommissionGroup
from services.performance.domain.kpi_scoring import Kpi
from services.performance.domain.period import YearMonth


class RankBy(Enum):
    TOTAL_SCORE = "TOTAL_SCORE"
    SALES = "SALES"


@dataclass(frozen=True)
class RankingEntry:
    employee_code: str
    department: str
    total_score: Decimal | None = None
    sales_minor: int | None = None

    def value(self, by: RankBy) -> Decimal | None:
        raw = self.total_score if by is RankBy.TOTAL_SCORE else self.sales_minor
        return None if raw is None else Decimal(raw)


@dataclass(frozen=True)
class RankedEntry:
    rank: int
    entry: RankingEntry
    value: Decimal


def department_ranking(entries: Iterable[RankingEntry], by: RankBy) -> dict[str, list[RankedEntry]]:
    """Rank employees within each department, best first."""
    departments: dict[str, list[tuple[Decimal, RankingEntry]]] = {}
    for entry in entries:
        value = entry.value(by)
        if value is not None:
            departments.setdefault(entry.department, []).append((value, entry))
    result: dict[str, list[RankedEntry]] = {}
    for department in sorted(departments):
        ordered = sorted(departments[department], key=lambda p: (-p[0], p[1].employee_code))
        ranked: list[RankedEntry] = []
        for position, (value, entry) in enumerate(ordered, start=1):
            rank = ranked[-1].rank if ranked and ranked[-1].value == value else position
            ranked.append(RankedEntry(rank, entry, value))
        result[department] = ranked
    return result


@dataclass(frozen=True)
class KpiObservation:
    employee_code: str
    month: YearMonth
    kpi: Kpi
    value: Decimal | None


@dataclass(frozen=True)
class TrendPoint:
    month: YearMonth
    value: Decimal | None
    change: Decimal | None  # against the calendar month before, when both are known


def kpi_trend(
    observations: Iterable[KpiObservation], employee_code: str, kpi: Kpi
) -> list[TrendPoint]:
    """One employee's values of one KPI by month, with the change from the month before."""
    by_month: dict[YearMonth, Decimal | None] = {}
    for observation in observations:
        if observation.employee_code != employee_code or observation.kpi is not kpi:
            continue
        if observation.month in by_month:
            raise InvalidArgument.for_field(
                "observations",
                f"two values of {kpi.value} for {employee_code} in {observation.month}",
                reason="DUPLICATE_KPI_OBSERVATION",
            )
        by_month[observation.month] = observation.value
    points: list[TrendPoint] = []
    for month in sorted(by_month):
        value = by_month[month]
        before = by_month.get(month.previous())
        change = value - before if value is not None and before is not None else None
        points.append(TrendPoint(month, value, change))
    return points


@dataclass(frozen=True)
class CommissionRecord:
    group: CommissionGroup
    month: YearMonth
    employee_code: str
    amount: Money


@dataclass(frozen=True)
class GroupTotal:
    group: CommissionGroup
    total: Money
    members: tuple[str, ...]


def commission_by_group(
    records: Iterable[CommissionRecord], month: YearMonth, currency: str
) -> dict[CommissionGroup, GroupTotal]:
    """Commission paid per group in `month`, in the groups' declared order."""
    grouped: dict[CommissionGroup, list[CommissionRecord]] = {}
    for record in records:
        if record.month == month:
            grouped.setdefault(record.group, []).append(record)
    return {
        group: GroupTotal(
            group,
            total((r.amount for r in grouped[group]), currency),
            tuple(sorted({r.employee_code for r in grouped[group]})),
        )
        for group in CommissionGroup
        if group in grouped
    }
