"""ListOrders filters and paging: validation, page size bounds, opaque page tokens."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.common.errors import InvalidArgument
from services.orders.domain.intake import Channel
from services.orders.domain.query import (
    PageCursor,
    PagingPolicy,
    encode_page_token,
    parse_order_query,
)
from services.orders.domain.status import OrderStatus

T = datetime(2024, 5, 6, 1, 0, tzinfo=UTC)


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


def fields_of(err: InvalidArgument) -> set[str]:
    return {v.field for v in err.violations}


def test_no_filters_means_everything_with_the_default_page_size() -> None:
    query = parse_order_query()
    assert (query.status, query.channel, query.sku_code, query.cursor) == (None, None, None, None)
    assert query.page_size == 50


def test_empty_strings_are_no_filter() -> None:
    query = parse_order_query(status="", channel="", sku_code="", page_token="")
    assert (query.status, query.channel, query.sku_code, query.cursor) == (None, None, None, None)


def test_filters_are_parsed() -> None:
    query = parse_order_query(
        status="SHIPPED", channel="TMALL", sku_code="TEA-LJ-250", created_from=T, created_to=T
    )
    assert (query.status, query.channel, query.sku_code) == (
        OrderStatus.SHIPPED,
        Channel.TMALL,
        "TEA-LJ-250",
    )


def test_every_bad_filter_is_reported_at_once() -> None:
    with pytest.raises(InvalidArgument) as err:
        parse_order_query(status="LOST", channel="EBAY", sku_code="bad sku", page_size=-1)
    assert fields_of(err.value) == {"status", "channel", "sku_code", "page_size"}


def test_date_range_must_not_run_backwards_but_may_be_one_instant() -> None:
    assert parse_order_query(created_from=T, created_to=T).created_to == T
    with pytest.raises(InvalidArgument) as err:
        parse_order_query(created_from=T, created_to=T - timedelta(microseconds=1))
    assert fields_of(err.value) == {"created_to"}


def test_dates_need_a_time_zone() -> None:
    with pytest.raises(InvalidArgument) as err:
        parse_order_query(created_from=datetime(2024, 5, 6), created_to=T)
    assert fields_of(err.value) == {"created_from"}


@pytest.mark.parametrize("sku", ["A", "x" * 64])
def test_sku_filter_at_the_length_limits_is_accepted(sku: str) -> None:
    assert parse_order_query(sku_code=sku).sku_code == sku


def test_sku_filter_of_65_characters_is_rejected() -> None:
    with pytest.raises(InvalidArgument):
        parse_order_query(sku_code="x" * 65)


@pytest.mark.parametrize(
    ("requested", "used"), [(None, 50), (0, 50), (1, 1), (500, 500), (501, 500), (10_000, 500)]
)
def test_page_size_defaults_to_50_and_is_capped_at_500(requested: int | None, used: int) -> None:
    assert parse_order_query(page_size=requested).page_size == used


def test_negative_page_size_is_invalid() -> None:
    with pytest.raises(InvalidArgument) as err:
        parse_order_query(page_size=-1)
    assert fields_of(err.value) == {"page_size"}


def test_page_size_bounds_are_settings() -> None:
    policy = PagingPolicy(default_page_size=20, max_page_size=100)
    assert parse_order_query(page_size=0, policy=policy).page_size == 20
    assert parse_order_query(page_size=101, policy=policy).page_size == 100


def test_page_token_round_trips_the_cursor() -> None:
    query = parse_order_query(status="CONFIRMED")
    token = encode_page_token(query, PageCursor(T, "0190abc"))
    again = parse_order_query(status="CONFIRMED", page_size=10, page_token=token)
    assert again.cursor == PageCursor(T, "0190abc")
    assert again.page_size == 10  # the page size may change between pages
    assert "=" not in token


@pytest.mark.parametrize(
    "token",
    [
        "garbage!!",
        "eyJ2IjoxfQ",  # {"v":1} without a cursor
        b64(b"not json"),
        b64(b"[1,2]"),
        b64(b'{"v":2,"f":"x","t":"2024-05-06T01:00:00+00:00","id":"a"}'),  # unknown version
        b64(b'{"v":1,"f":"x","t":"yesterday","id":"a"}'),
        b64(b'{"v":1,"f":"x","t":"2024-05-06T01:00:00","id":"a"}'),  # naive time
        b64(b'{"v":1,"f":"x","t":"2024-05-06T01:00:00+00:00","id":"a b"}'),  # bad order id
        b64(b"\xff\xfe"),  # not UTF-8
    ],
)
def test_garbage_page_tokens_are_invalid_argument_naming_page_token(token: str) -> None:
    with pytest.raises(InvalidArgument) as err:
        parse_order_query(page_token=token)
    assert fields_of(err.value) == {"page_token"}


def test_a_page_token_accepts_the_same_instant_written_in_another_offset() -> None:
    shanghai = T.astimezone(ZoneInfo("Asia/Shanghai"))
    token = encode_page_token(parse_order_query(created_from=T), PageCursor(T, "o1"))
    assert parse_order_query(created_from=shanghai, page_token=token).cursor is not None


def test_a_page_token_is_tied_to_its_filters() -> None:
    token = encode_page_token(parse_order_query(channel="AMAZON"), PageCursor(T, "o1"))
    with pytest.raises(InvalidArgument) as err:
        parse_order_query(channel="TMALL", page_token=token)
    assert "other filters" in err.value.message


def test_customer_and_handler_filters_are_parsed_and_stripped() -> None:
    query = parse_order_query(customer="  张  ", handled_by="E1001")
    assert (query.customer, query.handled_by) == ("张", "E1001")


def test_blank_customer_filter_means_no_filter() -> None:
    assert parse_order_query(customer="   ").customer is None


def test_bad_customer_and_handler_filters_are_reported() -> None:
    with pytest.raises(InvalidArgument) as err:
        parse_order_query(customer="x" * 201, handled_by="E 1001")
    assert fields_of(err.value) == {"customer", "handled_by"}


def test_a_token_is_tied_to_the_customer_and_handler_filters() -> None:
    first = parse_order_query(customer="Li", handled_by="E1001")
    token = encode_page_token(first, PageCursor(T, "O-9"))
    assert parse_order_query(customer="Li", handled_by="E1001", page_token=token).cursor == (
        PageCursor(T, "O-9")
    )
    with pytest.raises(InvalidArgument) as err:
        parse_order_query(customer="Wang", handled_by="E1001", page_token=token)
    assert fields_of(err.value) == {"page_token"}
