"""Reading orders. Customer contact data (phone, address) is a business secret (seeds 000, 002):
only GetOrder and ListOrders reveal it, only to callers holding `orders.customers.read`, and every
such read is written to the audit log before the data is returned. Every other answer carries the
contact fields masked.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.common.audit import AuditEntry
from services.common.context import current_principal
from services.orders.domain.order import Order
from services.orders.domain.query import OrderQuery, PageCursor, encode_page_token
from services.orders.service.context import OrdersContext

CONTACT_PERMISSION = "orders.customers.read"


def may_read_contact() -> bool:
    return current_principal().can(CONTACT_PERMISSION)


def _audit(rpc: str, orders: list[Order]) -> AuditEntry:
    ids = [o.order_id for o in orders]
    return AuditEntry.by_caller(
        "orders.customers.read",
        f"orders/{ids[0]}" if len(ids) == 1 else "orders",
        category="customer_contact",
        basis=f"permission {CONTACT_PERMISSION}",
        details={"rpc": rpc, "order_ids": ",".join(ids), "fields": "phone,address"},
    )


@dataclass(frozen=True)
class OrderPage:
    orders: list[Order]
    next_page_token: str
    reveal_contact: bool


async def get_order(ctx: OrdersContext, order_id: str) -> tuple[Order, bool]:
    """The order and whether its contact data may be shown (the read is audited if so)."""
    async with ctx.db.statements() as store:
        order = await store.get(order_id)
    reveal = may_read_contact()
    if reveal:
        await ctx.db.audit([_audit("GetOrder", [order])])
    return order, reveal


async def list_orders(ctx: OrdersContext, query: OrderQuery) -> OrderPage:
    async with ctx.db.statements() as store:
        rows = await store.page(query, query.page_size + 1)
    orders, more = rows[: query.page_size], len(rows) > query.page_size
    token = ""
    if more:
        last = orders[-1]
        token = encode_page_token(query, PageCursor(last.placed_at, last.order_id))
    reveal = may_read_contact()
    if reveal and orders:
        await ctx.db.audit([_audit("ListOrders", orders)])
    return OrderPage(orders, token, reveal)
