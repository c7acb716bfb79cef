"""Transfers, cycle counts, put-away and customer returns against PostgreSQL."""

from __future__ import annotations

from dataclasses import replace

import pytest

from services.common.errors import AlreadyExists, FailedPrecondition, PermissionDenied
from services.inventory.db.ledger import LedgerFilter
from services.inventory.domain.abc_classes import AbcClass
from services.inventory.domain.catalogue import Bin, WarehouseKind
from services.inventory.domain.cycle_counts import CountEntry
from services.inventory.domain.stock_lines import SkuQuantity
from services.inventory.domain.transfers import TransferStatus
from services.inventory.service import catalogue, counts, ledger, reservations, returns, transfers
from services.inventory.service.caller import Caller
from services.inventory.settings import UNASSIGNED_BIN
from tests.integration.inventory import helpers as h

KEEPER_A = Caller("E-KA")
KEEPER_B = Caller("E-KB")
COUNTER = Caller("E-COUNT")
APPROVER = Caller("E-SUP")


def _on_hand(level, warehouse_code):
    return next((w.on_hand for w in level.warehouses if w.warehouse_code == warehouse_code), 0)


async def test_transfer_ships_into_transit_and_a_short_receipt_leaves_the_rest_there(db, settings):
    a, b = await h.warehouse(db), await h.warehouse(db)
    code = await h.sku(db, cost=10)
    await h.receive(db, settings, b, {code: 10})
    tid = h.uid("TR")
    created = await transfers.create_transfer(
        db, transfers.CreateTransfer(tid, b, a, (SkuQuantity(code, 6),)), KEEPER_A, h.now()
    )
    assert created.transfer.status is TransferStatus.REQUESTED
    shipped = await transfers.ship_transfer(db, tid, KEEPER_B, h.now(), settings)
    assert shipped.transfer.status is TransferStatus.SHIPPED
    level = await catalogue.get_stock_level(db, code)
    assert (level.on_hand, _on_hand(level, "TRANSIT"), _on_hand(level, b)) == (4, 6, 4)
    received = await transfers.receive_transfer(
        db, tid, [SkuQuantity(code, 5)], KEEPER_A, h.now(), settings
    )
    assert received.transfer.lines[0].shortfall == 1
    level = await catalogue.get_stock_level(db, code)
    assert (_on_hand(level, a), _on_hand(level, "TRANSIT"), level.on_hand) == (5, 1, 9)
    again = await transfers.ship_transfer(db, tid, KEEPER_B, h.now(), settings)
    assert again.transfer.status is TransferStatus.RECEIVED
    await h.assert_books_consistent(db)


async def test_reserved_units_cannot_be_shipped_away(db, settings):
    a, b = await h.warehouse(db), await h.warehouse(db)
    code = await h.sku(db)
    await h.receive(db, settings, b, {code: 5})
    await reservations.reserve_stock(
        db, h.uid(), [SkuQuantity(code, 4)], None, h.CLERK, h.now(), settings
    )
    tid = h.uid("TR")
    await transfers.create_transfer(
        db, transfers.CreateTransfer(tid, b, a, (SkuQuantity(code, 3),)), KEEPER_A, h.now()
    )
    with pytest.raises(FailedPrecondition) as refused:
        await transfers.ship_transfer(db, tid, KEEPER_B, h.now(), settings)
    assert refused.value.reason == "INSUFFICIENT_AVAILABLE"
    assert (await transfers.get_transfer(db, tid)).transfer.status is TransferStatus.REQUESTED
    cancelled = await transfers.cancel_transfer(db, tid, "not needed", h.now())
    assert cancelled.transfer.status is TransferStatus.CANCELLED


async def test_the_receiving_keeper_must_be_another_person(db, settings):
    a, b = await h.warehouse(db), await h.warehouse(db)
    code = await h.sku(db)
    await h.receive(db, settings, b, {code: 2})
    tid = h.uid("TR")
    await transfers.create_transfer(
        db, transfers.CreateTransfer(tid, b, a, (SkuQuantity(code, 2),)), KEEPER_A, h.now()
    )
    await transfers.ship_transfer(db, tid, KEEPER_B, h.now(), settings)
    with pytest.raises(FailedPrecondition) as same:
        await transfers.receive_transfer(db, tid, None, KEEPER_B, h.now(), settings)
    assert same.value.reason == "SAME_SIGNER_BOTH_SIDES"


async def test_put_away_moves_units_between_bins_without_changing_on_hand(db, settings):
    wh = await h.warehouse(db)
    code = await h.sku(db)
    await h.receive(db, settings, wh, {code: 8})
    await catalogue.create_bin(db, Bin(wh, "A-01"))
    moved = await catalogue.put_away(db, catalogue.PutAway(wh, "A-01", code, 5), h.CLERK, h.now())
    assert moved.quantity == 5
    page = await catalogue.list_bin_stock(db, wh, "", code, 100, "")
    assert [(x.bin_code, x.quantity) for x in page.items] == [("A-01", 5), (UNASSIGNED_BIN, 3)]
    assert (await catalogue.get_stock_level(db, code)).on_hand == 8
    await h.assert_books_consistent(db)


async def test_cycle_count_posts_variances_with_reasons_and_isolates_damaged_goods(db, settings):
    wh = await h.warehouse(db)
    code, other = await h.sku(db, cost=40), await h.sku(db, cost=5)
    await h.receive(db, settings, wh, {code: 10, other: 4})
    await catalogue.create_bin(db, Bin(wh, "B-01"))
    await catalogue.put_away(db, catalogue.PutAway(wh, "B-01", code, 10), h.CLERK, h.now())
    sheet_id = h.uid("CS")
    sheet = await counts.create_count_sheet(
        db, counts.PlanCount(sheet_id, wh, bin_codes=("B-01",)), h.CLERK, h.now()
    )
    assert [(x.sku_code, x.bin_code, x.expected) for x in sheet.sheet.lines] == [(code, "B-01", 10)]
    await counts.record_counts(db, sheet_id, [CountEntry(code, "B-01", 8, 1)], COUNTER)
    with pytest.raises(PermissionDenied):
        await counts.post_count_sheet(
            db, sheet_id, {(code, "B-01"): "miscount"}, COUNTER, h.now(), settings
        )
    with pytest.raises(FailedPrecondition) as no_reason:
        await counts.post_count_sheet(db, sheet_id, {}, APPROVER, h.now(), settings)
    assert no_reason.value.reason == "VARIANCE_REASON_MISSING"
    posted = await counts.post_count_sheet(
        db, sheet_id, {(code, "B-01"): "two units stolen"}, APPROVER, h.now(), settings
    )
    assert posted.sheet.posted_at is not None
    assert posted.sheet.approved_by == "E-SUP"
    level = await catalogue.get_stock_level(db, code)
    assert level.on_hand == 7  # 10 − 2 missing − 1 damaged moved out of sellable stock
    assert sum(w.on_hand for w in level.warehouses if w.kind is WarehouseKind.DEFECTIVE) == 1
    entries = await ledger.list_entries(db, LedgerFilter(document_id=sheet_id), 100, "")
    assert next((e.kind, e.on_hand_delta, e.reason) for e in entries.items) == (
        "COUNT_ADJUSTMENT",
        -2,
        "two units stolen",
    )
    events = await h.events_of(db, "storeops.inventory.v1.StockAdjusted", code)
    assert [(e.quantity_delta, e.value_delta.amount_minor) for e in events] == [(-2, -80)]
    # The two units turn up after all: the adjustment is reversed, back into the same lot.
    shortage = entries.items[0]
    back = await ledger.reverse_entry(db, shortage.id, "units found", APPROVER, h.now())
    assert (back.on_hand_delta, back.lot_id, back.bin_code) == (2, shortage.lot_id, "B-01")
    assert (await catalogue.get_stock_level(db, code)).on_hand == 9
    await h.assert_books_consistent(db)


async def test_count_plan_by_abc_class_and_stale_books_are_refused(db, settings):
    wh = await h.warehouse(db)
    dear, cheap = await h.sku(db, cost=10_000), await h.sku(db, cost=1)
    await h.receive(db, settings, wh, {dear: 10, cheap: 10})
    sheet_id = h.uid("CS")
    sheet = await counts.create_count_sheet(
        db, counts.PlanCount(sheet_id, wh, classes=(AbcClass.A,)), h.CLERK, h.now()
    )
    assert [x.sku_code for x in sheet.sheet.lines] == [dear]
    await counts.record_counts(db, sheet_id, [CountEntry(dear, UNASSIGNED_BIN, 11)], COUNTER)
    rid = h.uid()
    await reservations.reserve_stock(
        db, rid, [SkuQuantity(dear, 1)], None, h.CLERK, h.now(), settings
    )
    await reservations.commit_reservation(db, rid, h.CLERK, h.now())
    with pytest.raises(FailedPrecondition) as stale:
        await counts.post_count_sheet(
            db, sheet_id, {(dear, UNASSIGNED_BIN): "found"}, APPROVER, h.now(), settings
        )
    assert stale.value.reason == "COUNT_STALE"


async def test_customer_returns_are_idempotent_and_valued_at_issue_cost(db, settings):
    wh = await h.warehouse(db)
    code = await h.sku(db, cost=700)
    await h.receive(db, settings, wh, {code: 5})
    rid = h.uid()
    await reservations.reserve_stock(
        db, rid, [SkuQuantity(code, 3)], None, h.CLERK, h.now(), settings
    )
    await reservations.commit_reservation(db, rid, h.CLERK, h.now())
    command = returns.ReturnStock(
        h.uid("RET"),
        (returns.ReturnLine(code, 1, True), returns.ReturnLine(code, 1, False)),
        reservation_id=rid,
        supplier="Acme",
        reason="stitching came loose",
    )
    booked = await returns.return_stock(db, command, h.CLERK, h.now(), settings)
    again = await returns.return_stock(db, command, h.CLERK, h.now(), settings)
    assert [x.lot_id for x in again.lines] == [x.lot_id for x in booked.lines]
    assert [x.value.amount_minor for x in booked.lines] == [700, 700]
    level = await catalogue.get_stock_level(db, code)
    assert level.on_hand == 3  # 5 − 3 + 1 sellable; the defective one is not sellable
    events = await h.events_of(db, "storeops.inventory.v1.StockReturned", code)
    assert sorted((e.sellable, e.quantity) for e in events) == [(False, 1), (True, 1)]
    await h.assert_books_consistent(db)


async def test_corrections_are_reversing_entries(db, settings):
    wh = await h.warehouse(db)
    code = await h.sku(db, cost=30)
    receipt_id = await h.receive(db, settings, wh, {code: 5})
    booked = (await ledger.list_entries(db, LedgerFilter(document_id=receipt_id), 10, "")).items[0]
    reversal = await ledger.reverse_entry(
        db, booked.id, "booked twice by mistake", APPROVER, h.now()
    )
    assert (reversal.kind, reversal.on_hand_delta, reversal.value_delta_minor) == (
        "REVERSAL",
        -5,
        -150,
    )
    assert reversal.reverses_entry_id == booked.id
    assert (await catalogue.get_stock_level(db, code)).on_hand == 0
    with pytest.raises(FailedPrecondition) as twice:
        await ledger.reverse_entry(db, booked.id, "again", APPROVER, h.now())
    assert twice.value.reason == "ALREADY_REVERSED"
    with pytest.raises(FailedPrecondition) as of_reversal:
        await ledger.reverse_entry(db, reversal.id, "undo", APPROVER, h.now())
    assert of_reversal.value.reason == "CANNOT_REVERSE_REVERSAL"
    await h.assert_books_consistent(db)


async def test_reversals_never_take_units_that_left_or_undo_reservations(db, settings):
    wh = await h.warehouse(db)
    code = await h.sku(db)
    receipt_id = await h.receive(db, settings, wh, {code: 3})
    rid = h.uid()
    await reservations.reserve_stock(
        db, rid, [SkuQuantity(code, 2)], None, h.CLERK, h.now(), settings
    )
    entries = (await ledger.list_entries(db, LedgerFilter(sku_code=code), 10, "")).items
    by_kind = {e.kind: e for e in entries}
    with pytest.raises(FailedPrecondition) as reserved:
        await ledger.reverse_entry(db, by_kind["RECEIPT"].id, "wrong", APPROVER, h.now())
    assert reserved.value.reason == "INSUFFICIENT_AVAILABLE"
    with pytest.raises(FailedPrecondition) as not_reversible:
        await ledger.reverse_entry(db, by_kind["RESERVATION"].id, "wrong", APPROVER, h.now())
    assert not_reversible.value.reason == "NOT_REVERSIBLE"
    await reservations.commit_reservation(db, rid, h.CLERK, h.now())
    with pytest.raises(FailedPrecondition) as gone:
        await ledger.reverse_entry(db, by_kind["RECEIPT"].id, "wrong", APPROVER, h.now())
    assert gone.value.reason == "INSUFFICIENT_STOCK"
    assert receipt_id
    await h.assert_books_consistent(db)


async def test_scrap_writes_units_off_once(db, settings):
    wh = await h.warehouse(db)
    code = await h.sku(db, cost=20)
    await h.receive(db, settings, wh, {code: 5})
    scrap = counts.ScrapStock(h.uid("SC"), wh, code, 2, "crushed in storage")
    await counts.scrap_stock(db, scrap, APPROVER, h.now())
    await counts.scrap_stock(db, scrap, APPROVER, h.now())
    assert (await catalogue.get_stock_level(db, code)).on_hand == 3
    with pytest.raises(AlreadyExists):
        await counts.scrap_stock(db, replace(scrap, quantity=1), APPROVER, h.now())
    removed = await h.events_of(db, "storeops.inventory.v1.StockRemoved", code)
    assert [(e.quantity, e.value_delta.amount_minor) for e in removed] == [(2, -40)]
    await h.assert_books_consistent(db)
