"""Reservations against PostgreSQL: all-or-nothing, idempotency, release/commit rules, expiry."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from services.common.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound
from services.common.money import Money
from services.inventory.db.ledger import LedgerFilter
from services.inventory.domain.replenishment import StockLimits
from services.inventory.domain.reservations import ReservationState
from services.inventory.domain.stock_lines import SkuQuantity
from services.inventory.service import catalogue, ledger, reservations
from services.inventory.service.jobs import release_expired_once
from services.inventory.service.low_stock import watch_low_stock_once
from tests.integration.inventory import helpers as h


async def _stocked(db, settings, units: dict[str, int], cost: int = 100) -> dict[str, str]:
    wh = await h.warehouse(db)
    codes = {name: await h.sku(db, cost=cost) for name in units}
    await h.receive(db, settings, wh, {codes[name]: q for name, q in units.items()})
    return codes


async def _reserve(db, settings, rid, lines, expires_at=None, now=None):
    return await reservations.reserve_stock(
        db,
        rid,
        [SkuQuantity(s, q) for s, q in lines.items()],
        expires_at,
        h.CLERK,
        now or h.now(),
        settings,
    )


async def _available(db, code: str) -> int:
    return (await catalogue.get_stock_level(db, code)).available


async def test_all_lines_or_none_and_every_short_sku_is_named(db, settings):
    s = await _stocked(db, settings, {"a": 5, "b": 2, "c": 9})
    with pytest.raises(FailedPrecondition) as refused:
        await _reserve(db, settings, h.uid(), {s["a"]: 6, s["b"]: 3, s["c"]: 1})
    assert refused.value.reason == "INSUFFICIENT_STOCK"
    assert f"{s['a']}: 5 available, 6 requested" in refused.value.message
    assert f"{s['b']}: 2 available, 3 requested" in refused.value.message
    assert s["c"] not in refused.value.message
    assert refused.value.metadata[f"{s['a']}.requested"] == "6"
    assert refused.value.metadata[f"{s['b']}.available"] == "2"
    # Nothing was reserved, not even the line that could have been.
    assert [await _available(db, s[x]) for x in "abc"] == [5, 2, 9]
    await h.assert_books_consistent(db)


async def test_unknown_sku_is_not_found_and_reserves_nothing(db, settings):
    s = await _stocked(db, settings, {"a": 5})
    with pytest.raises(NotFound) as missing:
        await _reserve(db, settings, h.uid(), {s["a"]: 1, "NO-SUCH-SKU": 1})
    assert "NO-SUCH-SKU" in missing.value.message
    assert await _available(db, s["a"]) == 5


async def test_same_id_same_lines_returns_the_reservation_unchanged(db, settings):
    s = await _stocked(db, settings, {"a": 5})
    rid = h.uid()
    first = await _reserve(db, settings, rid, {s["a"]: 2})
    again = await _reserve(db, settings, rid, {s["a"]: 2})
    assert again.reservation.reservation_id == first.reservation.reservation_id
    assert await _available(db, s["a"]) == 3
    await reservations.commit_reservation(db, rid, h.CLERK, h.now())
    # Whatever its state, a retry gets the reservation as it stands.
    replay = await _reserve(db, settings, rid, {s["a"]: 2})
    assert replay.reservation.state is ReservationState.COMMITTED
    assert await _available(db, s["a"]) == 3


async def test_same_id_other_lines_is_already_exists(db, settings):
    s = await _stocked(db, settings, {"a": 5})
    rid = h.uid()
    await _reserve(db, settings, rid, {s["a"]: 2})
    with pytest.raises(AlreadyExists):
        await _reserve(db, settings, rid, {s["a"]: 3})
    assert await _available(db, s["a"]) == 3


async def test_release_is_idempotent_and_gives_units_back(db, settings):
    s = await _stocked(db, settings, {"a": 5})
    rid = h.uid()
    await _reserve(db, settings, rid, {s["a"]: 4})
    released = await reservations.release_reservation(db, rid, h.CLERK, h.now())
    again = await reservations.release_reservation(db, rid, h.CLERK, h.now())
    assert released.reservation.state is again.reservation.state is ReservationState.RELEASED
    assert await _available(db, s["a"]) == 5
    entries = await ledger.list_entries(db, ledger_filter(rid), 0, "")
    assert [e.kind for e in entries.items] == ["RESERVATION", "RELEASE"]


async def test_release_before_reserve_leaves_a_tombstone_so_a_late_reserve_holds_nothing(
    db, settings
):
    """A cancel's release can overtake the order's reserve; the late reserve must not hold stock."""
    s = await _stocked(db, settings, {"a": 5})
    rid = h.uid()
    released = await reservations.release_reservation(db, rid, h.CLERK, h.now())
    assert released.reservation.state is ReservationState.RELEASED
    late = await _reserve(db, settings, rid, {s["a"]: 3})
    assert late.reservation.state is ReservationState.RELEASED
    assert late.reservation.lines == ()
    assert await _available(db, s["a"]) == 5
    again = await reservations.release_reservation(db, rid, h.CLERK, h.now())
    assert again.reservation.state is ReservationState.RELEASED
    with pytest.raises(FailedPrecondition):
        await reservations.commit_reservation(db, rid, h.CLERK, h.now())


def ledger_filter(document_id: str) -> LedgerFilter:
    return LedgerFilter(document_id=document_id)


async def test_commit_after_release_and_release_after_commit_are_refused(db, settings):
    s = await _stocked(db, settings, {"a": 5})
    released, committed = h.uid(), h.uid()
    await _reserve(db, settings, released, {s["a"]: 1})
    await _reserve(db, settings, committed, {s["a"]: 1})
    await reservations.release_reservation(db, released, h.CLERK, h.now())
    await reservations.commit_reservation(db, committed, h.CLERK, h.now())
    with pytest.raises(FailedPrecondition) as late_commit:
        await reservations.commit_reservation(db, released, h.CLERK, h.now())
    assert late_commit.value.reason == "RESERVATION_RELEASED"
    with pytest.raises(FailedPrecondition) as late_release:
        await reservations.release_reservation(db, committed, h.CLERK, h.now())
    assert late_release.value.reason == "RESERVATION_COMMITTED"
    again = await reservations.commit_reservation(db, committed, h.CLERK, h.now())
    assert again.reservation.state is ReservationState.COMMITTED
    assert (await catalogue.get_stock_level(db, s["a"])).on_hand == 4
    await h.assert_books_consistent(db)


async def test_commit_takes_the_oldest_lots_first_at_their_cost(db, settings):
    wh = await h.warehouse(db)
    code = await h.sku(db, cost=100)
    await h.receive(db, settings, wh, {code: 3})
    await catalogue.upsert_sku(db, _with_cost(await catalogue.get_sku(db, code), 250))
    await h.receive(db, settings, wh, {code: 5})
    rid = h.uid()
    await _reserve(db, settings, rid, {code: 4})
    view = await reservations.commit_reservation(db, rid, h.CLERK, h.now())
    assert view.cost_of_goods is not None
    assert view.cost_of_goods.amount_minor == 3 * 100 + 1 * 250
    entries = await ledger.list_entries(db, ledger_filter(rid), 0, "")
    issues = [(e.quantity, e.value_delta_minor) for e in entries.items if e.kind == "ISSUE"]
    assert issues == [(3, -300), (1, -250)]
    await h.assert_books_consistent(db)


def _with_cost(sku, amount):
    return replace(sku, unit_cost=Money(amount, "CNY"))


async def test_committing_an_unknown_reservation_is_not_found(db):
    # (Releasing an unknown one succeeds and leaves a tombstone: see the test above.)
    with pytest.raises(NotFound):
        await reservations.commit_reservation(db, h.uid(), h.CLERK, h.now())


async def test_expiry_job_releases_due_reservations_only(db, settings):
    s = await _stocked(db, settings, {"a": 10})
    start = h.now()
    due, later, forever = h.uid(), h.uid(), h.uid()
    await _reserve(db, settings, due, {s["a"]: 2}, start + timedelta(minutes=1), start)
    await _reserve(db, settings, later, {s["a"]: 3}, start + timedelta(hours=1), start)
    await _reserve(db, settings, forever, {s["a"]: 1}, None, start)
    released, _ = await release_expired_once(db, settings, start + timedelta(minutes=2))
    assert released >= 1
    states = {
        rid: (await reservations.get_reservation(db, rid)).reservation.state
        for rid in (due, later, forever)
    }
    assert states == {
        due: ReservationState.EXPIRED,
        later: ReservationState.ACTIVE,
        forever: ReservationState.ACTIVE,
    }
    assert await _available(db, s["a"]) == 6
    # An expired reservation is released for good: commit is refused, release answers the same.
    with pytest.raises(FailedPrecondition) as refused:
        await reservations.commit_reservation(db, due, h.CLERK, start + timedelta(minutes=3))
    assert refused.value.reason == "RESERVATION_EXPIRED"
    await reservations.release_reservation(db, due, h.CLERK, start)
    await h.assert_books_consistent(db)


async def test_an_active_reservation_past_its_expiry_cannot_be_committed(db, settings):
    s = await _stocked(db, settings, {"a": 3})
    start = h.now()
    rid = h.uid()
    await _reserve(db, settings, rid, {s["a"]: 1}, start + timedelta(seconds=30), start)
    with pytest.raises(FailedPrecondition) as refused:
        await reservations.commit_reservation(db, rid, h.CLERK, start + timedelta(minutes=1))
    assert refused.value.reason == "RESERVATION_EXPIRED"
    assert await _available(db, s["a"]) == 2


async def test_expire_time_in_the_past_is_invalid(db, settings):
    s = await _stocked(db, settings, {"a": 3})
    with pytest.raises(InvalidArgument):
        await _reserve(db, settings, h.uid(), {s["a"]: 1}, h.now() - timedelta(seconds=1))


async def test_low_stock_watch_publishes_once_below_the_reorder_point_and_rearms(db, settings):
    s = await _stocked(db, settings, {"a": 10})
    await catalogue.set_stock_limits(db, s["a"], StockLimits(reorder_point=5))
    await _reserve(db, settings, h.uid(), {s["a"]: 4})  # 6 left: above
    await watch_low_stock_once(db, h.now())
    assert await h.events_of(db, "storeops.inventory.v1.StockLow", s["a"]) == []
    await _reserve(db, settings, h.uid(), {s["a"]: 2})  # 4 left: below 5
    await _reserve(db, settings, h.uid(), {s["a"]: 1})  # 3 left: still below
    await watch_low_stock_once(db, h.now())
    await watch_low_stock_once(db, h.now())  # already reported: nothing new
    events = await h.events_of(db, "storeops.inventory.v1.StockLow", s["a"])
    assert len(events) == 1
    assert (events[0].available, events[0].threshold) == (3, 5)
    wh = await h.warehouse(db)
    await h.receive(db, settings, wh, {s["a"]: 10})  # 13 available: recovered
    await watch_low_stock_once(db, h.now())
    await _reserve(db, settings, h.uid(), {s["a"]: 10})  # 3 left: below again
    await watch_low_stock_once(db, h.now())
    assert len(await h.events_of(db, "storeops.inventory.v1.StockLow", s["a"])) == 2


async def test_a_new_sku_without_stock_is_not_reported_low(db, settings):
    code = await h.sku(db)
    await watch_low_stock_once(db, h.now())
    assert await h.events_of(db, "storeops.inventory.v1.StockLow", code) == []
