"""Benchmark of the performance service's feed ingestion: realistic orders and inventory feeds
applied through the real `FeedConsumer`s (as `services.performance.wiring` builds them) against a
real PostgreSQL, measuring events/s and this process's CPU per event.

    python -m tools.bench_ingestion [--events 20000] [--page-size 200] [--replay] [--dump FILE]

PostgreSQL: the server of `STOREOPS_DATABASE_URL` when set, else an embedded one in a temporary
directory. A fresh database is created and migrated (`services.common.migrations.upgrade`) and
dropped at the end. Events are built from the real event protos with a fixed seed, so two runs
(e.g. before and after a change) apply the same events; the printed digest of every fact table
then shows whether they produced the same facts.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import logging
import os
import random
import secrets
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from google.protobuf import any_pb2, timestamp_pb2
from google.protobuf.message import Message
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from storeops.common.v1 import events_pb2, money_pb2
from storeops.inventory.v1 import events_pb2 as ie
from storeops.orders.v1 import events_pb2 as oe
from storeops.orders.v1 import resources_pb2 as orders_pb

from services.common import migrations
from services.common.config import normalize_database_url
from services.common.db import drop_database, ensure_database
from services.performance.db import tables
from services.performance.settings import PerformanceSettings
from services.performance.wiring import MIGRATIONS, consumers

START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
STATUS = orders_pb.Order.Status
CHANNELS = (orders_pb.AMAZON, orders_pb.TMALL, orders_pb.OWN_SHOP)


def _stamp(moment: datetime) -> timestamp_pb2.Timestamp:
    result = timestamp_pb2.Timestamp()
    result.FromDatetime(moment)
    return result


def _cny(minor: int) -> money_pb2.Money:
    return money_pb2.Money(currency_code="CNY", amount_minor=minor)


@dataclass
class Feed:
    """One service's feed in commit order (cursors "1-1", "1-2", …), served from memory."""

    name: str
    events: list[events_pb2.Event] = field(default_factory=list)

    def add(self, key: str, message: Message, occurred: datetime) -> None:
        self.events.append(
            events_pb2.Event(
                cursor=f"1-{len(self.events) + 1}",
                type=message.DESCRIPTOR.full_name,
                key=key,
                occurred_at=_stamp(occurred),
                payload=any_pb2.Any(
                    type_url=f"type.googleapis.com/{message.DESCRIPTOR.full_name}",
                    value=message.SerializeToString(),
                ),
            )
        )

    async def fetch(self, after: str, size: int) -> tuple[Sequence[events_pb2.Event], str]:
        start = int(after.split("-")[1]) if after else 0
        page = self.events[start : start + size]
        return page, page[-1].cursor if page else after


class _Builder:
    """The events of orders going through their life, on a timeline (see `build_feeds`)."""

    def __init__(self, seed: int, malformed_every: int, data_errors_every: int) -> None:
        self.rng = random.Random(seed)
        self.malformed_every = malformed_every
        self.data_errors_every = data_errors_every
        self.timeline: list[tuple[datetime, int, str, str, Message]] = []
        self.skus = [f"SKU-{n:04d}" for n in range(300)]
        self.staff = [f"E{n:04d}" for n in range(1, 41)]

    def at(self, moment: datetime, feed: str, key: str, message: Message) -> None:
        self.timeline.append((moment, len(self.timeline), feed, key, message))

    def order(self, order_no: int) -> None:
        rng = self.rng
        order_id = f"O{order_no:07d}"
        placed = START + timedelta(seconds=order_no * 7 + rng.randint(0, 5))
        lines = [
            oe.EventLine(
                sku_code=rng.choice(self.skus),
                quantity=rng.randint(1, 3),
                unit_price=_cny(rng.randint(10, 500) * 100),
                line_no=n + 1,
            )
            for n in range(rng.randint(1, 3))
        ]
        for line in lines:
            line.amount.CopyFrom(_cny(line.unit_price.amount_minor * line.quantity))
        total_minor = sum(line.amount.amount_minor for line in lines)
        total = _cny(total_minor)
        if self.malformed_every and order_no % self.malformed_every == 0:
            total = money_pb2.Money(amount_minor=total_minor)  # no currency
        if self.data_errors_every and order_no % self.data_errors_every == 0:
            lines[0].quantity = 2_000_000_000  # units: more than an integer column holds
            lines.append(oe.EventLine(sku_code=self.skus[0], quantity=2_000_000_000, line_no=9))
        paid_at_intake = rng.random() < 0.8
        channel = rng.choice(CHANNELS)
        by = rng.choice(self.staff)
        facts = oe.OrderFacts(
            order_id=order_id,
            channel=channel,
            total=total,
            handled_by=by,
            place_time=_stamp(placed),
            paid=paid_at_intake,
        )
        placed_event = oe.OrderPlaced(
            order_id=order_id,
            channel=channel,
            lines=lines,
            total=total,
            paid=paid_at_intake,
            handled_by=by,
            place_time=_stamp(placed),
            status=STATUS.CONFIRMED,
        )
        if paid_at_intake:
            placed_event.paid_time.CopyFrom(_stamp(placed))
        self.at(placed, "orders", order_id, placed_event)
        paid_at = placed if paid_at_intake else placed + timedelta(minutes=rng.randint(5, 90))
        self.at(
            paid_at,
            "orders",
            order_id,
            oe.PaymentReceived(order=facts, amount=total, payment_time=_stamp(paid_at)),
        )
        self.at(
            placed, "orders", order_id, oe.OrderConfirmed(order=facts, confirm_time=_stamp(placed))
        )
        for line in lines:
            if rng.random() < 0.05:
                low = ie.StockLow(sku_code=line.sku_code, available=2, threshold=3)
                self.at(placed, "inventory", line.sku_code, low)
        if rng.random() < 0.04:
            self.cancel(order_id, facts, lines, placed)
        else:
            self.fulfil(order_no, facts, lines, placed)

    def cancel(
        self, order_id: str, facts: oe.OrderFacts, lines: list[oe.EventLine], placed: datetime
    ) -> None:
        cancelled = placed + timedelta(minutes=self.rng.randint(1, 60))
        self.at(
            cancelled,
            "orders",
            order_id,
            oe.OrderCancelled(order=facts, cancel_time=_stamp(cancelled), reason="buyer"),
        )
        for line in lines:
            self.at(
                cancelled,
                "inventory",
                line.sku_code,
                ie.StockReleased(
                    sku_code=line.sku_code, quantity=line.quantity, document_id=order_id
                ),
            )

    def fulfil(
        self, order_no: int, facts: oe.OrderFacts, lines: list[oe.EventLine], placed: datetime
    ) -> None:
        rng, order_id = self.rng, facts.order_id
        step = placed
        for status in (STATUS.REVIEWED, STATUS.PICKED):
            step += timedelta(minutes=rng.randint(5, 120))
            changed = oe.OrderStatusChanged(
                order_id=order_id,
                status=status,
                handled_by=facts.handled_by,
                total=facts.total,
                channel=facts.channel,
                change_time=_stamp(step),
            )
            self.at(step, "orders", order_id, changed)
        shipped = step + timedelta(minutes=rng.randint(5, 240))
        ship = oe.OrderShipped(
            order=facts,
            ship_time=_stamp(shipped),
            shipment_no=1,
            carrier="SF",
            tracking_number=f"SF{order_no:010d}",
            lines=lines,
            amount=facts.total,
            complete=True,
            shipped_by=rng.choice(self.staff),
        )
        ship.on_time = rng.random() < 0.9
        self.at(shipped, "orders", order_id, ship)
        for line in lines:
            cost = line.unit_price.amount_minor * line.quantity * 6 // 10
            issued = ie.StockIssued(
                sku_code=line.sku_code,
                quantity=line.quantity,
                cost=_cny(cost),
                value_delta=_cny(-cost),
                document_id=order_id,
            )
            self.at(shipped, "inventory", line.sku_code, issued)
        if rng.random() < 0.3:
            delivered = shipped + timedelta(days=rng.randint(1, 3))
            self.at(
                delivered,
                "orders",
                order_id,
                oe.OrderDelivered(order=facts, deliver_time=_stamp(delivered)),
            )
        if order_no % 25 == 0:
            sku = rng.choice(self.skus)
            quantity = rng.randint(20, 200)
            value = _cny(quantity * rng.randint(10, 300) * 100)
            received = ie.StockReceived(
                sku_code=sku,
                warehouse_code="A",
                quantity=quantity,
                value=value,
                value_delta=value,
                sellable=True,
                document_id=f"R{order_no}",
            )
            self.at(placed, "inventory", sku, received)


def build_feeds(events: int, seed: int, malformed_every: int, data_errors_every: int) -> list[Feed]:
    """About `events` events over the orders and inventory feeds, as the services emit them for
    orders going through their life: placed (paid at intake or later), confirmed, status steps,
    shipped (stock issued per line) or cancelled (stock released), some delivered; goods
    received now and then, stock-low warnings. Each order's events are spread over time, so the
    events of many orders interleave in a page. Every `malformed_every`-th order is placed
    without a currency (REJECTED by validation); every `data_errors_every`-th with more units
    than an integer column holds (REJECTED by the database)."""
    builder = _Builder(seed, malformed_every, data_errors_every)
    order_no = 0
    while len(builder.timeline) < events:
        order_no += 1
        builder.order(order_no)
    timeline = sorted(builder.timeline, key=lambda item: (item[0], item[1]))
    feeds = {"orders": Feed("orders"), "inventory": Feed("inventory")}
    for moment, _, feed, key, message in timeline[:events]:
        feeds[feed].add(key, message, moment)
    return list(feeds.values())


# ---- measuring -------------------------------------------------------------------------------


def _proc_cpu_seconds(pid: int) -> float:
    """utime + stime of a local process (a PostgreSQL backend), 0 when it cannot be read."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _backend_cpu(engine: AsyncEngine, database: str) -> float:
    async with engine.connect() as connection:
        rows = await connection.execute(
            sa.text("SELECT pid FROM pg_stat_activity WHERE datname = :db"), {"db": database}
        )
        return sum(_proc_cpu_seconds(pid) for (pid,) in rows)


@dataclass
class Measure:
    label: str
    events: int
    wall: float
    cpu: float
    server_cpu: float

    def line(self) -> str:
        per_event = 1000 * self.cpu / self.events if self.events else 0.0
        server = 1000 * self.server_cpu / self.events if self.events else 0.0
        rate = self.events / self.wall if self.wall else 0.0
        return (
            f"{self.label:<24} {self.events:>7} events  {rate:>8.0f} events/s  "
            f"{per_event:6.3f} CPU ms/event (this process)  {server:6.3f} ms/event (PostgreSQL)"
        )


async def drain(
    engine: AsyncEngine, database: str, feeds: list[Feed], page_size: int, label: str
) -> list[Measure]:
    settings = PerformanceSettings(feed_page_size=page_size)
    fetchers: dict[str, Callable[[str, int], Awaitable[tuple[Sequence[events_pb2.Event], str]]]]
    fetchers = {feed.name: feed.fetch for feed in feeds}
    results = []
    for consumer, feed in zip(consumers(engine, fetchers, settings), feeds, strict=True):
        await _backend_cpu(engine, database)  # the pool's connection exists before measuring
        server_before = await _backend_cpu(engine, database)
        cpu_before, wall_before = time.process_time(), time.perf_counter()
        applied = 0
        while count := await consumer.run_once():
            applied += count
        wall, cpu = time.perf_counter() - wall_before, time.process_time() - cpu_before
        server = await _backend_cpu(engine, database) - server_before
        results.append(Measure(f"{label} {feed.name}", applied, wall, cpu, server))
    total = Measure(
        f"{label} total",
        sum(m.events for m in results),
        sum(m.wall for m in results),
        sum(m.cpu for m in results),
        sum(m.server_cpu for m in results),
    )
    return [*results, total]


async def digest(engine: AsyncEngine, dump: Path | None) -> tuple[str, dict[str, int]]:
    """A hash of every fact table's rows (sorted) and the outcomes recorded; the rows are also
    written to `dump` when given (to compare two runs in detail)."""
    hasher = hashlib.sha256()
    lines = []
    async with engine.connect() as connection:
        for table in tables.FACT_TABLES:
            rows = await connection.execute(sa.select(table))
            for row in sorted(repr(tuple(r)) for r in rows):
                hasher.update(row.encode())
                lines.append(f"{table.name} {row}\n")
        outcomes = await connection.execute(
            sa.text("SELECT split_part(outcome, ':', 1), count(*) FROM ingested_events GROUP BY 1")
        )
        counts = {str(name): int(n) for name, n in outcomes}
    if dump is not None:
        dump.write_text("".join(lines))
    return hasher.hexdigest()[:16], counts


async def run(url: str, database: str, args: argparse.Namespace) -> None:
    feeds = build_feeds(args.events, args.seed, args.malformed_every, args.data_errors_every)
    engine = create_async_engine(url)
    try:
        measures = await drain(engine, database, feeds, args.page_size, "apply")
        if args.replay:  # rewind every cursor: all events are seen already
            async with engine.begin() as connection:
                await connection.execute(tables.feed_cursors.update().values(cursor=""))
            measures += await drain(engine, database, feeds, args.page_size, "re-apply")
        facts_digest, outcomes = await digest(engine, args.dump)
    finally:
        await engine.dispose()
    for measure in measures:
        print(measure.line())
    print(f"outcomes {outcomes}  facts digest {facts_digest}")


def _database_url(server_url: str, name: str) -> str:
    parsed = make_url(normalize_database_url(server_url))
    return parsed.set(database=name).render_as_string(hide_password=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--page-size", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--malformed-every", type=int, default=500, help="orders; 0: none")
    parser.add_argument("--data-errors-every", type=int, default=0, help="orders; 0: none")
    parser.add_argument("--replay", action="store_true", help="then re-apply every event")
    parser.add_argument("--dump", type=Path, help="write every fact table's rows to this file")
    parser.add_argument("--loop", choices=("uvloop", "asyncio"), default="uvloop")
    args = parser.parse_args()
    logging.getLogger("services.performance").setLevel(logging.ERROR)  # "rejected event" lines

    def measure(server_url: str) -> None:
        name = f"bench_ingestion_{secrets.token_hex(3)}"
        url = _database_url(server_url, name)
        ensure_database(url)
        try:
            migrations.upgrade(MIGRATIONS, url)
            if args.loop == "uvloop":
                import uvloop

                uvloop.run(run(url, name, args))
            else:
                asyncio.run(run(url, name, args))
        finally:
            drop_database(url)

    external = os.environ.get("STOREOPS_DATABASE_URL")
    if external:
        measure(external)
        return
    from tools.embedded_pg import EmbeddedPostgres, free_port

    with tempfile.TemporaryDirectory(prefix="bench-ingestion-") as tmp:
        postgres = EmbeddedPostgres(Path(tmp) / "pgdata", free_port()).start()
        try:
            measure(postgres.url)
        finally:
            postgres.stop()


if __name__ == "__main__":
    main()
