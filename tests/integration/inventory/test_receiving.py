"""Receiving against PostgreSQL: QC rounds, defectives, rejection, signatures, labels, supplier
returns, events, and bad input that changes nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from services.common.errors import (
    AlreadyExists,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PermissionDenied,
)
from services.inventory.db.ledger import LedgerFilter
from services.inventory.db.unit_of_work import InventoryDatabase
from services.inventory.domain.catalogue import WarehouseKind
from services.inventory.domain.qc import QcState
from services.inventory.domain.receipts import InspectionResult, ReceiptStatus
from services.inventory.domain.roles import Role
from services.inventory.domain.stock_lines import SkuQuantity
from services.inventory.service import catalogue, ledger, receiving, supplier_returns
from services.inventory.service.caller import Caller
from tests.integration.inventory import helpers as h
from tests.support.postgres import TestServer

QC = Caller("E-QC", frozenset({Role.QC_INSPECTOR}))
SUPERVISOR = Caller("E-SUP", frozenset({Role.WAREHOUSE_SUPERVISOR}))
KEEPER = Caller("E-KEEP", frozenset({Role.WAREHOUSE_KEEPER}))


@pytest.fixture
async def fresh_db(pg_server: TestServer) -> AsyncIterator[InventoryDatabase]:
    """A database of its own (no DEFECTIVE warehouse yet)."""
    engine = create_async_engine(pg_server.database("inventory"))
    try:
        yield InventoryDatabase(engine)
    finally:
        await engine.dispose()


async def _create(db, wh, lines, receipt_id=None):
    receipt_id = receipt_id or h.uid("RC")
    return await receiving.create_receipt(
        db,
        receiving.CreateReceipt(
            receipt_id, wh, "Acme", tuple(SkuQuantity(s, q) for s, q in lines.items())
        ),
        h.CLERK,
        h.now(),
    )


async def _inspect(db, settings, receipt_id, rounds, who=QC):
    return await receiving.record_inspection(
        db,
        receipt_id,
        [InspectionResult(s, i, d) for s, (i, d) in rounds.items()],
        who,
        h.now(),
        settings,
    )


async def test_second_sample_then_full_inspection_books_good_and_defective(fresh_db, settings):
    db = fresh_db
    wh = await h.warehouse(db)
    code = await h.sku(db, cost=300)
    created = await _create(db, wh, {code: 100})
    assert created.receipt.lines[0].sample_size == 10
    first = await _inspect(db, settings, created.receipt.receipt_id, {code: (10, 1)})
    assert first.receipt.lines[0].state is QcState.NEEDS_SECOND_SAMPLE
    second = await _inspect(db, settings, created.receipt.receipt_id, {code: (10, 2)})
    line = second.receipt.lines[0]
    assert line.state is QcState.NEEDS_FULL_INSPECTION
    assert line.sample_size == 80
    full = await _inspect(db, settings, created.receipt.receipt_id, {code: (80, 4)})
    assert full.receipt.lines[0].state is QcState.ACCEPTED
    done = await receiving.complete_receipt(
        db, created.receipt.receipt_id, h.CLERK, h.now(), settings
    )
    assert done.receipt.status is ReceiptStatus.COMPLETED
    level = await catalogue.get_stock_level(db, code)
    assert (level.on_hand, level.available) == (93, 93)
    by_kind = {w.kind: (w.warehouse_code, w.on_hand) for w in level.warehouses}
    # No DEFECTIVE warehouse existed: one named DEFECTIVE was created for the 7 defectives.
    assert by_kind[WarehouseKind.DEFECTIVE] == ("DEFECTIVE", 7)
    page = await supplier_returns.list_supplier_returns(
        db, supplier_returns.ReturnFilter.PENDING, "Acme", h.now(), settings, 50, ""
    )
    assert [(r.stored.entry.sku_code, r.stored.entry.quantity) for r in page.items] == [(code, 7)]
    received = await h.events_of(db, "storeops.inventory.v1.StockReceived", code)
    assert sorted((e.quantity, e.sellable, e.value_delta.amount_minor) for e in received) == [
        (7, False, 2100),
        (93, True, 27900),
    ]
    notices = await h.events_of(
        db, "storeops.inventory.v1.ListingNotice", created.receipt.receipt_id
    )
    assert [(x.sku_code, x.quantity, x.available) for x in notices[0].lines] == [(code, 93, 93)]
    await h.assert_books_consistent(db)


async def test_rejected_delivery_goes_back_whole_and_cannot_be_completed(db, settings):
    wh = await h.warehouse(db)
    good, bad = await h.sku(db), await h.sku(db)
    created = await _create(db, wh, {good: 10, bad: 20})
    rid = created.receipt.receipt_id
    await _inspect(db, settings, rid, {good: (1, 0), bad: (2, 1)})
    rejected = await _inspect(db, settings, rid, {bad: (2, 1)})  # 2 of 4 passed: 50%
    assert rejected.receipt.status is ReceiptStatus.REJECTED
    with pytest.raises(FailedPrecondition) as refused:
        await receiving.complete_receipt(db, rid, h.CLERK, h.now(), settings)
    assert refused.value.reason == "RECEIPT_REJECTED"
    with pytest.raises(FailedPrecondition):
        await _inspect(db, settings, rid, {good: (1, 0)})
    for code in (good, bad):
        assert (await catalogue.get_stock_level(db, code)).on_hand == 0
    page = await supplier_returns.list_supplier_returns(
        db, supplier_returns.ReturnFilter.PENDING, "", h.now(), settings, 500, ""
    )
    listed = {
        r.stored.entry.sku_code: (r.stored.entry.quantity, r.stored.entry.warehouse_code)
        for r in page.items
        if r.stored.source_document_id == rid
    }
    assert listed == {good: (10, None), bad: (20, None)}
    events = await h.events_of(db, "storeops.inventory.v1.ReceiptRejected", rid)
    assert len(events) == 1


async def test_bad_inspection_and_early_completion_change_nothing(db, settings):
    wh = await h.warehouse(db)
    code = await h.sku(db)
    rid = (await _create(db, wh, {code: 5})).receipt.receipt_id
    with pytest.raises(InvalidArgument) as too_many:
        await _inspect(db, settings, rid, {code: (6, 0)})
    assert too_many.value.violations[0].field == "lines[0].inspected"
    with pytest.raises(InvalidArgument):
        await _inspect(db, settings, rid, {"NOT-ON-IT": (1, 0)})
    with pytest.raises(FailedPrecondition) as early:
        await receiving.complete_receipt(db, rid, h.CLERK, h.now(), settings)
    assert early.value.reason == "RECEIPT_AWAITING_INSPECTION"
    stored = await receiving.get_receipt(db, rid)
    assert stored.receipt.lines[0].inspected == 0
    assert stored.receipt.status is ReceiptStatus.AWAITING_INSPECTION
    assert (await catalogue.get_stock_level(db, code)).on_hand == 0


async def test_create_is_idempotent_and_checks_warehouse_and_skus(db, settings):
    wh = await h.warehouse(db)
    code = await h.sku(db)
    rid = h.uid("RC")
    first = await _create(db, wh, {code: 5}, rid)
    again = await _create(db, wh, {code: 5}, rid)
    assert again.bookings == first.bookings
    with pytest.raises(AlreadyExists):
        await _create(db, wh, {code: 6}, rid)
    with pytest.raises(NotFound) as no_wh:
        await _create(db, "NO-WH", {code: 5})
    assert "warehouse_code" in no_wh.value.message
    with pytest.raises(NotFound) as no_sku:
        await _create(db, wh, {code: 1, "NO-SKU": 1})
    assert "lines[1].sku_code" in no_sku.value.message
    defective = await h.warehouse(db, WarehouseKind.DEFECTIVE)
    with pytest.raises(FailedPrecondition):
        await _create(db, defective, {code: 1})


async def test_enforced_signatures_block_completion_until_supervisor_and_keeper_sign(db, settings):
    strict = replace(settings, enforce_receipt_signatures=True)
    wh = await h.warehouse(db)
    code = await h.sku(db)
    rid = (await _create(db, wh, {code: 5})).receipt.receipt_id
    inspected = await _inspect(db, strict, rid, {code: (1, 0)})
    assert receiving.missing_signatures(inspected.receipt) == [
        ("inbound", Role.WAREHOUSE_KEEPER),
        ("inbound", Role.WAREHOUSE_SUPERVISOR),
    ]
    with pytest.raises(FailedPrecondition) as unsigned:
        await receiving.complete_receipt(db, rid, h.CLERK, h.now(), strict)
    assert unsigned.value.reason == "MISSING_SIGNATURES"
    with pytest.raises(PermissionDenied):
        await receiving.sign_receipt(db, rid, Role.WAREHOUSE_SUPERVISOR, KEEPER, h.now())
    await receiving.sign_receipt(db, rid, Role.WAREHOUSE_SUPERVISOR, SUPERVISOR, h.now())
    signed = await receiving.sign_receipt(db, rid, Role.WAREHOUSE_KEEPER, KEEPER, h.now())
    assert receiving.missing_signatures(signed.receipt) == []
    done = await receiving.complete_receipt(db, rid, h.CLERK, h.now(), strict)
    assert done.receipt.status is ReceiptStatus.COMPLETED
    signers = {(str(s.document), s.role, s.signer_id) for s in done.receipt.signatures.signatures}
    assert signers == {
        ("inspection", Role.QC_INSPECTOR, "E-QC"),
        ("inbound", Role.WAREHOUSE_SUPERVISOR, "E-SUP"),
        ("inbound", Role.WAREHOUSE_KEEPER, "E-KEEP"),
    }


async def test_completion_is_idempotent(db, settings):
    wh = await h.warehouse(db)
    code = await h.sku(db)
    rid = await h.receive(db, settings, wh, {code: 4})
    again = await receiving.complete_receipt(db, rid, h.CLERK, h.now(), settings)
    assert again.receipt.status is ReceiptStatus.COMPLETED
    assert (await catalogue.get_stock_level(db, code)).on_hand == 4
    entries = await ledger.list_entries(db, LedgerFilter(document_id=rid), 100, "")
    assert [e.kind for e in entries.items] == ["RECEIPT"]


async def test_labels_carry_sku_lot_and_barcode(db, settings):
    wh = await h.warehouse(db)
    code = await h.sku(db)
    created = await _create(db, wh, {code: 3})
    labels = await receiving.receipt_labels(db, created.receipt.receipt_id, settings)
    lot = created.bookings[0].lot_id
    assert [(x.sku_code, x.lot_id, x.quantity, x.copies, x.barcode_text) for x in labels] == [
        (code, lot, 3, 3, f"{code}/{lot}")
    ]


async def test_clearing_a_supplier_return_removes_the_defectives(db, settings):
    wh = await h.warehouse(db)
    code = await h.sku(db, cost=50)
    rid = (await _create(db, wh, {code: 10})).receipt.receipt_id
    await _inspect(db, settings, rid, {code: (1, 1)})
    await _inspect(db, settings, rid, {code: (1, 0)})  # 1 of 2 passed: 50% → rejected
    wh2 = await h.warehouse(db)
    rid2 = (await _create(db, wh2, {code: 20})).receipt.receipt_id
    await _inspect(db, settings, rid2, {code: (2, 1)})
    await _inspect(db, settings, rid2, {code: (2, 0)})  # 3 of 4: full inspection
    await _inspect(db, settings, rid2, {code: (16, 2)})
    await receiving.complete_receipt(db, rid2, h.CLERK, h.now(), settings)
    page = await supplier_returns.list_supplier_returns(
        db, supplier_returns.ReturnFilter.PENDING, "", h.now(), settings, 500, ""
    )
    mine = [r for r in page.items if r.stored.source_document_id == rid2]
    assert [r.stored.entry.quantity for r in mine] == [3]
    before = await catalogue.get_stock_level(db, code)
    cleared = await supplier_returns.clear_supplier_return(
        db, mine[0].stored.entry.return_id, h.CLERK, h.now(), settings
    )
    assert cleared.stored.entry.cleared_on is not None
    again = await supplier_returns.clear_supplier_return(
        db, mine[0].stored.entry.return_id, h.CLERK, h.now(), settings
    )
    assert again.stored.entry.cleared_on == cleared.stored.entry.cleared_on
    after = await catalogue.get_stock_level(db, code)
    defective = lambda level: sum(  # noqa: E731
        w.on_hand for w in level.warehouses if w.kind is WarehouseKind.DEFECTIVE
    )
    assert defective(before) - defective(after) == 3
    assert after.on_hand == before.on_hand == 17
    # A rejected delivery's return was never booked in: clearing it moves no stock.
    rejected = [r for r in page.items if r.stored.source_document_id == rid]
    await supplier_returns.clear_supplier_return(
        db, rejected[0].stored.entry.return_id, h.CLERK, h.now(), settings
    )
    await h.assert_books_consistent(db)
    today = h.now()
    report, _ = await supplier_returns.supplier_return_report(db, today.year, today.month)
    pending_ids = {
        line.supplier_return.return_id for group in report.suppliers for line in group.lines
    }
    assert mine[0].stored.entry.return_id not in pending_ids
