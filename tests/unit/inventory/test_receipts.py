"""Receipt lifecycle: create, inspect, sign, complete or reject."""

from datetime import UTC, datetime

import pytest

from services.common.errors import FailedPrecondition, InvalidArgument
from services.inventory.domain.ledger import Movement, MovementKind
from services.inventory.domain.qc import QcState
from services.inventory.domain.receipts import InspectionResult, Receipt, ReceiptStatus
from services.inventory.domain.roles import DocumentKind, Role
from services.inventory.domain.signatures import Signature, SignatureRule
from services.inventory.domain.stock_lines import MAX_LINES, SkuQuantity

NOW = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)


def new_receipt(*lines: tuple[str, int]) -> Receipt:
    return Receipt.create(
        "R-1", "A", "Hangzhou Tea Co", [SkuQuantity(sku, qty) for sku, qty in lines]
    )


def fully_signed(receipt: Receipt) -> Receipt:
    for document, role, who in [
        (DocumentKind.INBOUND, Role.WAREHOUSE_SUPERVISOR, "E1"),
        (DocumentKind.INBOUND, Role.WAREHOUSE_KEEPER, "E2"),
        (DocumentKind.INSPECTION, Role.QC_INSPECTOR, "E3"),
    ]:
        receipt = receipt.sign(Signature(document, role, who, NOW))
    return receipt


def complete(receipt: Receipt):
    return receipt.complete(now=NOW, defective_warehouse_code="DEFECT")


def test_new_receipt_awaits_inspection_with_first_sample_sizes():
    receipt = new_receipt(("TEA-1", 50), ("TEA-2", 1))
    assert receipt.status is ReceiptStatus.AWAITING_INSPECTION
    assert [line.sample_size for line in receipt.lines] == [5, 1]


def test_receipt_needs_at_least_one_line():
    with pytest.raises(InvalidArgument) as err:
        Receipt.create("R-1", "A", "S", [])
    assert err.value.violations[0].field == "lines"


def test_receipt_refuses_the_same_sku_on_two_lines():
    with pytest.raises(InvalidArgument) as err:
        new_receipt(("TEA-1", 5), ("TEA-1", 3))
    assert err.value.violations[0].field == "lines[1].sku_code"


def test_receipt_refuses_more_than_the_maximum_lines():
    lines = [SkuQuantity(f"S{i}", 1) for i in range(MAX_LINES + 1)]
    with pytest.raises(InvalidArgument):
        Receipt.create("R-1", "A", "S", lines)
    assert len(Receipt.create("R-1", "A", "S", lines[:MAX_LINES]).lines) == MAX_LINES


@pytest.mark.parametrize(
    ("lines", "field"),
    [
        ([SkuQuantity("bad sku", 1)], "lines[0].sku_code"),
        ([SkuQuantity("TEA-1", 1), SkuQuantity("TEA-2", 0)], "lines[1].quantity"),
    ],
)
def test_receipt_line_errors_name_the_field(lines, field):
    with pytest.raises(InvalidArgument) as err:
        Receipt.create("R-1", "A", "S", lines)
    assert err.value.violations[0].field == field


def test_receipt_refuses_blank_supplier_and_bad_warehouse():
    with pytest.raises(InvalidArgument):
        Receipt.create("R-1", "A", " ", [SkuQuantity("TEA-1", 1)])
    with pytest.raises(InvalidArgument):
        Receipt.create("R-1", "A B", "S", [SkuQuantity("TEA-1", 1)])


def test_receipt_is_inspected_when_every_line_is_accepted():
    receipt = new_receipt(("TEA-1", 50), ("TEA-2", 10))
    receipt = receipt.record_inspection([InspectionResult("TEA-1", 5, 0)])
    assert receipt.status is ReceiptStatus.AWAITING_INSPECTION
    receipt = receipt.record_inspection([InspectionResult("TEA-2", 1, 0)])
    assert receipt.status is ReceiptStatus.INSPECTED


def test_any_rejected_line_rejects_the_whole_receipt():
    receipt = new_receipt(("TEA-1", 50), ("TEA-2", 20))
    receipt = receipt.record_inspection(
        [InspectionResult("TEA-1", 5, 0), InspectionResult("TEA-2", 2, 1)]
    )
    receipt = receipt.record_inspection([InspectionResult("TEA-2", 2, 1)])
    assert receipt.lines[1].state is QcState.REJECTED
    assert receipt.status is ReceiptStatus.REJECTED
    assert receipt.supplier_return_lines() == (SkuQuantity("TEA-1", 50), SkuQuantity("TEA-2", 20))


def test_rejected_receipt_cannot_be_completed():
    receipt = fully_signed(new_receipt(("TEA-1", 1)))
    receipt = receipt.record_inspection([InspectionResult("TEA-1", 1, 1)])
    with pytest.raises(FailedPrecondition) as err:
        complete(receipt)
    assert err.value.reason == "RECEIPT_REJECTED"


def test_rejected_receipt_takes_no_more_inspection():
    receipt = new_receipt(("TEA-1", 1), ("TEA-2", 5))
    receipt = receipt.record_inspection([InspectionResult("TEA-1", 1, 1)])
    with pytest.raises(FailedPrecondition) as err:
        receipt.record_inspection([InspectionResult("TEA-2", 1, 0)])
    assert err.value.reason == "RECEIPT_REJECTED"


def test_inspection_of_unknown_sku_names_the_line():
    receipt = new_receipt(("TEA-1", 50))
    with pytest.raises(InvalidArgument) as err:
        receipt.record_inspection(
            [InspectionResult("TEA-1", 5, 0), InspectionResult("TEA-9", 1, 0)]
        )
    assert err.value.violations[0].field == "lines[1].sku_code"


def test_inspection_naming_a_sku_twice_is_refused():
    receipt = new_receipt(("TEA-1", 50))
    with pytest.raises(InvalidArgument):
        receipt.record_inspection(
            [InspectionResult("TEA-1", 5, 0), InspectionResult("TEA-1", 5, 0)]
        )


def test_inspection_round_applies_all_lines_or_none():
    receipt = new_receipt(("TEA-1", 50), ("TEA-2", 50))
    with pytest.raises(InvalidArgument) as err:
        receipt.record_inspection(
            [InspectionResult("TEA-1", 5, 0), InspectionResult("TEA-2", 4, 0)]
        )
    assert err.value.violations[0].field == "lines[1].inspected"
    assert receipt.lines[0].state is QcState.AWAITING_SAMPLE


def test_empty_inspection_is_refused():
    with pytest.raises(InvalidArgument):
        new_receipt(("TEA-1", 50)).record_inspection([])


def test_completing_with_a_line_awaiting_inspection_is_refused():
    receipt = fully_signed(new_receipt(("TEA-1", 50), ("TEA-2", 10)))
    receipt = receipt.record_inspection([InspectionResult("TEA-1", 5, 0)])
    with pytest.raises(FailedPrecondition) as err:
        complete(receipt)
    assert err.value.reason == "RECEIPT_AWAITING_INSPECTION"
    assert "TEA-2" in err.value.message


def test_completing_needs_supervisor_keeper_and_qc_signatures():
    receipt = new_receipt(("TEA-1", 10)).record_inspection([InspectionResult("TEA-1", 1, 0)])
    receipt = receipt.sign(Signature(DocumentKind.INBOUND, Role.WAREHOUSE_KEEPER, "E2", NOW))
    with pytest.raises(FailedPrecondition) as err:
        complete(receipt)
    assert err.value.reason == "MISSING_SIGNATURES"
    assert "warehouse_supervisor" in err.value.message
    assert "qc_inspector" in err.value.message


def test_completion_books_good_units_and_sends_defectives_to_defective_stock():
    receipt = new_receipt(("TEA-1", 100), ("TEA-2", 10))
    receipt = receipt.record_inspection(
        [InspectionResult("TEA-1", 10, 1), InspectionResult("TEA-2", 1, 0)]
    )
    receipt = receipt.record_inspection([InspectionResult("TEA-1", 10, 0)])
    receipt = receipt.record_inspection([InspectionResult("TEA-1", 80, 2)])
    done = complete(fully_signed(receipt))
    assert done.changed
    assert done.receipt.status is ReceiptStatus.COMPLETED
    assert done.receipt.completed_at == NOW
    assert done.movements == (
        Movement(MovementKind.RECEIPT, "TEA-1", "A", 97),
        Movement(MovementKind.DEFECT_IN, "TEA-1", "DEFECT", 3),
        Movement(MovementKind.RECEIPT, "TEA-2", "A", 10),
    )
    assert done.receipt.supplier_return_lines() == (SkuQuantity("TEA-1", 3),)


def test_completing_again_is_a_no_op():
    receipt = new_receipt(("TEA-1", 10)).record_inspection([InspectionResult("TEA-1", 1, 0)])
    first = complete(fully_signed(receipt))
    again = complete(first.receipt)
    assert not again.changed
    assert again.movements == ()
    assert again.receipt is first.receipt


def test_completed_receipt_takes_no_inspection_or_signature():
    receipt = new_receipt(("TEA-1", 10)).record_inspection([InspectionResult("TEA-1", 1, 0)])
    done = complete(fully_signed(receipt)).receipt
    with pytest.raises(FailedPrecondition) as err:
        done.record_inspection([InspectionResult("TEA-1", 1, 0)])
    assert err.value.reason == "RECEIPT_COMPLETED"
    with pytest.raises(FailedPrecondition):
        done.sign(Signature(DocumentKind.INBOUND, Role.WAREHOUSE_KEEPER, "E9", NOW))


def test_a_caller_may_pass_a_rule_without_signatures():
    receipt = new_receipt(("TEA-1", 10)).record_inspection([InspectionResult("TEA-1", 1, 0)])
    done = receipt.complete(now=NOW, defective_warehouse_code="DEFECT", rule=SignatureRule())
    assert done.receipt.status is ReceiptStatus.COMPLETED


def test_completion_refuses_a_naive_datetime():
    receipt = fully_signed(
        new_receipt(("TEA-1", 10)).record_inspection([InspectionResult("TEA-1", 1, 0)])
    )
    with pytest.raises(InvalidArgument):
        receipt.complete(now=datetime(2025, 3, 3), defective_warehouse_code="DEFECT")
