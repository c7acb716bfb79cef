"""The input rules shared by the services (each service words its own errors)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from services.common.validation import is_aware, is_identifier, is_sku_code


@pytest.mark.parametrize("code", ["A", "a" * 64, "TEA-01.500g_Red", "0", "._-"])
def test_sku_codes_and_ids_are_1_to_64_characters_of_the_contract_alphabet(code: str) -> None:
    assert is_sku_code(code)
    assert is_identifier(code)


@pytest.mark.parametrize("code", ["", "a" * 65, "TEA 01", "TEA/01", "茶-1", "TEA-1\n", "o:1"])
def test_anything_else_is_neither_a_sku_code_nor_an_id(code: str) -> None:
    assert not is_sku_code(code)
    assert not is_identifier(code)


def test_only_datetimes_with_an_offset_are_aware() -> None:
    assert is_aware(datetime(2025, 1, 1, tzinfo=UTC))
    assert is_aware(datetime(2025, 1, 1, tzinfo=timezone(timedelta(hours=8))))
    assert not is_aware(datetime(2025, 1, 1))
