"""Building the feed's event messages (storeops/inventory/v1/events.proto) from domain values."""

from __future__ import annotations

from storeops.common.v1 import money_pb2

from services.common.money import Money


def money(value: Money) -> money_pb2.Money:
    """A domain Money as the common proto."""
    return money_pb2.Money(currency_code=value.currency, amount_minor=value.amount_minor)


def zero(currency: str) -> money_pb2.Money:
    """No value change, in `currency`."""
    return money_pb2.Money(currency_code=currency, amount_minor=0)
