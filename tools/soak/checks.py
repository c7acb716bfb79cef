"""What must hold after every fault scenario, read from the books themselves.

The orders and inventory databases are read directly (read-only connections) for the bulk checks
a public API would need thousands of calls for; inventory's own VerifyLedger and performance's
ReplayFeeds are called through their RPCs.

* settled     — no order PENDING, no saga step owed to inventory (waited for, bounded);
* once        — every order a client got OK for exists exactly once under its channel + external
                id, with the order id the client was given; every OK'd cancel is CANCELLED, every
                OK'd ship SHIPPED with its stock committed;
* stock       — per SKU: reserved = Σ quantities of orders holding a reservation (saga RESERVED),
                on hand = received − Σ quantities of committed (shipped) orders, available ≥ 0;
* agreement   — each order's reservation in inventory is in the state its saga says (ACTIVE ⇔
                RESERVED, COMMITTED ⇔ COMMITTED, nothing active for released/backordered ones);
* ledger      — VerifyLedger: every balance equals the ledger;
* replay      — the performance facts equal a replay of every feed from zero (digest of the fact
                tables before and after ReplayFeeds, once caught up with the feeds);
* unattended  — every process is up and serving, and the only restarts were the scripted ones.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import grpc
from psycopg import sql
from storeops.inventory.v1 import inventory_service_pb2 as inv
from storeops.inventory.v1 import inventory_service_pb2_grpc as inv_grpc
from storeops.orders.v1 import orders_service_pb2 as orders_pb
from storeops.orders.v1 import orders_service_pb2_grpc as orders_grpc
from storeops.people.v1 import people_service_pb2 as people_pb
from storeops.people.v1 import people_service_pb2_grpc as people_grpc
from storeops.performance.v1 import performance_service_pb2 as perf_pb
from storeops.performance.v1 import performance_service_pb2_grpc as perf_grpc

from services.performance.db import tables as perf_tables
from tools.soak.system import SoakSystem

PENDING_STEPS = ("RESERVE_PENDING", "RELEASE_PENDING", "COMMIT_PENDING")
HOLDING = {"RESERVED"}  # saga states whose reservation holds units in inventory
ACTIVE_STATUSES = {
    "CONFIRMED",
    "REVIEWED",
    "PICKED",
    "VERIFIED",
    "PACKED",
    "WEIGHED",
    "PARTIALLY_SHIPPED",
}


@dataclass
class Check:
    name: str
    ok: bool
    detail: str = ""


@dataclass
class Verdict:
    checks: list[Check] = field(default_factory=list)

    def add(self, name: str, ok: bool, detail: str = "") -> bool:
        self.checks.append(Check(name, ok, detail))
        return ok

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)


@dataclass(frozen=True)
class OrderRow:
    order_id: str
    channel: str
    external_id: str
    status: str
    saga: str
    lines: tuple[tuple[str, int], ...]


# ---- reading the books ---------------------------------------------------------------------------
def read_orders(system: SoakSystem, prefix: str) -> dict[str, OrderRow]:
    """Every order whose external id starts with `prefix`, with its lines."""
    with system.connect("orders") as connection:
        rows = connection.execute(
            """
            SELECT o.order_id, o.channel, o.external_order_id, o.status, o.saga_state,
                   array_agg(l.sku_code ORDER BY l.line_no),
                   array_agg(l.quantity ORDER BY l.line_no)
              FROM orders o JOIN order_lines l USING (order_id)
             WHERE o.external_order_id LIKE %s
             GROUP BY o.order_id
            """,
            (prefix.replace("_", r"\_") + "%",),
        ).fetchall()
    return {
        r[0]: OrderRow(r[0], r[1], r[2], r[3], r[4], tuple(zip(r[5], r[6], strict=True)))
        for r in rows
    }


def read_availability(system: SoakSystem, skus: Iterable[str]) -> dict[str, tuple[int, int]]:
    """(on hand, reserved) per SKU over sellable warehouses."""
    with system.connect("inventory") as connection:
        rows = connection.execute(
            "SELECT sku_code, on_hand, reserved FROM sku_availability WHERE sku_code = ANY(%s)",
            (list(skus),),
        ).fetchall()
    return {r[0]: (int(r[1]), int(r[2])) for r in rows}


def read_reservations(system: SoakSystem, order_ids: Iterable[str]) -> dict[str, str]:
    """Inventory's state of each order's reservation (`ord-<order id>`), by order id."""
    ids = [f"ord-{o}" for o in order_ids]
    with system.connect("inventory") as connection:
        rows = connection.execute(
            "SELECT reservation_id, state FROM reservations WHERE reservation_id = ANY(%s)",
            (ids,),
        ).fetchall()
    return {r[0][4:]: r[1] for r in rows}


def unsettled(orders: Mapping[str, OrderRow]) -> list[OrderRow]:
    return [o for o in orders.values() if o.status == "PENDING" or o.saga in PENDING_STEPS]


@dataclass
class Snapshot:
    """A consistent view: the orders and inventory read twice with nothing changing between."""

    orders: dict[str, OrderRow]
    availability: dict[str, tuple[int, int]]
    reservations: dict[str, str]
    settle_seconds: float


def settled_snapshot(
    system: SoakSystem,
    prefix: str,
    skus: Iterable[str],
    timeout: float = 180.0,
    progress: Callable[[str], None] | None = None,
) -> Snapshot | list[OrderRow]:
    """Wait (bounded) until no order of `prefix` owes a step and two reads a second apart agree;
    returns the snapshot, or the orders still unsettled at the timeout."""
    skus = list(skus)
    started = time.monotonic()
    deadline = started + timeout
    last_note = started
    previous: tuple[Any, ...] | None = None
    pending: list[OrderRow] = []
    while True:
        try:
            availability = read_availability(system, skus)
            orders = read_orders(system, prefix)
            reservations = read_reservations(system, orders)
        except Exception as exc:  # a database still coming back
            pending = []
            if progress:
                progress(f"reading the books failed ({exc}); retrying")
            time.sleep(1)
            continue
        pending = unsettled(orders)
        current = (availability, orders, reservations)
        if not pending and current == previous:
            return Snapshot(orders, availability, reservations, time.monotonic() - started)
        previous = None if pending else current
        now = time.monotonic()
        if now > deadline:
            return pending or [OrderRow("?", "", "", "UNSTABLE", "", ())]
        if progress and now - last_note > 15:
            states = Counter(f"{o.status}/{o.saga}" for o in pending)
            progress(f"  waiting for {len(pending)} unsettled orders: {dict(states)}")
            last_note = now
        time.sleep(1.0)


# ---- the invariants ------------------------------------------------------------------------------
def check_outcomes(
    verdict: Verdict,
    snapshot: Snapshot,
    succeeded: Mapping[str, str],
    cancelled: Iterable[str],
    shipped: Iterable[str],
) -> int:
    """Every OK'd order exactly once with the id given; OK'd cancels/ships took effect.
    `succeeded`: "CHANNEL|external id" → order id. Returns how many successes were lost."""
    by_key: dict[str, list[OrderRow]] = defaultdict(list)
    for row in snapshot.orders.values():
        by_key[f"{row.channel}|{row.external_id}"].append(row)
    lost: list[str] = []
    for key, order_id in succeeded.items():
        found = by_key.get(key, [])
        if len(found) != 1 or found[0].order_id != order_id:
            lost.append(f"{key}→{order_id}: found {[r.order_id for r in found]}")
    verdict.add(
        "every OK'd order exists exactly once (channel + external id, same order id)",
        not lost,
        "; ".join(lost[:5]) or f"{len(succeeded)} orders",
    )
    wrong: list[str] = []
    cancelled, shipped = list(cancelled), list(shipped)
    for order_id in cancelled:
        order = snapshot.orders.get(order_id)
        if order is None or order.status != "CANCELLED":
            wrong.append(f"cancel {order_id}: {order.status if order else 'missing'}")
    for order_id in shipped:
        order = snapshot.orders.get(order_id)
        if order is None or order.status != "SHIPPED" or order.saga != "COMMITTED":
            wrong.append(f"ship {order_id}: {(order.status, order.saga) if order else 'missing'}")
    verdict.add(
        "every OK'd cancel is CANCELLED, every OK'd ship SHIPPED and committed",
        not wrong,
        "; ".join(wrong[:5]) or f"{len(cancelled)} cancels, {len(shipped)} ships",
    )
    return len(lost) + len(wrong)


def check_stock(verdict: Verdict, snapshot: Snapshot, received: Mapping[str, int]) -> None:
    reserved: dict[str, int] = defaultdict(int)
    shipped: dict[str, int] = defaultdict(int)
    inconsistent: list[str] = []
    for row in snapshot.orders.values():
        for sku, quantity in row.lines:
            if row.saga in HOLDING:
                reserved[sku] += quantity
            elif row.saga == "COMMITTED":
                shipped[sku] += quantity
        holds = row.saga in HOLDING
        if holds != (row.status in ACTIVE_STATUSES):
            inconsistent.append(f"{row.order_id} {row.status}/{row.saga}")
        if row.status in ("SHIPPED", "DELIVERED") and row.saga != "COMMITTED":
            inconsistent.append(f"{row.order_id} {row.status}/{row.saga}")
    bad: list[str] = []
    for sku, units in sorted(received.items()):
        on_hand, held = snapshot.availability.get(sku, (0, 0))
        expected_on_hand = units - shipped[sku]
        if held != reserved[sku] or on_hand != expected_on_hand or on_hand - held < 0:
            bad.append(
                f"{sku}: reserved {held} (orders hold {reserved[sku]}), on hand {on_hand} "
                f"(received {units} − shipped {shipped[sku]} = {expected_on_hand})"
            )
    verdict.add(
        "status and saga agree (active ⇔ RESERVED, shipped ⇒ COMMITTED)",
        not inconsistent,
        "; ".join(inconsistent[:5]) or f"{len(snapshot.orders)} orders",
    )
    total_reserved = sum(reserved.values())
    total_shipped = sum(shipped.values())
    verdict.add(
        "per SKU: reserved = Σ active orders, on hand = received − shipped, available ≥ 0",
        not bad,
        "; ".join(bad[:5])
        or f"{len(received)} SKUs, {total_reserved} units reserved, {total_shipped} shipped",
    )
    mismatched: list[str] = []
    for row in snapshot.orders.values():
        state = snapshot.reservations.get(row.order_id, "")
        if row.saga in HOLDING:
            ok = state == "ACTIVE"
        elif row.saga == "COMMITTED":
            ok = state == "COMMITTED"
        else:
            ok = state not in {"ACTIVE", "COMMITTED"}
        if not ok:
            mismatched.append(f"{row.order_id} {row.saga} vs reservation {state or 'none'}")
    verdict.add(
        "each order's reservation in inventory matches its saga (nothing leaked or lost)",
        not mismatched,
        "; ".join(mismatched[:5]) or "all match",
    )


async def verify_ledger(inventory: str, token: str) -> tuple[bool, str]:
    metadata = (("authorization", f"Bearer {token}"),)
    async with grpc.aio.insecure_channel(inventory) as channel:
        report = await inv_grpc.InventoryServiceStub(channel).VerifyLedger(
            inv.VerifyLedgerRequest(max_discrepancies=20), metadata=metadata, timeout=180
        )
    if report.consistent:
        return True, "consistent"
    found = [
        f"{d.check} {d.sku_code} {d.warehouse_code} expected {d.expected} actual {d.actual}"
        for d in report.discrepancies
    ]
    return False, "; ".join(found[:5])


def check_ledger(verdict: Verdict, system: SoakSystem, token: str) -> None:
    try:
        ok, detail = asyncio.run(verify_ledger(system.address("inventory"), token))
    except grpc.RpcError as error:
        ok, detail = False, f"VerifyLedger failed: {error.code().name} {error.details()}"
    verdict.add("VerifyLedger: every balance equals the ledger", ok, detail)


# ---- performance: facts = replay from zero -------------------------------------------------------
FEEDS = ("people", "orders", "inventory")


def fact_digest(system: SoakSystem) -> dict[str, tuple[int, str]]:
    """(rows, md5 of the sorted rows) per fact table, and the feed positions."""
    digest: dict[str, tuple[int, str]] = {}
    with system.connect("performance") as connection:
        for table in perf_tables.FACT_TABLES:
            query = sql.SQL(
                "SELECT count(*), coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), '')"
                " FROM {} t"
            ).format(sql.Identifier(table.name))
            row = connection.execute(query).fetchone()
            assert row is not None
            digest[table.name] = (int(row[0]), str(row[1]))
        for feed, cursor, applied in connection.execute(
            "SELECT feed, cursor, events_applied FROM feed_cursors ORDER BY feed"
        ):
            digest[f"cursor:{feed}"] = (int(applied), str(cursor))
    return digest


async def _caught_up(system: SoakSystem, token: str) -> bool:
    """True when performance has applied every event of the three feeds."""
    metadata = (("authorization", f"Bearer {token}"),)
    with system.connect("performance") as connection:
        cursors = dict(connection.execute("SELECT feed, cursor FROM feed_cursors").fetchall())
    calls: dict[str, tuple[Any, Any]] = {
        "people": (people_grpc.PeopleServiceStub, people_pb.ListEventsRequest),
        "orders": (orders_grpc.OrderServiceStub, orders_pb.ListEventsRequest),
        "inventory": (inv_grpc.InventoryServiceStub, inv.ListEventsRequest),
    }
    for feed in FEEDS:
        stub_type, request_type = calls[feed]
        async with grpc.aio.insecure_channel(system.address(feed)) as channel:
            page = await stub_type(channel).ListEvents(
                request_type(after=cursors.get(feed, ""), page_size=1),
                metadata=metadata,
                timeout=10,
            )
        if page.events:
            return False
    return True


def wait_caught_up(system: SoakSystem, token: str, timeout: float) -> float | None:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            if asyncio.run(_caught_up(system, token)):
                return time.monotonic() - started
        except (grpc.RpcError, OSError):
            pass
        time.sleep(0.5)
    return None


async def _replay(performance: str, token: str) -> int:
    metadata = (("authorization", f"Bearer {token}"),)
    async with grpc.aio.insecure_channel(performance) as channel:
        answer = await perf_grpc.PerformanceServiceStub(channel).ReplayFeeds(
            perf_pb.ReplayFeedsRequest(confirm=True), metadata=metadata, timeout=120
        )
    return int(answer.facts_deleted)


def check_replay(
    verdict: Verdict, system: SoakSystem, token: str, timeout: float = 300.0, attempts: int = 3
) -> None:
    """Facts as consumed live (through the faults) equal the facts of a replay from zero. If a
    feed moved while comparing (a late backorder confirmation), compare again."""
    name = "performance facts = a replay of every feed from zero"
    detail = ""
    for _ in range(attempts):
        if wait_caught_up(system, token, timeout) is None:
            verdict.add(name, False, f"performance did not catch up with the feeds in {timeout} s")
            return
        before = fact_digest(system)
        started = time.monotonic()
        deleted = asyncio.run(_replay(system.address("performance"), token))
        if wait_caught_up(system, token, timeout) is None:
            verdict.add(name, False, f"the replay did not catch up in {timeout} s")
            return
        after = fact_digest(system)
        seconds = time.monotonic() - started
        if before == after:
            rows = sum(n for k, (n, _) in before.items() if not k.startswith("cursor:"))
            verdict.add(name, True, f"{rows} fact rows identical after replay ({seconds:.1f} s)")
            return
        differing = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
        moved = [k for k in differing if k.startswith("cursor:")]
        detail = ", ".join(
            f"{k}: {before.get(k, (0, ''))[0]}→{after.get(k, (0, ''))[0]}" for k in differing
        )
        detail += f" ({deleted} facts deleted by the replay)"
        if not moved:
            break  # same events, different facts: a real difference
    verdict.add(name, False, detail)


def check_unattended(verdict: Verdict, system: SoakSystem, scripted: int) -> None:
    dead = system.dead_processes()
    bad = system.not_serving() if not dead else []
    verdict.add(
        "no process needed a person (all up and serving; only scripted restarts)",
        not dead and not bad,
        f"down: {dead or bad}" if dead or bad else f"{scripted} scripted restart(s)",
    )
