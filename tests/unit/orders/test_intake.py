from __future__ import annotations

import pytest

from services.common.errors import AlreadyExists, InvalidArgument
from services.common.money import INT64_MAX, Money
from services.orders.domain.customer import Customer
from services.orders.domain.intake import (
    Channel,
    IntakePolicy,
    LineInput,
    ensure_same_payload,
    order_reservation_id,
    parse_intake,
    replacement_reservation_id,
    shipment_reservation_id,
)

from .factories import a_customer, an_intake, line_inputs


def fields_of(err: InvalidArgument) -> set[str]:
    return {v.field for v in err.violations}


def parse(**overrides: object) -> object:
    args: dict[str, object] = {
        "channel": "AMAZON",
        "external_order_id": "113-1234567-1234567",
        "customer": a_customer(),
        "lines": line_inputs(),
        "paid": True,
    }
    args.update(overrides)
    return parse_intake(**args)  # type: ignore[arg-type]


def test_totals_are_computed_from_lines_not_taken_from_the_client() -> None:
    intake = an_intake(lines=[("TEA", 3, 1_000), ("CUP", 2, 250)])
    assert [ln.line_total for ln in intake.lines] == [Money(3_000, "CNY"), Money(500, "CNY")]
    assert intake.total == Money(3_500, "CNY")
    assert [ln.line_no for ln in intake.lines] == [1, 2]


@pytest.mark.parametrize("channel", ["AMAZON", "TMALL", "OWN_SHOP"])
def test_each_contract_channel_is_accepted(channel: str) -> None:
    assert an_intake(channel=channel).channel is Channel(channel)


def test_unknown_channel_is_rejected_naming_the_accepted_ones() -> None:
    with pytest.raises(InvalidArgument) as err:
        an_intake(channel="JD")
    assert "channel" in fields_of(err.value)
    assert "AMAZON, TMALL, OWN_SHOP" in err.value.message


def test_an_order_without_lines_is_rejected() -> None:
    with pytest.raises(InvalidArgument) as err:
        parse(lines=[])
    assert fields_of(err.value) == {"lines"}


@pytest.mark.parametrize("quantity", [0, -1])
def test_quantity_must_be_positive(quantity: int) -> None:
    with pytest.raises(InvalidArgument) as err:
        an_intake(lines=[("TEA", quantity, 100)])
    assert fields_of(err.value) == {"lines[0].quantity"}


def test_quantity_one_is_the_smallest_accepted() -> None:
    assert an_intake(lines=[("TEA", 1, 100)]).total == Money(100, "CNY")


@pytest.mark.parametrize("price", [0, -100])
def test_unit_price_must_be_positive(price: int) -> None:
    with pytest.raises(InvalidArgument) as err:
        an_intake(lines=[("TEA", 1, price)])
    assert fields_of(err.value) == {"lines[0].unit_price"}


def test_line_quantity_is_capped_by_policy_at_the_exact_edge() -> None:
    policy = IntakePolicy(max_line_quantity=10)
    ok = parse(lines=[LineInput("TEA", 10, 1, "CNY")], policy=policy)
    assert ok is not None
    with pytest.raises(InvalidArgument):
        parse(lines=[LineInput("TEA", 11, 1, "CNY")], policy=policy)


def test_number_of_lines_is_capped_by_policy_at_the_exact_edge() -> None:
    policy = IntakePolicy(max_lines=2)
    parse(lines=line_inputs([("A", 1, 1), ("B", 1, 1)]), policy=policy)
    with pytest.raises(InvalidArgument) as err:
        parse(lines=line_inputs([("A", 1, 1), ("B", 1, 1), ("C", 1, 1)]), policy=policy)
    assert fields_of(err.value) == {"lines"}


@pytest.mark.parametrize("sku", ["", "has space", "x" * 65, "中文", "a/b"])
def test_malformed_sku_codes_are_rejected(sku: str) -> None:
    with pytest.raises(InvalidArgument) as err:
        an_intake(lines=[(sku, 1, 100)])
    assert fields_of(err.value) == {"lines[0].sku_code"}


def test_sku_code_of_64_allowed_characters_is_accepted() -> None:
    sku = "Aa0._-" + "x" * 58
    assert an_intake(lines=[(sku, 1, 1)]).lines[0].sku_code == sku


def test_one_currency_per_order() -> None:
    lines = [LineInput("A", 1, 100, "CNY"), LineInput("B", 1, 100, "USD")]
    with pytest.raises(InvalidArgument) as err:
        parse(lines=lines)
    assert fields_of(err.value) == {"lines[1].unit_price.currency_code"}


def test_line_total_beyond_int64_is_invalid_argument() -> None:
    with pytest.raises(InvalidArgument) as err:
        an_intake(lines=[("TEA", 2, INT64_MAX // 2 + 1)])
    assert fields_of(err.value) == {"lines[0]"}


def test_line_total_of_exactly_int64_max_is_accepted() -> None:
    assert an_intake(lines=[("TEA", 1, INT64_MAX)]).total == Money(INT64_MAX, "CNY")


def test_order_total_beyond_int64_is_invalid_argument() -> None:
    with pytest.raises(InvalidArgument) as err:
        an_intake(lines=[("A", 1, INT64_MAX), ("B", 1, 1)])
    assert fields_of(err.value) == {"lines"}


def test_every_bad_field_is_reported_at_once() -> None:
    with pytest.raises(InvalidArgument) as err:
        parse(
            channel="EBAY",
            external_order_id=" ",
            customer=Customer("", "12", ""),
            lines=[LineInput("bad sku", 0, 0, "CNY")],
        )
    assert fields_of(err.value) == {
        "channel",
        "external_order_id",
        "customer.name",
        "customer.phone",
        "customer.address",
        "lines[0].sku_code",
        "lines[0].quantity",
        "lines[0].unit_price",
    }
    assert err.value.reason == "INVALID_FIELD"


def test_external_order_id_must_not_contain_spaces() -> None:
    with pytest.raises(InvalidArgument):
        an_intake(external_order_id="TM 1")


def test_customer_fields_and_messages_are_trimmed() -> None:
    intake = an_intake(
        customer=Customer("  李四 ", " 13800138000 ", " 上海 "), buyer_message="  请发顺丰  "
    )
    assert intake.customer == Customer("李四", "13800138000", "上海")
    assert intake.buyer_message == "请发顺丰"


@pytest.mark.parametrize("phone", ["1234", "abcdefg", "+86 138 0013 8000 ext. 12 and more"])
def test_phone_must_be_dialable(phone: str) -> None:
    with pytest.raises(InvalidArgument) as err:
        an_intake(customer=a_customer(phone=phone))
    assert fields_of(err.value) == {"customer.phone"}


def test_customer_repr_does_not_leak_personal_data() -> None:
    text = repr(a_customer())
    assert "张三" not in text
    assert "龙井路" not in text
    assert "0013" not in text
    assert text.endswith("8000')")


def test_same_payload_gives_the_same_fingerprint() -> None:
    assert an_intake().payload_fingerprint == an_intake().payload_fingerprint
    assert an_intake().payload_fingerprint.startswith("v1:")


def test_fingerprint_ignores_line_order_and_surrounding_whitespace() -> None:
    a = an_intake(lines=[("A", 1, 100), ("B", 2, 200)])
    b = an_intake(lines=[("B", 2, 200), ("A", 1, 100)], customer=a_customer(name=" 张三 "))
    assert a.payload_fingerprint == b.payload_fingerprint


@pytest.mark.parametrize(
    "change",
    [
        {"paid": False},
        {"buyer_message": "gift wrap"},
        {"service_note": "VIP"},
        {"lines": [("TEA-LJ-250", 3, 12_800), ("CUP-E", 1, 3_500)]},
        {"lines": [("TEA-LJ-250", 2, 12_801), ("CUP-E", 1, 3_500)]},
        {"customer": Customer("张三", "+86 138-0013-8000", "another address")},
        {"external_order_id": "TM-OTHER"},
        {"channel": "OWN_SHOP"},
    ],
)
def test_any_content_change_changes_the_fingerprint(change: dict[str, object]) -> None:
    assert an_intake(**change).payload_fingerprint != an_intake().payload_fingerprint  # type: ignore[arg-type]


def test_same_external_order_with_same_payload_is_a_retry() -> None:
    original = an_intake()
    ensure_same_payload("O-1", original.payload_fingerprint, an_intake())


def test_same_external_order_with_different_payload_is_already_exists() -> None:
    original = an_intake()
    with pytest.raises(AlreadyExists) as err:
        ensure_same_payload("O-1", original.payload_fingerprint, an_intake(paid=False))
    assert err.value.reason == "ORDER_PAYLOAD_MISMATCH"
    assert "O-1" in err.value.message


def test_reservation_ids_are_deterministic_and_do_not_collide() -> None:
    assert order_reservation_id("0190a1b2") == "ord-0190a1b2"
    assert shipment_reservation_id("0190a1b2", 2) == "shp-0190a1b2-2"
    assert replacement_reservation_id("R-9") == "exc-R-9"
    # An order whose id looks like a parcel suffix still gets a distinct key.
    assert order_reservation_id("A-1") != shipment_reservation_id("A", 1)


def test_shipment_numbers_start_at_one() -> None:
    with pytest.raises(InvalidArgument):
        shipment_reservation_id("O-1", 0)


def test_reservation_id_rejects_malformed_order_ids() -> None:
    with pytest.raises(InvalidArgument):
        order_reservation_id("has space")


def test_control_characters_in_text_are_rejected() -> None:
    with pytest.raises(InvalidArgument) as err:
        an_intake(buyer_message="hello\x07")
    assert fields_of(err.value) == {"buyer_message"}


def test_newlines_in_a_buyer_message_are_kept() -> None:
    assert an_intake(buyer_message="line 1\nline 2").buyer_message == "line 1\nline 2"


def test_paid_must_be_a_boolean() -> None:
    with pytest.raises(InvalidArgument) as err:
        parse(paid="yes")
    assert fields_of(err.value) == {"paid"}


def test_quantity_must_be_a_whole_number() -> None:
    with pytest.raises(InvalidArgument) as err:
        parse(lines=[LineInput("TEA", 1.5, 100, "CNY")])  # type: ignore[arg-type]
    assert fields_of(err.value) == {"lines[0].quantity"}


def test_malformed_line_currency_is_rejected() -> None:
    with pytest.raises(InvalidArgument) as err:
        parse(lines=[LineInput("TEA", 1, 100, "rmb")])
    assert fields_of(err.value) == {"lines[0].unit_price.currency_code"}
