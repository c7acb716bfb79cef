from __future__ import annotations

import pytest

from services.common.config import SettingsError, database_url_for, load_settings


def test_service_specific_setting_wins_over_shared() -> None:
    env = {
        "STOREOPS_DATABASE_URL": "postgresql+psycopg://u@h:5432/storeops",
        "STOREOPS_DB_POOL_SIZE": "20",
        "STOREOPS_ORDERS_DB_POOL_SIZE": "40",
    }
    assert load_settings("orders", env).db_pool_size == 40
    assert load_settings("inventory", env).db_pool_size == 20


def test_shared_database_url_gets_one_database_per_service() -> None:
    env = {"STOREOPS_DATABASE_URL": "postgresql+psycopg://u@h:5432/storeops"}
    assert database_url_for("orders", env) == "postgresql+psycopg://u@h:5432/storeops_orders"
    assert database_url_for("people", env).endswith("/storeops_people")


def test_own_database_url_is_used_as_is() -> None:
    env = {"STOREOPS_ORDERS_DATABASE_URL": "postgresql+psycopg://u@h/orders_db"}
    assert database_url_for("orders", env) == "postgresql+psycopg://u@h/orders_db"


def test_missing_database_url_names_the_variables() -> None:
    with pytest.raises(SettingsError, match="STOREOPS_ORDERS_DATABASE_URL"):
        load_settings("orders", {})


def test_defaults_follow_the_contract_ports() -> None:
    env = {"STOREOPS_DATABASE_URL": "postgresql+psycopg://u@h/s"}
    assert [
        load_settings(s, env).port for s in ("inventory", "orders", "people", "performance")
    ] == [
        50051,
        50052,
        50053,
        50054,
    ]


def test_malformed_integer_is_refused_with_the_variable_name() -> None:
    env = {"STOREOPS_DATABASE_URL": "postgresql+psycopg://u@h/s", "STOREOPS_ORDERS_PORT": "abc"}
    with pytest.raises(SettingsError, match="STOREOPS_ORDERS_PORT"):
        load_settings("orders", env)


def test_unknown_service_is_refused() -> None:
    with pytest.raises(SettingsError):
        load_settings("billing", {"STOREOPS_DATABASE_URL": "postgresql+psycopg://u@h/s"})


def test_plain_libpq_urls_get_the_psycopg_driver() -> None:
    libpq = {"STOREOPS_ORDERS_DATABASE_URL": "postgresql://u:p@h:5432/o"}
    assert database_url_for("orders", libpq) == "postgresql+psycopg://u:p@h:5432/o"
    assert database_url_for("orders", {"STOREOPS_DATABASE_URL": "postgres://u@h/s"}) == (
        "postgresql+psycopg://u@h/s_orders"
    )
