"""Rows ↔ the Order aggregate: one SELECT brings an order with its lines, history and parcels."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.common.money import Money
from services.orders.domain.customer import Customer
from services.orders.domain.history import HistoryEntry
from services.orders.domain.intake import Channel, OrderLine
from services.orders.domain.order import Order
from services.orders.domain.shipping import Shipment
from services.orders.domain.status import OrderStatus, SagaState

# Lines, history and parcels as JSON arrays next to the order's columns: one round trip.
ORDER_SELECT = """
SELECT o.*,
  (SELECT coalesce(json_agg(json_build_array(l.line_no, l.sku_code, l.quantity,
                                             l.unit_price_minor) ORDER BY l.line_no), '[]')
     FROM order_lines l WHERE l.order_id = o.order_id) AS lines_json,
  (SELECT coalesce(json_agg(json_build_array(h.from_status, h.to_status, h.at, h.actor, h.note)
                            ORDER BY h.id), '[]')
     FROM order_history h WHERE h.order_id = o.order_id) AS history_json,
  (SELECT coalesce(json_agg(json_build_array(s.shipment_no, s.carrier, s.tracking_number,
                                             s.weight_grams, s.quantities, s.address,
                                             s.shipped_at, s.shipped_by)
                            ORDER BY s.shipment_no), '[]')
     FROM shipments s WHERE s.order_id = o.order_id) AS shipments_json
FROM orders o
"""


@dataclass(frozen=True)
class Snapshot:
    """What an order looked like when loaded: the save writes only what changed since."""

    version: int
    status: OrderStatus
    saga: SagaState
    paid: bool
    history_len: int
    shipments_len: int

    @classmethod
    def of(cls, order: Order) -> Snapshot:
        return cls(
            order.version,
            order.status,
            order.saga,
            order.paid,
            len(order.history),
            len(order.shipments),
        )


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _time(value: str | datetime) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def order_from_row(row: Mapping[str, Any] | Any) -> Order:
    """Rebuild the aggregate from a row of ORDER_SELECT."""
    currency = row["currency_code"]
    lines = tuple(
        OrderLine(int(n), sku, int(q), Money(int(p), currency))
        for n, sku, q, p in _json(row["lines_json"])
    )
    history = [
        HistoryEntry(OrderStatus(f) if f else None, OrderStatus(t), _time(at), actor, note or "")
        for f, t, at, actor, note in _json(row["history_json"])
    ]
    parcels = [
        Shipment(
            int(no),
            carrier,
            tracking,
            weight,
            tuple((int(ln), int(q)) for ln, q in _json(quantities)),
            address,
            _time(at),
            by,
        )
        for no, carrier, tracking, weight, quantities, address, at, by in _json(
            row["shipments_json"]
        )
    ]
    return Order(
        order_id=row["order_id"],
        channel=Channel(row["channel"]),
        external_order_id=row["external_order_id"],
        customer=Customer(row["customer_name"], row["customer_phone"], row["customer_address"]),
        lines=lines,
        total=Money(int(row["total_minor"]), currency),
        paid=row["paid"],
        placed_at=row["placed_at"],
        payload_fingerprint=row["payload_fingerprint"],
        buyer_message=row["buyer_message"],
        service_note=row["service_note"],
        status=OrderStatus(row["status"]),
        saga=SagaState(row["saga_state"]),
        paid_at=row["paid_at"],
        confirmed_at=row["confirmed_at"],
        carrier=row["carrier"],
        weight_grams=row["weight_grams"],
        shipments=parcels,
        delivered_at=row["delivered_at"],
        cancel_reason=row["cancel_reason"],
        release_in_doubt_until=row["release_in_doubt_until"],
        handled_by=row["handled_by"],
        history=history,
        version=int(row["version"]),
    )


def shipped_at(order: Order) -> datetime | None:
    """When the last parcel left, once nothing is left to ship."""
    if order.status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED) and order.shipments:
        return order.shipments[-1].shipped_at
    return None


def mutable_columns(order: Order, now: datetime) -> dict[str, Any]:
    """Every column an action on the aggregate can change."""
    return {
        "status": order.status.value,
        "saga_state": order.saga.value,
        "customer_address": order.customer.address,
        "paid": order.paid,
        "paid_at": order.paid_at,
        "handled_by": order.handled_by,
        "confirmed_at": order.confirmed_at,
        "printable_at": order.wave_reference_time(),
        "shipped_at": shipped_at(order),
        "delivered_at": order.delivered_at,
        "carrier": order.carrier,
        "weight_grams": order.weight_grams,
        "cancel_reason": order.cancel_reason,
        "release_in_doubt_until": order.release_in_doubt_until,
        "version": order.version,
        "updated_at": now,
    }


def history_arrays(entries: Sequence[HistoryEntry[OrderStatus]]) -> dict[str, list[Any]]:
    return {
        "h_from": [e.from_status.value if e.from_status else None for e in entries],
        "h_to": [e.to_status.value for e in entries],
        "h_at": [e.at for e in entries],
        "h_actor": [e.actor for e in entries],
        "h_note": [e.note for e in entries],
    }


def shipment_arrays(parcels: Sequence[Shipment]) -> dict[str, list[Any]]:
    return {
        "s_no": [s.shipment_no for s in parcels],
        "s_carrier": [s.carrier for s in parcels],
        "s_tracking": [s.tracking_number for s in parcels],
        "s_weight": [s.weight_grams for s in parcels],
        "s_quantities": [json.dumps([list(q) for q in s.quantities]) for s in parcels],
        "s_address": [s.address for s in parcels],
        "s_at": [s.shipped_at for s in parcels],
        "s_by": [s.shipped_by for s in parcels],
    }
