"""Lines of "this many units of this SKU", shared by receipts, reservations and transfers.

`SkuQuantity` is a plain value; `validate_lines` checks a request's lines and names the offending
field by index (``lines[2].quantity``), which a constructor could not do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from services.common.errors import InvalidArgument
from services.inventory.domain.validation import validate_positive_quantity, validate_sku_code

MAX_LINES = 1000
"""Lines per document: far above a real delivery or order, low enough to bound a transaction."""


@dataclass(frozen=True)
class SkuQuantity:
    """`quantity` units of `sku_code`."""

    sku_code: str
    quantity: int


def validate_lines(
    lines: Sequence[SkuQuantity], field: str = "lines", *, unique: bool = True
) -> tuple[SkuQuantity, ...]:
    """Check 1..MAX_LINES lines of valid SKU codes and positive quantities.

    With `unique`, a SKU may appear only once (a receipt line is one colour + size, so two lines
    of one SKU would make its QC sample ambiguous).
    """
    if not lines:
        raise InvalidArgument.for_field(field, "must contain at least one line")
    if len(lines) > MAX_LINES:
        raise InvalidArgument.for_field(field, f"must contain at most {MAX_LINES} lines")
    first_index: dict[str, int] = {}
    for i, line in enumerate(lines):
        validate_sku_code(line.sku_code, f"{field}[{i}].sku_code")
        validate_positive_quantity(line.quantity, f"{field}[{i}].quantity")
        if unique and line.sku_code in first_index:
            raise InvalidArgument.for_field(
                f"{field}[{i}].sku_code",
                f"SKU {line.sku_code} already appears in {field}[{first_index[line.sku_code]}]; "
                "put each SKU on one line",
            )
        first_index.setdefault(line.sku_code, i)
    return tuple(lines)


def merge_lines(lines: Sequence[SkuQuantity]) -> tuple[SkuQuantity, ...]:
    """Sum the quantities of lines with the same SKU and sort by SKU code.

    The order is plain code-point order of the code, the same in every process, so a database
    layer that locks stock rows in this order cannot deadlock with another doing the same.
    """
    totals: dict[str, int] = {}
    for line in lines:
        totals[line.sku_code] = totals.get(line.sku_code, 0) + line.quantity
    return tuple(SkuQuantity(sku, qty) for sku, qty in sorted(totals.items()))
