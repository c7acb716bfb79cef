"""What every orders use case needs: the database, inventory, settings and the clock."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from services.common.clock import utc_now
from services.common.context import actor, current_principal
from services.orders.db.unit_of_work import OrdersDatabase
from services.orders.domain.inputs import EMPLOYEE_CODE_PATTERN
from services.orders.service.inventory import Inventory
from services.orders.service.settings import OrdersSettings


@dataclass
class OrdersContext:
    """Dependencies of the use cases, built once in `wiring.wire`."""

    db: OrdersDatabase
    inventory: Inventory
    settings: OrdersSettings = field(default_factory=OrdersSettings)
    clock: Callable[[], datetime] = utc_now
    # Set when stock may have become available here (our own release): the allocator looks now.
    backorder_wakeup: asyncio.Event = field(default_factory=asyncio.Event)


def caller() -> str:
    """Who is acting: the caller's subject (an employee code or a service account)."""
    return actor()


def default_handler(handled_by: str) -> str | None:
    """The employee a new record is attributed to: the one named, else the calling employee."""
    if handled_by:
        return handled_by
    principal = current_principal()
    if principal.kind == "employee" and EMPLOYEE_CODE_PATTERN.fullmatch(principal.subject):
        return principal.subject
    return None
