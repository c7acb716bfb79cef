"""JSON shapes of the small aggregates' columns (history, quantities, refunds, replacements)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from services.common.money import Money
from services.orders.domain.history import HistoryEntry
from services.orders.domain.refunds import Refund, RefundLine
from services.orders.domain.returned_goods import Replacement, UnitDisposition

S = TypeVar("S", bound=StrEnum)


def _time(value: str | datetime | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


def history_to_json(entries: Sequence[HistoryEntry[Any]]) -> list[list[Any]]:
    return [
        [
            e.from_status.value if e.from_status else None,
            e.to_status.value,
            e.at.isoformat(),
            e.actor,
            e.note,
        ]
        for e in entries
    ]


def history_from_json(raw: Sequence[Sequence[Any]], status: type[S]) -> list[HistoryEntry[S]]:
    entries: list[HistoryEntry[S]] = []
    for from_status, to_status, at, actor, note in raw:
        moment = _time(at)
        assert moment is not None
        entries.append(
            HistoryEntry(
                status(from_status) if from_status else None,
                status(to_status),
                moment,
                actor,
                note or "",
            )
        )
    return entries


def pairs_to_json(pairs: Sequence[tuple[int, int]]) -> list[list[int]]:
    return [[a, b] for a, b in pairs]


def pairs_from_json(raw: Sequence[Sequence[int]]) -> tuple[tuple[int, int], ...]:
    return tuple((int(a), int(b)) for a, b in raw)


def dispositions_to_json(items: Sequence[tuple[int, UnitDisposition]]) -> list[list[int]]:
    return [[line_no, d.sellable, d.defective] for line_no, d in items]


def dispositions_from_json(
    raw: Sequence[Sequence[int]],
) -> tuple[tuple[int, UnitDisposition], ...]:
    return tuple((int(n), UnitDisposition(int(s), int(d))) for n, s, d in raw)


def replacement_to_json(replacement: Replacement | None) -> dict[str, Any] | None:
    if replacement is None:
        return None
    return {
        "items": [[sku, qty] for sku, qty in replacement.items],
        "carrier": replacement.carrier,
        "tracking_number": replacement.tracking_number,
        "shipped_at": replacement.shipped_at.isoformat(),
        "shipped_by": replacement.shipped_by,
        "remark": replacement.remark,
    }


def replacement_from_json(raw: dict[str, Any] | None) -> Replacement | None:
    if not raw:
        return None
    shipped_at = _time(raw["shipped_at"])
    assert shipped_at is not None
    return Replacement(
        tuple((str(sku), int(qty)) for sku, qty in raw["items"]),
        raw["carrier"],
        raw["tracking_number"],
        shipped_at,
        raw["shipped_by"],
        raw.get("remark", "EXCHANGE"),
    )


def refund_lines_to_json(refund: Refund) -> list[list[int]]:
    return [[ln.line_no, ln.quantity, ln.amount.amount_minor] for ln in refund.lines]


def refund_from_row(row: Any) -> Refund:
    currency = row.currency_code
    return Refund(
        refund_id=row.refund_id,
        order_id=row.order_id,
        lines=tuple(RefundLine(int(n), int(q), Money(int(a), currency)) for n, q, a in row.lines),
        reason=row.reason,
        refunded_at=row.refunded_at,
        refunded_by=row.refunded_by,
        source=row.source,
    )
