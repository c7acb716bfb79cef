"""Photo-sample loans, customer holds, replenishment plans, packaging alerts, valuation."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from services.common.errors import FailedPrecondition
from services.inventory.domain.holds import HoldStatus
from services.inventory.domain.photo_samples import LoanStatus
from services.inventory.domain.replenishment import PlanReason, PlanStatus, StockLimits
from services.inventory.domain.stock_lines import SkuQuantity
from services.inventory.service import catalogue, ledger, loans, planning, reservations
from services.inventory.service.caller import Caller
from services.inventory.service.jobs import release_expired_once
from tests.integration.inventory import helpers as h

SALES = Caller("E-SALES")
PRODUCT = Caller("E-PHOTO")


async def test_samples_leave_sellable_stock_and_come_back(db, settings):
    wh = await h.warehouse(db)
    code = await h.sku(db)
    await h.receive(db, settings, wh, {code: 5})
    doc = h.uid("SL")
    start = h.now()
    loan = await loans.lend_samples(
        db, loans.LendSamples(doc, "", wh, code, 2), PRODUCT, start, settings
    )
    assert loan.borrower_id == "E-PHOTO"
    assert loan.due_on == settings.business_date(start) + timedelta(days=7)
    assert (await catalogue.get_stock_level(db, code)).available == 3
    extended = await loans.extend_sample_loan(db, doc, start, settings)
    assert extended.due_on == loan.due_on + timedelta(days=7)
    with pytest.raises(FailedPrecondition):
        await loans.extend_sample_loan(db, doc, start, settings)  # once only
    back = await loans.return_samples(db, doc, h.CLERK, start, settings)
    assert back.status is LoanStatus.RETURNED
    assert (await catalogue.get_stock_level(db, code)).available == 5
    await h.assert_books_consistent(db)


async def test_overdue_loans_are_listed_and_reclaimed(db, settings):
    wh = await h.warehouse(db)
    code = await h.sku(db)
    await h.receive(db, settings, wh, {code: 3})
    doc = h.uid("SL")
    start = h.now()
    await loans.lend_samples(
        db, loans.LendSamples(doc, "E-P2", wh, code, 1), PRODUCT, start, settings
    )
    with pytest.raises(FailedPrecondition) as early:
        await loans.return_samples(db, doc, h.CLERK, start, settings, reclaim=True)
    assert early.value.reason == "LOAN_NOT_OVERDUE"
    late = start + timedelta(days=9)
    page = await loans.list_sample_loans(db, "", True, late, settings, 500, "")
    assert doc in [x.document_id for x in page.items]
    reclaimed = await loans.return_samples(db, doc, h.CLERK, late, settings, reclaim=True)
    assert reclaimed.status is LoanStatus.RECLAIMED
    assert (await catalogue.get_stock_level(db, code)).available == 3


async def test_holds_reserve_stock_and_expire_after_seven_days(db, settings):
    wh = await h.warehouse(db)
    code = await h.sku(db)
    await h.receive(db, settings, wh, {code: 10})
    start = h.now()
    kept, lapsed = h.uid("H"), h.uid("H")
    await loans.create_hold(db, loans.CreateHold(kept, "C-1", code, wh, 3), SALES, start, settings)
    await loans.create_hold(
        db, loans.CreateHold(lapsed, "C-2", code, wh, 4), SALES, start, settings
    )
    assert (await catalogue.get_stock_level(db, code)).available == 3
    with pytest.raises(FailedPrecondition):
        await loans.create_hold(
            db, loans.CreateHold(h.uid("H"), "C-3", code, wh, 4), SALES, start, settings
        )
    await loans.keep_hold(db, kept, start + timedelta(days=30), start, settings)
    await release_expired_once(db, settings, start + timedelta(days=7, minutes=1))
    page = await loans.list_holds(db, "", code, 50, "")
    status = {x.hold_id: x.status for x in page.items}
    assert status == {kept: HoldStatus.ACTIVE, lapsed: HoldStatus.EXPIRED}
    assert (await catalogue.get_stock_level(db, code)).available == 7
    released = await loans.release_hold(db, kept, SALES, start, settings)
    assert released.status is HoldStatus.RELEASED
    assert (await catalogue.get_stock_level(db, code)).available == 10
    await h.assert_books_consistent(db)


async def test_daily_plan_follows_velocity_and_limits_and_is_decided_once(db, settings):
    wh = await h.warehouse(db)
    tea = await h.sku(db, key_product=True)
    tee = await h.sku(db)
    await h.receive(db, settings, wh, {tea: 100, tee: 100})
    # 70 teas and 84 tees issued over the last days: 10/day and 12/day.
    for code, units in ((tea, 70), (tee, 84)):
        rid = h.uid()
        await reservations.reserve_stock(
            db, rid, [SkuQuantity(code, units)], None, h.CLERK, h.now(), settings
        )
        await reservations.commit_reservation(db, rid, h.CLERK, h.now())
    await catalogue.set_stock_limits(db, tee, StockLimits(max_stock=150))
    tomorrow = settings.business_date(h.now()) + timedelta(days=1)
    stored = await planning.generate_plan(db, tomorrow, h.CLERK, h.now(), settings)
    assert stored.plan is not None
    lines = {line.sku_code: line for line in stored.plan.lines}
    # Tea: 30 left = 3 days of cover ≥ 2: nothing. Tee: 16 left < 5 days: 15 days = 180, capped
    # by the maximum of 150 at 150 − 16 = 134.
    assert tea not in lines
    assert (lines[tee].quantity, lines[tee].reason, lines[tee].capped_by_max) == (
        134,
        PlanReason.LOW_COVER,
        True,
    )
    again = await planning.generate_plan(db, tomorrow, h.CLERK, h.now(), settings)
    assert again.plan_id == stored.plan_id
    approved = await planning.decide_plan(db, stored.plan_id, Caller("E-GM"), h.now(), approve=True)
    assert approved.plan is not None
    assert approved.plan.status is PlanStatus.APPROVED
    with pytest.raises(FailedPrecondition):
        await planning.decide_plan(
            db, stored.plan_id, Caller("E-GM"), h.now(), approve=False, reason="too much"
        )
    events = await h.events_of(db, "storeops.inventory.v1.ReplenishmentApproved", stored.plan_id)
    assert len(events) == 1


async def test_packaging_alert_when_cover_is_under_ten_days(db, settings):
    wh = await h.warehouse(db)
    box = await h.sku(db, packaging_material=True)
    await h.receive(db, settings, wh, {box: 100})
    rid = h.uid()
    await reservations.reserve_stock(
        db, rid, [SkuQuantity(box, 90)], None, h.CLERK, h.now(), settings
    )
    await reservations.commit_reservation(db, rid, h.CLERK, h.now())
    tomorrow = h.now() + timedelta(days=1)
    _, alerts = await planning.list_packaging_alerts(db, [], tomorrow, settings)
    mine = [a for a in alerts if a.alert.material_code == box]
    assert len(mine) == 1  # 10 left at 3 a day: 3.33 days of cover
    assert mine[0].on_hand == 10


async def test_value_at_a_moment_and_cost_of_goods_issued(db, settings):
    wh = await h.warehouse(db)
    code = await h.sku(db, cost=1000)
    await h.receive(db, settings, wh, {code: 10})
    middle = h.now()
    rid = h.uid()
    await reservations.reserve_stock(
        db, rid, [SkuQuantity(code, 4)], None, h.CLERK, h.now(), settings
    )
    await reservations.commit_reservation(db, rid, h.CLERK, h.now())
    after = h.now() + timedelta(seconds=1)
    _, at_middle = await ledger.stock_value(db, middle)
    _, at_end = await ledger.stock_value(db, after)
    value = lambda rows: next(  # noqa: E731
        w.values[0].amount_minor for w in rows if w.warehouse_code == wh
    )
    assert (value(at_middle), value(at_end)) == (10_000, 6_000)
    figures = {
        f.cost_of_goods_issued.currency: f
        for f in await ledger.cost_of_goods_issued(db, middle, after)
    }
    cny = figures["CNY"]
    assert cny.units_issued >= 4
    assert cny.cost_of_goods_issued.amount_minor >= 4000
    assert cny.turnover is None or cny.turnover > Decimal(0)
