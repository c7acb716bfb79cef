"""Reservations: reserve (all lines or none), release, commit (FIFO issue), expiry.

The hot path. Reserve writes the reservation, its lines and ledger entries first, then takes
the units with one conditional UPDATE per SKU in code order, then commits at once. A refusal
rolls everything back and is explained afterwards from a plain read (nothing was reserved).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from storeops.inventory.v1 import events_pb2 as ev

from services.common.errors import Aborted, InvalidArgument, NotFound
from services.common.money import Money
from services.common.proto_convert import to_money
from services.inventory.db import hot_statements as hot
from services.inventory.db.reservations import TOMBSTONE
from services.inventory.db.stock import LedgerRow
from services.inventory.db.unit_of_work import InventoryDatabase, InventoryUnitOfWork
from services.inventory.domain.ledger import MovementKind, effect_of
from services.inventory.domain.reservations import (
    Reservation,
    ReservationState,
    Shortage,
    find_shortages,
    insufficient_stock,
    require_same_payload,
)
from services.inventory.domain.stock_lines import SkuQuantity
from services.inventory.service.caller import Caller
from services.inventory.service.postings import Posting
from services.inventory.settings import InventorySettings

DOCUMENT = "reservation"
RELEASED_EVENT = ev.StockReleased.DESCRIPTOR.full_name


@dataclass(frozen=True)
class ReservationView:
    """A reservation and the cost of the goods it issued (once committed)."""

    reservation: Reservation
    cost_of_goods: Money | None = None


@dataclass(frozen=True)
class _Refused:
    """The SKU whose conditional update matched no row."""

    sku_code: str


async def reserve_stock(
    db: InventoryDatabase,
    reservation_id: str,
    lines: Sequence[SkuQuantity],
    expires_at: datetime | None,
    caller: Caller,
    now: datetime,
    settings: InventorySettings,
) -> ReservationView:
    """Reserve every line or none; the same id with the same lines returns the reservation as
    it stands, with other lines ALREADY_EXISTS.

    The hot path is one all-or-nothing statement (db/hot_statements.py); only when it changed
    nothing do we look closer: the id exists (idempotent answer) or stock is short/unknown."""
    reservation = Reservation.create(reservation_id, lines, now=now)
    if expires_at is not None:
        if expires_at <= now:
            raise InvalidArgument.for_field("expire_time", "must be in the future")
        reservation = replace(reservation, expires_at=expires_at)
    async with db.statements() as c:
        created = await hot.reserve(
            c,
            reservation.reservation_id,
            reservation.fingerprint,
            [(line.sku_code, line.quantity) for line in reservation.lines],
            now,
            reservation.expires_at,
            caller.actor,
        )
    if created:
        return ReservationView(reservation)
    async with db.unit_of_work() as uow:
        if await uow.reservations.get(reservation.reservation_id) is not None:
            return await _existing(uow, reservation)
    raise await _refusal(db, reservation, settings)


async def _existing(uow: InventoryUnitOfWork, asked: Reservation) -> ReservationView:
    found = await uow.reservations.get(asked.reservation_id)
    assert found is not None  # the insert conflicted on it and reservations are never deleted
    reservation, cost = found
    if reservation.fingerprint == TOMBSTONE:
        # Released before it was reserved (a cancel overtook its reserve): stays released.
        return ReservationView(reservation, cost)
    require_same_payload(asked.reservation_id, reservation.fingerprint, asked.lines)
    return ReservationView(reservation, cost)


async def _refusal(
    db: InventoryDatabase, reservation: Reservation, settings: InventorySettings
) -> Exception:
    codes = [line.sku_code for line in reservation.lines]
    async with db.unit_of_work() as uow:
        known = await uow.skus.existing(codes)
        unknown = [code for code in codes if code not in known]
        if unknown:
            return NotFound(
                f"lines: SKU {', '.join(unknown)} does not exist; nothing was reserved",
                reason="SKU_NOT_FOUND",
                metadata={"unknown_skus": ",".join(unknown)},
            )
        available = {
            a.sku_code: a.available for a in (await uow.stock.availability(codes)).values()
        }
        short = list(find_shortages(reservation.lines, available))
        if not short:
            # Units came back between the refusal and this read: report the tightest line.
            line = min(reservation.lines, key=lambda x: available.get(x.sku_code, 0) - x.quantity)
            short = [Shortage(line.sku_code, line.quantity, available.get(line.sku_code, 0))]
        if settings.publish_stock_short:
            for s in short:
                uow.publish(
                    s.sku_code,
                    ev.StockShort(
                        sku_code=s.sku_code,
                        requested=s.requested,
                        available=s.available,
                        reservation_id=reservation.reservation_id,
                    ),
                )
            await uow.commit()
    return insufficient_stock(short)


async def release_reservation(
    db: InventoryDatabase, reservation_id: str, caller: Caller, now: datetime
) -> ReservationView:
    """Give the units back; releasing again answers the same; a committed one is refused.

    Hot path: read the reservation, then one statement releases it if it is still ACTIVE (the
    StockReleased payloads are built from the lines read, which never change)."""
    async with db.statements() as c:
        read = await hot.read_for_release(c, reservation_id)
        if read.state == str(ReservationState.ACTIVE) and read.created_at is not None:
            released = tuple(SkuQuantity(sku, qty) for sku, qty in read.lines)
            events = [
                (
                    line.sku_code,
                    ev.StockReleased(
                        sku_code=line.sku_code,
                        quantity=line.quantity,
                        document_type=DOCUMENT,
                        document_id=reservation_id,
                        cause=ev.StockReleased.RESERVATION_RELEASED,
                    ).SerializeToString(),
                )
                for line in released
            ]
            if await hot.release(c, reservation_id, now, caller.actor, RELEASED_EVENT, events):
                return ReservationView(
                    Reservation(
                        reservation_id=reservation_id,
                        lines=released,
                        state=ReservationState.RELEASED,
                        created_at=read.created_at,
                        expires_at=read.expires_at,
                        fingerprint=read.fingerprint,
                        closed_at=now,
                    )
                )
    # Not ACTIVE (already closed, unknown, or changed meanwhile): answer from the state.
    async with db.unit_of_work() as uow:
        closed = await uow.reservations.close(reservation_id, ReservationState.RELEASED, now)
        if closed is None:
            if await uow.reservations.insert_tombstone(reservation_id, caller.actor, now):
                await uow.commit()
            return await _unchanged(uow, reservation_id, now, commit=False)
        await _give_back(
            uow,
            {reservation_id: closed.lines},
            caller.actor,
            now,
            ev.StockReleased.RESERVATION_RELEASED,
        )
        await uow.commit()
    return ReservationView(closed)


async def commit_reservation(
    db: InventoryDatabase, reservation_id: str, caller: Caller, now: datetime
) -> ReservationView:
    """Issue the reserved units, oldest lots first (ISSUE entries with their cost)."""
    async with db.unit_of_work() as uow:
        closed = await uow.reservations.close(reservation_id, ReservationState.COMMITTED, now)
        if closed is None:
            return await _unchanged(uow, reservation_id, now, commit=True)
        posting = Posting(
            uow, document_type=DOCUMENT, document_id=reservation_id, actor=caller.actor, now=now
        )
        await posting.lock([line.sku_code for line in closed.lines])
        sellable = await posting.sellable_codes()
        costs: dict[str, int] = defaultdict(int)
        for line in closed.lines:
            parts = await posting.take_fifo(
                MovementKind.ISSUE, line.sku_code, line.quantity, warehouse_codes=sellable
            )
            currency = parts[0].unit_cost.currency
            cost = Money(sum(p.value.amount_minor for p in parts), currency)
            costs[currency] += cost.amount_minor
            uow.publish(
                line.sku_code,
                ev.StockIssued(
                    sku_code=line.sku_code,
                    quantity=line.quantity,
                    cost=to_money(cost),
                    document_id=reservation_id,
                    value_delta=to_money(Money(-cost.amount_minor, currency)),
                ),
            )
        total = None
        if len(costs) == 1:
            currency, amount = next(iter(costs.items()))
            total = Money(amount, currency)
            await uow.reservations.set_cost(reservation_id, total)
        await posting.write()
        await uow.flush_events()
        await posting.update_availability(f"commit reservation {reservation_id}")
        await uow.commit()
    return ReservationView(closed, total)


async def get_reservation(db: InventoryDatabase, reservation_id: str) -> ReservationView:
    async with db.unit_of_work() as uow:
        found = await uow.reservations.get(reservation_id)
    if found is None:
        raise NotFound(f"reservation {reservation_id} does not exist", reason="NOT_FOUND")
    return ReservationView(*found)


async def expire_due_reservations(db: InventoryDatabase, now: datetime, batch: int) -> int:
    """Release up to `batch` reservations past their expiry (EXPIRED); returns how many."""
    async with db.unit_of_work() as uow:
        expired = await uow.reservations.expire_due(now, batch)
        if not expired:
            return 0
        await _give_back(uow, expired, "system", now, ev.StockReleased.RESERVATION_EXPIRED)
        await uow.commit()
    return len(expired)


async def _unchanged(
    uow: InventoryUnitOfWork, reservation_id: str, now: datetime, *, commit: bool
) -> ReservationView:
    """The conditional update changed nothing: answer from the state (domain rules)."""
    found = await uow.reservations.get(reservation_id)
    if found is None:
        raise NotFound(
            f"reservation {reservation_id} does not exist", reason="RESERVATION_NOT_FOUND"
        )
    reservation, cost = found
    if reservation.state is ReservationState.ACTIVE and not reservation.is_expired(now):
        # Another transaction held the row and rolled back: the caller may simply retry.
        raise Aborted(
            f"reservation {reservation_id} changed concurrently; retry", reason="CONCURRENT_CHANGE"
        )
    if commit:
        reservation.commit(now)  # raises unless already committed
    else:
        reservation.release(now)  # raises if committed
    return ReservationView(reservation, cost)


async def _give_back(
    uow: InventoryUnitOfWork,
    released: dict[str, tuple[SkuQuantity, ...]],
    actor: str,
    now: datetime,
    cause: ev.StockReleased.Cause,
) -> None:
    """RELEASE entries and events first, then the availability rows in SKU order."""
    rows = []
    totals: dict[str, int] = defaultdict(int)
    for reservation_id, lines in released.items():
        for line in lines:
            effect = effect_of(MovementKind.RELEASE, line.quantity)
            totals[line.sku_code] += line.quantity
            rows.append(
                LedgerRow(
                    kind=str(MovementKind.RELEASE),
                    sku_code=line.sku_code,
                    warehouse_code=None,
                    bin_code=None,
                    lot_id=None,
                    quantity=line.quantity,
                    on_hand_delta=effect.on_hand,
                    reserved_delta=effect.reserved,
                    value_delta_minor=None,
                    value_currency=None,
                    document_type=DOCUMENT,
                    document_id=reservation_id,
                    actor=actor,
                    created_at=now,
                )
            )
            uow.publish(
                line.sku_code,
                ev.StockReleased(
                    sku_code=line.sku_code,
                    quantity=line.quantity,
                    document_type=DOCUMENT,
                    document_id=reservation_id,
                    cause=cause,
                ),
            )
    await uow.stock.insert_ledger(rows)
    await uow.flush_events()
    await uow.reservations.give_back([SkuQuantity(s, q) for s, q in totals.items()])
