"""Order intake: what a channel sends, checked, with totals computed here and never trusted.

Seed 004 订单处理流程 (订单接收): the operator makes sure the order is complete and accurate —
customer, items, amount, address. Rules implemented here:

* Channels are AMAZON, TMALL and OWN_SHOP (CONTRACT.md).
* Every line has a SKU code, a quantity > 0 and a unit price > 0 in minor units; one currency per
  order. Line totals and the order total are computed here; a total beyond int64 is refused.
* Idempotency on (channel, external_order_id): `payload_fingerprint` is a stable hash of what the
  channel sent, so a retry with the same payload returns the existing order and a different payload
  raises AlreadyExists (`ensure_same_payload`).
* Reservation ids are derived from the order, so a retried saga step never reserves twice
  (ARCHITECTURE.md "Cross-service consistency").

Settings (`IntakePolicy`), where the seeds are silent:
* `max_lines` = 100 lines per order and `max_line_quantity` = 100,000 units per line: far above any
  real shop order, low enough to catch a pasted tracking number in a quantity field.
* The fingerprint is insensitive to line order (the same items listed in another order are the same
  order) and to surrounding whitespace, but includes `paid`, the buyer message and the
  customer-service note: a platform that re-sends an order with different content is told so.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from services.common.errors import AlreadyExists, InvalidArgument
from services.common.money import INT64_MAX, Money, is_currency_code
from services.orders.domain.customer import Customer, parse_customer
from services.orders.domain.inputs import Violations, check_identifier

FINGERPRINT_VERSION = "v1"
MAX_EXTERNAL_ORDER_ID_LENGTH = 64
MAX_MESSAGE_LENGTH = 1000


class Channel(StrEnum):
    """Where an order was placed."""

    AMAZON = "AMAZON"
    TMALL = "TMALL"
    OWN_SHOP = "OWN_SHOP"

    @classmethod
    def parse(cls, value: str, field_path: str = "channel") -> Channel:
        """The channel named `value`, or InvalidArgument listing the accepted names."""
        try:
            return cls(value)
        except ValueError:
            accepted = ", ".join(c.value for c in cls)
            raise InvalidArgument.for_field(
                field_path, f"unknown channel {value!r}; use one of {accepted}"
            ) from None


@dataclass(frozen=True, slots=True)
class LineInput:
    """One line as the channel sent it (unchecked)."""

    sku_code: str
    quantity: int
    unit_price_minor: int
    currency_code: str


@dataclass(frozen=True, slots=True)
class OrderLine:
    """A checked order line; `line_no` counts from 1 in the order the channel sent the lines."""

    line_no: int
    sku_code: str
    quantity: int
    unit_price: Money

    @property
    def line_total(self) -> Money:
        """Unit price × quantity (checked against int64 at intake)."""
        return self.unit_price.times(self.quantity)


@dataclass(frozen=True)
class IntakePolicy:
    """Limits applied to incoming orders (see module docstring for the reasoning)."""

    max_lines: int = 100
    max_line_quantity: int = 100_000


@dataclass(frozen=True)
class OrderIntake:
    """A checked order, ready to be stored. Build it with `parse_intake`."""

    channel: Channel
    external_order_id: str
    customer: Customer
    lines: tuple[OrderLine, ...]
    total: Money
    paid: bool
    buyer_message: str = ""
    service_note: str = ""

    @property
    def currency_code(self) -> str:
        """The order's single currency."""
        return self.total.currency

    @property
    def payload_fingerprint(self) -> str:
        """Stable hash of what the channel sent; equal payloads give equal fingerprints."""
        return payload_fingerprint(self)


def parse_intake(
    *,
    channel: Channel | str,
    external_order_id: str,
    customer: Customer,
    lines: Sequence[LineInput],
    paid: bool,
    buyer_message: str = "",
    service_note: str = "",
    policy: IntakePolicy | None = None,
) -> OrderIntake:
    """Check a placed order and compute its totals; InvalidArgument lists every bad field."""
    policy = policy or IntakePolicy()
    violations = Violations()
    parsed_channel: Channel | None = None
    try:
        parsed_channel = Channel.parse(channel) if isinstance(channel, str) else channel
    except InvalidArgument as exc:
        violations.items.extend(exc.violations)
    external_id = violations.text(
        external_order_id,
        "external_order_id",
        max_length=MAX_EXTERNAL_ORDER_ID_LENGTH,
        required=True,
    )
    if any(c.isspace() for c in external_id):
        violations.add("external_order_id", "must not contain spaces")
    checked_customer = parse_customer(customer.name, customer.phone, customer.address, violations)
    checked_lines, total = _parse_lines(lines, violations, policy)
    message = violations.text(buyer_message, "buyer_message", max_length=MAX_MESSAGE_LENGTH)
    note = violations.text(service_note, "service_note", max_length=MAX_MESSAGE_LENGTH)
    if not isinstance(paid, bool):
        violations.add("paid", "must be true or false")
    violations.raise_if_any()
    # raise_if_any guarantees both; the checks narrow the types.
    if parsed_channel is None or total is None:  # pragma: no cover
        raise AssertionError("unreachable: violations were recorded")
    return OrderIntake(
        channel=parsed_channel,
        external_order_id=external_id,
        customer=checked_customer,
        lines=checked_lines,
        total=total,
        paid=paid,
        buyer_message=message,
        service_note=note,
    )


def _parse_lines(
    lines: Sequence[LineInput], violations: Violations, policy: IntakePolicy
) -> tuple[tuple[OrderLine, ...], Money | None]:
    if not lines:
        violations.add("lines", "an order needs at least one line")
        return (), None
    if len(lines) > policy.max_lines:
        violations.add("lines", f"an order may have at most {policy.max_lines} lines")
        return (), None
    currency = lines[0].currency_code
    checked: list[OrderLine] = []
    total = 0
    ok = True
    for index, line in enumerate(lines):
        path = f"lines[{index}]"
        before = len(violations.items)
        violations.sku_code(line.sku_code, f"{path}.sku_code")
        violations.positive_int(line.quantity, f"{path}.quantity", maximum=policy.max_line_quantity)
        violations.positive_int(line.unit_price_minor, f"{path}.unit_price", maximum=INT64_MAX)
        if not is_currency_code(line.currency_code):
            violations.add(
                f"{path}.unit_price.currency_code", "must be three upper-case letters (ISO 4217)"
            )
        elif line.currency_code != currency:
            violations.add(
                f"{path}.unit_price.currency_code",
                f"every line must use the order's currency ({currency}, from lines[0])",
            )
        if len(violations.items) > before:
            ok = False
            continue
        line_total = line.quantity * line.unit_price_minor
        if line_total > INT64_MAX:
            violations.add(path, "quantity × unit price exceeds the largest amount (int64)")
            ok = False
            continue
        total += line_total
        price = Money(line.unit_price_minor, currency)
        checked.append(OrderLine(index + 1, line.sku_code, line.quantity, price))
    if ok and total > INT64_MAX:
        violations.add("lines", "the order total exceeds the largest amount (int64)")
        ok = False
    if not ok:
        return (), None
    return tuple(checked), Money(total, currency)


def payload_fingerprint(intake: OrderIntake) -> str:
    """`v1:` + SHA-256 of the canonical JSON of the payload (see module docstring)."""
    canonical = {
        "channel": intake.channel.value,
        "external_order_id": intake.external_order_id,
        "customer": {
            "name": intake.customer.name,
            "phone": intake.customer.phone,
            "address": intake.customer.address,
        },
        "lines": sorted(
            [ln.sku_code, ln.quantity, ln.unit_price.currency, ln.unit_price.amount_minor]
            for ln in intake.lines
        ),
        "paid": intake.paid,
        "buyer_message": intake.buyer_message,
        "service_note": intake.service_note,
    }
    encoded = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return f"{FINGERPRINT_VERSION}:{hashlib.sha256(encoded.encode('utf-8')).hexdigest()}"


def ensure_same_payload(
    existing_order_id: str, existing_fingerprint: str, intake: OrderIntake
) -> None:
    """Allow a retry of the same order; raise AlreadyExists when its content differs."""
    if existing_fingerprint != intake.payload_fingerprint:
        raise AlreadyExists(
            f"{intake.channel.value} order {intake.external_order_id} was already placed as "
            f"order {existing_order_id} with different content; send the original content to "
            "retry, or use a new external order id for a new order",
            reason="ORDER_PAYLOAD_MISMATCH",
            metadata={"order_id": existing_order_id, "channel": intake.channel.value},
        )


# Reservation ids: "ord-" for an order's reservation, "shp-" for one parcel of a split shipment and
# "exc-" for an exchange's replacement; "ret-" keys the booking of an after-sales request's
# returned goods. Distinct prefixes keep the three families from colliding
# even though order ids may themselves contain '-'.
def order_reservation_id(order_id: str) -> str:
    """Idempotency key under which inventory reserves, releases and commits the order's stock."""
    check_identifier(order_id, "order_id")
    return f"ord-{order_id}"


def shipment_reservation_id(order_id: str, shipment_no: int) -> str:
    """Key for one parcel of a split shipment (shipment numbers count from 1)."""
    check_identifier(order_id, "order_id")
    if shipment_no < 1:
        raise InvalidArgument.for_field("shipment_no", "must be 1 or more")
    return f"shp-{order_id}-{shipment_no}"


def replacement_reservation_id(request_id: str) -> str:
    """Key for the stock an exchange's replacement parcel takes."""
    check_identifier(request_id, "request_id")
    return f"exc-{request_id}"


def return_stock_id(request_id: str) -> str:
    """Key under which inventory books an after-sales request's returned goods (once)."""
    check_identifier(request_id, "request_id")
    return f"ret-{request_id}"
