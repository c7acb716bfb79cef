"""Inventory use cases against a real PostgreSQL: one migrated database per test module."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from services.inventory.db.unit_of_work import InventoryDatabase
from services.inventory.settings import InventorySettings
from tests.support.postgres import TestServer

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def inventory_url(pg_server: TestServer) -> str:
    return pg_server.database("inventory")


@pytest.fixture
async def db(inventory_url: str) -> AsyncIterator[InventoryDatabase]:
    engine = create_async_engine(inventory_url, pool_size=70, max_overflow=10)
    try:
        yield InventoryDatabase(engine)
    finally:
        await engine.dispose()


@pytest.fixture
def settings() -> InventorySettings:
    return InventorySettings()
