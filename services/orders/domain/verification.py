"""Verification (验货): compare what the verifier scanned with what the parcel must contain.

Seed 003 篇3 2.3 (验货称重专员): check that the packing slip matches the express label, and that no
item is wrong, missing or extra (错配、漏配、多配). Any discrepancy blocks packing (4.2 step 4: only
an order the verifier has confirmed goes to the packer).

* WRONG: a SKU the parcel should not contain at all (a substitute for the right item shows as WRONG
  for the substitute and MISSING for the item it replaced).
* MISSING: fewer units of an expected SKU than ordered.
* EXTRA: more units of an expected SKU than ordered.
* LABEL_MISMATCH: the express label scanned belongs to another order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from services.orders.domain.inputs import Violations


class DiscrepancyKind(StrEnum):
    """What is wrong with a parcel's contents."""

    WRONG = "WRONG"
    MISSING = "MISSING"
    EXTRA = "EXTRA"
    LABEL_MISMATCH = "LABEL_MISMATCH"


@dataclass(frozen=True, slots=True)
class Discrepancy:
    """One finding: for LABEL_MISMATCH `sku_code` holds the label's order reference."""

    kind: DiscrepancyKind
    sku_code: str
    expected: int
    scanned: int

    def describe(self) -> str:
        """A sentence for the verifier's screen."""
        if self.kind is DiscrepancyKind.LABEL_MISMATCH:
            return f"express label belongs to {self.sku_code}, not this order"
        if self.kind is DiscrepancyKind.WRONG:
            return f"{self.sku_code}: not in this order ({self.scanned} scanned)"
        return f"{self.sku_code}: expected {self.expected}, scanned {self.scanned}"


@dataclass(frozen=True)
class VerificationResult:
    """Outcome of one verification; `passed` only with no discrepancy at all."""

    order_id: str
    discrepancies: tuple[Discrepancy, ...]

    @property
    def passed(self) -> bool:
        """True when the parcel may go to the packer."""
        return not self.discrepancies

    def describe(self) -> str:
        """All findings in one line."""
        if self.passed:
            return "contents match the order"
        return "; ".join(d.describe() for d in self.discrepancies)


def count_scans(sku_codes: Iterable[str]) -> dict[str, int]:
    """Turn a scanner's stream of codes (one per unit) into counts per SKU."""
    return dict(Counter(sku_codes))


def compare_contents(
    order_id: str,
    expected: Mapping[str, int],
    scanned: Mapping[str, int],
    label_reference: str | None = None,
) -> VerificationResult:
    """Compare expected and scanned units per SKU (and the label's order reference, if scanned)."""
    violations = Violations()
    for sku, count in scanned.items():
        violations.sku_code(sku, f"scanned[{sku}]")
        violations.positive_int(count, f"scanned[{sku}]", maximum=10**9)
    violations.raise_if_any()
    found: list[Discrepancy] = []
    if label_reference is not None and label_reference != order_id:
        found.append(Discrepancy(DiscrepancyKind.LABEL_MISMATCH, label_reference, 0, 0))
    for sku in sorted(set(expected) | set(scanned)):
        want, got = expected.get(sku, 0), scanned.get(sku, 0)
        if want == 0 and got:
            found.append(Discrepancy(DiscrepancyKind.WRONG, sku, 0, got))
        elif got < want:
            found.append(Discrepancy(DiscrepancyKind.MISSING, sku, want, got))
        elif got > want:
            found.append(Discrepancy(DiscrepancyKind.EXTRA, sku, want, got))
    return VerificationResult(order_id, tuple(found))
