"""Catalogue values and client-chosen keys (receipt and reservation ids)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.common.errors import InvalidArgument
from services.common.money import Money
from services.inventory.domain.catalogue import (
    Bin,
    Sku,
    Warehouse,
    WarehouseKind,
    first_of_kind,
)
from services.inventory.domain.receipts import Receipt
from services.inventory.domain.reservations import Reservation
from services.inventory.domain.stock_lines import SkuQuantity
from services.inventory.domain.validation import validate_client_key

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def test_only_sellable_warehouses_are_sellable():
    assert Warehouse("A", "Warehouse A", WarehouseKind.SELLABLE).sellable
    for kind in (WarehouseKind.DEFECTIVE, WarehouseKind.TRANSIT, WarehouseKind.SAMPLES):
        assert not Warehouse("X", "X", kind).sellable


def test_the_default_warehouse_of_a_kind_is_the_lowest_code():
    warehouses = [
        Warehouse("DEF-2", "b", WarehouseKind.DEFECTIVE),
        Warehouse("A", "a", WarehouseKind.SELLABLE),
        Warehouse("DEF-1", "a", WarehouseKind.DEFECTIVE),
    ]
    found = first_of_kind(warehouses, WarehouseKind.DEFECTIVE)
    assert found is not None
    assert found.code == "DEF-1"
    assert first_of_kind(warehouses, WarehouseKind.TRANSIT) is None


@pytest.mark.parametrize("code", ["", "has space", "x" * 33])
def test_warehouse_codes_are_checked(code):
    with pytest.raises(InvalidArgument):
        Warehouse(code, "name", WarehouseKind.SELLABLE)


def test_sku_needs_its_descriptive_fields_and_a_non_negative_cost():
    Sku("TEE-BLK-M", "TEE", "black", "M", "Tee", Money(0, "CNY"))
    with pytest.raises(InvalidArgument) as error:
        Sku("TEE-BLK-M", "TEE", "black", "M", "Tee", Money(-1, "CNY"))
    assert error.value.violations[0].field == "sku.unit_cost"
    with pytest.raises(InvalidArgument) as blank:
        Sku("TEE-BLK-M", "TEE", " ", "M", "Tee", Money(1, "CNY"))
    assert blank.value.violations[0].field == "sku.color"


def test_bin_description_is_bounded():
    Bin("A", "A-01", "x" * 200)
    with pytest.raises(InvalidArgument):
        Bin("A", "A-01", "x" * 201)


@pytest.mark.parametrize("key", ["order:AMZ-1", "a", "x" * 64, "R.1_2-3"])
def test_client_keys_allow_colons(key):
    assert validate_client_key(key, "receipt_id") == key


@pytest.mark.parametrize("key", ["", "x" * 65, "has space", "slash/no"])
def test_client_keys_refuse_the_rest(key):
    with pytest.raises(InvalidArgument):
        validate_client_key(key, "receipt_id")


def test_reservation_ids_may_be_128_characters_with_colons():
    long_id = "order:" + "9" * 122
    reservation = Reservation.create(long_id, [SkuQuantity("TEA-1", 1)], now=NOW)
    assert reservation.reservation_id == long_id
    with pytest.raises(InvalidArgument):
        Reservation.create(long_id + "9", [SkuQuantity("TEA-1", 1)], now=NOW)


def test_receipt_ids_may_carry_colons():
    receipt = Receipt.create("po:2026-03-01", "A", "Acme", [SkuQuantity("TEA-1", 5)])
    assert receipt.receipt_id == "po:2026-03-01"
