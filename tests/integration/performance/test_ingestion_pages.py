"""A page of events applied at once (one statement per kind of row, no savepoint per event) gives
exactly the facts of applying its events one by one; a rejected event in a page is isolated; a page
failing for any other reason leaves nothing behind and its cursor where it was."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pytest
import sqlalchemy as sa
from google.protobuf import any_pb2
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from storeops.common.v1 import events_pb2
from storeops.orders.v1 import cases_pb2 as cs
from storeops.orders.v1 import events_pb2 as oe
from storeops.orders.v1 import resources_pb2 as orders_pb
from storeops.people.v1 import events_pb2 as pe

from services.common.feeds import FeedConsumer
from services.performance.db import tables
from services.performance.service.context import Deps
from services.performance.service.ingestion import FactIngestion
from services.performance.settings import PerformanceSettings
from tests.integration.performance import events as ev
from tests.integration.performance import scenario
from tests.integration.performance.conftest import Clock, consume
from tests.integration.performance.test_ingestion import dump
from tests.support.postgres import TestServer

pytestmark = pytest.mark.integration

OVERFLOW = 2_000_000_000  # two lines of it: more units than order_facts.units (integer) holds


def consumer(engine: AsyncEngine, feed: ev.Feed, page_size: int = 100) -> FeedConsumer:
    ingestion = FactIngestion(PerformanceSettings().timezone)
    return FeedConsumer(
        feed.name,
        engine,
        tables.feed_cursors,
        feed.fetch,
        ingestion.apply_for(feed.name),
        page_size=page_size,
        apply_page=ingestion.apply_page_for(feed.name),
    )


async def outcomes(engine: AsyncEngine) -> dict[str, str]:
    async with engine.connect() as c:
        rows = await c.execute(sa.select(tables.ingested_events))
        return {f"{r.feed}:{r.cursor}": r.outcome for r in rows}


async def order_ids(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as c:
        return {r.order_id for r in await c.execute(sa.select(tables.order_facts))}


def overflowing(feed: ev.Feed, order_id: str) -> None:
    """Placed and paid at intake, with more units than the fact table holds (a DataError)."""
    lines = [oe.EventLine(sku_code="TEA-1", quantity=OVERFLOW) for _ in range(2)]
    placed = oe.OrderPlaced(
        order_id=order_id,
        channel=orders_pb.TMALL,
        total=ev.cny(100),
        paid=True,
        handled_by="P1",
        place_time=ev.stamp(ev.at("2026-03-03 10:00")),
        lines=lines,
    )
    feed.add(order_id, placed, ev.at("2026-03-03 10:00"))


def tricky_feeds() -> dict[str, ev.Feed]:
    """The scenario, plus events whose effects depend on their order within a page: an order
    shipped before it is placed, cancelled twice, paid at intake and then by PaymentReceived (and
    the other way round), rated twice, delivered twice; a complaint ended before it is opened; a
    leaver without a hire date hired in the same page; attendance revisions out of order; and
    events rejected by validation (some after their handler added rows) or by the database."""
    feeds = scenario.feeds()
    orders, people = feeds["orders"], feeds["people"]
    ev.shipped(orders, "T1", "P1", 10_000, "2026-03-03 09:00", "2026-03-03 15:00")
    ev.placed(orders, "T1", "P1", 10_000, "2026-03-03 09:00", paid=True, units=4)
    facts = ev.order_facts("T1", "P1", 10_000, "2026-03-03 09:00")
    for when in ("2026-03-04 10:00", "2026-03-05 10:00"):
        orders.add(
            "T1", oe.OrderCancelled(order=facts, cancel_time=ev.stamp(ev.at(when))), ev.at(when)
        )
        orders.add(
            "T1", oe.OrderDelivered(order=facts, deliver_time=ev.stamp(ev.at(when))), ev.at(when)
        )
    ev.rated(orders, "T1", "P1", 10_000, "2026-03-03 09:00", 2, "2026-03-06 10:00")
    ev.rated(orders, "T1", "P1", 10_000, "2026-03-03 09:00", 5, "2026-03-07 10:00")
    ev.paid(orders, "T2", "C1", 5_000, "2026-03-03 12:00", "2026-03-04 12:00")
    intake = oe.OrderPlaced(
        order_id="T2",
        channel=orders_pb.TMALL,
        total=ev.cny(5_000),
        paid=True,
        handled_by="C1",
        place_time=ev.stamp(ev.at("2026-03-03 12:00")),
        paid_time=ev.stamp(ev.at("2026-03-03 12:00")),
    )
    orders.add("T2", intake, ev.at("2026-03-03 12:00"))  # after PaymentReceived: changes nothing
    ev.refunded(orders, "", "T3", "C1", 9_000, "2026-03-03 13:00", 100, "2026-03-04 13:00")
    overflowing(orders, "T4")
    ev.placed(orders, "T5", "C1", 7_000, "2026-03-03 14:00", paid=False, channel="OWN_SHOP")
    ended = oe.ComplaintEnded(
        complaint_id="K1",
        order_id="T5",
        handled_by="C1",
        status=cs.Complaint.RESOLVED,
        open_time=ev.stamp(ev.at("2026-03-04 09:00")),
        end_time=ev.stamp(ev.at("2026-03-06 09:00")),
    )
    orders.add("T5", ended, ev.at("2026-03-06 09:00"))
    opened = oe.ComplaintOpened(complaint_id="K1", order_id="T5", handled_by="S1")
    orders.add("T5", opened, ev.at("2026-03-04 09:00"))

    ev.hired(people, "N1", "cs_specialist", "customer_service", "S1", "2026-03-01", 200_000)
    people.add(
        "N1",
        pe.EmployeeLeft(employee_code="N1", leave_date="2026-03-20"),
        ev.at("2026-03-20 18:00"),
    )
    people.add(
        "N9",
        pe.EmployeeLeft(employee_code="N9", leave_date="2026-03-20"),
        ev.at("2026-03-20 18:00"),
    )
    ev.training(people, "N1", "T-9", "70", "2026-03-06 15:00")
    ev.training(people, "N1", "T-9", "75", "2026-03-07 15:00")
    ev.training(people, "N1", "T-10", "123456789", "2026-03-07 15:00")  # numeric(7,2) refuses
    ev.attendance(people, "N1", "2026-03", [("2026-03-02", "LATE", 5)], revision=2)
    ev.attendance(people, "N1", "2026-03", [("2026-04-02", "LATE", 5)], revision=3)  # not March
    ev.attendance(people, "N1", "2026-03", [("2026-03-03", "LATE", 7)], revision=1)  # older
    return feeds


async def test_a_page_at_once_gives_the_facts_of_its_events_one_by_one(
    fresh: tuple[Deps, Clock], pg_server: TestServer
) -> None:
    deps, _ = fresh
    await consume(deps.db.engine, tricky_feeds(), page_size=500)  # each feed in one page
    at_once = await dump(deps.db.engine)
    one_by_one_engine = create_async_engine(pg_server.database("performance"))
    try:
        await consume(one_by_one_engine, tricky_feeds(), page_size=1)
        assert await dump(one_by_one_engine) == at_once
    finally:
        await one_by_one_engine.dispose()

    # … and those are the facts of the events applied in turn:
    (t1,) = [r for r in at_once["order_facts"] if r[0] == "T1"]
    row = dict(zip(tables.order_facts.c.keys(), t1, strict=True))
    assert row["units"] == 4  # OrderPlaced's units, though OrderShipped created the row
    assert row["cancelled_at"] == ev.at("2026-03-04 10:00")  # the first cancellation
    assert row["delivered_at"] == ev.at("2026-03-04 10:00")
    assert row["shipped_on"] == date(2026, 3, 3)
    payments = {r[0]: r for r in at_once["payment_facts"]}
    assert payments["T2"][4] == ev.at("2026-03-04 12:00")  # PaymentReceived's, not intake's
    assert [r[1] for r in at_once["review_facts"] if r[0] == "T1"] == [5]
    (k1,) = [r for r in at_once["after_sales_facts"] if r[0] == "K1"]
    assert (k1[3], k1[5], k1[6]) == ("C1", date(2026, 3, 6), "RESOLVED")
    assert ("N1", date(2026, 3, 1), date(2026, 3, 20)) in at_once["employment_facts"]
    assert [r[3] for r in at_once["training_facts"] if r[0] == "N1:T-9"] == [75]
    assert [(r[1], r[4]) for r in at_once["attendance_facts"] if r[0] == "N1"] == [
        (date(2026, 3, 2), 5)
    ]
    assert [r[2] for r in at_once["attendance_months"] if r[0] == "N1"] == [2]
    assert {"T3", "T4"}.isdisjoint(r[0] for r in at_once["order_facts"])
    assert "T4" not in payments
    found = await outcomes(deps.db.engine)
    rejected = {k: v for k, v in found.items() if v.startswith("REJECTED")}
    assert len(rejected) == 5
    assert any("N9 left but was never hired" in v for v in rejected.values())
    assert any("no refund id" in v for v in rejected.values())
    assert any("is not in 2026-03" in v for v in rejected.values())


async def test_a_malformed_event_among_good_ones_in_a_page_is_rejected_alone(
    fresh: tuple[Deps, Clock],
) -> None:
    deps, _ = fresh
    feed = ev.Feed("orders")
    ev.placed(feed, "G1", "P1", 10_000, "2026-03-02 10:00", paid=True)
    feed.add("B1", oe.OrderPlaced(order_id="B1", handled_by="P1"), ev.at("2026-03-02 10:00"))
    ev.placed(feed, "G2", "P1", 20_000, "2026-03-02 11:00", paid=True)
    overflowing(feed, "B2")
    ev.shipped(feed, "G1", "P1", 10_000, "2026-03-02 10:00", "2026-03-02 16:00")
    undecodable = events_pb2.Event(
        cursor=f"1-{len(feed.events) + 1}",
        type=oe.OrderShipped.DESCRIPTOR.full_name,
        key="B3",
        occurred_at=ev.stamp(ev.at("2026-03-02 17:00")),
        payload=any_pb2.Any(value=b"\xff\xff"),
    )
    feed.events.append(undecodable)
    # Its handler adds the order's row, then finds no refund id: the row goes with the event.
    ev.refunded(feed, "", "B4", "P1", 9_000, "2026-03-02 12:00", 100, "2026-03-03 12:00")
    ev.placed(feed, "G3", "P1", 30_000, "2026-03-02 12:00", paid=False)
    reader = consumer(deps.db.engine, feed)
    assert await reader.run_once() == len(feed.events)  # one page
    assert await reader.position() == feed.events[-1].cursor
    assert await order_ids(deps.db.engine) == {"G1", "G2", "G3"}
    async with deps.db.engine.connect() as c:
        paid = {r.order_id for r in await c.execute(sa.select(tables.payment_facts))}
        shipped = await c.scalar(
            sa.select(tables.order_facts.c.shipped_at).where(tables.order_facts.c.order_id == "G1")
        )
    assert paid == {"G1", "G2"}
    assert shipped == ev.at("2026-03-02 16:00")
    found = await outcomes(deps.db.engine)
    by_key = {e.key: found[f"orders:{e.cursor}"] for e in feed.events}
    assert by_key["B1"] == "REJECTED: total: no currency"
    assert by_key["B2"].startswith("REJECTED: ")
    assert "out of range" in by_key["B2"]
    assert by_key["B3"].startswith("REJECTED: Error parsing message")
    assert by_key["B4"] == "REJECTED: no refund id"
    assert {k: v for k, v in by_key.items() if k.startswith("G")} == dict.fromkeys(
        ("G1", "G2", "G3"), "APPLIED"
    )


@pytest.mark.parametrize("with_data_error", [False, True], ids=["at-once", "one-by-one"])
async def test_a_page_failing_for_another_reason_applies_nothing_and_keeps_its_cursor(
    fresh: tuple[Deps, Clock], with_data_error: bool
) -> None:
    """The database refuses an order for a reason that is not the event's data (here a trigger
    standing for an outage, a lock timeout, a bug): the page is not half applied, nor is the
    event recorded as rejected; the cursor stays and the page is applied once it can be."""
    deps, _ = fresh
    feed = ev.Feed("orders")
    ev.placed(feed, "F1", "P1", 10_000, "2026-03-02 10:00", paid=True)
    ev.placed(feed, "F2", "P1", 10_000, "2026-03-02 10:00", paid=True)
    if with_data_error:  # the page is being applied event by event when it fails
        overflowing(feed, "F3")
    ev.placed(feed, "BOOM", "P1", 20_000, "2026-03-02 11:00", paid=False)
    ev.placed(feed, "F4", "P1", 30_000, "2026-03-02 12:00", paid=False)
    async with deps.db.engine.begin() as c:
        await c.execute(
            sa.text(
                "CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                "IF NEW.order_id = 'BOOM' THEN RAISE EXCEPTION 'not now'; END IF; "
                "RETURN NEW; END $$"
            )
        )
        await c.execute(
            sa.text(
                "CREATE TRIGGER refuse_boom BEFORE INSERT ON order_facts "
                "FOR EACH ROW EXECUTE FUNCTION refuse_boom()"
            )
        )
    reader = consumer(deps.db.engine, feed)
    with pytest.raises(sa.exc.DBAPIError) as failure:
        await reader.run_once()
    assert not isinstance(failure.value, sa.exc.DataError)
    assert await reader.position() == ""
    assert await order_ids(deps.db.engine) == set()
    assert await outcomes(deps.db.engine) == {}

    async with deps.db.engine.begin() as c:
        await c.execute(sa.text("DROP TRIGGER refuse_boom ON order_facts"))
    assert await reader.run_once() == len(feed.events)
    assert await reader.position() == feed.events[-1].cursor
    assert await order_ids(deps.db.engine) == {"F1", "F2", "BOOM", "F4"}


async def test_a_crash_after_a_page_was_applied_leaves_no_trace(
    fresh: tuple[Deps, Clock],
) -> None:
    deps, _ = fresh
    feed = ev.Feed("orders")
    ev.placed(feed, "X1", "P1", 10_000, "2026-03-02 10:00", paid=True)
    ev.placed(feed, "X2", "P1", 20_000, "2026-03-02 11:00", paid=False)
    ingestion = FactIngestion(PerformanceSettings().timezone)
    real = ingestion.apply_page_for("orders")

    async def crashing(connection: AsyncConnection, events: Sequence[events_pb2.Event]) -> None:
        await real(connection, events)
        raise ConnectionError("process killed before commit")

    reader = FeedConsumer(
        "orders",
        deps.db.engine,
        tables.feed_cursors,
        feed.fetch,
        ingestion.apply_for("orders"),
        apply_page=crashing,
    )
    with pytest.raises(ConnectionError):
        await reader.run_once()
    assert await reader.position() == ""
    assert await order_ids(deps.db.engine) == set()
    assert await outcomes(deps.db.engine) == {}
    assert await consumer(deps.db.engine, feed).run_once() == len(feed.events)
    assert await order_ids(deps.db.engine) == {"X1", "X2"}


async def test_events_already_recorded_in_a_page_are_skipped(fresh: tuple[Deps, Clock]) -> None:
    """A page overlapping events applied before (e.g. one by one) applies only the new ones."""
    deps, _ = fresh
    feed = ev.Feed("orders")
    ev.placed(feed, "R1", "P1", 10_000, "2026-03-02 10:00", paid=True)  # placed, paid
    ingestion = FactIngestion(PerformanceSettings().timezone)
    async with deps.db.engine.begin() as connection:
        for event in feed.events:
            await ingestion.apply_for("orders")(connection, event)
    # Were R1's OrderPlaced applied again, its other units would change the row.
    feed.events[0].payload.value = oe.OrderPlaced(
        order_id="R1", total=ev.cny(1), lines=[oe.EventLine(quantity=9)]
    ).SerializeToString()
    ev.placed(feed, "R2", "P1", 20_000, "2026-03-02 11:00", paid=True)
    ev.placed(feed, "R3", "P1", 30_000, "2026-03-02 12:00", paid=False)
    assert await consumer(deps.db.engine, feed).run_once() == len(feed.events)
    async with deps.db.engine.connect() as c:
        units = dict((r.order_id, r.units) for r in await c.execute(sa.select(tables.order_facts)))
    assert units == {"R1": 1, "R2": 1, "R3": 1}
    assert len(await outcomes(deps.db.engine)) == len(feed.events)


async def test_people_events_reading_what_the_page_wrote(fresh: tuple[Deps, Clock]) -> None:
    """A leaver without a hire date finds the hire earlier in the same page; a leaver never hired
    and an attendance month with a day of another month are rejected, although their handlers had
    already written (the page is then applied event by event, under savepoints)."""
    deps, _ = fresh
    earlier = ev.Feed("people")
    ev.attendance(earlier, "N1", "2026-03", [("2026-03-02", "LATE", 5)], revision=1)
    await consume(deps.db.engine, {"people": earlier})
    feed = ev.Feed("people")
    feed.events = list(earlier.events)
    ev.hired(feed, "N1", "cs_specialist", "customer_service", "S1", "2026-03-01", 200_000)
    leaving = [
        pe.EmployeeLeft(employee_code=code, leave_date="2026-03-20") for code in ("N1", "N9")
    ]
    for left in leaving:
        feed.add(left.employee_code, left, ev.at("2026-03-20 18:00"))
    ev.attendance(feed, "N1", "2026-03", [("2026-04-02", "LATE", 7)], revision=2)
    ev.attendance(feed, "N2", "2026-03", [("2026-03-04", "EARLY_LEAVE", 9)], revision=1)
    assert await consumer(deps.db.engine, feed).run_once() == len(feed.events) - 1
    async with deps.db.engine.connect() as c:
        employment = list(await c.execute(sa.select(tables.employment_facts)))
        attendance = list(await c.execute(sa.select(tables.attendance_facts)))
        months = list(await c.execute(sa.select(tables.attendance_months)))
    assert [tuple(r) for r in employment] == [("N1", date(2026, 3, 1), date(2026, 3, 20))]
    assert sorted((r.employee_code, r.day, r.minutes) for r in attendance) == [
        ("N1", date(2026, 3, 2), 5),
        ("N2", date(2026, 3, 4), 9),
    ]
    assert sorted((r.employee_code, r.revision) for r in months) == [("N1", 1), ("N2", 1)]
    found = await outcomes(deps.db.engine)
    assert found["people:1-4"] == "REJECTED: N9 left but was never hired"
    assert found["people:1-5"] == "REJECTED: facts[0].day 2026-04-02 is not in 2026-03"
    assert [found[f"people:1-{n}"] for n in (1, 2, 3, 6)] == ["APPLIED"] * 4
