"""Rules for values that more than one service takes in (CONTRACT.md), as predicates.

Pure, so domain layers use it. Each service words its own error, because its messages are part
of its API; the rule itself lives here once.
"""

from __future__ import annotations

import re
from datetime import datetime

# CONTRACT.md: SKU codes are 1–64 characters of [A-Za-z0-9._-]; the ids the services issue
# (orders, documents, requests) share that alphabet and length.
_CODE = re.compile(r"[A-Za-z0-9._-]{1,64}")


def is_sku_code(value: str) -> bool:
    """True for 1–64 characters of A–Z, a–z, 0–9, '.', '_' or '-'."""
    return _CODE.fullmatch(value) is not None


def is_identifier(value: str) -> bool:
    """True for an id the system issues: the SKU code alphabet and length."""
    return _CODE.fullmatch(value) is not None


def is_aware(moment: datetime) -> bool:
    """True when `moment` carries its UTC offset (a naive datetime compares wrongly with UTC)."""
    return moment.tzinfo is not None and moment.utcoffset() is not None
