"""Transfers between warehouses (调拨), seed 003 篇2 4.

"A仓管员…开出调拨,通知B仓管员调货。B仓管人员收到调拨通知后,准时按单调拨物料…
跟A仓管员进展物料交接,并双方签名确认。" — A's keeper requests, B's keeper ships per the document,
A receives; both sign; the statistician books the location change.

States::

    REQUESTED --ship (source keeper signs)--> SHIPPED --receive (destination signs)--> RECEIVED
        \\--cancel--> CANCELLED (only before shipping)

Readings chosen (``TransferPolicy``):
- ``transit_warehouse_code = "TRANSIT"``: goods on the way sit in a transit warehouse on the
  books (TRANSFER_OUT source + TRANSFER_IN transit on shipping; TRANSFER_OUT transit +
  TRANSFER_IN destination on receipt), so stock in transit is visible. ``None`` books straight
  from source to destination.
- A partial receipt records the shortfall per line; the missing units stay in transit until the
  investigation ends (a SCRAP or COUNT_ADJUSTMENT there), because the books must match the shelves
  (账实相符) and a loss is not booked before anyone has looked for the goods.
- Receiving more than was shipped is refused: an extra unit is a counting error to fix first.
- B ships exactly what the document asks for (按单调拨); a different quantity is a new document.
- ``distinct_signers = True``: the keeper who ships and the keeper who receives are two people
  (双方签名).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from services.common.errors import FailedPrecondition, InvalidArgument
from services.inventory.domain.ledger import Movement, MovementKind
from services.inventory.domain.stock_lines import SkuQuantity, validate_lines
from services.inventory.domain.validation import (
    validate_aware,
    validate_id,
    validate_non_negative_quantity,
    validate_text,
    validate_warehouse_code,
)


class TransferStatus(StrEnum):
    """Lifecycle of a transfer."""

    REQUESTED = "REQUESTED"
    SHIPPED = "SHIPPED"
    RECEIVED = "RECEIVED"
    CANCELLED = "CANCELLED"


@dataclass(frozen=True)
class TransferPolicy:
    """Settings of the transfer rule; see the module docstring."""

    transit_warehouse_code: str | None = "TRANSIT"
    distinct_signers: bool = True


DEFAULT_TRANSFER_POLICY = TransferPolicy()


@dataclass(frozen=True)
class KeeperSignature:
    """The keeper `employee_id` of `warehouse_code` signed the transfer document at `signed_at`."""

    employee_id: str
    warehouse_code: str
    signed_at: datetime

    def __post_init__(self) -> None:
        validate_text(self.employee_id, "employee_id", max_len=64)
        validate_warehouse_code(self.warehouse_code)
        validate_aware(self.signed_at, "signed_at")


@dataclass(frozen=True)
class TransferLine:
    """One SKU of a transfer: requested, shipped and received units."""

    sku_code: str
    requested: int
    shipped: int = 0
    received: int = 0

    @property
    def shortfall(self) -> int:
        """Units shipped but not (yet) received."""
        return self.shipped - self.received


@dataclass(frozen=True)
class TransferStep:
    """A transfer after a command, the movements to post, and whether it changed."""

    transfer: Transfer
    movements: tuple[Movement, ...]
    changed: bool


@dataclass(frozen=True)
class Transfer:
    """A transfer document from `source_warehouse_code` to `destination_warehouse_code`."""

    transfer_id: str
    source_warehouse_code: str
    destination_warehouse_code: str
    lines: tuple[TransferLine, ...]
    requested_by: KeeperSignature
    shipped_by: KeeperSignature | None = None
    received_by: KeeperSignature | None = None
    cancelled_at: datetime | None = None
    cancel_reason: str = ""

    @classmethod
    def request(
        cls,
        transfer_id: str,
        source_warehouse_code: str,
        destination_warehouse_code: str,
        lines: Sequence[SkuQuantity],
        requested_by: KeeperSignature,
    ) -> Transfer:
        """A's keeper (the destination) asks B (the source) for goods."""
        validate_id(transfer_id, "transfer_id")
        validate_warehouse_code(source_warehouse_code, "source_warehouse_code")
        validate_warehouse_code(destination_warehouse_code, "destination_warehouse_code")
        if source_warehouse_code == destination_warehouse_code:
            raise InvalidArgument.for_field(
                "destination_warehouse_code", "must differ from source_warehouse_code"
            )
        _require_keeper_of(requested_by, destination_warehouse_code, "request")
        checked = validate_lines(lines, unique=True)
        return cls(
            transfer_id,
            source_warehouse_code,
            destination_warehouse_code,
            tuple(TransferLine(line.sku_code, line.quantity) for line in checked),
            requested_by,
        )

    @property
    def status(self) -> TransferStatus:
        """Derived from the signatures and the cancellation."""
        if self.cancelled_at is not None:
            return TransferStatus.CANCELLED
        if self.received_by is not None:
            return TransferStatus.RECEIVED
        if self.shipped_by is not None:
            return TransferStatus.SHIPPED
        return TransferStatus.REQUESTED

    @property
    def in_transit(self) -> tuple[SkuQuantity, ...]:
        """Units on the way (shipped, not received yet); after receipt, the shortfall."""
        return tuple(
            SkuQuantity(line.sku_code, line.shortfall) for line in self.lines if line.shortfall
        )

    def ship(
        self, signature: KeeperSignature, policy: TransferPolicy = DEFAULT_TRANSFER_POLICY
    ) -> TransferStep:
        """B's keeper ships every requested unit and signs; shipping again is a no-op."""
        status = self.status
        if status in (TransferStatus.SHIPPED, TransferStatus.RECEIVED):
            return TransferStep(self, (), changed=False)
        if status is TransferStatus.CANCELLED:
            raise FailedPrecondition(
                f"transfer {self.transfer_id} was cancelled; request a new one",
                reason="TRANSFER_CANCELLED",
            )
        _require_keeper_of(signature, self.source_warehouse_code, "ship")
        lines = tuple(replace(line, shipped=line.requested) for line in self.lines)
        shipped = replace(self, lines=lines, shipped_by=signature)
        movements = shipped._moves(
            self.source_warehouse_code, policy.transit_warehouse_code, "shipped"
        )
        return TransferStep(shipped, movements, changed=True)

    def receive(
        self,
        signature: KeeperSignature,
        received: Sequence[SkuQuantity] | None = None,
        policy: TransferPolicy = DEFAULT_TRANSFER_POLICY,
    ) -> TransferStep:
        """A's keeper counts what arrived and signs; `received` None means all of it.

        `received` must give every line (0 allowed), never above what was shipped.
        """
        status = self.status
        if status is TransferStatus.RECEIVED:
            return TransferStep(self, (), changed=False)
        if status is not TransferStatus.SHIPPED:
            raise FailedPrecondition(
                f"transfer {self.transfer_id} is {status}: only a shipped transfer is received",
                reason="TRANSFER_NOT_SHIPPED",
            )
        _require_keeper_of(signature, self.destination_warehouse_code, "receive")
        if (
            policy.distinct_signers
            and self.shipped_by is not None
            and (signature.employee_id == self.shipped_by.employee_id)
        ):
            raise FailedPrecondition(
                f"{signature.employee_id} shipped transfer {self.transfer_id}; the receiving "
                "keeper must be another person",
                reason="SAME_SIGNER_BOTH_SIDES",
            )
        counts = self._received_counts(received)
        lines = tuple(replace(line, received=counts[line.sku_code]) for line in self.lines)
        done = replace(self, lines=lines, received_by=signature)
        movements = done._moves(
            policy.transit_warehouse_code, self.destination_warehouse_code, "received"
        )
        return TransferStep(done, movements, changed=True)

    def cancel(self, now: datetime, reason: str) -> TransferStep:
        """Cancel before shipping; cancelling again is a no-op."""
        validate_aware(now, "now")
        validate_text(reason, "reason")
        status = self.status
        if status is TransferStatus.CANCELLED:
            return TransferStep(self, (), changed=False)
        if status is not TransferStatus.REQUESTED:
            raise FailedPrecondition(
                f"transfer {self.transfer_id} is already {status}: goods have left "
                f"{self.source_warehouse_code}; receive them and transfer back instead",
                reason="TRANSFER_SHIPPED",
            )
        return TransferStep(replace(self, cancelled_at=now, cancel_reason=reason), (), True)

    def _received_counts(self, received: Sequence[SkuQuantity] | None) -> dict[str, int]:
        if received is None:
            return {line.sku_code: line.shipped for line in self.lines}
        shipped = {line.sku_code: line.shipped for line in self.lines}
        counts: dict[str, int] = {}
        for i, line in enumerate(received):
            path = f"lines[{i}]"
            if line.sku_code not in shipped:
                raise InvalidArgument.for_field(
                    f"{path}.sku_code", f"SKU {line.sku_code} is not on transfer {self.transfer_id}"
                )
            if line.sku_code in counts:
                raise InvalidArgument.for_field(
                    f"{path}.sku_code", f"SKU {line.sku_code} appears twice"
                )
            validate_non_negative_quantity(line.quantity, f"{path}.quantity")
            if line.quantity > shipped[line.sku_code]:
                raise InvalidArgument.for_field(
                    f"{path}.quantity",
                    f"{line.quantity} received but only {shipped[line.sku_code]} shipped; "
                    "count again",
                )
            counts[line.sku_code] = line.quantity
        missing = sorted(set(shipped) - set(counts))
        if missing:
            raise InvalidArgument.for_field(
                "lines", f"give the received count of every line (0 if none); missing {missing}"
            )
        return counts

    def _moves(
        self, from_code: str | None, to_code: str | None, field: str
    ) -> tuple[Movement, ...]:
        moves: list[Movement] = []
        for line in self.lines:
            units = line.shipped if field == "shipped" else line.received
            if units == 0:
                continue
            if from_code is not None:
                moves.append(Movement(MovementKind.TRANSFER_OUT, line.sku_code, from_code, units))
            if to_code is not None:
                moves.append(Movement(MovementKind.TRANSFER_IN, line.sku_code, to_code, units))
        return tuple(moves)


def _require_keeper_of(signature: KeeperSignature, warehouse_code: str, action: str) -> None:
    if signature.warehouse_code != warehouse_code:
        raise FailedPrecondition(
            f"only a keeper of warehouse {warehouse_code} may {action} this transfer; "
            f"{signature.employee_id} signed for {signature.warehouse_code}",
            reason="WRONG_WAREHOUSE_KEEPER",
        )
