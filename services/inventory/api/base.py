"""What every part of the inventory servicer holds: the database, settings and a clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from services.common.outbox import EventFeed
from services.inventory.db.unit_of_work import InventoryDatabase
from services.inventory.settings import InventorySettings


class ServicerBase:
    """Shared state of the servicer parts (mixins), set once by `InventoryServicer`."""

    _db: InventoryDatabase
    _settings: InventorySettings
    _feed: EventFeed
    _clock: Callable[[], datetime]
