"""Invoice requests (开发票): the order clerk issues invoices for orders that ask for one.

Seed 003 篇3 2.2 (打单员 4): invoices are issued for orders that need them. The amount is what the
customer finally paid: the order total minus refunds.

Readings and settings, where the seed is silent:
* Only paid, not cancelled orders can be invoiced, and only for a positive amount.
* `tax_id` is optional (a personal invoice has none); when given it is 15–20 letters or digits,
  upper-cased — the PRC unified social credit code has 18, older taxpayer numbers 15 or 20.
* The title (抬头) is 1–100 characters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from services.common.errors import FailedPrecondition
from services.common.money import Money
from services.orders.domain.inputs import Violations, check_actor, require_aware
from services.orders.domain.order import Order
from services.orders.domain.refunds import Refund, total_refunded
from services.orders.domain.status import OrderStatus

TAX_ID_PATTERN = re.compile(r"[0-9A-Z]{15,20}")
MAX_TITLE_LENGTH = 100


@dataclass(frozen=True)
class InvoiceRequest:
    """What the invoice must show: title, tax id and the amount finally paid."""

    order_id: str
    title: str
    tax_id: str
    amount: Money
    requested_at: datetime
    requested_by: str


def request_invoice(
    order: Order,
    *,
    title: str,
    tax_id: str,
    refunds: Iterable[Refund],
    now: datetime,
    actor: str,
) -> InvoiceRequest:
    """An invoice request for `order`; amount = order total minus its refunds."""
    violations = Violations()
    clean_title = violations.text(title, "title", max_length=MAX_TITLE_LENGTH, required=True)
    clean_tax_id = tax_id.strip().upper()
    if clean_tax_id and not TAX_ID_PATTERN.fullmatch(clean_tax_id):
        violations.add("tax_id", "must be 15–20 letters or digits (e.g. an 18-character USCC)")
    violations.raise_if_any()
    require_aware(now)
    actor = check_actor(actor)
    if order.status is OrderStatus.CANCELLED or not order.paid:
        raise FailedPrecondition(
            f"order {order.order_id} is {'cancelled' if order.paid else 'not paid'}; only paid "
            "orders can be invoiced",
            reason="ORDER_NOT_INVOICEABLE",
            metadata={"order_id": order.order_id, "current_status": order.status.value},
        )
    amount = order.total - total_refunded(order, refunds)
    if not amount.is_positive:
        raise FailedPrecondition(
            f"order {order.order_id} was refunded in full; there is nothing left to invoice",
            reason="NOTHING_TO_INVOICE",
            metadata={"order_id": order.order_id},
        )
    return InvoiceRequest(order.order_id, clean_title, clean_tax_id, amount, now, actor)
