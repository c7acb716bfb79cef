"""Barcode labels printed at receiving (seed 003 篇2 1.(2)).

"统计员准时打印条码,交与收货人员贴,标签须与账、物相符": the statistician prints barcodes,
the receivers stick them on, and labels must match the books and the goods. So a label carries
exactly what the books know: SKU (style + colour + size), lot, quantity and the receipt.

Settings chosen:
- ``copies_per_unit = True``: one sticker per unit, since units are scanned one by one when
  picking and verifying; set False to print one label per group (carton label).
- Barcode text is ``<sku_code>/<lot_id>``: both are drawn from ``[A-Za-z0-9._-]``, so ``/``
  separates them unambiguously and the whole fits Code 128.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from services.common.errors import InvalidArgument
from services.inventory.domain.validation import (
    validate_client_key,
    validate_id,
    validate_positive_quantity,
    validate_sku_code,
    validate_text,
)

BARCODE_SEPARATOR = "/"


@dataclass(frozen=True)
class LabelGroup:
    """Units of one SKU from one lot that get the same label."""

    sku_code: str
    style_code: str
    colour: str
    size: str
    lot_id: str
    quantity: int


@dataclass(frozen=True)
class Label:
    """A printable label payload; print it `copies` times."""

    receipt_id: str
    sku_code: str
    style_code: str
    colour: str
    size: str
    lot_id: str
    quantity: int
    barcode_text: str
    copies: int


def barcode_text(sku_code: str, lot_id: str) -> str:
    """The text encoded in the barcode of a unit of `sku_code` from `lot_id`."""
    return f"{validate_sku_code(sku_code)}{BARCODE_SEPARATOR}{validate_id(lot_id, 'lot_id')}"


def parse_barcode(text: str) -> tuple[str, str]:
    """(sku_code, lot_id) from a scanned barcode; raises InvalidArgument on anything else."""
    sku_code, sep, lot_id = text.partition(BARCODE_SEPARATOR)
    if not sep:
        raise InvalidArgument.for_field("barcode", f"expected <sku>/<lot>, got {text!r}")
    return validate_sku_code(sku_code, "barcode"), validate_id(lot_id, "barcode")


def labels_for_receipt(
    receipt_id: str, groups: Sequence[LabelGroup], *, copies_per_unit: bool = True
) -> tuple[Label, ...]:
    """One label payload per group, in the order given; errors name ``groups[i].<field>``."""
    validate_client_key(receipt_id, "receipt_id")
    if not groups:
        raise InvalidArgument.for_field("groups", "must contain at least one group")
    labels = []
    for i, group in enumerate(groups):
        path = f"groups[{i}]"
        validate_sku_code(group.sku_code, f"{path}.sku_code")
        validate_text(group.style_code, f"{path}.style_code", max_len=64)
        validate_text(group.colour, f"{path}.colour", max_len=64)
        validate_text(group.size, f"{path}.size", max_len=32)
        validate_id(group.lot_id, f"{path}.lot_id")
        validate_positive_quantity(group.quantity, f"{path}.quantity")
        labels.append(
            Label(
                receipt_id=receipt_id,
                sku_code=group.sku_code,
                style_code=group.style_code,
                colour=group.colour,
                size=group.size,
                lot_id=group.lot_id,
                quantity=group.quantity,
                barcode_text=barcode_text(group.sku_code, group.lot_id),
                copies=group.quantity if copies_per_unit else 1,
            )
        )
    return tuple(labels)
