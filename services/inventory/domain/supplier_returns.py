"""Supplier returns (次品退厂): defective incoming goods going back to the supplier.

Seed 003 篇2 6.(2): "全部次品退货由收货人员,统一集中退回给相应的供给商,开次品退厂单…(生产厂家送货的,
做到一日一清,选购的零星货物做到一星期一退)" — factory deliveries are cleared daily, sundry purchases
weekly. 附1 1.(1): defectives are isolated and labelled to wait for the supplier; "对当月不能准时
清退的厂家,库管应报出清单给选购部及财务部" — what cannot be cleared within the month is listed for
purchasing and finance.

Settings chosen (``ClearingPolicy``):
- ``factory_days = 1``: a return listed on day D is due by D + 1 — the daily clearing (一日一清)
  of the day's defectives, at the latest the next day since a return listed late in the day
  cannot leave that day.
- ``sundry_days = 7``: one week (一星期一退).
- The monthly list holds every return still pending at the end of the month (listed on or before
  the last day, not cleared by then), grouped by supplier, each marked overdue or not.
- A return whose goods were never booked in (a delivery rejected whole at QC) has no warehouse:
  clearing it writes no ledger movement.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum

from services.common.errors import InvalidArgument
from services.inventory.domain.ledger import Movement, MovementKind
from services.inventory.domain.validation import (
    validate_id,
    validate_non_negative_quantity,
    validate_positive_quantity,
    validate_sku_code,
    validate_text,
    validate_warehouse_code,
)


class SupplierKind(StrEnum):
    """FACTORY: the producer delivers (生产厂家送货); SUNDRY: small purchases (零星货物)."""

    FACTORY = "FACTORY"
    SUNDRY = "SUNDRY"


@dataclass(frozen=True)
class ClearingPolicy:
    """Days from listing to the clearing due date, per supplier kind."""

    factory_days: int = 1
    sundry_days: int = 7

    def __post_init__(self) -> None:
        validate_non_negative_quantity(self.factory_days, "factory_days")
        validate_non_negative_quantity(self.sundry_days, "sundry_days")


DEFAULT_CLEARING_POLICY = ClearingPolicy()


def clearing_due_date(
    kind: SupplierKind, listed_on: date, policy: ClearingPolicy = DEFAULT_CLEARING_POLICY
) -> date:
    """The day by which a return listed on `listed_on` must have gone back."""
    days = policy.factory_days if kind is SupplierKind.FACTORY else policy.sundry_days
    return listed_on + timedelta(days=days)


@dataclass(frozen=True)
class SupplierReturn:
    """Defective units of one SKU waiting to go back to `supplier`."""

    return_id: str
    supplier: str
    supplier_kind: SupplierKind
    sku_code: str
    quantity: int
    listed_on: date
    reason: str
    warehouse_code: str | None
    cleared_on: date | None = None

    def __post_init__(self) -> None:
        validate_id(self.return_id, "return_id")
        validate_text(self.supplier, "supplier")
        validate_sku_code(self.sku_code)
        validate_positive_quantity(self.quantity)
        validate_text(self.reason, "reason")
        if self.warehouse_code is not None:
            validate_warehouse_code(self.warehouse_code)

    def due_on(self, policy: ClearingPolicy = DEFAULT_CLEARING_POLICY) -> date:
        """Clearing due date."""
        return clearing_due_date(self.supplier_kind, self.listed_on, policy)

    def is_pending(self, on: date) -> bool:
        """Listed by `on` and not cleared by the end of that day."""
        return self.listed_on <= on and (self.cleared_on is None or self.cleared_on > on)

    def is_overdue(self, today: date, policy: ClearingPolicy = DEFAULT_CLEARING_POLICY) -> bool:
        """Still pending after its due date."""
        return self.is_pending(today) and today > self.due_on(policy)

    def clear(self, today: date) -> tuple[SupplierReturn, tuple[Movement, ...]]:
        """The goods went back today; a second clear is a no-op with no movement."""
        if self.cleared_on is not None:
            return self, ()
        if today < self.listed_on:
            raise InvalidArgument.for_field(
                "today", f"cannot be before the listing date {self.listed_on}"
            )
        moves: tuple[Movement, ...] = ()
        if self.warehouse_code is not None:
            moves = (
                Movement(
                    MovementKind.SUPPLIER_RETURN, self.sku_code, self.warehouse_code, self.quantity
                ),
            )
        return replace(self, cleared_on=today), moves


def overdue_returns(
    returns: Iterable[SupplierReturn],
    today: date,
    policy: ClearingPolicy = DEFAULT_CLEARING_POLICY,
) -> tuple[SupplierReturn, ...]:
    """Returns past their clearing date, oldest due date first."""
    late = [r for r in returns if r.is_overdue(today, policy)]
    return tuple(sorted(late, key=lambda r: (r.due_on(policy), r.return_id)))


@dataclass(frozen=True)
class PendingLine:
    """A return pending at month end, and whether it was already overdue then."""

    supplier_return: SupplierReturn
    overdue: bool


@dataclass(frozen=True)
class SupplierPending:
    """Everything one supplier still has to take back."""

    supplier: str
    supplier_kind: SupplierKind
    lines: tuple[PendingLine, ...]

    @property
    def units(self) -> int:
        """Total units pending for this supplier."""
        return sum(line.supplier_return.quantity for line in self.lines)


@dataclass(frozen=True)
class MonthlyPendingReport:
    """The month-end list for purchasing and finance."""

    year: int
    month: int
    as_of: date
    suppliers: tuple[SupplierPending, ...]


def monthly_pending_report(
    returns: Iterable[SupplierReturn],
    year: int,
    month: int,
    policy: ClearingPolicy = DEFAULT_CLEARING_POLICY,
) -> MonthlyPendingReport:
    """Returns pending at the end of `month`, grouped by supplier (sorted by name)."""
    if not 1 <= month <= 12:
        raise InvalidArgument.for_field("month", "must be 1–12")
    as_of = date(year, month, calendar.monthrange(year, month)[1])
    grouped: dict[tuple[str, SupplierKind], list[PendingLine]] = {}
    for r in returns:
        if r.is_pending(as_of):
            line = PendingLine(r, overdue=r.is_overdue(as_of, policy))
            grouped.setdefault((r.supplier, r.supplier_kind), []).append(line)
    suppliers = tuple(
        SupplierPending(supplier, kind, tuple(sorted(lines, key=_listing_order)))
        for (supplier, kind), lines in sorted(grouped.items())
    )
    return MonthlyPendingReport(year, month, as_of, suppliers)


def _listing_order(line: PendingLine) -> tuple[date, str]:
    return (line.supplier_return.listed_on, line.supplier_return.return_id)
