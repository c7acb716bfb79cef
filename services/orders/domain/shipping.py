"""Parcels: carrier, tracking number, weight, and what each parcel carried.

Seed 003 篇3 4.2 and seed 000 订单处理流程 3: the parcel is weighed and its weight uploaded, parcels
are staged by carrier, and the tracking number is recorded so the customer can follow the parcel.

Settings (`ShippingPolicy`), where the seeds are silent:
* `max_weight_grams` = 50,000: the usual upper limit of a domestic express parcel.
* `require_weight` = True: the seed has every parcel weighed before it leaves; a ship request
  without a weight is accepted only when the order was weighed already.
* `require_paid` = True: only paid orders are printed and shipped (seed 003 篇2 5(1):
  打单员审核客户付款状况,确定已经付款). Cash on delivery is not modelled; a deployment that offers
  it turns this off.
* Carrier codes are 1–32 characters of letters, digits, '_' and '-', upper-cased (SF, ZTO, YTO, EMS,
  UPS, AMZL) so parcels group by carrier whatever the case typed.
* Tracking numbers are `min_tracking_length` (6) to `max_tracking_length` (40) letters, digits and
  '-': every carrier the shops use issues at least 8 characters, so anything shorter is a typo.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from services.common.errors import FailedPrecondition
from services.orders.domain.inputs import Violations

CARRIER_PATTERN = re.compile(r"[A-Z0-9_-]{1,32}")
_TRACKING_CHARS = re.compile(r"[A-Za-z0-9-]+")


@dataclass(frozen=True)
class ShippingPolicy:
    """Rules for parcels leaving the warehouse (see module docstring)."""

    max_weight_grams: int = 50_000
    require_weight: bool = True
    require_paid: bool = True
    min_tracking_length: int = 6
    max_tracking_length: int = 40


@dataclass(frozen=True, slots=True)
class Shipment:
    """One parcel: which line quantities it carried, how and where it went."""

    shipment_no: int
    carrier: str
    tracking_number: str
    weight_grams: int | None
    quantities: tuple[tuple[int, int], ...]  # (line_no, quantity), sorted by line_no
    address: str
    shipped_at: datetime
    shipped_by: str

    @property
    def quantity_by_line(self) -> dict[int, int]:
        """Units per order line in this parcel."""
        return dict(self.quantities)


def check_carrier(carrier: str, violations: Violations, field_path: str = "carrier") -> str:
    """A carrier code, upper-cased."""
    code = carrier.strip().upper()
    if not CARRIER_PATTERN.fullmatch(code):
        violations.add(
            field_path,
            "must be a carrier code of 1–32 letters, digits, '_' or '-' (e.g. SF, ZTO, EMS, UPS)",
        )
    return code


def check_tracking_number(
    tracking_number: str,
    violations: Violations,
    policy: ShippingPolicy,
    field_path: str = "tracking_number",
) -> str:
    """A tracking number within the policy's length limits, without spaces."""
    value = tracking_number.strip()
    low, high = policy.min_tracking_length, policy.max_tracking_length
    if not value:
        violations.add(field_path, "is required: record the tracking number the carrier issued")
    elif not low <= len(value) <= high:
        violations.add(field_path, f"must be {low}–{high} characters (got {len(value)})")
    elif not _TRACKING_CHARS.fullmatch(value):
        violations.add(field_path, "must contain only letters, digits and '-'")
    return value


def check_weight(
    weight_grams: int, violations: Violations, policy: ShippingPolicy, field_path: str
) -> int:
    """A parcel weight in grams: more than 0, at most the policy's maximum."""
    return violations.positive_int(weight_grams, field_path, maximum=policy.max_weight_grams)


def normalise_quantities(quantities: Mapping[int, int]) -> tuple[tuple[int, int], ...]:
    """(line_no, quantity) pairs sorted by line, zero quantities dropped."""
    return tuple(sorted((line, qty) for line, qty in quantities.items() if qty))


def check_label(carrier: str, tracking_number: str, policy: ShippingPolicy) -> tuple[str, str]:
    """The carrier code and tracking number of a parcel, or InvalidArgument naming both."""
    violations = Violations()
    code = check_carrier(carrier, violations)
    tracking = check_tracking_number(tracking_number, violations, policy)
    violations.raise_if_any()
    return code, tracking


def is_recorded_parcel(
    order_id: str,
    shipments: Sequence[Shipment],
    carrier: str,
    tracking_number: str,
    quantities: Mapping[int, int] | None,
) -> bool:
    """True when this exact parcel is already recorded (a retry, to be a no-op).

    A tracking number recorded for a different parcel (another carrier, other contents) is refused:
    one tracking number follows one parcel. `quantities` None means "whatever was left".
    """
    for shipment in shipments:
        if shipment.tracking_number != tracking_number:
            continue
        same_lines = quantities is None or shipment.quantities == normalise_quantities(quantities)
        if shipment.carrier == carrier and same_lines:
            return True
        raise FailedPrecondition(
            f"tracking number {tracking_number} is already recorded on order {order_id} for "
            f"parcel {shipment.shipment_no} ({shipment.carrier}, lines "
            f"{_describe(shipment.quantities)}); each parcel needs its own tracking number",
            reason="TRACKING_NUMBER_ALREADY_USED",
            metadata={"order_id": order_id},
        )
    return False


def already_shipped(
    order_id: str, status: str, shipments: Sequence[Shipment]
) -> FailedPrecondition:
    """The refusal for shipping an order that has left in full."""
    numbers = ", ".join(s.tracking_number for s in shipments)
    return FailedPrecondition(
        f"order {order_id} is {status} with tracking number(s) {numbers}; a shipped order cannot "
        "be shipped again — open a logistics exception to reship",
        reason="ORDER_ALREADY_SHIPPED",
        metadata={"order_id": order_id, "current_status": status},
    )


def check_parcel_contents(
    order_id: str,
    quantities: Mapping[int, int],
    remaining: Mapping[int, int],
    violations: Violations,
) -> tuple[tuple[int, int], ...]:
    """Line numbers must exist and units be positive (recorded in `violations`)."""
    for line_no, qty in quantities.items():
        path = f"quantities[{line_no}]"
        if line_no not in remaining:
            violations.add(path, f"order {order_id} has no line {line_no}")
        else:
            violations.positive_int(qty, path, maximum=10**9)
    if not quantities:
        violations.add("quantities", "a parcel must carry at least one unit")
    return normalise_quantities(quantities)


def check_fits_remaining(
    order_id: str, wanted: Sequence[tuple[int, int]], remaining: Mapping[int, int]
) -> None:
    """A parcel cannot carry more of a line than is still to ship."""
    over = [
        f"line {ln}: {qty} asked, {remaining[ln]} left" for ln, qty in wanted if qty > remaining[ln]
    ]
    if over:
        raise FailedPrecondition(
            f"order {order_id}: a parcel cannot carry more than is left to ship "
            f"({'; '.join(over)})",
            reason="SHIP_QUANTITY_EXCEEDS_REMAINING",
            metadata={"order_id": order_id},
        )


def _describe(quantities: Sequence[tuple[int, int]]) -> str:
    return ", ".join(f"{ln}×{qty}" for ln, qty in quantities)
