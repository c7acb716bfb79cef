"""The append-only stock ledger: effects, balances, reversals, invariants."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.common.errors import (
    AlreadyExists,
    DomainError,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
)
from services.common.money import Money
from services.inventory.domain.ledger import (
    Effect,
    Ledger,
    LedgerEntry,
    Movement,
    MovementKind,
    StockBalance,
    effect_of,
    fold,
)

T0 = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
K = MovementKind


def entry(entry_id: int, kind: MovementKind, quantity: int, wh: str = "A", sku: str = "TEA-1"):
    return LedgerEntry.record(
        Movement(kind, sku, wh, quantity),
        entry_id=entry_id,
        document_type="test",
        document_id=f"D{entry_id}",
        actor="E1",
        at=T0 + timedelta(minutes=entry_id),
    )


@pytest.mark.parametrize(
    ("kind", "effect"),
    [
        (K.RECEIPT, Effect(3, 0)),
        (K.DEFECT_IN, Effect(3, 0)),
        (K.RETURN_IN, Effect(3, 0)),
        (K.TRANSFER_IN, Effect(3, 0)),
        (K.TRANSFER_OUT, Effect(-3, 0)),
        (K.SCRAP, Effect(-3, 0)),
        (K.SUPPLIER_RETURN, Effect(-3, 0)),
        (K.RESERVATION, Effect(0, 3)),
        (K.RELEASE, Effect(0, -3)),
        (K.ISSUE, Effect(-3, -3)),
        (K.PUT_AWAY, Effect(0, 0)),
        (K.COUNT_ADJUSTMENT, Effect(3, 0)),
    ],
)
def test_each_movement_kind_has_its_effect_on_on_hand_and_reserved(kind, effect):
    assert effect_of(kind, 3) == effect


def test_count_adjustment_carries_its_sign():
    assert effect_of(K.COUNT_ADJUSTMENT, -4) == Effect(-4, 0)


def test_count_adjustment_of_zero_is_refused():
    with pytest.raises(InvalidArgument):
        effect_of(K.COUNT_ADJUSTMENT, 0)


@pytest.mark.parametrize("quantity", [0, -1])
def test_other_movements_need_a_positive_quantity(quantity):
    with pytest.raises(InvalidArgument):
        Movement(K.RECEIPT, "TEA-1", "A", quantity)


def test_reversal_has_no_effect_of_its_own():
    with pytest.raises(InvalidArgument):
        effect_of(K.REVERSAL, 1)


def test_available_is_on_hand_minus_reserved():
    assert StockBalance("TEA-1", "A", on_hand=10, reserved=4).available == 6


def test_fold_sums_effects_per_sku_and_warehouse():
    balances = fold(
        [
            entry(1, K.RECEIPT, 10),
            entry(2, K.RECEIPT, 5, wh="B"),
            entry(3, K.RESERVATION, 4),
            entry(4, K.ISSUE, 3),
            entry(5, K.TRANSFER_OUT, 2, wh="B"),
        ]
    )
    assert balances[("TEA-1", "A")] == StockBalance("TEA-1", "A", on_hand=7, reserved=1)
    assert balances[("TEA-1", "B")] == StockBalance("TEA-1", "B", on_hand=3, reserved=0)


def test_fold_of_no_entries_is_empty():
    assert fold([]) == {}


def test_removing_more_than_on_hand_is_refused():
    with pytest.raises(FailedPrecondition) as err:
        fold([entry(1, K.RECEIPT, 2), entry(2, K.SCRAP, 3)])
    assert err.value.reason == "INSUFFICIENT_STOCK"
    assert "2 on hand" in err.value.message


def test_removing_exactly_on_hand_leaves_zero():
    assert fold([entry(1, K.RECEIPT, 2), entry(2, K.SCRAP, 2)])[("TEA-1", "A")].on_hand == 0


def test_reserving_more_than_available_is_refused():
    with pytest.raises(FailedPrecondition) as err:
        fold([entry(1, K.RECEIPT, 5), entry(2, K.RESERVATION, 3), entry(3, K.RESERVATION, 3)])
    assert err.value.reason == "INSUFFICIENT_STOCK"


def test_moving_out_reserved_units_is_refused():
    with pytest.raises(FailedPrecondition):
        fold([entry(1, K.RECEIPT, 5), entry(2, K.RESERVATION, 5), entry(3, K.TRANSFER_OUT, 1)])


def test_releasing_more_than_reserved_is_refused():
    with pytest.raises(FailedPrecondition) as err:
        fold([entry(1, K.RECEIPT, 5), entry(2, K.RESERVATION, 2), entry(3, K.RELEASE, 3)])
    assert err.value.reason == "RESERVED_UNDERFLOW"


def test_reversal_negates_the_original_and_references_it():
    original = entry(1, K.RECEIPT, 10)
    reversal = original.reversal(entry_id=2, actor="E9", at=T0, reason="wrong SKU booked")
    assert reversal.kind is K.REVERSAL
    assert reversal.reverses_entry_id == 1
    assert reversal.effect == Effect(-10, 0)
    assert (reversal.document_id, reversal.actor, reversal.reason) == (
        "D1",
        "E9",
        "wrong SKU booked",
    )
    assert fold([original, reversal])[("TEA-1", "A")].on_hand == 0


def test_reversal_negates_cost_too():
    original = replace(entry(1, K.RECEIPT, 10), cost=Money(5000, "CNY"))
    assert original.reversal(entry_id=2, actor="E9", at=T0, reason="x").cost == Money(-5000, "CNY")


def test_reversal_needs_a_reason():
    with pytest.raises(InvalidArgument):
        entry(1, K.RECEIPT, 10).reversal(entry_id=2, actor="E9", at=T0, reason=" ")


def test_a_reversal_cannot_be_reversed():
    reversal = entry(1, K.RECEIPT, 10).reversal(entry_id=2, actor="E9", at=T0, reason="x")
    with pytest.raises(FailedPrecondition) as err:
        reversal.reversal(entry_id=3, actor="E9", at=T0, reason="y")
    assert err.value.reason == "CANNOT_REVERSE_REVERSAL"


def test_ledger_refuses_an_entry_whose_reversal_would_make_stock_negative():
    ledger = Ledger().post(entry(1, K.RECEIPT, 10)).post(entry(2, K.SCRAP, 8))
    with pytest.raises(FailedPrecondition):
        ledger.post(ledger.entries[0].reversal(entry_id=3, actor="E9", at=T0, reason="x"))


def test_ledger_refuses_reversing_twice():
    ledger = Ledger().post(entry(1, K.RECEIPT, 10))
    ledger = ledger.post(ledger.entries[0].reversal(entry_id=2, actor="E9", at=T0, reason="x"))
    with pytest.raises(FailedPrecondition) as err:
        ledger.post(ledger.entries[0].reversal(entry_id=3, actor="E9", at=T0, reason="x"))
    assert err.value.reason == "ALREADY_REVERSED"


def test_ledger_refuses_reversing_a_missing_entry():
    ghost = entry(7, K.RECEIPT, 1).reversal(entry_id=8, actor="E9", at=T0, reason="x")
    with pytest.raises(NotFound):
        Ledger().post(ghost)


def test_ledger_refuses_a_forged_reversal_with_a_different_effect():
    ledger = Ledger().post(entry(1, K.RECEIPT, 10))
    forged = replace(
        ledger.entries[0].reversal(entry_id=2, actor="E9", at=T0, reason="x"), on_hand_delta=-3
    )
    with pytest.raises(InvalidArgument):
        ledger.post(forged)


def test_ledger_refuses_a_duplicate_entry_id():
    ledger = Ledger().post(entry(1, K.RECEIPT, 10))
    with pytest.raises(AlreadyExists):
        ledger.post(entry(1, K.RECEIPT, 10))


def test_ledger_refuses_a_decreasing_entry_id():
    ledger = Ledger().post(entry(5, K.RECEIPT, 10))
    with pytest.raises(InvalidArgument):
        ledger.post(entry(4, K.RECEIPT, 10))


def test_failed_post_leaves_the_ledger_unchanged():
    ledger = Ledger().post(entry(1, K.RECEIPT, 1))
    with pytest.raises(FailedPrecondition):
        ledger.post(entry(2, K.SCRAP, 2))
    assert ledger.balance("TEA-1", "A").on_hand == 1
    assert len(ledger.entries) == 1


def test_entry_must_be_a_reversal_exactly_when_it_references_one():
    with pytest.raises(InvalidArgument):
        replace(entry(1, K.RECEIPT, 1), reverses_entry_id=9)


def test_entry_needs_document_actor_and_aware_time():
    with pytest.raises(InvalidArgument):
        replace(entry(1, K.RECEIPT, 1), actor="")
    with pytest.raises(InvalidArgument):
        replace(entry(1, K.RECEIPT, 1), created_at=datetime(2025, 3, 1))


def test_unmoved_balance_is_zero():
    assert Ledger().balance("TEA-9", "Z") == StockBalance("TEA-9", "Z", 0, 0)


# --- properties -------------------------------------------------------------------------------

KINDS = [k for k in MovementKind if k is not K.REVERSAL]
commands = st.lists(
    st.one_of(
        st.tuples(
            st.just("move"),
            st.sampled_from(KINDS),
            st.integers(1, 20),
            st.sampled_from(["A", "B"]),
            st.sampled_from(["TEA-1", "TEA-2"]),
            st.booleans(),
        ),
        st.tuples(st.just("reverse"), st.integers(0, 200)),
    ),
    max_size=60,
)


@settings(max_examples=300)
@given(commands)
def test_random_movements_keep_on_hand_equal_to_the_sum_of_posted_effects(cmds):
    ledger = Ledger()
    next_id = 1
    for cmd in cmds:
        if cmd[0] == "move":
            _, kind, qty, wh, sku, negative = cmd
            if kind is K.COUNT_ADJUSTMENT and negative:
                qty = -qty
            candidate = entry(next_id, kind, qty, wh=wh, sku=sku)
        else:
            if not ledger.entries:
                continue
            target = ledger.entries[cmd[1] % len(ledger.entries)]
            try:
                candidate = target.reversal(entry_id=next_id, actor="E9", at=T0, reason="fix")
            except FailedPrecondition:
                continue
        before = ledger
        try:
            ledger = ledger.post(candidate)
        except DomainError:
            assert ledger is before
            continue
        next_id += 1
        for balance in ledger.balances.values():
            assert balance.on_hand >= 0
            assert balance.reserved >= 0
            assert balance.available >= 0

    assert dict(ledger.balances) == fold(ledger.entries)
    for key, balance in ledger.balances.items():
        posted = [e for e in ledger.entries if e.key == key]
        assert balance.on_hand == sum(e.on_hand_delta for e in posted)
        assert balance.reserved == sum(e.reserved_delta for e in posted)


@given(st.lists(st.tuples(st.sampled_from(KINDS), st.integers(1, 10)), max_size=40))
def test_fold_either_raises_or_never_lets_available_go_negative(moves):
    entries = [entry(i + 1, kind, qty) for i, (kind, qty) in enumerate(moves)]
    try:
        balances = fold(entries)
    except FailedPrecondition:
        return
    for balance in balances.values():
        assert 0 <= balance.reserved <= balance.on_hand
