"""Cycle counts (循环盘点): plan a count, record the count sheet, post the adjustments.

Seed 003 篇2 3.(3): keepers count on a plan, pull damaged goods out of stock at once and isolate
them, and fill in the documents (盘点单 count sheet, 移仓单 move, 拨废单 scrap). DOMAIN.md: every
variance is investigated and adjusted with a reason. Seed 003 精选篇1 7: surpluses, shortages and
damage must be explained (查明原因,分清责任).

A count sheet covers one warehouse; its lines are (SKU, bin) with the book quantity. The counter
records the units found and how many of them are damaged. Posting needs every line counted, a
reason for every variance and an approver who counted none of the lines (the person who counted
cannot also approve their own correction). Posting yields the movements: a COUNT_ADJUSTMENT of
the signed variance per line, then the damaged units moved out (TRANSFER_OUT) to the defective
warehouse (TRANSFER_IN) — isolated, not scrapped: scrapping is a later 拨废单.

Plans: by bins (every book row in the chosen bins) or by ABC class (every row of SKUs in the
chosen classes, see `abc_classes`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TypeAlias

from services.common.errors import FailedPrecondition, InvalidArgument, PermissionDenied
from services.inventory.domain.abc_classes import AbcClass
from services.inventory.domain.ledger import Movement, MovementKind
from services.inventory.domain.validation import (
    validate_aware,
    validate_bin_code,
    validate_id,
    validate_non_negative_quantity,
    validate_sku_code,
    validate_text,
    validate_warehouse_code,
)

LineKey: TypeAlias = tuple[str, str]
"""(sku_code, bin_code)."""


@dataclass(frozen=True)
class BinStock:
    """What the books say is in one bin."""

    sku_code: str
    warehouse_code: str
    bin_code: str
    quantity: int


@dataclass(frozen=True)
class CountLine:
    """One (SKU, bin) of a count sheet; `counted` is None until counted."""

    sku_code: str
    bin_code: str
    expected: int
    counted: int | None = None
    damaged: int = 0
    counted_by: str | None = None
    reason: str = ""

    @property
    def key(self) -> LineKey:
        """(sku_code, bin_code)."""
        return (self.sku_code, self.bin_code)

    @property
    def variance(self) -> int:
        """counted − expected (positive: surplus, negative: shortage); 0 before counting."""
        return 0 if self.counted is None else self.counted - self.expected


@dataclass(frozen=True)
class CountEntry:
    """What a counter found in one bin: `counted` units, of which `damaged` are damaged."""

    sku_code: str
    bin_code: str
    counted: int
    damaged: int = 0


@dataclass(frozen=True)
class CountPosting:
    """A posted sheet and the movements to write, in order."""

    sheet: CountSheet
    movements: tuple[Movement, ...]
    changed: bool


def plan_by_bins(
    stock: Sequence[BinStock], warehouse_code: str, bins: Collection[str]
) -> tuple[CountLine, ...]:
    """Count lines for every book row of `warehouse_code` in `bins`, by bin then SKU."""
    if not bins:
        raise InvalidArgument.for_field("bins", "name at least one bin to count")
    return _lines(s for s in stock if s.warehouse_code == warehouse_code and s.bin_code in bins)


def plan_by_classes(
    stock: Sequence[BinStock],
    warehouse_code: str,
    classes: Mapping[str, AbcClass],
    wanted: Collection[AbcClass],
) -> tuple[CountLine, ...]:
    """Count lines for every book row of `warehouse_code` whose SKU is in a `wanted` class.

    SKUs missing from `classes` (no value history yet) are treated as class A, so new products
    are counted early rather than forgotten.
    """
    if not wanted:
        raise InvalidArgument.for_field("classes", "name at least one ABC class to count")
    return _lines(
        s
        for s in stock
        if s.warehouse_code == warehouse_code and classes.get(s.sku_code, AbcClass.A) in wanted
    )


def _lines(rows: Iterable[BinStock]) -> tuple[CountLine, ...]:
    picked = sorted(rows, key=lambda s: (s.bin_code, s.sku_code))
    return tuple(CountLine(s.sku_code, s.bin_code, s.quantity) for s in picked)


@dataclass(frozen=True)
class CountSheet:
    """A count sheet (盘点单) of one warehouse."""

    sheet_id: str
    warehouse_code: str
    lines: tuple[CountLine, ...]
    approved_by: str | None = None
    posted_at: datetime | None = None

    @classmethod
    def open(cls, sheet_id: str, warehouse_code: str, lines: Sequence[CountLine]) -> CountSheet:
        """A sheet to count; lines come from a plan (`plan_by_bins`, `plan_by_classes`)."""
        validate_id(sheet_id, "sheet_id")
        validate_warehouse_code(warehouse_code)
        if not lines:
            raise InvalidArgument.for_field("lines", "a count sheet needs at least one line")
        seen: set[LineKey] = set()
        for i, line in enumerate(lines):
            validate_sku_code(line.sku_code, f"lines[{i}].sku_code")
            validate_bin_code(line.bin_code, f"lines[{i}].bin_code")
            validate_non_negative_quantity(line.expected, f"lines[{i}].expected")
            if line.key in seen:
                raise InvalidArgument.for_field(
                    f"lines[{i}]", f"SKU {line.sku_code} in bin {line.bin_code} appears twice"
                )
            seen.add(line.key)
        return cls(sheet_id, warehouse_code, tuple(lines))

    @property
    def is_posted(self) -> bool:
        """True once the adjustments are posted."""
        return self.posted_at is not None

    @property
    def uncounted(self) -> tuple[CountLine, ...]:
        """Lines nobody has counted yet."""
        return tuple(line for line in self.lines if line.counted is None)

    @property
    def variances(self) -> tuple[CountLine, ...]:
        """Counted lines whose count differs from the books."""
        return tuple(line for line in self.lines if line.variance != 0)

    @property
    def counters(self) -> frozenset[str]:
        """Everyone who counted a line."""
        return frozenset(line.counted_by for line in self.lines if line.counted_by is not None)

    def record(self, entries: Sequence[CountEntry], counter_id: str) -> CountSheet:
        """Record counts; counting a line again replaces the earlier count (a recount)."""
        if self.is_posted:
            raise FailedPrecondition(
                f"count sheet {self.sheet_id} is posted; open a new sheet to count again",
                reason="COUNT_SHEET_POSTED",
            )
        validate_text(counter_id, "counter_id", max_len=64)
        if not entries:
            raise InvalidArgument.for_field("entries", "must contain at least one count")
        index = {line.key: line for line in self.lines}
        updated: dict[LineKey, CountLine] = {}
        for i, entry in enumerate(entries):
            path = f"entries[{i}]"
            key = (entry.sku_code, entry.bin_code)
            if key not in index:
                raise InvalidArgument.for_field(
                    path,
                    f"SKU {entry.sku_code} in bin {entry.bin_code} is not on sheet {self.sheet_id}",
                )
            if key in updated:
                raise InvalidArgument.for_field(path, "the same SKU and bin appear twice")
            validate_non_negative_quantity(entry.counted, f"{path}.counted")
            validate_non_negative_quantity(entry.damaged, f"{path}.damaged")
            if entry.damaged > entry.counted:
                raise InvalidArgument.for_field(
                    f"{path}.damaged",
                    f"cannot exceed the {entry.counted} units counted (damaged units are counted)",
                )
            updated[key] = replace(
                index[key], counted=entry.counted, damaged=entry.damaged, counted_by=counter_id
            )
        return replace(self, lines=tuple(updated.get(line.key, line) for line in self.lines))

    def post(
        self,
        *,
        approver_id: str,
        now: datetime,
        reasons: Mapping[LineKey, str],
        defective_warehouse_code: str,
    ) -> CountPosting:
        """Approve and post: adjustments for variances, damaged units moved to defective stock.

        `reasons` gives the investigated cause of each variance by (sku_code, bin_code); it is
        kept on the posted line (`CountLine.reason`) for the ledger entry.
        Posting a posted sheet is a no-op. Raises FailedPrecondition when lines are uncounted
        (``COUNT_INCOMPLETE``) or a variance has no reason (``VARIANCE_REASON_MISSING``), and
        PermissionDenied (``APPROVER_IS_COUNTER``) when the approver counted a line.
        """
        validate_text(approver_id, "approver_id", max_len=64)
        validate_aware(now, "now")
        validate_warehouse_code(defective_warehouse_code, "defective_warehouse_code")
        if self.is_posted:
            return CountPosting(self, (), changed=False)
        if self.uncounted:
            missing = ", ".join(f"{line.sku_code}@{line.bin_code}" for line in self.uncounted)
            raise FailedPrecondition(
                f"count sheet {self.sheet_id} has uncounted lines: {missing}",
                reason="COUNT_INCOMPLETE",
            )
        if approver_id in self.counters:
            raise PermissionDenied(
                f"{approver_id} counted lines of sheet {self.sheet_id} and cannot approve it; "
                "ask another approver",
                reason="APPROVER_IS_COUNTER",
            )
        unexplained = [line for line in self.variances if not reasons.get(line.key, "").strip()]
        if unexplained:
            detail = ", ".join(
                f"{line.sku_code}@{line.bin_code} ({line.variance:+d})" for line in unexplained
            )
            raise FailedPrecondition(
                f"investigate and give a reason for every variance before posting: {detail}",
                reason="VARIANCE_REASON_MISSING",
            )
        movements: list[Movement] = []
        for line in self.lines:
            if line.variance:
                movements.append(
                    Movement(
                        MovementKind.COUNT_ADJUSTMENT,
                        line.sku_code,
                        self.warehouse_code,
                        line.variance,
                        bin_code=line.bin_code,
                    )
                )
        for line in self.lines:
            if line.damaged:
                movements.append(
                    Movement(
                        MovementKind.TRANSFER_OUT,
                        line.sku_code,
                        self.warehouse_code,
                        line.damaged,
                        bin_code=line.bin_code,
                    )
                )
                movements.append(
                    Movement(
                        MovementKind.TRANSFER_IN,
                        line.sku_code,
                        defective_warehouse_code,
                        line.damaged,
                    )
                )
        lines = tuple(
            replace(line, reason=reasons[line.key].strip()) if line.variance else line
            for line in self.lines
        )
        posted = replace(self, lines=lines, approved_by=approver_id, posted_at=now)
        return CountPosting(posted, tuple(movements), changed=True)
