"""Real concurrent clients (each task on its own pooled connection) against one database:
no oversell, one reservation per id, no deadlock between multi-line reservations and commits."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

from services.common.errors import DomainError, FailedPrecondition
from services.inventory.db.ledger import LedgerFilter
from services.inventory.domain.stock_lines import SkuQuantity
from services.inventory.service import catalogue, ledger, reservations
from tests.integration.inventory import helpers as h

CLIENTS = 60


async def _all_at_once(calls: list[Callable[[], Awaitable[Any]]]) -> list[Any]:
    """Start every call behind one gate, so they hit the database together."""
    gate = asyncio.Event()

    async def run(call: Callable[[], Awaitable[Any]]) -> Any:
        await gate.wait()
        try:
            return await call()
        except DomainError as error:
            return error

    tasks = [asyncio.create_task(run(call)) for call in calls]
    await asyncio.sleep(0)
    gate.set()
    return await asyncio.gather(*tasks)


def _reserve(db, settings, rid: str, lines: list[tuple[str, int]]):
    async def call():
        return await reservations.reserve_stock(
            db, rid, [SkuQuantity(s, q) for s, q in lines], None, h.CLERK, h.now(), settings
        )

    return call


async def test_sixty_clients_on_ten_units_reserve_exactly_ten(db, settings):
    wh = await h.warehouse(db)
    code = await h.sku(db)
    await h.receive(db, settings, wh, {code: 10})
    results = await _all_at_once(
        [_reserve(db, settings, h.uid("R"), [(code, 1)]) for _ in range(CLIENTS)]
    )
    outcomes = Counter(type(r).__name__ for r in results)
    assert outcomes == {"ReservationView": 10, "FailedPrecondition": CLIENTS - 10}
    assert all(
        r.reason == "INSUFFICIENT_STOCK" for r in results if isinstance(r, FailedPrecondition)
    )
    level = await catalogue.get_stock_level(db, code)
    assert (level.on_hand, level.reserved, level.available) == (10, 10, 0)
    entries = await ledger.list_entries(db, LedgerFilter(sku_code=code), 1000, "")
    assert Counter(e.kind for e in entries.items)["RESERVATION"] == 10
    await h.assert_books_consistent(db, code)


async def test_the_same_reservation_id_sent_concurrently_reserves_once(db, settings):
    wh = await h.warehouse(db)
    code = await h.sku(db)
    await h.receive(db, settings, wh, {code: 10})
    rid = h.uid("R")
    results = await _all_at_once([_reserve(db, settings, rid, [(code, 3)]) for _ in range(20)])
    assert all(not isinstance(r, Exception) for r in results), results
    assert {r.reservation.reservation_id for r in results} == {rid}
    level = await catalogue.get_stock_level(db, code)
    assert level.reserved == 3
    entries = await ledger.list_entries(db, LedgerFilter(document_id=rid), 1000, "")
    assert [e.kind for e in entries.items] == ["RESERVATION"]
    await h.assert_books_consistent(db, code)


async def test_multi_line_reservations_in_opposite_orders_with_commits_never_deadlock(db, settings):
    wh = await h.warehouse(db)
    a, b, c = [await h.sku(db) for _ in range(3)]
    await h.receive(db, settings, wh, {a: 1000, b: 1000, c: 1000})
    first = [h.uid("R") for _ in range(30)]
    await _all_at_once(
        [
            _reserve(
                db, settings, rid, [(a, 1), (b, 2), (c, 1)] if i % 2 else [(c, 1), (b, 2), (a, 1)]
            )
            for i, rid in enumerate(first)
        ]
    )
    calls: list[Callable[[], Awaitable[Any]]] = []
    for i, rid in enumerate(first):
        if i % 3 == 0:
            calls.append(lambda rid=rid: reservations.commit_reservation(db, rid, h.CLERK, h.now()))
        elif i % 3 == 1:
            calls.append(
                lambda rid=rid: reservations.release_reservation(db, rid, h.CLERK, h.now())
            )
        lines = [(b, 1), (a, 1)] if i % 2 else [(a, 1), (c, 2), (b, 1)]
        calls.append(_reserve(db, settings, h.uid("R"), lines))
    results = await _all_at_once(calls)
    failures = [r for r in results if isinstance(r, Exception)]
    assert failures == []
    await h.assert_books_consistent(db)
