"""Inventory feed → stock movements with their value change (inventory value) and FIFO cost
(cost of goods sold) for the inventory-turnover KPI."""

from __future__ import annotations

from collections.abc import Mapping

from google.protobuf.message import Message
from sqlalchemy.dialects.postgresql import insert as pg_insert
from storeops.common.v1 import money_pb2
from storeops.inventory.v1 import events_pb2 as ie

from services.performance.db import tables
from services.performance.service.ingestion import EventContext, Handler
from services.performance.service.ingestion.convert import local_day
from services.performance.service.ingestion.page import PageWriter, Slot

# One movement per event (keyed by feed:cursor), written for the whole page at once.
MOVEMENTS = Slot("stock_facts", pg_insert(tables.stock_facts).on_conflict_do_nothing())


def _signed(value: money_pb2.Money, fallback_currency: str = "") -> tuple[int, str]:
    return value.amount_minor, value.currency_code or fallback_currency


def _movement(
    page: PageWriter,
    context: EventContext,
    sku: str,
    kind: str,
    quantity: int,
    value_delta: money_pb2.Money,
    cost: money_pb2.Money | None = None,
) -> None:
    delta, currency = _signed(value_delta)
    cost_minor, cost_currency = _signed(cost, currency) if cost is not None else (0, currency)
    page.add(
        MOVEMENTS,
        {
            "source": f"{context.feed}:{context.cursor}",
            "sku_code": sku,
            "kind": kind,
            "quantity": quantity,
            "value_delta_minor": delta,
            "value_delta_currency": currency or cost_currency,
            "cost_minor": cost_minor,
            "cost_currency": cost_currency or currency,
            "occurred_on": local_day(context.occurred_at, context.tz),
        },
    )


async def stock_received(page: PageWriter, message: Message, context: EventContext) -> None:
    assert isinstance(message, ie.StockReceived)
    delta = message.value_delta if message.HasField("value_delta") else message.value
    _movement(page, context, message.sku_code, "RECEIVED", message.quantity, delta)


async def stock_issued(page: PageWriter, message: Message, context: EventContext) -> None:
    assert isinstance(message, ie.StockIssued)
    delta = message.value_delta
    if not message.HasField("value_delta"):
        delta = money_pb2.Money(
            currency_code=message.cost.currency_code, amount_minor=-message.cost.amount_minor
        )
    _movement(page, context, message.sku_code, "ISSUED", -message.quantity, delta, message.cost)


async def stock_returned(page: PageWriter, message: Message, context: EventContext) -> None:
    assert isinstance(message, ie.StockReturned)
    delta = message.value_delta if message.HasField("value_delta") else message.value
    _movement(page, context, message.sku_code, "RETURNED", message.quantity, delta)


async def stock_adjusted(page: PageWriter, message: Message, context: EventContext) -> None:
    assert isinstance(message, ie.StockAdjusted)
    _movement(
        page,
        context,
        message.sku_code,
        "ADJUSTED",
        message.quantity_delta,
        message.value_delta,
    )


async def stock_removed(page: PageWriter, message: Message, context: EventContext) -> None:
    assert isinstance(message, ie.StockRemoved)
    _movement(page, context, message.sku_code, "REMOVED", -message.quantity, message.value_delta)


HANDLERS: Mapping[str, Handler] = {
    ie.StockReceived.DESCRIPTOR.full_name: stock_received,
    ie.StockIssued.DESCRIPTOR.full_name: stock_issued,
    ie.StockReturned.DESCRIPTOR.full_name: stock_returned,
    ie.StockAdjusted.DESCRIPTOR.full_name: stock_adjusted,
    ie.StockRemoved.DESCRIPTOR.full_name: stock_removed,
}
