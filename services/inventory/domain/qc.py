"""QC sampling of one receipt line (one colour + size of a delivery), seed 003 附3 质检要求.

"每个颜色号码抽检10%…假如合格率低于100%,加抽10%,假如合格率低于70%,则报告总经办,要求整单退货处理。
假如合格率高于70%低于100%,则全检后再入库,次品报数量总经办退货。"

Flow of a line (``QcState``)::

    AWAITING_SAMPLE --all pass--> ACCEPTED
          | any defective
          v
    NEEDS_SECOND_SAMPLE --pass rate over both samples--> < 70%: REJECTED
                                                         70% ≤ r < 100%: NEEDS_FULL_INSPECTION
                                                         100%: ACCEPTED
    NEEDS_FULL_INSPECTION --every remaining unit inspected--> ACCEPTED (with its defective count)

Readings chosen where the seed is loose (all in ``QcPolicy``):
- ``sample_rate = 10%``, rounded up, at least ``min_sample = 1`` unit, never more than the units
  not yet inspected.
- ``reject_below = 70%``: the seed says "below 70%" rejects and "above 70%" inspects fully; it
  is silent on exactly 70%. The careful reading keeps the goods and inspects every unit, so exactly
  70% → full inspection. The comparison is exact (``Fraction``), never a float.
- The pass rate of the second decision is over *both* samples together (CONTRACT.md).
- When a round leaves no unit uninspected, there is nothing more to sample: the line is decided at
  once on the pass rate over everything inspected (below 70% → REJECTED, otherwise the full
  inspection has in effect been done → ACCEPTED with its defectives). A 1-unit delivery whose unit
  fails is therefore rejected.
- After ACCEPTED on a clean sample, units not inspected count as good (that is what sampling means).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from services.common.errors import FailedPrecondition, InvalidArgument
from services.inventory.domain.validation import (
    validate_non_negative_quantity,
    validate_positive_quantity,
    validate_sku_code,
)


class QcState(StrEnum):
    """Where a line stands in the sampling rule (names match the ReceiptLine.QcState proto)."""

    AWAITING_SAMPLE = "AWAITING_SAMPLE"
    NEEDS_SECOND_SAMPLE = "NEEDS_SECOND_SAMPLE"
    NEEDS_FULL_INSPECTION = "NEEDS_FULL_INSPECTION"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"


DECIDED_STATES = frozenset({QcState.ACCEPTED, QcState.REJECTED})


@dataclass(frozen=True)
class QcPolicy:
    """Settings of the sampling rule; defaults are seed 003 附3."""

    sample_rate: Decimal = Decimal("0.10")
    min_sample: int = 1
    reject_below: Decimal = Decimal("0.70")

    def __post_init__(self) -> None:
        if not Decimal(0) < self.sample_rate <= Decimal(1):
            raise InvalidArgument.for_field("sample_rate", "must be above 0 and at most 1")
        validate_positive_quantity(self.min_sample, "min_sample")
        if not Decimal(0) < self.reject_below <= Decimal(1):
            raise InvalidArgument.for_field("reject_below", "must be above 0 and at most 1")


DEFAULT_QC_POLICY = QcPolicy()


def sample_size(quantity: int, policy: QcPolicy = DEFAULT_QC_POLICY) -> int:
    """Units to sample from a line of `quantity`: ceil(rate × quantity), at least the minimum,
    never more than the quantity itself."""
    validate_positive_quantity(quantity)
    wanted = math.ceil(Fraction(policy.sample_rate) * quantity)
    return min(quantity, max(policy.min_sample, wanted))


@dataclass(frozen=True)
class QcLine:
    """The QC record of one SKU of a delivery; every change returns a new line.

    `sample_size` is what the next inspection round must cover at least (0 once decided);
    `inspected` and `defective` add up over rounds.
    """

    sku_code: str
    quantity: int
    state: QcState
    sample_size: int
    inspected: int = 0
    defective: int = 0
    rounds: int = 0

    @classmethod
    def open(cls, sku_code: str, quantity: int, policy: QcPolicy = DEFAULT_QC_POLICY) -> QcLine:
        """A freshly received line waiting for its first sample."""
        validate_sku_code(sku_code)
        validate_positive_quantity(quantity)
        return cls(sku_code, quantity, QcState.AWAITING_SAMPLE, sample_size(quantity, policy))

    @property
    def uninspected(self) -> int:
        """Units nobody has looked at yet."""
        return self.quantity - self.inspected

    @property
    def is_decided(self) -> bool:
        """True once the line is ACCEPTED or REJECTED."""
        return self.state in DECIDED_STATES

    @property
    def good(self) -> int:
        """Units that go on hand on completion: quantity − defective once accepted, else 0."""
        return self.quantity - self.defective if self.state is QcState.ACCEPTED else 0

    @property
    def pass_rate(self) -> Fraction | None:
        """Share of inspected units that passed, exactly; None before any inspection."""
        if self.inspected == 0:
            return None
        return Fraction(self.inspected - self.defective, self.inspected)

    def record_round(
        self,
        inspected: int,
        defective: int,
        policy: QcPolicy = DEFAULT_QC_POLICY,
        field_prefix: str = "",
    ) -> QcLine:
        """Apply one inspection round of `inspected` units of which `defective` failed.

        `field_prefix` (e.g. ``"lines[1]."``) is put before field names in errors.
        Raises FailedPrecondition (``QC_LINE_DECIDED``) on an accepted or rejected line and
        InvalidArgument when the round is smaller than the required sample, larger than the units
        left, or has more defectives than units inspected.
        """
        if self.is_decided:
            raise FailedPrecondition(
                f"QC of SKU {self.sku_code} is already decided ({self.state}); "
                "no further inspection round is taken",
                reason="QC_LINE_DECIDED",
            )
        validate_non_negative_quantity(inspected, f"{field_prefix}inspected")
        validate_non_negative_quantity(defective, f"{field_prefix}defective")
        if inspected < self.sample_size:
            full = self.state is QcState.NEEDS_FULL_INSPECTION
            what = "all units not yet inspected" if full else "the required sample"
            raise InvalidArgument.for_field(
                f"{field_prefix}inspected",
                f"must be at least {self.sample_size} ({what} for SKU {self.sku_code}), "
                f"got {inspected}",
            )
        if inspected > self.uninspected:
            raise InvalidArgument.for_field(
                f"{field_prefix}inspected",
                f"only {self.uninspected} units of SKU {self.sku_code} are not yet inspected, "
                f"got {inspected}",
            )
        if defective > inspected:
            raise InvalidArgument.for_field(
                f"{field_prefix}defective",
                f"cannot exceed the {inspected} units inspected in this round, got {defective}",
            )
        after = replace(
            self,
            inspected=self.inspected + inspected,
            defective=self.defective + defective,
            rounds=self.rounds + 1,
        )
        return after._decide(policy)

    def _decide(self, policy: QcPolicy) -> QcLine:
        if self.state is QcState.NEEDS_FULL_INSPECTION:
            # The round covered every remaining unit (checked above): defectives are now known.
            return self._settle(QcState.ACCEPTED)
        if self.state is QcState.AWAITING_SAMPLE and self.uninspected > 0:
            if self.defective == 0:
                return self._settle(QcState.ACCEPTED)
            second = min(self.uninspected, sample_size(self.quantity, policy))
            return replace(self, state=QcState.NEEDS_SECOND_SAMPLE, sample_size=second)
        # Second decision, over both samples together (or over everything, if nothing is left).
        rate = Fraction(self.inspected - self.defective, self.inspected)
        if rate < Fraction(policy.reject_below):
            return self._settle(QcState.REJECTED)
        if rate == 1 or self.uninspected == 0:
            return self._settle(QcState.ACCEPTED)
        return replace(self, state=QcState.NEEDS_FULL_INSPECTION, sample_size=self.uninspected)

    def _settle(self, state: QcState) -> QcLine:
        return replace(self, state=state, sample_size=0)
