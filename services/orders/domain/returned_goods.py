"""Goods that come back: QC's per-unit split, where the units go, and an exchange's replacement.

Seed 003 篇2 6(2) and DOMAIN.md: returned goods that can be sold again go back to stock; the rest
go to defective stock (次品仓) and back to the supplier. Seed 003 篇2 附1 3: an exchange's
replacement is shipped on a slip marked "exchange" (备注换货).

Reading: by default the replacement is the same SKUs and units that came back; another spec or
colour (the usual case for WRONG_SPEC / WRONG_COLOR) may be sent, one unit for each unit returned.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from services.orders.domain.inputs import Violations
from services.orders.domain.order import Order

EXCHANGE_REMARK = "EXCHANGE"  # printed on the replacement's slip (备注换货)


@dataclass(frozen=True, slots=True)
class UnitDisposition:
    """QC's split of one line's received units: sellable again, or defective."""

    sellable: int
    defective: int


@dataclass(frozen=True, slots=True)
class ReturnedGoods:
    """Where returned units of a SKU go: back to stock, or to defective stock for the supplier."""

    sku_code: str
    to_stock: int
    to_defective: int


@dataclass(frozen=True, slots=True)
class Replacement:
    """The exchange parcel."""

    items: tuple[tuple[str, int], ...]
    carrier: str
    tracking_number: str
    shipped_at: datetime
    shipped_by: str
    remark: str = EXCHANGE_REMARK


def check_dispositions(
    received: tuple[tuple[int, int], ...], dispositions: Mapping[int, UnitDisposition]
) -> tuple[tuple[int, UnitDisposition], ...]:
    """Every received unit classed exactly once as sellable or defective, per line."""
    violations = Violations()
    counted = {ln: qty for ln, qty in received if qty}
    for line_no in sorted(set(counted) | set(dispositions)):
        path = f"dispositions[{line_no}]"
        split = dispositions.get(line_no)
        if line_no not in counted:
            violations.add(path, f"no unit of line {line_no} was received")
        elif split is None:
            violations.add(path, f"classify the {counted[line_no]} received unit(s)")
        elif split.sellable < 0 or split.defective < 0:
            violations.add(path, "counts must be 0 or more")
        elif split.sellable + split.defective != counted[line_no]:
            violations.add(
                path, f"sellable + defective must equal the {counted[line_no]} unit(s) received"
            )
    violations.raise_if_any()
    return tuple(sorted(dispositions.items()))


def goods_by_sku(
    order: Order, dispositions: tuple[tuple[int, UnitDisposition], ...]
) -> tuple[ReturnedGoods, ...]:
    """Units back to stock and to defective stock, per SKU (lines of one SKU added up)."""
    by_sku: dict[str, tuple[int, int]] = {}
    for line_no, split in dispositions:
        sku = order.line(line_no).sku_code
        stock, defective = by_sku.get(sku, (0, 0))
        by_sku[sku] = (stock + split.sellable, defective + split.defective)
    return tuple(ReturnedGoods(sku, s, d) for sku, (s, d) in sorted(by_sku.items()))


def replacement_items(
    order: Order,
    returned: Mapping[int, int],
    items: Mapping[str, int] | None,
    violations: Violations,
) -> tuple[tuple[str, int], ...]:
    """The replacement's SKUs and units: the returned ones, or `items` with the same unit total."""
    if items is None:
        same: dict[str, int] = {}
        for line_no, qty in returned.items():
            sku = order.line(line_no).sku_code
            same[sku] = same.get(sku, 0) + qty
        return tuple(sorted(same.items()))
    for sku, qty in items.items():
        violations.sku_code(sku, f"items[{sku}]")
        violations.positive_int(qty, f"items[{sku}]", maximum=10**9)
    if sum(items.values()) != sum(returned.values()):
        violations.add(
            "items", f"a replacement sends as many units as came back ({sum(returned.values())})"
        )
    return tuple(sorted(items.items()))
