"""The customer an order ships to: name, phone and address.

Customer data is a business secret (seeds 000, 002): this module never puts it into messages or
history notes, and `masked_phone` gives what a log line or a picker's screen may show.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from services.orders.domain.inputs import Violations

MAX_NAME_LENGTH = 100
MAX_PHONE_LENGTH = 32
MAX_ADDRESS_LENGTH = 500
# Platforms send phones in many shapes (+86 138-0013-8000, (206) 555-0100 ext. 12); require enough
# digits to be dialable rather than one national format.
MIN_PHONE_DIGITS = 5
_PHONE_CHARS = re.compile(r"[0-9+()\-. /#extEXT]+")


@dataclass(frozen=True, slots=True, repr=False)
class Customer:
    """Recipient of an order. Build it with `parse_customer` so the fields are checked."""

    name: str
    phone: str
    address: str

    def __repr__(self) -> str:
        # Orders get logged; their repr must not carry customer data (seeds 000, 002).
        return f"Customer(phone={self.masked_phone!r})"

    @property
    def masked_phone(self) -> str:
        """The phone with all but the last four digits hidden."""
        digits = [c for c in self.phone if c.isdigit()]
        return "*" * max(len(digits) - 4, 0) + "".join(digits[-4:])


def parse_customer(
    name: str,
    phone: str,
    address: str,
    violations: Violations,
    field_prefix: str = "customer",
) -> Customer:
    """Check and normalise (strip) the customer's fields, recording problems in `violations`."""
    clean_name = violations.text(
        name, f"{field_prefix}.name", max_length=MAX_NAME_LENGTH, required=True
    )
    clean_phone = check_phone(phone, violations, f"{field_prefix}.phone")
    clean_address = check_address(address, violations, f"{field_prefix}.address")
    return Customer(clean_name, clean_phone, clean_address)


def check_phone(phone: str, violations: Violations, field_path: str) -> str:
    """A dialable phone number: digits with the usual separators, at least five digits."""
    cleaned = violations.text(phone, field_path, max_length=MAX_PHONE_LENGTH, required=True)
    if cleaned and len(cleaned) <= MAX_PHONE_LENGTH:
        digits = sum(c.isdigit() for c in cleaned)
        if not _PHONE_CHARS.fullmatch(cleaned) or digits < MIN_PHONE_DIGITS:
            violations.add(
                field_path,
                f"must be a phone number: at least {MIN_PHONE_DIGITS} digits, "
                "optionally with + ( ) - . / spaces or an extension",
            )
    return cleaned


def check_address(address: str, violations: Violations, field_path: str) -> str:
    """A non-empty postal address of at most 500 characters."""
    return violations.text(address, field_path, max_length=MAX_ADDRESS_LENGTH, required=True)
