from __future__ import annotations

import pytest

from services.common.errors import InvalidArgument
from services.common.outbox import START, Cursor
from services.common.paging import decode_token, encode_token, page_size


def test_page_token_round_trips() -> None:
    token = encode_token({"id": 42, "at": "2026-01-01"})
    assert decode_token(token, ("id", "at")) == {"id": 42, "at": "2026-01-01"}


def test_empty_page_token_means_first_page() -> None:
    assert decode_token("", ("id",)) is None


@pytest.mark.parametrize("garbage", ["%%%", "bm90IGpzb24", "W10", "eyJ4IjoxfQ"])
def test_garbage_page_token_is_invalid_argument_naming_the_field(garbage: str) -> None:
    with pytest.raises(InvalidArgument) as error:
        decode_token(garbage, ("id",))
    assert error.value.violations[0].field == "page_token"


def test_page_size_zero_means_default_and_is_capped() -> None:
    assert page_size(0, default=50, maximum=500) == 50
    assert page_size(10_000, default=50, maximum=500) == 500
    assert page_size(7) == 7


def test_cursor_round_trips_and_empty_is_start() -> None:
    assert Cursor.decode(Cursor(12, 34).encode()) == Cursor(12, 34)
    assert Cursor.decode("") == START


@pytest.mark.parametrize("garbage", ["x", "1-", "-1", "1-2-3", "9" * 30 + "-1"])
def test_malformed_cursor_names_the_field(garbage: str) -> None:
    with pytest.raises(InvalidArgument) as error:
        Cursor.decode(garbage)
    assert error.value.violations[0].field == "after"
