from __future__ import annotations

from datetime import datetime

import pytest

from services.common.errors import InvalidArgument
from services.people.domain.validation import (
    EmployeeCodeFormat,
    require_aware,
    validate_code,
    validate_email,
    validate_employee_code,
    validate_person_name,
    validate_phone,
    validate_text,
)


def field_of(error: InvalidArgument) -> str:
    assert len(error.violations) == 1
    return error.violations[0].field


@pytest.mark.parametrize("code", ["E1001", "E0000", "E123456"])
def test_employee_codes_like_e1001_are_accepted(code: str) -> None:
    assert validate_employee_code(code) == code


@pytest.mark.parametrize("code", ["", "e1001", "E101", "E1234567", "E1001 ", "X1001", "E10O1"])
def test_malformed_employee_code_names_the_field(code: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        validate_employee_code(code, field_path="supervisor_code")
    assert field_of(caught.value) == "supervisor_code"
    assert caught.value.reason == "INVALID_EMPLOYEE_CODE"
    assert "E1001" in caught.value.message


def test_employee_code_pattern_is_a_setting() -> None:
    fmt = EmployeeCodeFormat(pattern=r"SO-\d{3}", example="SO-001")
    assert validate_employee_code("SO-042", code_format=fmt) == "SO-042"
    with pytest.raises(InvalidArgument, match="SO-001"):
        validate_employee_code("E1001", code_format=fmt)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("张伟", "张伟"),
        ("  Zhang   Wei ", "Zhang Wei"),
        ("阿卜杜·热合曼", "阿卜杜·热合曼"),
        ("Mary-Jane O'Neil", "Mary-Jane O'Neil"),
        ("José", "José"),
    ],
)
def test_person_names_in_any_script_are_accepted_and_normalised(raw: str, clean: str) -> None:
    assert validate_person_name(raw) == clean


@pytest.mark.parametrize("name", ["", "   ", "R2D2", "Zhang<script>", "---", "x" * 65])
def test_invalid_person_name_names_the_field(name: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        validate_person_name(name, field_path="name")
    assert field_of(caught.value) == "name"


def test_name_of_exactly_64_characters_is_accepted() -> None:
    assert validate_person_name("x" * 64) == "x" * 64


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("zhang.wei@Example.COM", "zhang.wei@example.com"),
        (" a+b@mail.example.cn ", "a+b@mail.example.cn"),
    ],
)
def test_valid_email_is_normalised(raw: str, clean: str) -> None:
    assert validate_email(raw) == clean


@pytest.mark.parametrize(
    "email",
    ["", "zhang", "zhang@", "@example.com", "zhang@example", "zhang..wei@example.com",
     "zhang@-example.com", "zhang wei@example.com", "zhang@example.c0m"],
)  # fmt: skip
def test_invalid_email_names_the_field(email: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        validate_email(email, field_path="contact.email")
    assert field_of(caught.value) == "contact.email"
    assert caught.value.reason == "INVALID_EMAIL"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("138 0013 8000", "13800138000"),
        ("+86 138-0013-8000", "+8613800138000"),
        ("(021) 1234 5678", "02112345678"),
        ("+1 (415) 555-0100", "+14155550100"),
    ],
)
def test_valid_phone_is_normalised(raw: str, clean: str) -> None:
    assert validate_phone(raw) == clean


@pytest.mark.parametrize("phone", ["", "12345", "12800138000", "138001380001", "+0123456789"])
def test_invalid_phone_names_the_field(phone: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        validate_phone(phone, field_path="contact.phone")
    assert field_of(caught.value) == "contact.phone"
    assert caught.value.reason == "INVALID_PHONE"


@pytest.mark.parametrize("code", ["warehouse", "ops_specialist", "a1"])
def test_lower_snake_codes_are_accepted(code: str) -> None:
    assert validate_code(code, field_path="code") == code


@pytest.mark.parametrize("code", ["", "Warehouse", "1ops", "ops-specialist", "a" * 65])
def test_bad_codes_are_refused(code: str) -> None:
    with pytest.raises(InvalidArgument, match="code"):
        validate_code(code, field_path="code")


def test_text_is_required_and_capped() -> None:
    assert validate_text("  hi ", field_path="t", max_length=2) == "hi"
    with pytest.raises(InvalidArgument, match="required"):
        validate_text("  ", field_path="t", max_length=2)
    with pytest.raises(InvalidArgument, match="at most 2"):
        validate_text("abc", field_path="t", max_length=2)
    assert validate_text("", field_path="t", max_length=2, required=False) == ""


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(InvalidArgument) as caught:
        require_aware(datetime(2025, 1, 1, 9), "now")
    assert caught.value.reason == "NAIVE_DATETIME"
