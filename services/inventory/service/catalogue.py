"""Use cases of the catalogue: warehouses, bins, SKUs, stock levels, put-away."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from services.common.errors import AlreadyExists, InvalidArgument, NotFound
from services.inventory.db.unit_of_work import InventoryDatabase, InventoryUnitOfWork
from services.inventory.domain.catalogue import Bin, Sku, Warehouse, WarehouseKind
from services.inventory.domain.replenishment import StockLimits
from services.inventory.service import paging
from services.inventory.service.caller import Caller
from services.inventory.service.postings import Posting
from services.inventory.settings import UNASSIGNED_BIN

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list and the token of the next ("" on the last)."""

    items: list[T]
    next_page_token: str


async def create_warehouse(db: InventoryDatabase, warehouse: Warehouse) -> Warehouse:
    """A new warehouse; ALREADY_EXISTS if the code is taken."""
    async with db.unit_of_work() as uow:
        created = await uow.warehouses.add(warehouse)
        if created is None:
            raise AlreadyExists(
                f"warehouse {warehouse.code} already exists", reason="WAREHOUSE_EXISTS"
            )
        await uow.commit()
        return created


async def require_warehouse(
    uow: InventoryUnitOfWork, code: str, field: str = "warehouse_code"
) -> Warehouse:
    """The warehouse a request names, or NOT_FOUND naming the request field."""
    warehouse = await uow.warehouses.get(code)
    if warehouse is None:
        raise NotFound(f"{field}: warehouse {code} does not exist", reason="WAREHOUSE_NOT_FOUND")
    return warehouse


async def get_warehouse(db: InventoryDatabase, code: str) -> Warehouse:
    async with db.unit_of_work() as uow:
        return _found(await uow.warehouses.get(code), f"warehouse {code}")


async def list_warehouses(
    db: InventoryDatabase, kind: WarehouseKind | None, page_size: int, page_token: str
) -> Page[Warehouse]:
    limit = paging.page_size(page_size)
    async with db.unit_of_work() as uow:
        rows = await uow.warehouses.find(kind, paging.after_key(page_token), limit)
    last = {"k": rows[-1].code} if rows else None
    return Page(rows, paging.next_token(rows, limit, last))


async def rename_warehouse(db: InventoryDatabase, code: str, name: str) -> Warehouse:
    async with db.unit_of_work() as uow:
        renamed = _found(await uow.warehouses.rename(code, name), f"warehouse {code}")
        await uow.commit()
        return renamed


async def create_bin(db: InventoryDatabase, bin_: Bin) -> Bin:
    """A new bin; NOT_FOUND for an unknown warehouse, ALREADY_EXISTS for a taken code."""
    if bin_.bin_code == UNASSIGNED_BIN:
        raise InvalidArgument.for_field(
            "bin.bin_code", f"{UNASSIGNED_BIN} is reserved for goods not put away yet"
        )
    async with db.unit_of_work() as uow:
        _found(await uow.warehouses.get(bin_.warehouse_code), f"warehouse {bin_.warehouse_code}")
        created = await uow.bins.add(bin_)
        if created is None:
            raise AlreadyExists(
                f"bin {bin_.bin_code} already exists in warehouse {bin_.warehouse_code}",
                reason="BIN_EXISTS",
            )
        await uow.commit()
        return created


async def list_bins(
    db: InventoryDatabase, warehouse_code: str, page_size: int, page_token: str
) -> Page[Bin]:
    limit = paging.page_size(page_size)
    async with db.unit_of_work() as uow:
        _found(await uow.warehouses.get(warehouse_code), f"warehouse {warehouse_code}")
        rows = await uow.bins.find(warehouse_code, paging.after_key(page_token), limit)
    last = {"k": rows[-1].bin_code} if rows else None
    return Page(rows, paging.next_token(rows, limit, last))


async def upsert_sku(db: InventoryDatabase, sku: Sku) -> Sku:
    """Create or update a SKU (its stock limits are kept)."""
    async with db.unit_of_work() as uow:
        saved, _ = await uow.skus.upsert(sku)
        await uow.commit()
        return saved


async def get_sku(db: InventoryDatabase, sku_code: str) -> Sku:
    async with db.unit_of_work() as uow:
        return _found(await uow.skus.get(sku_code), f"SKU {sku_code}")


@dataclass(frozen=True)
class SkuFilter:
    """Filters of ListSkus (empty / None = any)."""

    style_code: str = ""
    category: str = ""
    key_product: bool | None = None
    packaging_material: bool | None = None


async def list_skus(
    db: InventoryDatabase, where: SkuFilter, page_size: int, page_token: str
) -> Page[Sku]:
    limit = paging.page_size(page_size)
    async with db.unit_of_work() as uow:
        rows = await uow.skus.find(
            style_code=where.style_code,
            category=where.category,
            key_product=where.key_product,
            packaging_material=where.packaging_material,
            after=paging.after_key(page_token),
            limit=limit,
        )
    last = {"k": rows[-1].sku_code} if rows else None
    return Page(rows, paging.next_token(rows, limit, last))


async def set_stock_limits(db: InventoryDatabase, sku_code: str, limits: StockLimits) -> Sku:
    async with db.unit_of_work() as uow:
        updated = _found(await uow.skus.set_limits(sku_code, limits), f"SKU {sku_code}")
        await uow.commit()
        return updated


@dataclass(frozen=True)
class WarehouseStock:
    """On hand of a SKU in one warehouse."""

    warehouse_code: str
    kind: WarehouseKind
    on_hand: int


@dataclass(frozen=True)
class StockLevel:
    """A SKU's stock over sellable warehouses and per warehouse."""

    sku_code: str
    on_hand: int
    reserved: int
    warehouses: list[WarehouseStock]

    @property
    def available(self) -> int:
        """on_hand − reserved."""
        return self.on_hand - self.reserved


async def get_stock_level(db: InventoryDatabase, sku_code: str) -> StockLevel:
    """One read: the availability row and every warehouse holding the SKU."""
    async with db.unit_of_work() as uow:
        found = await uow.stock.stock_level(sku_code)
    if found is None:
        raise NotFound(f"SKU {sku_code} does not exist", reason="SKU_NOT_FOUND")
    availability, per_warehouse = found
    return StockLevel(
        sku_code,
        availability.on_hand,
        availability.reserved,
        [WarehouseStock(code, WarehouseKind(kind), units) for code, kind, units in per_warehouse],
    )


@dataclass(frozen=True)
class BinStock:
    """Units of a SKU in a bin."""

    warehouse_code: str
    bin_code: str
    sku_code: str
    quantity: int


async def list_bin_stock(
    db: InventoryDatabase,
    warehouse_code: str,
    bin_code: str,
    sku_code: str,
    page_size: int,
    page_token: str,
) -> Page[BinStock]:
    limit = paging.page_size(page_size, default=100, maximum=1000)
    position = paging.after_pair(page_token, "b")
    async with db.unit_of_work() as uow:
        _found(await uow.warehouses.get(warehouse_code), f"warehouse {warehouse_code}")
        rows = [
            BinStock(warehouse_code, b, s, q)
            for b, s, q in await uow.stock.bin_stock(
                warehouse_code, bin_code=bin_code, sku_code=sku_code, after=position, limit=limit
            )
        ]
    last = {"b": rows[-1].bin_code, "k": rows[-1].sku_code} if rows else None
    return Page(rows, paging.next_token(rows, limit, last))


@dataclass(frozen=True)
class PutAway:
    """Move units of a SKU from one bin of a warehouse to another."""

    warehouse_code: str
    bin_code: str
    sku_code: str
    quantity: int
    from_bin_code: str = UNASSIGNED_BIN


async def put_away(
    db: InventoryDatabase, command: PutAway, caller: Caller, now: datetime
) -> BinStock:
    """PUT_AWAY entries per lot moved (oldest first); on hand does not change."""
    if command.bin_code == command.from_bin_code:
        raise InvalidArgument.for_field("from_bin_code", "must differ from bin_code")
    async with db.unit_of_work() as uow:
        posting = Posting(
            uow,
            document_type="put_away",
            document_id=_put_away_id(command, now),
            actor=caller.actor,
            now=now,
        )
        await posting.lock([command.sku_code])
        warehouse = await posting.warehouse(command.warehouse_code)
        if command.bin_code != UNASSIGNED_BIN and not await uow.bins.exists(
            warehouse.code, command.bin_code
        ):
            raise NotFound(
                f"bin {command.bin_code} does not exist in warehouse {warehouse.code}",
                reason="BIN_NOT_FOUND",
            )
        await posting.move(
            command.sku_code,
            command.quantity,
            from_warehouse=warehouse.code,
            to_warehouse=warehouse.code,
            from_bin=command.from_bin_code,
            to_bin=command.bin_code,
            reason=f"from bin {command.from_bin_code}",
        )
        await posting.flush(f"put away {command.sku_code}")
        rows = await uow.stock.bin_stock(
            warehouse.code, bin_code=command.bin_code, sku_code=command.sku_code
        )
        await uow.commit()
    units = rows[0][2] if rows else 0
    return BinStock(warehouse.code, command.bin_code, command.sku_code, units)


def _put_away_id(command: PutAway, now: datetime) -> str:
    return f"{command.warehouse_code}/{command.bin_code}@{now:%Y%m%dT%H%M%S%f}"


def _found(value: T | None, what: str) -> T:
    if value is None:
        raise NotFound(f"{what} does not exist", reason="NOT_FOUND")
    return value
