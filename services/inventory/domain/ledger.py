"""The append-only stock ledger and the balances it folds into.

Seed 003 篇2 7 (账务处理): books are closed daily, only signed documents are posted, and a posted
entry is never overwritten — a correction stays visible with who made it and when (划改 …
签署全名及更改日期). Hence: entries are immutable, and a mistake is undone by a REVERSAL entry with
the negated effect that references the original.

Each entry changes (on_hand, reserved) of one SKU in one warehouse:

================  =========  ========  ==========================================
kind              on_hand    reserved  why
================  =========  ========  ==========================================
RECEIPT           +q         0         good units booked in from a receipt
DEFECT_IN         +q         0         defective units found at receiving (次品仓)
RETURN_IN         +q         0         customer return put back
TRANSFER_IN       +q         0         arrival from another warehouse
TRANSFER_OUT      −q         0         departure to another warehouse
SCRAP             −q         0         written off (拨废单)
SUPPLIER_RETURN   −q         0         defective goods back to the supplier
RESERVATION       0          +q        held for a document
RELEASE           0          −q        hold given back
ISSUE             −q         −q        reserved units leave (issuing is against a document)
PUT_AWAY          0          0         bin change inside a warehouse (库位)
COUNT_ADJUSTMENT  ±q         0         correction after a count (signed quantity)
REVERSAL          −(orig)    −(orig)   cancels an earlier entry
================  =========  ========  ==========================================

Invariants kept per (SKU, warehouse): on_hand ≥ 0, reserved ≥ 0, available = on_hand − reserved
≥ 0. A movement that would break one raises FailedPrecondition and changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import TypeAlias

from services.common.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound
from services.common.money import Money
from services.inventory.domain.validation import (
    validate_aware,
    validate_positive_quantity,
    validate_sku_code,
    validate_text,
    validate_warehouse_code,
)

StockKey: TypeAlias = tuple[str, str]
"""(sku_code, warehouse_code)."""


class MovementKind(StrEnum):
    """Kinds of ledger entry (names match the LedgerEntry.Kind proto)."""

    RECEIPT = "RECEIPT"
    PUT_AWAY = "PUT_AWAY"
    TRANSFER_OUT = "TRANSFER_OUT"
    TRANSFER_IN = "TRANSFER_IN"
    RESERVATION = "RESERVATION"
    RELEASE = "RELEASE"
    ISSUE = "ISSUE"
    RETURN_IN = "RETURN_IN"
    SCRAP = "SCRAP"
    COUNT_ADJUSTMENT = "COUNT_ADJUSTMENT"
    SUPPLIER_RETURN = "SUPPLIER_RETURN"
    REVERSAL = "REVERSAL"
    DEFECT_IN = "DEFECT_IN"


@dataclass(frozen=True)
class Effect:
    """A change of (on_hand, reserved)."""

    on_hand: int
    reserved: int

    def __neg__(self) -> Effect:
        return Effect(-self.on_hand, -self.reserved)


# Per unit of quantity; COUNT_ADJUSTMENT carries its sign in the quantity.
_UNIT_EFFECT: Mapping[MovementKind, Effect] = {
    MovementKind.RECEIPT: Effect(1, 0),
    MovementKind.DEFECT_IN: Effect(1, 0),
    MovementKind.RETURN_IN: Effect(1, 0),
    MovementKind.TRANSFER_IN: Effect(1, 0),
    MovementKind.TRANSFER_OUT: Effect(-1, 0),
    MovementKind.SCRAP: Effect(-1, 0),
    MovementKind.SUPPLIER_RETURN: Effect(-1, 0),
    MovementKind.RESERVATION: Effect(0, 1),
    MovementKind.RELEASE: Effect(0, -1),
    MovementKind.ISSUE: Effect(-1, -1),
    MovementKind.PUT_AWAY: Effect(0, 0),
    MovementKind.COUNT_ADJUSTMENT: Effect(1, 0),
}


def effect_of(kind: MovementKind, quantity: int, field_name: str = "quantity") -> Effect:
    """The effect of `quantity` units moving as `kind`.

    `quantity` is positive, except for COUNT_ADJUSTMENT where it is the signed, non-zero
    variance. REVERSAL has no effect of its own: use `LedgerEntry.reversal`.
    """
    if kind is MovementKind.REVERSAL:
        raise InvalidArgument.for_field("kind", "a REVERSAL is made from the entry it reverses")
    if kind is MovementKind.COUNT_ADJUSTMENT:
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity == 0:
            raise InvalidArgument.for_field(field_name, "must be a non-zero whole number")
    else:
        validate_positive_quantity(quantity, field_name)
    unit = _UNIT_EFFECT[kind]
    return Effect(unit.on_hand * quantity, unit.reserved * quantity)


@dataclass(frozen=True)
class Movement:
    """What moves, before it is posted: a domain rule returns these, the handler posts them."""

    kind: MovementKind
    sku_code: str
    warehouse_code: str
    quantity: int
    bin_code: str | None = None
    lot_id: str | None = None

    def __post_init__(self) -> None:
        validate_sku_code(self.sku_code)
        validate_warehouse_code(self.warehouse_code)
        effect_of(self.kind, self.quantity)

    @property
    def effect(self) -> Effect:
        """Change of (on_hand, reserved) in `warehouse_code`."""
        return effect_of(self.kind, self.quantity)


@dataclass(frozen=True)
class LedgerEntry:
    """One posted movement: immutable, with its document, who and when."""

    entry_id: int
    kind: MovementKind
    sku_code: str
    warehouse_code: str
    on_hand_delta: int
    reserved_delta: int
    document_type: str
    document_id: str
    actor: str
    created_at: datetime
    reverses_entry_id: int | None = None
    reason: str = ""
    bin_code: str | None = None
    lot_id: str | None = None
    cost: Money | None = None

    def __post_init__(self) -> None:
        validate_sku_code(self.sku_code)
        validate_warehouse_code(self.warehouse_code)
        validate_text(self.document_type, "document_type", max_len=64)
        validate_text(self.document_id, "document_id", max_len=64)
        validate_text(self.actor, "actor", max_len=64)
        validate_aware(self.created_at, "created_at")
        if (self.kind is MovementKind.REVERSAL) != (self.reverses_entry_id is not None):
            raise InvalidArgument.for_field(
                "reverses_entry_id", "is set exactly when the entry is a REVERSAL"
            )
        if self.kind is MovementKind.REVERSAL:
            validate_text(self.reason, "reason")

    @classmethod
    def record(
        cls,
        movement: Movement,
        *,
        entry_id: int,
        document_type: str,
        document_id: str,
        actor: str,
        at: datetime,
        reason: str = "",
        cost: Money | None = None,
    ) -> LedgerEntry:
        """The entry that posts `movement` under `document_type`/`document_id`."""
        effect = movement.effect
        return cls(
            entry_id=entry_id,
            kind=movement.kind,
            sku_code=movement.sku_code,
            warehouse_code=movement.warehouse_code,
            on_hand_delta=effect.on_hand,
            reserved_delta=effect.reserved,
            document_type=document_type,
            document_id=document_id,
            actor=actor,
            created_at=at,
            reason=reason,
            bin_code=movement.bin_code,
            lot_id=movement.lot_id,
            cost=cost,
        )

    @property
    def key(self) -> StockKey:
        """(sku_code, warehouse_code) this entry changes."""
        return (self.sku_code, self.warehouse_code)

    @property
    def effect(self) -> Effect:
        """Change of (on_hand, reserved)."""
        return Effect(self.on_hand_delta, self.reserved_delta)

    def reversal(self, *, entry_id: int, actor: str, at: datetime, reason: str) -> LedgerEntry:
        """A REVERSAL entry that cancels this one (same SKU, warehouse and document).

        Raises FailedPrecondition (``CANNOT_REVERSE_REVERSAL``) for a reversal: to redo a
        movement, post it again, so every correction reads forwards.
        """
        if self.kind is MovementKind.REVERSAL:
            raise FailedPrecondition(
                f"entry {self.entry_id} is itself a reversal; post the movement again instead",
                reason="CANNOT_REVERSE_REVERSAL",
            )
        return replace(
            self,
            entry_id=entry_id,
            kind=MovementKind.REVERSAL,
            on_hand_delta=-self.on_hand_delta,
            reserved_delta=-self.reserved_delta,
            actor=actor,
            created_at=at,
            reverses_entry_id=self.entry_id,
            reason=reason,
            cost=None if self.cost is None else Money(-self.cost.amount_minor, self.cost.currency),
        )


@dataclass(frozen=True)
class StockBalance:
    """Stock of one SKU in one warehouse."""

    sku_code: str
    warehouse_code: str
    on_hand: int = 0
    reserved: int = 0

    @property
    def available(self) -> int:
        """Units that can still be reserved: on_hand − reserved."""
        return self.on_hand - self.reserved

    def apply(self, effect: Effect) -> StockBalance:
        """The balance after `effect`; raises FailedPrecondition if an invariant would break."""
        on_hand = self.on_hand + effect.on_hand
        reserved = self.reserved + effect.reserved
        where = f"SKU {self.sku_code} in warehouse {self.warehouse_code}"
        if on_hand < 0:
            raise FailedPrecondition(
                f"not enough stock of {where}: {self.on_hand} on hand, {-effect.on_hand} to remove",
                reason="INSUFFICIENT_STOCK",
            )
        if reserved < 0:
            raise FailedPrecondition(
                f"cannot release {-effect.reserved} units of {where}: only {self.reserved} "
                "reserved",
                reason="RESERVED_UNDERFLOW",
            )
        if on_hand - reserved < 0:
            raise FailedPrecondition(
                f"not enough available stock of {where}: {self.available} available, "
                f"{effect.reserved - effect.on_hand} needed",
                reason="INSUFFICIENT_STOCK",
            )
        return replace(self, on_hand=on_hand, reserved=reserved)


def fold(entries: Iterable[LedgerEntry]) -> dict[StockKey, StockBalance]:
    """Balances per (SKU, warehouse) after `entries` in order; raises on any invariant breach."""
    balances: dict[StockKey, StockBalance] = {}
    for entry in entries:
        current = balances.get(entry.key) or StockBalance(entry.sku_code, entry.warehouse_code)
        balances[entry.key] = current.apply(entry.effect)
    return balances


@dataclass(frozen=True)
class Ledger:
    """An in-memory ledger: the entries so far and the balances they fold into.

    `post` checks what a database layer must also check: increasing entry ids, and that a
    reversal names an existing, not yet reversed, non-reversal entry of the same SKU/warehouse.
    """

    entries: tuple[LedgerEntry, ...] = ()
    balances: Mapping[StockKey, StockBalance] = field(default_factory=dict)

    def balance(self, sku_code: str, warehouse_code: str) -> StockBalance:
        """Current balance (zero if never moved)."""
        key = (sku_code, warehouse_code)
        return self.balances.get(key) or StockBalance(sku_code, warehouse_code)

    def post(self, entry: LedgerEntry) -> Ledger:
        """A ledger with `entry` appended; raises and leaves this ledger as it was on failure."""
        if self.entries and entry.entry_id <= self.entries[-1].entry_id:
            if any(e.entry_id == entry.entry_id for e in self.entries):
                raise AlreadyExists(
                    f"ledger entry {entry.entry_id} is already posted",
                    reason="LEDGER_ENTRY_EXISTS",
                )
            raise InvalidArgument.for_field(
                "entry_id", f"must be greater than the last entry id {self.entries[-1].entry_id}"
            )
        if entry.reverses_entry_id is not None:
            self._check_reversal(entry)
        balances = dict(self.balances)
        balances[entry.key] = self.balance(*entry.key).apply(entry.effect)
        return Ledger((*self.entries, entry), balances)

    def _check_reversal(self, reversal: LedgerEntry) -> None:
        target_id = reversal.reverses_entry_id
        original = next((e for e in self.entries if e.entry_id == target_id), None)
        if original is None:
            raise NotFound(
                f"ledger entry {target_id} does not exist", reason="LEDGER_ENTRY_NOT_FOUND"
            )
        if original.kind is MovementKind.REVERSAL:
            raise FailedPrecondition(
                f"entry {target_id} is itself a reversal; post the movement again instead",
                reason="CANNOT_REVERSE_REVERSAL",
            )
        if any(e.reverses_entry_id == target_id for e in self.entries):
            raise FailedPrecondition(
                f"entry {target_id} is already reversed", reason="ALREADY_REVERSED"
            )
        if reversal.key != original.key or reversal.effect != -original.effect:
            raise InvalidArgument.for_field(
                "reverses_entry_id",
                f"a reversal must negate entry {target_id} on the same SKU and warehouse",
            )
