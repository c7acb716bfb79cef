"""Password policy (the domain decides what is acceptable; an adapter hashes with argon2).

Defaults (`PasswordPolicy`), chosen because the seeds only ask that secret data be protected
by access control (seed 000 §六(二)2):
- at least 12 characters (at most 128, so hashing cost stays bounded);
- at least 3 of 4 character classes (lower-case, upper-case, digit, other), unless the password
  is a passphrase of 16 characters or more;
- must not contain the employee code or the employee's name (the whole name, or any part of 3
  characters or more, compared case-insensitively and ignoring spaces — a two-character Chinese
  name counts as a whole name);
- must not be, or be built around, a common password from a small built-in list (the letters
  left after stripping leading/trailing digits and symbols are checked too, so "Password2024!"
  is refused);
- no control characters.
Every broken rule is reported at once, each as a violation of the field `password`.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from services.common.errors import FieldViolation, InvalidArgument

COMMON_PASSWORDS: frozenset[str] = frozenset(
    {
        "123456", "12345678", "123456789", "1234567890", "123456789012", "111111", "000000",
        "password", "passw0rd", "p@ssw0rd", "qwerty", "qwertyuiop", "qwerty123", "1qaz2wsx",
        "1q2w3e4r", "1q2w3e4r5t6y", "zxcvbnm", "asdfghjkl", "abc123", "abcd1234", "a123456",
        "iloveyou", "woaini", "woaini1314", "admin", "administrator", "welcome", "letmein",
        "changeme", "monkey", "dragon", "football", "baseball", "sunshine", "princess",
        "shadow", "master", "superman", "trustno1", "starwars", "whatever", "secret",
        "default", "storeops", "company", "taobao", "tmall", "amazon", "aini1314",
        "5201314", "88888888", "66666666", "1314520",
    }
)  # fmt: skip


@dataclass(frozen=True)
class PasswordPolicy:
    """Setting: the password rules; defaults as in the module docstring."""

    min_length: int = 12
    max_length: int = 128
    min_character_classes: int = 3
    passphrase_min_length: int = 16
    min_name_part_length: int = 3
    common_passwords: frozenset[str] = COMMON_PASSWORDS

    def __post_init__(self) -> None:
        if self.min_length < 8:
            raise InvalidArgument.for_field(
                "min_length", "must be at least 8", reason="POLICY_TOO_WEAK"
            )
        if self.max_length < self.passphrase_min_length:
            raise InvalidArgument.for_field(
                "max_length",
                "must allow passphrases (>= passphrase_min_length)",
                reason="INVALID_SETTING",
            )
        if not 1 <= self.min_character_classes <= 4:
            raise InvalidArgument.for_field(
                "min_character_classes", "must be between 1 and 4", reason="INVALID_SETTING"
            )


DEFAULT_PASSWORD_POLICY = PasswordPolicy()


def character_classes(password: str) -> int:
    """How many of lower-case, upper-case, digit and other characters `password` uses."""
    return (
        any(ch.islower() for ch in password)
        + any(ch.isupper() for ch in password)
        + any(ch.isdigit() for ch in password)
        + any(not (ch.islower() or ch.isupper() or ch.isdigit()) for ch in password)
    )


def _fold(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def _personal_tokens(employee_code: str, employee_name: str, min_part: int) -> set[str]:
    tokens = {_fold(employee_code), _fold(employee_name)}
    parts = employee_name.replace("·", " ").replace("-", " ").replace(".", " ").split()
    tokens.update(_fold(p) for p in parts if len(p) >= min_part)
    return {t for t in tokens if t}


def check_password(
    password: str,
    *,
    employee_code: str,
    employee_name: str,
    policy: PasswordPolicy = DEFAULT_PASSWORD_POLICY,
) -> None:
    """Raise InvalidArgument (field `password`, reason WEAK_PASSWORD) listing every broken rule."""
    problems: list[str] = []
    if len(password) < policy.min_length:
        problems.append(f"must be at least {policy.min_length} characters long")
    if len(password) > policy.max_length:
        problems.append(f"must be at most {policy.max_length} characters long")
    if any(unicodedata.category(ch) == "Cc" for ch in password):
        problems.append("must not contain control characters")
    classes = character_classes(password)
    if classes < policy.min_character_classes and len(password) < policy.passphrase_min_length:
        problems.append(
            f"must mix at least {policy.min_character_classes} of lower-case letters, "
            "upper-case letters, digits and symbols, or be a passphrase of at least "
            f"{policy.passphrase_min_length} characters"
        )
    folded = _fold(password)
    if any(
        token in folded
        for token in _personal_tokens(employee_code, employee_name, policy.min_name_part_length)
    ):
        problems.append("must not contain your employee code or your name")
    core = folded.strip("0123456789!@#$%^&*()_+-=.,?~`'\"[]{}<>/\\|:;")
    if folded in policy.common_passwords or core in policy.common_passwords:
        problems.append("is too common; choose something others would not guess")
    if problems:
        raise InvalidArgument(
            "password: " + "; ".join(problems),
            reason="WEAK_PASSWORD",
            violations=[FieldViolation("password", problem) for problem in problems],
        )
