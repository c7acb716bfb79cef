"""Validation of ListOrders filters and paging (AIP-158 style, CONTRACT.md "page_size/page_token").

* Filters: status, channel, placed-time range (`created_from` ≤ `created_to`, both inclusive,
  timezone-aware), SKU code (1–64 characters of [A-Za-z0-9._-]), customer (1–200 characters,
  matched case-insensitively within the customer's name, or exactly against the phone) and the
  employee handling the order (an employee code). An empty string means "no filter" (the proto3
  default value); the customer text is stripped of surrounding whitespace.
* `page_size`: 0 or absent → `PagingPolicy.default_page_size` (50); above the maximum (500) it is
  lowered to the maximum, as AIP-158 asks; negative → InvalidArgument.
* `page_token` is opaque to clients: base64url of the last row's (placed_at, order_id) keyset
  position plus a short hash of the filters. It is not signed (tampering only moves the cursor
  within what the caller may list anyway), but garbage, or a token reused with other filters, is an
  InvalidArgument naming `page_token`.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from services.common import paging
from services.common.errors import InvalidArgument
from services.common.validation import is_aware, is_identifier
from services.orders.domain.inputs import Violations
from services.orders.domain.intake import Channel
from services.orders.domain.status import OrderStatus

TOKEN_VERSION = 1
MAX_CUSTOMER_FILTER_LENGTH = 200


@dataclass(frozen=True)
class PagingPolicy:
    """Page size bounds."""

    default_page_size: int = 50
    max_page_size: int = 500


@dataclass(frozen=True, slots=True)
class PageCursor:
    """Keyset position: resume after the row with this placed time and order id."""

    placed_at: datetime
    order_id: str


@dataclass(frozen=True)
class OrderQuery:
    """A checked ListOrders request."""

    status: OrderStatus | None = None
    channel: Channel | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    sku_code: str | None = None
    page_size: int = PagingPolicy().default_page_size
    cursor: PageCursor | None = None
    customer: str | None = None
    handled_by: str | None = None

    @property
    def filter_key(self) -> str:
        """Short hash of the filters (not the page size), tying tokens to their query."""
        parts = [
            self.status.value if self.status else "",
            self.channel.value if self.channel else "",
            self.created_from.astimezone(UTC).isoformat() if self.created_from else "",
            self.created_to.astimezone(UTC).isoformat() if self.created_to else "",
            self.sku_code or "",
            self.customer or "",
            self.handled_by or "",
        ]
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


def parse_order_query(
    *,
    status: str | None = None,
    channel: str | None = None,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
    sku_code: str | None = None,
    page_size: int | None = None,
    page_token: str | None = None,
    customer: str | None = None,
    handled_by: str | None = None,
    policy: PagingPolicy | None = None,
) -> OrderQuery:
    """Check a ListOrders request; InvalidArgument lists every bad field."""
    violations = Violations()
    parsed_status: OrderStatus | None = None
    parsed_channel: Channel | None = None
    try:
        parsed_status = OrderStatus.parse(status) if status else None
    except InvalidArgument as exc:
        violations.items.extend(exc.violations)
    try:
        parsed_channel = Channel.parse(channel) if channel else None
    except InvalidArgument as exc:
        violations.items.extend(exc.violations)
    for name, moment in (("created_from", created_from), ("created_to", created_to)):
        if moment is not None and not is_aware(moment):
            violations.add(name, "must include a time zone (or be UTC)")
    if (
        created_from is not None
        and created_to is not None
        and is_aware(created_from)
        and is_aware(created_to)
        and created_from > created_to
    ):
        violations.add("created_to", "must not be earlier than created_from")
    if sku_code:
        violations.sku_code(sku_code, "sku_code")
    customer_text = ""
    if customer:
        customer_text = violations.text(customer, "customer", max_length=MAX_CUSTOMER_FILTER_LENGTH)
    if handled_by:
        violations.employee_code(handled_by, "handled_by")
    size = 0
    policy = policy or PagingPolicy()
    try:
        size = paging.page_size(page_size or 0, policy.default_page_size, policy.max_page_size)
    except InvalidArgument as exc:
        violations.items.extend(exc.violations)
    violations.raise_if_any()
    query = OrderQuery(
        parsed_status,
        parsed_channel,
        created_from,
        created_to,
        sku_code or None,
        size,
        customer=customer_text or None,
        handled_by=handled_by or None,
    )
    if page_token:
        query = dataclasses.replace(query, cursor=decode_page_token(page_token, query))
    return query


def encode_page_token(query: OrderQuery, last: PageCursor) -> str:
    """The token for the page after `last` (the last row returned)."""
    payload = {
        "v": TOKEN_VERSION,
        "f": query.filter_key,
        "t": last.placed_at.isoformat(),
        "id": last.order_id,
    }
    return paging.encode_token(payload)


def _bad_token(description: str) -> InvalidArgument:
    return InvalidArgument.for_field("page_token", description)


def decode_page_token(token: str, query: OrderQuery) -> PageCursor:
    """The cursor in `token`, or InvalidArgument naming page_token."""
    restart = "; list again without a page_token"
    try:
        payload = paging.decode_payload(token)
    except ValueError:
        raise _bad_token("is not a token this service issued" + restart) from None
    if not isinstance(payload, dict) or payload.get("v") != TOKEN_VERSION:
        raise _bad_token("is not a token this service issued" + restart)
    placed, order_id, key = payload.get("t"), payload.get("id"), payload.get("f")
    if not (isinstance(placed, str) and isinstance(order_id, str) and isinstance(key, str)):
        raise _bad_token("is not a token this service issued" + restart)
    try:
        placed_at = datetime.fromisoformat(placed)
    except ValueError:
        raise _bad_token("is not a token this service issued" + restart) from None
    if not is_aware(placed_at) or not is_identifier(order_id):
        raise _bad_token("is not a token this service issued" + restart)
    if key != query.filter_key:
        raise _bad_token("was issued for other filters" + restart)
    return PageCursor(placed_at, order_id)
