"""Commission rate tables, share weights and misconduct findings."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.performance.db import tables as t
from services.performance.domain.commission_tables import (
    CommissionGroup,
    CommissionTable,
    Tier,
)
from services.performance.domain.period import YearMonth


def tiers_to_json(tiers: tuple[Tier, ...]) -> list[dict[str, Any]]:
    return [
        {
            "lower": str(x.lower),
            "lower_inclusive": x.lower_inclusive,
            "upper": None if x.upper is None else str(x.upper),
            "upper_inclusive": x.upper_inclusive,
            "rate": str(x.rate),
            "rate_at_upper": None if x.rate_at_upper is None else str(x.rate_at_upper),
            "source": x.source,
        }
        for x in tiers
    ]


def tiers_from_json(raw: list[dict[str, Any]]) -> tuple[Tier, ...]:
    return tuple(
        Tier(
            Decimal(x["lower"]),
            bool(x["lower_inclusive"]),
            None if x["upper"] is None else Decimal(x["upper"]),
            bool(x["upper_inclusive"]),
            Decimal(x["rate"]),
            None if x.get("rate_at_upper") is None else Decimal(x["rate_at_upper"]),
            x.get("source", ""),
        )
        for x in raw
    )


@dataclass(frozen=True)
class StoredTable:
    table: CommissionTable
    created_by: str


class CommissionRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    async def lock_group(self, group: CommissionGroup) -> None:
        """Serialise version changes of one group (the overlap check reads then writes)."""
        await self._c.execute(
            sa.select(
                sa.func.pg_advisory_xact_lock(
                    sa.func.hashtext(f"performance.commission_tables.{group.value}")
                )
            )
        )

    async def tables(self, group: CommissionGroup | None = None) -> list[StoredTable]:
        c = t.commission_tables
        query = sa.select(c).order_by(c.c.group_name, c.c.version)
        if group is not None:
            query = query.where(c.c.group_name == group.value)
        return [
            StoredTable(
                CommissionTable(
                    CommissionGroup(r.group_name),
                    r.version,
                    r.effective_from,
                    r.effective_to,
                    tiers_from_json(r.tiers),
                ),
                r.created_by,
            )
            for r in await self._c.execute(query)
        ]

    async def insert(self, table: CommissionTable, created_by: str) -> bool:
        result = await self._c.execute(
            pg_insert(t.commission_tables)
            .values(
                group_name=table.group.value,
                version=table.version,
                effective_from=table.effective_from,
                effective_to=table.effective_to,
                tiers=tiers_to_json(table.tiers),
                created_by=created_by,
            )
            .on_conflict_do_nothing()
            .returning(t.commission_tables.c.version)
        )
        return result.first() is not None

    async def set_effective_to(
        self, group: CommissionGroup, version: int, effective_to: date
    ) -> None:
        c = t.commission_tables
        await self._c.execute(
            c.update()
            .where(c.c.group_name == group.value, c.c.version == version)
            .values(effective_to=effective_to)
        )

    async def share_weights(self, month: YearMonth) -> dict[CommissionGroup, dict[str, Decimal]]:
        w = t.share_weights
        result: dict[CommissionGroup, dict[str, Decimal]] = defaultdict(dict)
        for row in await self._c.execute(sa.select(w).where(w.c.month == str(month))):
            result[CommissionGroup(row.group_name)][row.employee_code] = row.weight
        return dict(result)

    async def weights_of(
        self, group: CommissionGroup, month: YearMonth
    ) -> tuple[dict[str, Decimal], str]:
        w = t.share_weights
        rows = list(
            await self._c.execute(
                sa.select(w)
                .where(w.c.group_name == group.value, w.c.month == str(month))
                .order_by(w.c.employee_code)
            )
        )
        return {r.employee_code: r.weight for r in rows}, (rows[0].set_by if rows else "")

    async def set_weights(
        self, group: CommissionGroup, month: YearMonth, weights: dict[str, Decimal], set_by: str
    ) -> None:
        w = t.share_weights
        await self._c.execute(
            sa.delete(w).where(w.c.group_name == group.value, w.c.month == str(month))
        )
        await self._c.execute(
            w.insert(),
            [
                {
                    "group_name": group.value,
                    "month": str(month),
                    "employee_code": code,
                    "weight": weight,
                    "set_by": set_by,
                }
                for code, weight in sorted(weights.items())
            ],
        )

    async def add_finding(
        self,
        finding_id: str,
        employee_code: str,
        found_on: date,
        description: str,
        recorded_by: str,
    ) -> None:
        await self._c.execute(
            t.misconduct_findings.insert().values(
                finding_id=finding_id,
                employee_code=employee_code,
                found_on=found_on,
                description=description,
                recorded_by=recorded_by,
            )
        )

    async def misconduct(self) -> dict[str, date]:
        """The earliest finding per employee."""
        m = t.misconduct_findings
        rows = await self._c.execute(
            sa.select(m.c.employee_code, sa.func.min(m.c.found_on)).group_by(m.c.employee_code)
        )
        return {row[0]: row[1] for row in rows}
