"""Property-style: random sequences of receipts, reservations, releases, commits and returns keep
the stored balances equal to the ledger (VerifyLedger), available never negative, and the figures
equal to a plain in-memory model of the same sequence."""

from __future__ import annotations

import random

import pytest

from services.common.errors import FailedPrecondition
from services.inventory.domain.stock_lines import SkuQuantity
from services.inventory.service import catalogue, reservations, returns
from tests.integration.inventory import helpers as h

STEPS = 40


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_random_movements_keep_books_equal_to_ledger(db, settings, seed):
    rng = random.Random(seed)
    wh = await h.warehouse(db)
    skus = [await h.sku(db, cost=rng.randint(1, 500)) for _ in range(3)]
    on_hand = dict.fromkeys(skus, 0)
    reserved = dict.fromkeys(skus, 0)
    active: dict[str, dict[str, int]] = {}
    for _ in range(STEPS):
        action = rng.choice(["receive", "reserve", "reserve", "release", "commit", "return"])
        if action == "receive":
            lines = {s: rng.randint(1, 8) for s in rng.sample(skus, rng.randint(1, 3))}
            await h.receive(db, settings, wh, lines)
            for s, q in lines.items():
                on_hand[s] += q
        elif action == "reserve":
            lines = {s: rng.randint(1, 6) for s in rng.sample(skus, rng.randint(1, 3))}
            rid = h.uid("R")
            fits = all(on_hand[s] - reserved[s] >= q for s, q in lines.items())
            try:
                await reservations.reserve_stock(
                    db,
                    rid,
                    [SkuQuantity(s, q) for s, q in lines.items()],
                    None,
                    h.CLERK,
                    h.now(),
                    settings,
                )
            except FailedPrecondition:
                assert not fits
            else:
                assert fits
                active[rid] = lines
                for s, q in lines.items():
                    reserved[s] += q
        elif action in ("release", "commit") and active:
            rid = rng.choice(sorted(active))
            lines = active.pop(rid)
            if action == "release":
                await reservations.release_reservation(db, rid, h.CLERK, h.now())
            else:
                await reservations.commit_reservation(db, rid, h.CLERK, h.now())
            for s, q in lines.items():
                reserved[s] -= q
                if action == "commit":
                    on_hand[s] -= q
        elif action == "return":
            s = rng.choice(skus)
            q = rng.randint(1, 3)
            await returns.return_stock(
                db,
                returns.ReturnStock(h.uid("RET"), (returns.ReturnLine(s, q, True),), wh),
                h.CLERK,
                h.now(),
                settings,
            )
            on_hand[s] += q
        for s in skus:
            level = await catalogue.get_stock_level(db, s)
            assert (level.on_hand, level.reserved) == (on_hand[s], reserved[s])
            assert level.available >= 0
        await h.assert_books_consistent(db)
