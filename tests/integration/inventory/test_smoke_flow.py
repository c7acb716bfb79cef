"""The receive → reserve → commit path end to end against the database."""

from __future__ import annotations

from services.inventory.domain.stock_lines import SkuQuantity
from services.inventory.service import catalogue, reservations
from tests.integration.inventory import helpers as h


async def test_received_units_can_be_reserved_and_committed_fifo(db, settings):
    wh = await h.warehouse(db)
    code = await h.sku(db, cost=500)
    await h.receive(db, settings, wh, {code: 10})
    level = await catalogue.get_stock_level(db, code)
    assert (level.on_hand, level.reserved, level.available) == (10, 0, 10)
    rid = h.uid("R")
    view = await reservations.reserve_stock(
        db, rid, [SkuQuantity(code, 4)], None, h.CLERK, h.now(), settings
    )
    assert str(view.reservation.state) == "ACTIVE"
    committed = await reservations.commit_reservation(db, rid, h.CLERK, h.now())
    assert committed.cost_of_goods is not None
    assert committed.cost_of_goods.amount_minor == 2000
    level = await catalogue.get_stock_level(db, code)
    assert (level.on_hand, level.reserved, level.available) == (6, 0, 6)
    await h.assert_books_consistent(db)
