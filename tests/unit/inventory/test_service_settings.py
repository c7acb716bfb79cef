"""Service-side pure pieces: settings from the environment, token roles, page tokens."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from services.common.config import SettingsError, load_settings
from services.common.errors import InvalidArgument
from services.common.paging import encode_token
from services.inventory.domain.roles import Role
from services.inventory.service import paging
from services.inventory.service.caller import roles_of
from services.inventory.settings import InventorySettings, load_inventory_settings

BASE = {"STOREOPS_INVENTORY_DATABASE_URL": "postgresql+psycopg://u@h/db"}


def test_defaults_follow_the_seeds_and_keep_the_contract_flow_open():
    settings = load_inventory_settings(load_settings("inventory", BASE))
    assert settings.enforce_receipt_signatures is False
    assert settings.holds.max_age == timedelta(days=7)
    assert settings.samples.loan_days == 7
    assert settings.transfers.transit_warehouse_code == "TRANSIT"
    assert settings.defective_warehouse_code == "DEFECTIVE"


def test_settings_are_read_from_the_environment():
    env = {
        **BASE,
        "STOREOPS_INVENTORY_ENFORCE_RECEIPT_SIGNATURES": "true",
        "STOREOPS_INVENTORY_HOLD_MAX_AGE_DAYS": "3",
        "STOREOPS_INVENTORY_TIMEZONE": "UTC",
    }
    settings = load_inventory_settings(load_settings("inventory", env))
    assert settings.enforce_receipt_signatures is True
    assert settings.holds.max_age == timedelta(days=3)
    assert settings.business_date(datetime(2026, 1, 1, 23, 30, tzinfo=UTC)) == date(2026, 1, 1)


def test_unknown_time_zone_is_a_settings_error():
    with pytest.raises(SettingsError):
        load_inventory_settings(
            load_settings("inventory", {**BASE, "STOREOPS_INVENTORY_TIMEZONE": "Mars/Base"})
        )


def test_business_day_is_shanghai_by_default():
    late_utc = datetime(2026, 1, 1, 17, 0, tzinfo=UTC)  # 01:00 on 2 January in Shanghai
    assert InventorySettings().business_date(late_utc) == date(2026, 1, 2)


def test_token_roles_map_to_warehouse_roles():
    assert roles_of(["employee", "wh_keeper"]) == {Role.WAREHOUSE_KEEPER}
    assert roles_of(["qc_inspector", "wh_supervisor"]) == {
        Role.QC_INSPECTOR,
        Role.WAREHOUSE_SUPERVISOR,
    }
    assert roles_of(["admin"]) == set(Role)
    assert roles_of(["ops_specialist"]) == set()


def test_page_tokens_round_trip_and_foreign_tokens_are_refused():
    assert paging.after_key("") is None
    assert paging.after_key(encode_token({"k": "SKU-9"})) == "SKU-9"
    assert paging.after_int(encode_token({"k": 42})) == 42
    when = datetime(2026, 1, 1, tzinfo=UTC)
    assert paging.after_time(encode_token({"t": when.isoformat(), "k": "R1"})) == (when, "R1")
    for bad in ("garbage", encode_token({"x": 1}), encode_token({"k": True})):
        with pytest.raises(InvalidArgument):
            paging.after_int(bad)


def test_next_token_only_when_the_page_is_full():
    assert paging.next_token([1, 2], 3, {"k": "b"}) == ""
    assert paging.after_key(paging.next_token([1, 2, 3], 3, {"k": "c"})) == "c"
