"""Feeds → facts on real PostgreSQL: facts as expected, re-application changes nothing, a page
that fails half-way leaves no trace, malformed and unknown events do not stop the feed."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from storeops.common.v1 import events_pb2
from storeops.orders.v1 import events_pb2 as oe

from services.common.feeds import FeedConsumer
from services.performance.db import tables
from services.performance.service import facts
from services.performance.service.context import Deps
from services.performance.service.ingestion import FactIngestion
from services.performance.settings import PerformanceSettings
from tests.integration.performance import events as ev
from tests.integration.performance import scenario
from tests.integration.performance.conftest import Clock, consume

pytestmark = pytest.mark.integration


async def dump(engine: AsyncEngine) -> dict[str, list[tuple[Any, ...]]]:
    """Every fact table's rows, sorted (what replay must reproduce)."""
    result = {}
    async with engine.connect() as connection:
        for table in tables.FACT_TABLES:
            rows = await connection.execute(sa.select(table))
            result[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return result


async def test_scenario_feeds_become_facts(fresh: tuple[Deps, Clock]) -> None:
    deps, _ = fresh
    await consume(deps.db.engine, scenario.feeds())
    async with deps.db.engine.connect() as c:
        orders = {r.order_id: r for r in await c.execute(sa.select(tables.order_facts))}
        payments = {r.payment_key: r for r in await c.execute(sa.select(tables.payment_facts))}
        refunds = list(await c.execute(sa.select(tables.refund_facts)))
        employment = {
            r.employee_code: r for r in await c.execute(sa.select(tables.employment_facts))
        }
        attendance = list(await c.execute(sa.select(tables.attendance_facts)))
        stock = list(await c.execute(sa.select(tables.stock_facts)))
        outcomes = {r.outcome for r in await c.execute(sa.select(tables.ingested_events))}
    assert orders["O1"].handled_by == "P1"
    assert orders["O1"].units == 3
    assert orders["O1"].shop == "TMALL"
    assert orders["O1"].placed_on == date(2026, 3, 2)
    # O1 left at 16:00 the day it was placed before 17:00 (on time); O2 came in at 18:30 and
    # left two days later (late: due by the end of the next day).
    assert orders["O1"].shipped_at <= orders["O1"].ship_due_at
    assert orders["O2"].shipped_at > orders["O2"].ship_due_at
    # Paid at intake: OrderPlaced and PaymentReceived make one payment, not two.
    assert len(payments) == 4
    assert payments["O3"].collected_on == date(2026, 3, 20)
    assert "O4" not in payments
    assert [(r.order_id, r.amount_minor, r.refunded_on) for r in refunds] == [
        ("O1", 20_000, date(2026, 3, 25))
    ]
    assert employment["C2"].leave_date == date(2026, 3, 15)
    assert len(attendance) == 5
    assert sorted(s.cost_minor for s in stock if s.kind == "ISSUED") == [4_000, 6_000]
    assert outcomes == {"APPLIED"}


async def test_applying_the_same_events_twice_changes_nothing(fresh: tuple[Deps, Clock]) -> None:
    deps, _ = fresh
    feeds = scenario.feeds()
    await consume(deps.db.engine, feeds)
    before = await dump(deps.db.engine)
    ingestion = FactIngestion(PerformanceSettings().timezone)
    async with deps.db.engine.begin() as connection:  # every event once more, in order
        for name, feed in feeds.items():
            apply = ingestion.apply_for(name)
            for event in feed.events:
                await apply(connection, event)
    # … and the cursors rewound to the start: the consumers re-read everything.
    async with deps.db.engine.begin() as connection:
        await connection.execute(tables.feed_cursors.update().values(cursor=""))
    await consume(deps.db.engine, feeds, page_size=5)
    assert await dump(deps.db.engine) == before


async def test_a_page_failing_half_way_is_not_applied_and_the_cursor_stays(
    fresh: tuple[Deps, Clock],
) -> None:
    deps, _ = fresh
    feed = ev.Feed("orders")
    ev.placed(feed, "X1", "P1", 10_000, "2026-03-02 10:00", paid=False)
    ev.placed(feed, "X2", "P1", 20_000, "2026-03-02 11:00", paid=False)
    ev.placed(feed, "X3", "P1", 30_000, "2026-03-02 12:00", paid=False)
    ingestion = FactIngestion(PerformanceSettings().timezone)
    real = ingestion.apply_for("orders")
    crash_at = {"1-3"}

    async def crashing(connection: AsyncConnection, event: events_pb2.Event) -> None:
        await real(connection, event)
        if event.cursor in crash_at:
            raise ConnectionError("process killed mid-page")

    consumer = FeedConsumer(
        "orders", deps.db.engine, tables.feed_cursors, feed.fetch, crashing, page_size=2
    )
    assert await consumer.run_once() == 2  # X1, X2
    with pytest.raises(ConnectionError):
        await consumer.run_once()  # page (X3): applied, then the crash before commit
    assert await consumer.position() == "1-2"
    async with deps.db.engine.connect() as c:
        ids = {r.order_id for r in await c.execute(sa.select(tables.order_facts))}
        seen = {r.cursor for r in await c.execute(sa.select(tables.ingested_events))}
    assert ids == {"X1", "X2"}
    assert seen == {"1-1", "1-2"}
    crash_at.clear()
    assert await consumer.run_once() == 1
    async with deps.db.engine.connect() as c:
        ids = {r.order_id for r in await c.execute(sa.select(tables.order_facts))}
    assert ids == {"X1", "X2", "X3"}
    assert await consumer.position() == "1-3"


async def test_malformed_and_unknown_events_are_recorded_and_skipped(
    fresh: tuple[Deps, Clock],
) -> None:
    deps, _ = fresh
    feed = ev.Feed("orders")
    feed.add("Y1", oe.OrderPlaced(order_id="Y1", total=ev.cny(100)), ev.at("2026-03-01 10:00"))
    bad = oe.OrderPlaced(order_id="Y2", handled_by="P1")  # no total: no currency
    feed.add("Y2", bad, ev.at("2026-03-01 10:00"))
    feed.add("Y3", oe.OrderBackordered(order_id="Y3"), ev.at("2026-03-01 10:00"))
    await consume(deps.db.engine, {"orders": feed})
    async with deps.db.engine.connect() as c:
        outcomes = {r.key: r.outcome for r in await c.execute(sa.select(tables.ingested_events))}
        ids = {r.order_id for r in await c.execute(sa.select(tables.order_facts))}
    assert outcomes["Y1"] == "APPLIED"
    assert outcomes["Y2"].startswith("REJECTED: total: no currency")
    assert outcomes["Y3"] == "IGNORED"
    assert ids == {"Y1"}
    (orders,) = await facts.positions(deps)
    assert (orders.events_applied, orders.events_rejected, orders.events_ignored) == (3, 1, 1)


async def test_a_later_attendance_revision_replaces_the_month_and_an_older_one_does_not(
    fresh: tuple[Deps, Clock],
) -> None:
    deps, _ = fresh
    feed = ev.Feed("people")
    ev.attendance(feed, "C1", "2026-03", [("2026-03-02", "LATE", 10)], revision=1)
    ev.attendance(feed, "C1", "2026-03", [("2026-03-03", "ABSENT_HALF_DAY", 0)], revision=3)
    ev.attendance(feed, "C1", "2026-03", [("2026-03-04", "LATE", 5)], revision=2)
    await consume(deps.db.engine, {"people": feed})
    async with deps.db.engine.connect() as c:
        rows = [(r.day, r.kind) for r in await c.execute(sa.select(tables.attendance_facts))]
    assert rows == [(date(2026, 3, 3), "ABSENT_HALF_DAY")]


async def test_a_value_the_fact_tables_refuse_is_rejected_not_retried_forever(
    fresh: tuple[Deps, Clock],
) -> None:
    deps, _ = fresh
    feed = ev.Feed("people")
    ev.training(feed, "C1", "T-1", "123456789.5", "2026-03-06 15:00")  # does not fit numeric(7,2)
    ev.training(feed, "C1", "T-2", "91", "2026-03-07 15:00")
    await consume(deps.db.engine, {"people": feed})
    async with deps.db.engine.connect() as c:
        outcomes = [
            r.outcome
            for r in await c.execute(
                sa.select(tables.ingested_events).order_by(tables.ingested_events.c.cursor)
            )
        ]
        kept = [r.result_key for r in await c.execute(sa.select(tables.training_facts))]
    assert outcomes[0].startswith("REJECTED")
    assert outcomes[1] == "APPLIED"
    assert kept == ["C1:T-2"]
