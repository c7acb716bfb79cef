"""Input checks and receiving labels (money itself: tests/unit/common/test_money.py)."""

from datetime import datetime, timedelta, timezone

import pytest

from services.common.errors import InvalidArgument
from services.inventory.domain.labels import (
    Label,
    LabelGroup,
    barcode_text,
    labels_for_receipt,
    parse_barcode,
)
from services.inventory.domain.validation import (
    validate_aware,
    validate_bin_code,
    validate_non_negative_quantity,
    validate_positive_quantity,
    validate_sku_code,
    validate_text,
    validate_warehouse_code,
)


@pytest.mark.parametrize("code", ["A", "a" * 64, "TEA-01.500g_Red", "0", "._-"])
def test_valid_sku_codes_pass(code):
    assert validate_sku_code(code) == code


@pytest.mark.parametrize("code", ["", "a" * 65, "TEA 01", "TEA/01", "茶-1", "TEA-1\n"])
def test_invalid_sku_codes_name_the_field(code):
    with pytest.raises(InvalidArgument) as err:
        validate_sku_code(code, "lines[0].sku_code")
    assert err.value.violations[0].field == "lines[0].sku_code"
    assert err.value.reason == "INVALID_FIELD"


def test_warehouse_and_bin_codes_allow_up_to_32_characters():
    assert validate_warehouse_code("W" * 32) == "W" * 32
    assert validate_bin_code("A-01-03") == "A-01-03"
    with pytest.raises(InvalidArgument) as err:
        validate_warehouse_code("W" * 33)
    assert err.value.violations[0].field == "warehouse_code"
    with pytest.raises(InvalidArgument):
        validate_bin_code("")


@pytest.mark.parametrize("value", [1, 2**31])
def test_positive_quantities_pass(value):
    assert validate_positive_quantity(value) == value


@pytest.mark.parametrize("value", [0, -1, True, 1.0, "1"])
def test_non_positive_or_non_integer_quantities_fail(value):
    with pytest.raises(InvalidArgument) as err:
        validate_positive_quantity(value, "lines[2].quantity")  # type: ignore[arg-type]
    assert err.value.violations[0].field == "lines[2].quantity"


def test_zero_is_a_valid_non_negative_quantity_but_minus_one_is_not():
    assert validate_non_negative_quantity(0) == 0
    with pytest.raises(InvalidArgument):
        validate_non_negative_quantity(-1)


def test_text_must_have_visible_characters_and_respect_the_maximum():
    assert validate_text("x" * 200, "name") == "x" * 200
    with pytest.raises(InvalidArgument):
        validate_text("x" * 201, "name")
    with pytest.raises(InvalidArgument):
        validate_text("   ", "name")


def test_naive_datetimes_are_refused_and_any_aware_one_accepted():
    validate_aware(datetime(2025, 1, 1, tzinfo=timezone(timedelta(hours=8))), "now")
    with pytest.raises(InvalidArgument):
        validate_aware(datetime(2025, 1, 1), "now")


GROUP = LabelGroup("TEA-1-RED-M", "TEA-1", "red", "M", "LOT-7", 12)


def test_label_carries_sku_style_colour_size_lot_quantity_receipt_and_barcode():
    (label,) = labels_for_receipt("R-1", [GROUP])
    assert label == Label(
        receipt_id="R-1",
        sku_code="TEA-1-RED-M",
        style_code="TEA-1",
        colour="red",
        size="M",
        lot_id="LOT-7",
        quantity=12,
        barcode_text="TEA-1-RED-M/LOT-7",
        copies=12,
    )


def test_one_label_per_group_when_not_printing_per_unit():
    (label,) = labels_for_receipt("R-1", [GROUP], copies_per_unit=False)
    assert label.copies == 1


def test_barcode_round_trips():
    assert parse_barcode(barcode_text("TEA-1", "L.1")) == ("TEA-1", "L.1")


@pytest.mark.parametrize("text", ["TEA-1", "TEA 1/L1", "TEA-1/", "/L1"])
def test_malformed_barcodes_are_refused(text):
    with pytest.raises(InvalidArgument):
        parse_barcode(text)


def test_label_errors_name_the_group_field():
    bad = LabelGroup("TEA-1", "TEA", "red", "M", "LOT-7", 0)
    with pytest.raises(InvalidArgument) as err:
        labels_for_receipt("R-1", [GROUP, bad])
    assert err.value.violations[0].field == "groups[1].quantity"


def test_labels_need_at_least_one_group():
    with pytest.raises(InvalidArgument):
        labels_for_receipt("R-1", [])
