"""Input validation shared by the people domain: codes, names, e-mail, phone, timestamps.

Every helper returns the normalised value or raises `InvalidArgument` naming the field
(`field` is the request path the caller wants reported, e.g. `contact.phone`).

Choices (no seed rule covers them):
- Employee codes follow `EmployeeCodeFormat.pattern`, default `E` + 4–6 digits (`E1001`), the
  shape used by `make token EMPLOYEE=E1001` in CONTRACT.md.
- Person names: 1–64 characters of letters of any script (Chinese names included), combining
  marks, spaces and the separators `·.'-`; inner runs of spaces collapse to one.
- Phone numbers: spaces, hyphens and brackets are dropped; then E.164 (`+` and 8–15 digits), a
  mainland mobile number (11 digits starting 13–19) or a mainland landline with area code
  (`0` + 9–11 digits) is accepted.
- E-mail: a pragmatic `local@domain.tld` check (no quoted local parts); the domain is
  lower-cased, the local part kept as typed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from services.common.errors import InvalidArgument
from services.common.validation import is_aware


def require_aware(value: datetime, field_path: str) -> datetime:
    """Reject naive datetimes: every instant in this domain carries its offset."""
    if not is_aware(value):
        raise InvalidArgument.for_field(
            field_path, "must be a timezone-aware timestamp", reason="NAIVE_DATETIME"
        )
    return value


def validate_text(value: str, *, field_path: str, max_length: int, required: bool = True) -> str:
    """Strip `value`; require it (unless `required=False`) and cap its length."""
    text = value.strip()
    if required and not text:
        raise InvalidArgument.for_field(field_path, "is required", reason="REQUIRED")
    if len(text) > max_length:
        raise InvalidArgument.for_field(
            field_path, f"must be at most {max_length} characters", reason="TOO_LONG"
        )
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in text):
        raise InvalidArgument.for_field(
            field_path, "must not contain control characters", reason="CONTROL_CHARACTERS"
        )
    return text


_CODE = re.compile(r"[a-z][a-z0-9_]{0,63}")


def validate_code(value: str, *, field_path: str) -> str:
    """A machine code for departments, positions and roles: `ops_specialist`, `warehouse`."""
    if not _CODE.fullmatch(value):
        raise InvalidArgument.for_field(
            field_path,
            "must be 1-64 characters of lower-case letters, digits and underscores, "
            "starting with a letter",
            reason="INVALID_CODE",
        )
    return value


@dataclass(frozen=True)
class EmployeeCodeFormat:
    """Setting: the shape of employee codes (default `E` followed by 4-6 digits)."""

    pattern: str = r"E\d{4,6}"
    example: str = "E1001"
    _compiled: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_compiled", re.compile(self.pattern))

    def matches(self, code: str) -> bool:
        """True when `code` has the configured shape."""
        return self._compiled.fullmatch(code) is not None


DEFAULT_EMPLOYEE_CODE_FORMAT = EmployeeCodeFormat()


def validate_employee_code(
    code: str,
    *,
    field_path: str = "employee_code",
    code_format: EmployeeCodeFormat = DEFAULT_EMPLOYEE_CODE_FORMAT,
) -> str:
    """An employee code such as `E1001`."""
    if not code_format.matches(code):
        raise InvalidArgument.for_field(
            field_path,
            f"must look like {code_format.example} (pattern {code_format.pattern})",
            reason="INVALID_EMPLOYEE_CODE",
        )
    return code


_NAME_SEPARATORS = frozenset(" ·.'-")
NAME_MAX_LENGTH = 64


def validate_person_name(name: str, *, field_path: str = "name") -> str:
    """A person's name in any script; returns it stripped with single inner spaces."""
    text = " ".join(name.split())
    if not text:
        raise InvalidArgument.for_field(field_path, "is required", reason="REQUIRED")
    if len(text) > NAME_MAX_LENGTH:
        raise InvalidArgument.for_field(
            field_path, f"must be at most {NAME_MAX_LENGTH} characters", reason="TOO_LONG"
        )
    has_letter = False
    for ch in text:
        category = unicodedata.category(ch)
        if category.startswith("L"):
            has_letter = True
        elif not (category.startswith("M") or ch in _NAME_SEPARATORS):
            raise InvalidArgument.for_field(
                field_path,
                f"may contain only letters, spaces and ·.'- (found {ch!r})",
                reason="INVALID_NAME",
            )
    if not has_letter:
        raise InvalidArgument.for_field(
            field_path, "must contain at least one letter", reason="INVALID_NAME"
        )
    return text


_EMAIL_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_EMAIL_LABEL = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_EMAIL_TLD = re.compile(r"[A-Za-z]{2,63}")


def validate_email(email: str, *, field_path: str = "email") -> str:
    """An e-mail address; returns it with the domain lower-cased."""
    text = email.strip()
    local, at, domain = text.rpartition("@")
    labels = domain.split(".")
    ok = (
        bool(at)
        and len(text) <= 254
        and 0 < len(local) <= 64
        and _EMAIL_LOCAL.fullmatch(local) is not None
        and len(labels) >= 2
        and all(_EMAIL_LABEL.fullmatch(label) for label in labels)
        and _EMAIL_TLD.fullmatch(labels[-1]) is not None
    )
    if not ok:
        raise InvalidArgument.for_field(
            field_path, "must be an e-mail address like name@example.com", reason="INVALID_EMAIL"
        )
    return f"{local}@{domain.lower()}"


_PHONE_E164 = re.compile(r"\+[1-9]\d{7,14}")
_PHONE_CN_MOBILE = re.compile(r"1[3-9]\d{9}")
_PHONE_CN_LANDLINE = re.compile(r"0\d{9,11}")
_PHONE_PUNCTUATION = str.maketrans("", "", " -()")


def validate_phone(phone: str, *, field_path: str = "phone") -> str:
    """A phone number; returns it without spaces, hyphens and brackets."""
    text = phone.strip().translate(_PHONE_PUNCTUATION)
    if not (
        _PHONE_E164.fullmatch(text)
        or _PHONE_CN_MOBILE.fullmatch(text)
        or _PHONE_CN_LANDLINE.fullmatch(text)
    ):
        raise InvalidArgument.for_field(
            field_path,
            "must be an international number (+8613800138000), a mainland mobile "
            "(13800138000) or a landline with area code (02112345678)",
            reason="INVALID_PHONE",
        )
    return text
