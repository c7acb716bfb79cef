"""Replenishment plans and the stock figures planning reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.common.money import quantize_half_up
from services.inventory.db import tables as t
from services.inventory.domain.replenishment import (
    PlanReason,
    PlanStatus,
    ReplenishmentLine,
    ReplenishmentPlan,
)

NOTHING_TO_ORDER = "NOTHING_TO_ORDER"
"""Status stored for a day whose plan has no line (the domain has no plan to decide then)."""


@dataclass(frozen=True)
class LineContext:
    """What the planner saw for a line's SKU."""

    key_product: bool
    available: int
    on_order: int


@dataclass(frozen=True)
class StoredPlan:
    """A day's plan (None when there was nothing to order), with who made it and each line's
    context."""

    plan_id: str
    plan_date: date
    status: str
    plan: ReplenishmentPlan | None
    context: dict[str, LineContext]
    created_by: str
    created_at: datetime


def decimal(value: Fraction | None, places: int) -> Decimal | None:
    """Round a Fraction half up to `places` decimals (for storage)."""
    return None if value is None else quantize_half_up(value, places)


class PlanRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    async def add(self, stored: StoredPlan) -> bool:
        """Insert the day's plan; False if that day already has one."""
        p = t.replenishment_plans.c
        result = await self._c.execute(
            insert(t.replenishment_plans)
            .values(
                plan_id=stored.plan_id,
                plan_date=stored.plan_date,
                status=stored.status,
                created_by=stored.created_by,
                created_at=stored.created_at,
            )
            .on_conflict_do_nothing()
            .returning(p.plan_id)
        )
        if result.first() is None:
            return False
        if stored.plan is not None:
            await self._c.execute(
                sa.insert(t.replenishment_lines).values(
                    [
                        {
                            "plan_id": stored.plan_id,
                            "sku_code": line.sku_code,
                            "quantity": line.quantity,
                            "reason": str(line.reason),
                            "daily_velocity": decimal(line.daily_velocity, 4),
                            "cover_days": decimal(line.cover_days, 2),
                            "order_days": line.order_days,
                            "capped_by_max": line.capped_by_max,
                            "key_product": stored.context[line.sku_code].key_product,
                            "available": stored.context[line.sku_code].available,
                            "on_order": stored.context[line.sku_code].on_order,
                        }
                        for line in stored.plan.lines
                    ]
                )
            )
        return True

    async def get(self, plan_id: str, *, lock: bool = False) -> StoredPlan | None:
        query = sa.select(t.replenishment_plans).where(t.replenishment_plans.c.plan_id == plan_id)
        if lock:
            query = query.with_for_update()
        row = (await self._c.execute(query)).first()
        return None if row is None else (await self._assemble([row]))[0]

    async def save_decision(self, plan: ReplenishmentPlan) -> None:
        p = t.replenishment_plans.c
        await self._c.execute(
            sa.update(t.replenishment_plans)
            .where(p.plan_id == plan.plan_id)
            .values(
                status=str(plan.status),
                decided_by=plan.decided_by,
                decided_at=plan.decided_at,
                decision_note=plan.decision_note,
            )
        )

    async def find(
        self, *, status: str = "", before: date | None = None, limit: int = 50
    ) -> list[StoredPlan]:
        p = t.replenishment_plans.c
        query = sa.select(t.replenishment_plans).order_by(p.plan_date.desc()).limit(limit)
        if status:
            query = query.where(p.status == status)
        if before is not None:
            query = query.where(p.plan_date < before)
        return await self._assemble(list(await self._c.execute(query)))

    async def stock_positions(self) -> list[Any]:
        """Every SKU with its flags, limits and available units (the planner's input)."""
        s, a = t.skus.c, t.sku_availability.c
        result = await self._c.execute(
            sa.select(
                s.sku_code,
                s.key_product,
                s.packaging_material,
                s.safety_stock,
                s.reorder_point,
                s.max_stock,
                (a.on_hand - a.reserved).label("available"),
                a.on_hand,
            )
            .join(t.sku_availability, a.sku_code == s.sku_code)
            .order_by(s.sku_code)
        )
        return list(result)

    async def _assemble(self, rows: list[Any]) -> list[StoredPlan]:
        if not rows:
            return []
        line = t.replenishment_lines.c
        lines: dict[str, list[Any]] = {}
        for r in await self._c.execute(
            sa.select(t.replenishment_lines)
            .where(line.plan_id.in_([row.plan_id for row in rows]))
            .order_by(line.plan_id, line.sku_code)
        ):
            lines.setdefault(r.plan_id, []).append(r)
        plans = []
        for row in rows:
            mine = lines.get(row.plan_id, [])
            plan = None
            if row.status != NOTHING_TO_ORDER:
                plan = ReplenishmentPlan(
                    plan_id=row.plan_id,
                    plan_date=row.plan_date,
                    lines=tuple(
                        ReplenishmentLine(
                            sku_code=r.sku_code,
                            quantity=r.quantity,
                            reason=PlanReason(r.reason),
                            daily_velocity=Fraction(r.daily_velocity),
                            cover_days=None if r.cover_days is None else Fraction(r.cover_days),
                            order_days=r.order_days,
                            capped_by_max=r.capped_by_max,
                        )
                        for r in mine
                    ),
                    status=PlanStatus(row.status),
                    decided_by=row.decided_by,
                    decided_at=row.decided_at,
                    decision_note=row.decision_note,
                )
            plans.append(
                StoredPlan(
                    plan_id=row.plan_id,
                    plan_date=row.plan_date,
                    status=row.status,
                    plan=plan,
                    context={
                        r.sku_code: LineContext(r.key_product, r.available, r.on_order)
                        for r in mine
                    },
                    created_by=row.created_by,
                    created_at=row.created_at,
                )
            )
        return plans
