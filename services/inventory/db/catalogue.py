"""Repositories of the catalogue: warehouses, bins, SKUs (rows in, domain values out)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.common.money import Money
from services.inventory.db import tables as t
from services.inventory.domain.catalogue import Bin, Sku, Warehouse, WarehouseKind
from services.inventory.domain.replenishment import StockLimits


def warehouse_from_row(row: Any) -> Warehouse:
    """A Warehouse from a `warehouses` row."""
    return Warehouse(row.code, row.name, WarehouseKind(row.kind), row.created_at)


def sku_from_row(row: Any) -> Sku:
    """A Sku from a `skus` row."""
    return Sku(
        sku_code=row.sku_code,
        style_code=row.style_code,
        color=row.color,
        size=row.size,
        name=row.name,
        unit_cost=Money(row.unit_cost_minor, row.unit_cost_currency),
        category=row.category,
        key_product=row.key_product,
        packaging_material=row.packaging_material,
        limits=StockLimits(row.safety_stock, row.reorder_point, row.max_stock),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class WarehouseRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    async def add(self, warehouse: Warehouse) -> Warehouse | None:
        """Insert; None if the code is taken."""
        w = t.warehouses.c
        result = await self._c.execute(
            insert(t.warehouses)
            .values(code=warehouse.code, name=warehouse.name, kind=str(warehouse.kind))
            .on_conflict_do_nothing(index_elements=[w.code])
            .returning(*t.warehouses.c)
        )
        row = result.first()
        return None if row is None else warehouse_from_row(row)

    async def ensure(self, code: str, name: str, kind: WarehouseKind) -> Warehouse:
        """The warehouse `code`, created with `kind` if missing (transit, samples, defective)."""
        created = await self.add(Warehouse(code, name, kind))
        if created is not None:
            return created
        existing = await self.get(code)
        assert existing is not None
        return existing

    async def get(self, code: str) -> Warehouse | None:
        result = await self._c.execute(sa.select(t.warehouses).where(t.warehouses.c.code == code))
        row = result.first()
        return None if row is None else warehouse_from_row(row)

    async def get_many(self, codes: Sequence[str]) -> dict[str, Warehouse]:
        result = await self._c.execute(
            sa.select(t.warehouses).where(t.warehouses.c.code.in_(list(set(codes))))
        )
        return {row.code: warehouse_from_row(row) for row in result}

    async def first_of_kind(self, kind: WarehouseKind) -> Warehouse | None:
        w = t.warehouses.c
        result = await self._c.execute(
            sa.select(t.warehouses).where(w.kind == str(kind)).order_by(w.code).limit(1)
        )
        row = result.first()
        return None if row is None else warehouse_from_row(row)

    async def find(
        self, kind: WarehouseKind | None, after: str | None, limit: int
    ) -> list[Warehouse]:
        w = t.warehouses.c
        query = sa.select(t.warehouses).order_by(w.code).limit(limit)
        if kind is not None:
            query = query.where(w.kind == str(kind))
        if after is not None:
            query = query.where(w.code > after)
        return [warehouse_from_row(row) for row in await self._c.execute(query)]

    async def rename(self, code: str, name: str) -> Warehouse | None:
        w = t.warehouses.c
        result = await self._c.execute(
            sa.update(t.warehouses).where(w.code == code).values(name=name).returning(*w)
        )
        row = result.first()
        return None if row is None else warehouse_from_row(row)

    async def sellable_codes(self) -> list[str]:
        w = t.warehouses.c
        result = await self._c.execute(
            sa.select(w.code).where(w.kind == str(WarehouseKind.SELLABLE)).order_by(w.code)
        )
        return list(result.scalars())


class BinRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    async def add(self, bin_: Bin) -> Bin | None:
        """Insert; None if the bin exists."""
        b = t.bins.c
        result = await self._c.execute(
            insert(t.bins)
            .values(
                warehouse_code=bin_.warehouse_code,
                bin_code=bin_.bin_code,
                description=bin_.description,
            )
            .on_conflict_do_nothing(index_elements=[b.warehouse_code, b.bin_code])
            .returning(*b)
        )
        row = result.first()
        return None if row is None else Bin(*row)

    async def exists(self, warehouse_code: str, bin_code: str) -> bool:
        b = t.bins.c
        found = await self._c.scalar(
            sa.select(sa.literal(1)).where(
                b.warehouse_code == warehouse_code, b.bin_code == bin_code
            )
        )
        return found is not None

    async def find(self, warehouse_code: str, after: str | None, limit: int) -> list[Bin]:
        b = t.bins.c
        query = (
            sa.select(t.bins)
            .where(b.warehouse_code == warehouse_code)
            .order_by(b.bin_code)
            .limit(limit)
        )
        if after is not None:
            query = query.where(b.bin_code > after)
        return [Bin(*row) for row in await self._c.execute(query)]


class SkuRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    async def upsert(self, sku: Sku) -> tuple[Sku, bool]:
        """Create or update the SKU's descriptive fields (limits untouched); (sku, created)."""
        s = t.skus.c
        values = {
            "sku_code": sku.sku_code,
            "style_code": sku.style_code,
            "color": sku.color,
            "size": sku.size,
            "name": sku.name,
            "category": sku.category,
            "unit_cost_minor": sku.unit_cost.amount_minor,
            "unit_cost_currency": sku.unit_cost.currency,
            "key_product": sku.key_product,
            "packaging_material": sku.packaging_material,
        }
        statement = insert(t.skus).values(**values)
        changed = {k: statement.excluded[k] for k in values if k != "sku_code"}
        result = await self._c.execute(
            statement.on_conflict_do_update(
                index_elements=[s.sku_code], set_={**changed, "updated_at": sa.func.now()}
            ).returning(*t.skus.c, (sa.literal_column("xmax") == 0).label("created"))
        )
        row = result.one()
        if row.created:
            await self._c.execute(
                insert(t.sku_availability)
                .values(sku_code=sku.sku_code)
                .on_conflict_do_nothing(index_elements=[t.sku_availability.c.sku_code])
            )
        return sku_from_row(row), bool(row.created)

    async def set_limits(self, sku_code: str, limits: StockLimits) -> Sku | None:
        s = t.skus.c
        result = await self._c.execute(
            sa.update(t.skus)
            .where(s.sku_code == sku_code)
            .values(
                safety_stock=limits.safety_stock,
                reorder_point=limits.reorder_point,
                max_stock=limits.max_stock,
                updated_at=sa.func.now(),
            )
            .returning(*t.skus.c)
        )
        row = result.first()
        if row is None:
            return None
        # The reserve statement reads the reorder point from the availability row it updates.
        await self._c.execute(
            sa.update(t.sku_availability)
            .where(t.sku_availability.c.sku_code == sku_code)
            .values(reorder_point=limits.reorder_point)
        )
        return sku_from_row(row)

    async def get(self, sku_code: str) -> Sku | None:
        result = await self._c.execute(sa.select(t.skus).where(t.skus.c.sku_code == sku_code))
        row = result.first()
        return None if row is None else sku_from_row(row)

    async def get_many(self, codes: Sequence[str]) -> dict[str, Sku]:
        result = await self._c.execute(
            sa.select(t.skus).where(t.skus.c.sku_code.in_(list(set(codes))))
        )
        return {row.sku_code: sku_from_row(row) for row in result}

    async def existing(self, codes: Sequence[str]) -> set[str]:
        result = await self._c.execute(
            sa.select(t.skus.c.sku_code).where(t.skus.c.sku_code.in_(list(set(codes))))
        )
        return set(result.scalars())

    async def find(
        self,
        *,
        style_code: str = "",
        category: str = "",
        key_product: bool | None = None,
        packaging_material: bool | None = None,
        after: str | None = None,
        limit: int = 50,
    ) -> list[Sku]:
        s = t.skus.c
        query = sa.select(t.skus).order_by(s.sku_code).limit(limit)
        if style_code:
            query = query.where(s.style_code == style_code)
        if category:
            query = query.where(s.category == category)
        if key_product is not None:
            query = query.where(s.key_product == key_product)
        if packaging_material is not None:
            query = query.where(s.packaging_material == packaging_material)
        if after is not None:
            query = query.where(s.sku_code > after)
        return [sku_from_row(row) for row in await self._c.execute(query)]
