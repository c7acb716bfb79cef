"""Transfers between warehouses (调拨)."""

from datetime import UTC, datetime, timedelta

import pytest

from services.common.errors import FailedPrecondition, InvalidArgument
from services.inventory.domain.ledger import Movement, MovementKind
from services.inventory.domain.stock_lines import SkuQuantity as L
from services.inventory.domain.transfers import (
    KeeperSignature,
    Transfer,
    TransferPolicy,
    TransferStatus,
)

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
OUT, IN = MovementKind.TRANSFER_OUT, MovementKind.TRANSFER_IN


def keeper(who: str, warehouse: str, minutes: int = 0) -> KeeperSignature:
    return KeeperSignature(who, warehouse, T0 + timedelta(minutes=minutes))


def requested() -> Transfer:
    # Warehouse A is short and asks B for goods.
    return Transfer.request("T-1", "B", "A", [L("TEA-1", 10), L("TEA-2", 4)], keeper("KA", "A"))


def shipped() -> Transfer:
    return requested().ship(keeper("KB", "B", 10)).transfer


def test_request_by_destination_keeper_is_requested():
    transfer = requested()
    assert transfer.status is TransferStatus.REQUESTED
    assert transfer.in_transit == ()


def test_source_and_destination_must_differ():
    with pytest.raises(InvalidArgument) as err:
        Transfer.request("T-1", "A", "A", [L("TEA-1", 1)], keeper("KA", "A"))
    assert err.value.violations[0].field == "destination_warehouse_code"


def test_only_the_destination_keeper_may_request():
    with pytest.raises(FailedPrecondition) as err:
        Transfer.request("T-1", "B", "A", [L("TEA-1", 1)], keeper("KB", "B"))
    assert err.value.reason == "WRONG_WAREHOUSE_KEEPER"


def test_request_needs_lines_without_duplicates():
    with pytest.raises(InvalidArgument):
        Transfer.request("T-1", "B", "A", [], keeper("KA", "A"))
    with pytest.raises(InvalidArgument):
        Transfer.request("T-1", "B", "A", [L("TEA-1", 1), L("TEA-1", 2)], keeper("KA", "A"))


def test_shipping_moves_goods_from_source_into_transit():
    step = requested().ship(keeper("KB", "B", 10))
    assert step.changed
    assert step.transfer.status is TransferStatus.SHIPPED
    assert step.transfer.in_transit == (L("TEA-1", 10), L("TEA-2", 4))
    assert step.movements == (
        Movement(OUT, "TEA-1", "B", 10),
        Movement(IN, "TEA-1", "TRANSIT", 10),
        Movement(OUT, "TEA-2", "B", 4),
        Movement(IN, "TEA-2", "TRANSIT", 4),
    )


def test_shipping_without_transit_warehouse_moves_out_of_source_only():
    step = requested().ship(keeper("KB", "B"), TransferPolicy(transit_warehouse_code=None))
    assert [m.kind for m in step.movements] == [OUT, OUT]


def test_only_the_source_keeper_may_ship():
    with pytest.raises(FailedPrecondition) as err:
        requested().ship(keeper("KA", "A"))
    assert err.value.reason == "WRONG_WAREHOUSE_KEEPER"


def test_shipping_again_is_a_no_op():
    step = shipped().ship(keeper("KB", "B"))
    assert not step.changed
    assert step.movements == ()


def test_full_receipt_moves_goods_from_transit_to_destination():
    step = shipped().receive(keeper("KA", "A", 60))
    assert step.transfer.status is TransferStatus.RECEIVED
    assert step.transfer.in_transit == ()
    assert step.movements == (
        Movement(OUT, "TEA-1", "TRANSIT", 10),
        Movement(IN, "TEA-1", "A", 10),
        Movement(OUT, "TEA-2", "TRANSIT", 4),
        Movement(IN, "TEA-2", "A", 4),
    )


def test_partial_receipt_records_the_shortfall_per_line_and_leaves_it_in_transit():
    step = shipped().receive(keeper("KA", "A"), [L("TEA-1", 8), L("TEA-2", 0)])
    lines = {line.sku_code: line for line in step.transfer.lines}
    assert (lines["TEA-1"].received, lines["TEA-1"].shortfall) == (8, 2)
    assert (lines["TEA-2"].received, lines["TEA-2"].shortfall) == (0, 4)
    assert step.transfer.in_transit == (L("TEA-1", 2), L("TEA-2", 4))
    assert step.movements == (Movement(OUT, "TEA-1", "TRANSIT", 8), Movement(IN, "TEA-1", "A", 8))


def test_receiving_more_than_shipped_is_refused():
    with pytest.raises(InvalidArgument) as err:
        shipped().receive(keeper("KA", "A"), [L("TEA-1", 11), L("TEA-2", 4)])
    assert err.value.violations[0].field == "lines[0].quantity"


def test_receipt_must_give_every_line():
    with pytest.raises(InvalidArgument) as err:
        shipped().receive(keeper("KA", "A"), [L("TEA-1", 10)])
    assert "TEA-2" in err.value.message


def test_receipt_refuses_unknown_and_repeated_skus():
    with pytest.raises(InvalidArgument):
        shipped().receive(keeper("KA", "A"), [L("TEA-9", 1), L("TEA-1", 10), L("TEA-2", 4)])
    with pytest.raises(InvalidArgument):
        shipped().receive(keeper("KA", "A"), [L("TEA-1", 1), L("TEA-1", 1), L("TEA-2", 4)])


def test_only_the_destination_keeper_may_receive():
    with pytest.raises(FailedPrecondition) as err:
        shipped().receive(keeper("KX", "B"))
    assert err.value.reason == "WRONG_WAREHOUSE_KEEPER"


def test_the_shipping_keeper_cannot_also_sign_the_receipt():
    # KB keeps both warehouses: still two people must sign.
    transfer = requested().ship(keeper("KB", "B")).transfer
    with pytest.raises(FailedPrecondition) as err:
        transfer.receive(keeper("KB", "A"))
    assert err.value.reason == "SAME_SIGNER_BOTH_SIDES"


def test_receiving_an_unshipped_transfer_is_refused():
    with pytest.raises(FailedPrecondition) as err:
        requested().receive(keeper("KA", "A"))
    assert err.value.reason == "TRANSFER_NOT_SHIPPED"


def test_receiving_again_is_a_no_op():
    received = shipped().receive(keeper("KA", "A")).transfer
    assert not received.receive(keeper("KA", "A")).changed


def test_cancel_before_shipping_cancels_and_again_is_a_no_op():
    step = requested().cancel(T0, "sold out in A already")
    assert step.transfer.status is TransferStatus.CANCELLED
    assert not step.transfer.cancel(T0, "again").changed


def test_cancel_after_shipping_is_refused():
    with pytest.raises(FailedPrecondition) as err:
        shipped().cancel(T0, "changed my mind")
    assert err.value.reason == "TRANSFER_SHIPPED"


def test_shipping_a_cancelled_transfer_is_refused():
    cancelled = requested().cancel(T0, "not needed").transfer
    with pytest.raises(FailedPrecondition) as err:
        cancelled.ship(keeper("KB", "B"))
    assert err.value.reason == "TRANSFER_CANCELLED"


def test_cancel_needs_a_reason():
    with pytest.raises(InvalidArgument):
        requested().cancel(T0, "")
