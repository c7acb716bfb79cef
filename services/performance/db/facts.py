"""Reading the facts: rows → domain values for a month's payroll, KPIs and reports."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from services.common.money import Money
from services.performance.db import tables as t
from services.performance.domain.attendance import AttendanceFact, AttendanceKind
from services.performance.domain.commission_conditions import OrderPayment, ReturnRefund
from services.performance.domain.payroll_month import SalePayment, SaleRefund
from services.performance.domain.period import YearMonth
from services.performance.domain.staff import EmployeeRecord


@dataclass(frozen=True)
class OrderActivity:
    """Counts about one employee's orders in a month (for KPIs)."""

    units: int = 0
    shipments: int = 0
    shipped_on_time: int = 0
    reviews: int = 0
    positive_reviews: int = 0
    after_sales_cases: int = 0
    after_sales_resolved: int = 0
    complaints: int = 0
    complaints_resolved: int = 0


@dataclass(frozen=True)
class DailySalesRow:
    day: date
    employee_code: str
    shop: str
    orders: int
    ordered: int
    collected: int
    refunded: int
    units: int
    currency: str


class FactReader:
    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    async def employees(self, as_of: date) -> dict[str, EmployeeRecord]:
        """Every employee's state on `as_of` (the last snapshot in force then, else the first)."""
        employment = {
            row.employee_code: row for row in await self._c.execute(sa.select(t.employment_facts))
        }
        snaps = t.employee_snapshots
        rows = await self._c.execute(
            sa.select(snaps).order_by(
                snaps.c.employee_code, snaps.c.effective_on, snaps.c.recorded_at, snaps.c.source
            )
        )
        chosen: dict[str, sa.Row[tuple[object, ...]]] = {}
        for row in rows:
            if row.employee_code not in chosen or row.effective_on <= as_of:
                chosen[row.employee_code] = row
        result: dict[str, EmployeeRecord] = {}
        for code, row in chosen.items():
            dates = employment.get(code)
            if dates is None:
                continue
            salary = (
                Money(row.base_salary_minor, row.base_salary_currency)
                if row.base_salary_minor is not None
                else None
            )
            result[code] = EmployeeRecord(
                code=code,
                name=row.name,
                department_code=row.department_code,
                position_code=row.position_code,
                supervisor_code=row.supervisor_code,
                hire_date=dates.hire_date,
                leave_date=dates.leave_date,
                base_salary=salary,
            )
        return result

    async def payments(self, first: date, last: date) -> tuple[SalePayment, ...]:
        """Payments collected between `first` and `last` (inclusive) with their orders."""
        p, o = t.payment_facts, t.order_facts
        rows = await self._c.execute(
            sa.select(p, o.c.shop, o.c.handled_by, o.c.placed_on)
            .join(o, o.c.order_id == p.c.order_id)
            .where(p.c.collected_on.between(first, last))
            .order_by(p.c.collected_on, p.c.payment_key)
        )
        return tuple(
            SalePayment(
                OrderPayment(
                    order_id=r.order_id,
                    shop=r.shop,
                    amount=Money(r.amount_minor, r.amount_currency),
                    ordered_on=r.placed_on,
                    collected_on=r.collected_on,
                ),
                r.handled_by,
            )
            for r in rows
        )

    async def refunds(self, first: date, last: date) -> tuple[SaleRefund, ...]:
        r_, o = t.refund_facts, t.order_facts
        rows = await self._c.execute(
            sa.select(r_, o.c.handled_by)
            .join(o, o.c.order_id == r_.c.order_id, isouter=True)
            .where(r_.c.refunded_on.between(first, last))
            .order_by(r_.c.refunded_on, r_.c.refund_key)
        )
        return tuple(
            SaleRefund(
                ReturnRefund(
                    order_id=r.order_id,
                    amount=Money(r.amount_minor, r.amount_currency),
                    refunded_on=r.refunded_on,
                ),
                r.handled_by or "",
            )
            for r in rows
        )

    async def attendance(
        self, month: YearMonth, codes: Iterable[str] | None = None
    ) -> dict[str, tuple[AttendanceFact, ...]]:
        a = t.attendance_facts
        query = (
            sa.select(a)
            .where(a.c.month == str(month))
            .order_by(a.c.employee_code, a.c.day, a.c.kind)
        )
        if codes is not None:
            query = query.where(a.c.employee_code.in_(list(codes)))
        result: dict[str, list[AttendanceFact]] = defaultdict(list)
        for row in await self._c.execute(query):
            result[row.employee_code].append(
                AttendanceFact(row.day, AttendanceKind(row.kind), row.minutes)
            )
        return {code: tuple(facts) for code, facts in result.items()}

    async def order_activity(self, month: YearMonth, employee_code: str) -> OrderActivity:
        o = t.order_facts
        first, last = month.first_day(), month.last_day()
        mine = o.c.handled_by == employee_code
        units = (
            await self._c.execute(
                sa.select(sa.func.coalesce(sa.func.sum(o.c.units), 0)).where(
                    mine, o.c.placed_on.between(first, last), o.c.cancelled_at.is_(None)
                )
            )
        ).scalar_one()
        on_time = sa.func.coalesce(o.c.on_time, o.c.shipped_at <= o.c.ship_due_at)
        shipped = (
            await self._c.execute(
                sa.select(sa.func.count(), sa.func.count().filter(on_time)).where(
                    mine, o.c.shipped_on.between(first, last)
                )
            )
        ).one()
        rv = t.review_facts
        reviews = (
            await self._c.execute(
                sa.select(sa.func.count(), sa.func.count().filter(rv.c.positive))
                .join(o, o.c.order_id == rv.c.order_id)
                .where(mine, rv.c.reviewed_on.between(first, last))
            )
        ).one()
        cases = t.after_sales_facts

        async def resolution(kind: str) -> tuple[int, int]:
            row = (
                await self._c.execute(
                    sa.select(
                        sa.func.count(), sa.func.count().filter(cases.c.resolved_on <= last)
                    ).where(
                        cases.c.handled_by == employee_code,
                        cases.c.kind == kind,
                        cases.c.opened_on.between(first, last),
                    )
                )
            ).one()
            return int(row[0]), int(row[1])

        returns, complaints = await resolution("AFTER_SALES"), await resolution("COMPLAINT")
        return OrderActivity(
            units=int(units),
            shipments=int(shipped[0]),
            shipped_on_time=int(shipped[1]),
            reviews=int(reviews[0]),
            positive_reviews=int(reviews[1]),
            after_sales_cases=returns[0],
            after_sales_resolved=returns[1],
            complaints=complaints[0],
            complaints_resolved=complaints[1],
        )

    async def units(self, month: YearMonth, employee_code: str) -> int:
        o = t.order_facts
        value = (
            await self._c.execute(
                sa.select(sa.func.coalesce(sa.func.sum(o.c.units), 0)).where(
                    o.c.handled_by == employee_code,
                    o.c.cancelled_at.is_(None),
                    o.c.placed_on.between(month.first_day(), month.last_day()),
                )
            )
        ).scalar_one()
        return int(value)

    async def stock_figures(self, month: YearMonth, currency: str) -> tuple[int, tuple[int, int]]:
        """(cost of goods issued in the month, (inventory value at start, at end))."""
        s = t.stock_facts
        same = s.c.value_delta_currency == currency
        cogs = (
            await self._c.execute(
                sa.select(sa.func.coalesce(sa.func.sum(s.c.cost_minor), 0)).where(
                    s.c.kind == "ISSUED",
                    s.c.cost_currency == currency,
                    s.c.occurred_on.between(month.first_day(), month.last_day()),
                )
            )
        ).scalar_one()
        total = sa.func.coalesce(sa.func.sum(s.c.value_delta_minor), 0)
        opening = (
            await self._c.execute(sa.select(total).where(same, s.c.occurred_on < month.first_day()))
        ).scalar_one()
        closing = (
            await self._c.execute(sa.select(total).where(same, s.c.occurred_on <= month.last_day()))
        ).scalar_one()
        return int(cogs), (int(opening), int(closing))

    async def has_stock_facts(self) -> bool:
        row = await self._c.execute(sa.select(t.stock_facts.c.source).limit(1))
        return row.first() is not None

    async def daily_sales(
        self,
        month: YearMonth,
        employee_code: str | None,
        after: tuple[str, str, str] | None,
        limit: int,
    ) -> list[DailySalesRow]:
        """Orders placed, payments collected and refunds per (day, employee, shop)."""
        o, p, r_ = t.order_facts, t.payment_facts, t.refund_facts
        first, last = month.first_day(), month.last_day()
        placed = (
            sa.select(
                o.c.placed_on.label("day"),
                o.c.handled_by,
                o.c.shop,
                sa.func.count().label("orders"),
                sa.func.sum(o.c.total_minor).label("ordered"),
                sa.literal(0).label("collected"),
                sa.literal(0).label("refunded"),
                sa.func.sum(sa.case((o.c.cancelled_at.is_(None), o.c.units), else_=0)).label(
                    "units"
                ),
                o.c.total_currency.label("currency"),
            )
            .where(o.c.placed_on.between(first, last))
            .group_by(o.c.placed_on, o.c.handled_by, o.c.shop, o.c.total_currency)
        )
        collected = (
            sa.select(
                p.c.collected_on,
                o.c.handled_by,
                o.c.shop,
                sa.literal(0),
                sa.literal(0),
                sa.func.sum(p.c.amount_minor),
                sa.literal(0),
                sa.literal(0),
                p.c.amount_currency,
            )
            .join(o, o.c.order_id == p.c.order_id)
            .where(p.c.collected_on.between(first, last))
            .group_by(p.c.collected_on, o.c.handled_by, o.c.shop, p.c.amount_currency)
        )
        refunded = (
            sa.select(
                r_.c.refunded_on,
                o.c.handled_by,
                o.c.shop,
                sa.literal(0),
                sa.literal(0),
                sa.literal(0),
                sa.func.sum(r_.c.amount_minor),
                sa.literal(0),
                r_.c.amount_currency,
            )
            .join(o, o.c.order_id == r_.c.order_id)
            .where(r_.c.refunded_on.between(first, last))
            .group_by(r_.c.refunded_on, o.c.handled_by, o.c.shop, r_.c.amount_currency)
        )
        union = sa.union_all(placed, collected, refunded).subquery()
        key = (sa.cast(union.c.day, sa.Text), union.c.handled_by, union.c.shop)
        query = (
            sa.select(
                union.c.day,
                union.c.handled_by,
                union.c.shop,
                sa.func.sum(union.c.orders),
                sa.func.sum(union.c.ordered),
                sa.func.sum(union.c.collected),
                sa.func.sum(union.c.refunded),
                sa.func.sum(union.c.units),
                sa.func.min(union.c.currency),
            )
            .group_by(union.c.day, union.c.handled_by, union.c.shop)
            .order_by(*key)
            .limit(limit)
        )
        if employee_code is not None:
            query = query.where(union.c.handled_by == employee_code)
        if after is not None:
            query = query.where(sa.tuple_(*key) > sa.tuple_(*after))
        rows = await self._c.execute(query)
        return [
            DailySalesRow(
                r[0], r[1], r[2], int(r[3]), int(r[4]), int(r[5]), int(r[6]), int(r[7]), r[8]
            )
            for r in rows
        ]
