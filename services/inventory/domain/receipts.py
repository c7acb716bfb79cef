"""A receipt (入库单): a supplier's delivery, its QC per line, its signatures and its completion.

Seed 003 篇2 1 (产品验收与入库): check the delivery note, print labels, the inbound document is
signed by the warehouse supervisor and keeper, QC inspects, non-conforming goods are isolated to
defective stock, conforming goods are put away. Appendix 3: one rejected colour + size sends the
*whole delivery* back (整单退货).

Status (names match the Receipt.Status proto; derived from the lines, never stored apart)::

    AWAITING_INSPECTION --every line ACCEPTED--> INSPECTED --complete()--> COMPLETED
            \\--any line REJECTED--> REJECTED (cannot be completed; goes back to the supplier)

Completing needs every line decided and the signatures of `RECEIVING_SIGNATURES` (or the rule
the caller passes). Completing a completed receipt is a no-op, so a retried call is harmless.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from services.common.errors import FailedPrecondition, InvalidArgument
from services.inventory.domain.ledger import Movement, MovementKind
from services.inventory.domain.qc import DEFAULT_QC_POLICY, QcLine, QcPolicy, QcState
from services.inventory.domain.roles import DocumentKind
from services.inventory.domain.signatures import (
    RECEIVING_SIGNATURES,
    Signature,
    SignatureRule,
    SignatureSheet,
)
from services.inventory.domain.stock_lines import SkuQuantity, validate_lines
from services.inventory.domain.validation import (
    validate_aware,
    validate_client_key,
    validate_text,
    validate_warehouse_code,
)

RECEIPT_DOCUMENTS = (DocumentKind.INBOUND, DocumentKind.INSPECTION)


class ReceiptStatus(StrEnum):
    """Lifecycle of a receipt."""

    AWAITING_INSPECTION = "AWAITING_INSPECTION"
    INSPECTED = "INSPECTED"
    REJECTED = "REJECTED"
    COMPLETED = "COMPLETED"


@dataclass(frozen=True)
class InspectionResult:
    """One inspection round for one SKU: `inspected` units looked at, `defective` of them failed."""

    sku_code: str
    inspected: int
    defective: int


@dataclass(frozen=True)
class ReceiptCompletion:
    """Outcome of `Receipt.complete`: the receipt, the movements to post, and whether it changed."""

    receipt: Receipt
    movements: tuple[Movement, ...]
    changed: bool


@dataclass(frozen=True)
class Receipt:
    """An inbound delivery and its QC; every change returns a new receipt."""

    receipt_id: str
    warehouse_code: str
    supplier: str
    lines: tuple[QcLine, ...]
    signatures: SignatureSheet = field(default_factory=SignatureSheet)
    completed_at: datetime | None = None

    @classmethod
    def create(
        cls,
        receipt_id: str,
        warehouse_code: str,
        supplier: str,
        lines: Sequence[SkuQuantity],
        policy: QcPolicy = DEFAULT_QC_POLICY,
    ) -> Receipt:
        """A new receipt awaiting inspection; each line gets its first sample size."""
        validate_client_key(receipt_id, "receipt_id")
        validate_warehouse_code(warehouse_code)
        validate_text(supplier, "supplier")
        checked = validate_lines(lines, unique=True)
        qc_lines = tuple(QcLine.open(line.sku_code, line.quantity, policy) for line in checked)
        return cls(receipt_id, warehouse_code, supplier, qc_lines)

    @property
    def status(self) -> ReceiptStatus:
        """Derived from the lines: any REJECTED line rejects the whole delivery."""
        if self.completed_at is not None:
            return ReceiptStatus.COMPLETED
        states = {line.state for line in self.lines}
        if QcState.REJECTED in states:
            return ReceiptStatus.REJECTED
        if states == {QcState.ACCEPTED}:
            return ReceiptStatus.INSPECTED
        return ReceiptStatus.AWAITING_INSPECTION

    @property
    def lines_awaiting_inspection(self) -> tuple[QcLine, ...]:
        """Lines that still need an inspection round."""
        return tuple(line for line in self.lines if not line.is_decided)

    def record_inspection(
        self, results: Sequence[InspectionResult], policy: QcPolicy = DEFAULT_QC_POLICY
    ) -> Receipt:
        """Apply one inspection round to some lines; all results apply or none do.

        Errors name ``lines[i].<field>`` by the index in `results`.
        """
        self._require_open("record an inspection on")
        if not results:
            raise InvalidArgument.for_field("lines", "must contain at least one inspected line")
        by_sku = {line.sku_code: line for line in self.lines}
        updated: dict[str, QcLine] = {}
        for i, result in enumerate(results):
            path = f"lines[{i}]"
            line = by_sku.get(result.sku_code)
            if line is None:
                raise InvalidArgument.for_field(
                    f"{path}.sku_code", f"SKU {result.sku_code} is not on receipt {self.receipt_id}"
                )
            if result.sku_code in updated:
                raise InvalidArgument.for_field(
                    f"{path}.sku_code", f"SKU {result.sku_code} appears twice in one round"
                )
            updated[result.sku_code] = line.record_round(
                result.inspected, result.defective, policy, field_prefix=f"{path}."
            )
        lines = tuple(updated.get(line.sku_code, line) for line in self.lines)
        return replace(self, lines=lines)

    def sign(self, signature: Signature, rule: SignatureRule = RECEIVING_SIGNATURES) -> Receipt:
        """Add a signature on the inbound document or the inspection (see `SignatureSheet.sign`)."""
        if self.status is ReceiptStatus.COMPLETED:
            raise FailedPrecondition(
                f"receipt {self.receipt_id} is completed; its documents can no longer be signed",
                reason="RECEIPT_COMPLETED",
            )
        return replace(self, signatures=self.signatures.sign(signature, rule))

    def complete(
        self,
        *,
        now: datetime,
        defective_warehouse_code: str,
        rule: SignatureRule = RECEIVING_SIGNATURES,
    ) -> ReceiptCompletion:
        """Book the receipt: good units on hand in its warehouse, defectives to defective stock.

        Returns the movements to post (RECEIPT per line with good units, DEFECT_IN per line with
        defective units). A completed receipt completes again as a no-op (no movements).
        Raises FailedPrecondition when rejected (``RECEIPT_REJECTED``), when a line still awaits
        inspection (``RECEIPT_AWAITING_INSPECTION``) or a signature is missing.
        """
        validate_aware(now, "now")
        validate_warehouse_code(defective_warehouse_code, "defective_warehouse_code")
        status = self.status
        if status is ReceiptStatus.COMPLETED:
            return ReceiptCompletion(self, (), changed=False)
        if status is ReceiptStatus.REJECTED:
            raise FailedPrecondition(
                f"receipt {self.receipt_id} failed QC: return the whole delivery to "
                f"{self.supplier} instead of completing it",
                reason="RECEIPT_REJECTED",
            )
        if status is ReceiptStatus.AWAITING_INSPECTION:
            waiting = ", ".join(
                f"{line.sku_code} ({line.state})" for line in self.lines_awaiting_inspection
            )
            raise FailedPrecondition(
                f"receipt {self.receipt_id} still has lines awaiting inspection: {waiting}",
                reason="RECEIPT_AWAITING_INSPECTION",
            )
        self.signatures.require(rule, RECEIPT_DOCUMENTS)
        movements: list[Movement] = []
        for line in self.lines:
            if line.good:
                movements.append(
                    Movement(MovementKind.RECEIPT, line.sku_code, self.warehouse_code, line.good)
                )
            if line.defective:
                movements.append(
                    Movement(
                        MovementKind.DEFECT_IN,
                        line.sku_code,
                        defective_warehouse_code,
                        line.defective,
                    )
                )
        return ReceiptCompletion(replace(self, completed_at=now), tuple(movements), changed=True)

    def supplier_return_lines(self) -> tuple[SkuQuantity, ...]:
        """Units that go back to the supplier: every unit if REJECTED, else the defectives found."""
        if self.status is ReceiptStatus.REJECTED:
            return tuple(SkuQuantity(line.sku_code, line.quantity) for line in self.lines)
        return tuple(
            SkuQuantity(line.sku_code, line.defective) for line in self.lines if line.defective
        )

    def _require_open(self, action: str) -> None:
        status = self.status
        if status is ReceiptStatus.COMPLETED:
            raise FailedPrecondition(
                f"cannot {action} receipt {self.receipt_id}: it is already completed",
                reason="RECEIPT_COMPLETED",
            )
        if status is ReceiptStatus.REJECTED:
            raise FailedPrecondition(
                f"cannot {action} receipt {self.receipt_id}: it was rejected and goes back to "
                f"{self.supplier}",
                reason="RECEIPT_REJECTED",
            )
