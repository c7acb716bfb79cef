"""The catalogue: warehouses (A, B, …, the defective-goods warehouse 次品仓), bins, SKUs.

A SKU is style code (款号) + colour + size, with a name, category and a standard unit cost (the
cost given to lots received without one of their own). Key products replenish on tighter rules
(`replenishment`); packaging materials are watched for cover (`packaging`), not sold.

Warehouse kinds decide what stock counts as: only SELLABLE stock can be reserved. TRANSIT holds
goods between two warehouses, SAMPLES the photo samples on loan, DEFECTIVE goods waiting to go
back to a supplier. A warehouse's code and kind never change, since the books depend on both.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from services.common.errors import InvalidArgument
from services.common.money import Money
from services.inventory.domain.replenishment import StockLimits
from services.inventory.domain.validation import (
    validate_bin_code,
    validate_sku_code,
    validate_text,
    validate_warehouse_code,
)


class WarehouseKind(StrEnum):
    """What stock in a warehouse counts as (names match the Warehouse.Kind proto)."""

    SELLABLE = "SELLABLE"
    DEFECTIVE = "DEFECTIVE"
    TRANSIT = "TRANSIT"
    SAMPLES = "SAMPLES"


@dataclass(frozen=True)
class Warehouse:
    """A warehouse and its kind."""

    code: str
    name: str
    kind: WarehouseKind
    created_at: datetime | None = None

    def __post_init__(self) -> None:
        validate_warehouse_code(self.code, "code")
        validate_text(self.name, "name")

    @property
    def sellable(self) -> bool:
        """Stock here can be reserved and sold."""
        return self.kind is WarehouseKind.SELLABLE


def first_of_kind(warehouses: Iterable[Warehouse], kind: WarehouseKind) -> Warehouse | None:
    """The warehouse of `kind` with the lowest code (the default target of that kind)."""
    matching = sorted((w for w in warehouses if w.kind is kind), key=lambda w: w.code)
    return matching[0] if matching else None


@dataclass(frozen=True)
class Bin:
    """A bin location (库位) in a warehouse."""

    warehouse_code: str
    bin_code: str
    description: str = ""
    created_at: datetime | None = None

    def __post_init__(self) -> None:
        validate_warehouse_code(self.warehouse_code)
        validate_bin_code(self.bin_code)
        if len(self.description) > 200:
            raise InvalidArgument.for_field("bin.description", "must be at most 200 characters")


@dataclass(frozen=True)
class Sku:
    """A stock-keeping unit."""

    sku_code: str
    style_code: str
    color: str
    size: str
    name: str
    unit_cost: Money
    category: str = ""
    key_product: bool = False
    packaging_material: bool = False
    limits: StockLimits = field(default_factory=StockLimits)
    created_at: datetime | None = None
    updated_at: datetime | None = None

    def __post_init__(self) -> None:
        validate_sku_code(self.sku_code)
        validate_text(self.style_code, "sku.style_code", max_len=64)
        validate_text(self.color, "sku.color", max_len=64)
        validate_text(self.size, "sku.size", max_len=32)
        validate_text(self.name, "sku.name")
        if self.unit_cost.amount_minor < 0:
            raise InvalidArgument.for_field("sku.unit_cost", "must not be negative")
        if len(self.category) > 64:
            raise InvalidArgument.for_field("sku.category", "must be at most 64 characters")
