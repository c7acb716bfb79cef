from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.common.errors import InvalidArgument, NotFound, PermissionDenied
from services.people.domain.permission_catalogue import known_permissions
from services.people.domain.permissions import Permission, PermissionMatcher, PermissionPattern
from services.people.domain.roles import Role, compile_roles


@pytest.mark.parametrize(
    ("pattern", "permission", "granted"),
    [
        ("inventory.receipts.inspect", "inventory.receipts.inspect", True),
        ("inventory.receipts.inspect", "inventory.receipts.sign", False),
        ("inventory.*", "inventory.receipts.inspect", True),
        ("inventory.*", "orders.orders.place", False),
        ("orders.orders.*", "orders.orders.place", True),
        ("orders.orders.*", "orders.customers.read", False),
        ("*", "people.salaries.read_all", True),
        ("*.*.read", "performance.statements.read", True),
        ("*.*.read", "performance.statements.read_all", False),
        ("inventory.*.read", "inventory.ledger.read", True),
        ("inventory.*.read", "inventory.ledger.create", False),
        ("*.receipts.*", "inventory.receipts.sign", True),
    ],
)
def test_pattern_grants(pattern: str, permission: str, granted: bool) -> None:
    assert PermissionMatcher([pattern]).allows(permission) is granted


@pytest.mark.parametrize(
    "pattern",
    ["", "inventory.receipts", "inventory..read", "inventory.receipts.read.more", "Inventory.*",
     "inventory.rec*", "**", "inventory.*.read ", "inventory.receipts.", "*.*.*.*"],
)  # fmt: skip
def test_malformed_pattern_names_the_field(pattern: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        PermissionPattern.parse(pattern, field_path="patterns[3]")
    assert caught.value.violations[0].field == "patterns[3]"
    assert caught.value.reason == "INVALID_PERMISSION_PATTERN"


@pytest.mark.parametrize("permission", ["inventory.*.read", "inventory.receipts", "a.b.c.d", ""])
def test_a_checked_permission_must_be_concrete(permission: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        PermissionMatcher(["*"]).allows(permission)
    assert caught.value.reason == "INVALID_PERMISSION"


def test_empty_matcher_grants_nothing() -> None:
    assert not PermissionMatcher([]).allows("people.employees.read")


def test_require_raises_permission_denied_naming_the_permission() -> None:
    matcher = PermissionMatcher(["orders.orders.read"])
    matcher.require("orders.orders.read")
    with pytest.raises(PermissionDenied) as caught:
        matcher.require("orders.orders.place")
    assert caught.value.metadata["permission"] == "orders.orders.place"
    assert "orders.orders.place" in caught.value.message


def test_matchers_combine_and_list_their_patterns() -> None:
    both = PermissionMatcher(["inventory.*"]) | PermissionMatcher(["orders.orders.read"])
    assert both.allows("inventory.counts.approve")
    assert both.allows("orders.orders.read")
    assert both.patterns == ("inventory.*", "orders.orders.read")


def test_permission_objects_and_strings_are_interchangeable() -> None:
    matcher = PermissionMatcher(["people.*.read"])
    assert matcher.allows(Permission("people", "employees", "read"))
    assert str(Permission.parse("people.employees.read")) == "people.employees.read"


def test_roles_compile_into_one_matcher_and_unknown_roles_are_not_found() -> None:
    roles = {
        "a": Role.define(code="a", name="A", patterns=["orders.orders.read"]),
        "b": Role.define(code="b", name="B", patterns=["inventory.receipts.*"]),
    }
    matcher = compile_roles(["a", "b"], roles)
    assert matcher.allows("orders.orders.read")
    assert matcher.allows("inventory.receipts.sign")
    with pytest.raises(NotFound) as caught:
        compile_roles(["a", "ghost"], roles)
    assert caught.value.reason == "ROLE_NOT_FOUND"


def test_role_definition_refuses_patterns_that_grant_nothing_known() -> None:
    with pytest.raises(InvalidArgument) as caught:
        Role.define(code="r", name="R", patterns=["orders.orders.read", "inventroy.*"])
    assert caught.value.violations[0].field == "patterns[1]"
    assert caught.value.reason == "UNKNOWN_PERMISSION"


def test_role_definition_needs_a_pattern_and_deduplicates() -> None:
    with pytest.raises(InvalidArgument, match="patterns"):
        Role.define(code="r", name="R", patterns=[])
    role = Role.define(code="r", name="R", patterns=["orders.*", " orders.* "])
    assert role.patterns == ("orders.*",)


# --- property: the compiled matcher agrees with a naive reading of the grammar ---------------

SEGMENTS = ["inventory", "orders", "people", "receipts", "orders", "read", "sign", "read_all"]
segment = st.sampled_from(SEGMENTS)
pattern_segment = st.one_of(segment, st.just("*"))


@st.composite
def patterns(draw: st.DrawFn) -> str:
    parts = draw(st.lists(pattern_segment, min_size=1, max_size=3))
    if len(parts) < 3:
        parts[-1] = "*"
    return ".".join(parts)


def naive_allows(pattern_texts: list[str], permission: str) -> bool:
    """Straight from the grammar: segment by segment, a trailing * eats the rest."""
    want = permission.split(".")
    for text in pattern_texts:
        have = text.split(".")
        ok = True
        for i, part in enumerate(have):
            if part == "*" and i == len(have) - 1:
                break
            if part not in ("*", want[i]):
                ok = False
                break
        else:
            ok = ok and len(have) == len(want)
        if ok:
            return True
    return False


@given(st.lists(patterns(), max_size=6), st.tuples(segment, segment, segment))
def test_compiled_matcher_agrees_with_the_naive_reference(
    pattern_texts: list[str], parts: tuple[str, str, str]
) -> None:
    permission = ".".join(parts)
    assert PermissionMatcher(pattern_texts).allows(permission) == naive_allows(
        pattern_texts, permission
    )


def test_known_permission_vocabulary_is_large_enough_to_be_useful() -> None:
    known = {str(p) for p in known_permissions()}
    assert "inventory.receipts.inspect" in known
    assert "people.salaries.read_all" in known
    assert "performance.statements.read" in known
