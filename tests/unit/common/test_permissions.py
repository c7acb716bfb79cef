from __future__ import annotations

import pytest

from services.common.permissions import PermissionSet, pattern_matches


@pytest.mark.parametrize(
    ("pattern", "permission", "expected"),
    [
        ("*", "inventory.receipts.inspect", True),
        ("inventory.*", "inventory.receipts.inspect", True),
        ("inventory.*", "orders.orders.place", False),
        ("inventory.receipts.*", "inventory.receipts.inspect", True),
        ("inventory.receipts.*", "inventory.reservations.reserve", False),
        ("inventory.*.read", "inventory.stock.read", True),
        ("inventory.*.read", "inventory.stock.write", False),
        ("inventory.receipts.inspect", "inventory.receipts.inspect", True),
        ("inventory.receipts", "inventory.receipts.inspect", False),
        ("inventory.receipts.inspect.extra", "inventory.receipts.inspect", False),
        ("inventory.receipts.inspect", "inventory.receipts.inspect.extra", False),
        ("inventory.receipts.*", "inventory.receipts", False),
    ],
)
def test_pattern_matching(pattern: str, permission: str, expected: bool) -> None:
    assert pattern_matches(pattern, permission) is expected


def test_permission_set_allows_if_any_pattern_matches() -> None:
    grants = PermissionSet(["orders.orders.read", "inventory.stock.*"])
    assert grants.allows("inventory.stock.read")
    assert grants.allows("orders.orders.read")
    assert not grants.allows("orders.orders.place")


def test_empty_permission_set_allows_nothing() -> None:
    assert not PermissionSet([]).allows("inventory.stock.read")
