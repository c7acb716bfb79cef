from __future__ import annotations

import pytest

from services.people.domain.confidentiality import DEFAULT_CONFIDENTIALITY_POLICY
from services.people.domain.default_roles import (
    DEFAULT_POSITION_ROLES,
    DEFAULT_ROLES,
    DEFAULT_ROLES_BY_CODE,
    default_roles_for_position,
)
from services.people.domain.permission_catalogue import (
    is_known_permission,
    known_permissions,
    unknown_pattern_error,
)
from services.people.domain.permissions import Permission, PermissionMatcher, PermissionPattern
from services.people.domain.positions import DEFAULT_POSITIONS
from services.people.domain.roles import compile_roles


def role(code: str) -> PermissionMatcher:
    return compile_roles([code], DEFAULT_ROLES_BY_CODE)


def position(code: str) -> PermissionMatcher:
    return compile_roles(default_roles_for_position(code), DEFAULT_ROLES_BY_CODE)


def test_every_default_position_maps_to_existing_roles() -> None:
    for p in DEFAULT_POSITIONS:
        roles = DEFAULT_POSITION_ROLES[p.code]
        assert "employee" in roles
        assert set(roles) <= set(DEFAULT_ROLES_BY_CODE), p.code


def test_role_codes_are_unique() -> None:
    assert len({r.code for r in DEFAULT_ROLES}) == len(DEFAULT_ROLES)


def test_every_pattern_is_well_formed_and_grants_something_known() -> None:
    for r in DEFAULT_ROLES:
        for i, text in enumerate(r.patterns):
            pattern = PermissionPattern.parse(text)
            assert unknown_pattern_error(pattern, f"{r.code}.patterns[{i}]") is None


def test_only_admin_holds_whole_service_wildcards() -> None:
    for r in DEFAULT_ROLES:
        for text in r.patterns:
            p = PermissionPattern.parse(text)
            if p.resource == "*" and p.action == "*":
                assert r.code == "admin", f"{r.code} has {text}"


def test_only_hr_finance_and_admin_see_everyones_confidential_data() -> None:
    confidential = DEFAULT_CONFIDENTIALITY_POLICY.read_all_permissions.values()
    holders = {r.code for r in DEFAULT_ROLES if any(role(r.code).allows(p) for p in confidential)}
    assert holders == {"hr_specialist", "finance_specialist", "admin"}


def test_admin_may_do_everything() -> None:
    assert all(role("admin").allows(p) for p in known_permissions())


@pytest.mark.parametrize(
    ("role_code", "permission", "granted"),
    [
        # QC inspects deliveries but approves no count adjustment (seed 003 附3, 篇2 3(3)).
        ("qc_inspector", "inventory.receipts.inspect", True),
        ("qc_inspector", "inventory.counts.approve", False),
        ("qc_inspector", "orders.aftersales.inspect", True),
        ("qc_inspector", "inventory.receipts.sign", False),
        # The warehouse supervisor signs inbound documents and approves counts (seed 003 篇2 1(3)).
        ("wh_supervisor", "inventory.counts.approve", True),
        ("wh_supervisor", "inventory.receipts.sign", True),
        ("wh_keeper", "inventory.receipts.sign", True),
        ("wh_keeper", "inventory.counts.approve", False),
        ("wh_statistician", "inventory.receipts.complete", True),
        ("wh_statistician", "orders.aftersales.approve", True),
        ("wh_receiver", "inventory.receipts.receive", True),
        ("wh_receiver", "inventory.supplier_returns.ship", True),
        ("wh_order_clerk", "orders.review.complete", True),
        ("wh_order_clerk", "orders.waves.ship", True),
        ("wh_verifier", "orders.fulfilment.inspect", True),
        ("wh_packer", "orders.fulfilment.update", True),
        ("wh_packer", "orders.customers.read", False),
        # Customer service reads orders and customer contact and opens after-sales (seed 001).
        ("cs_specialist", "orders.orders.read", True),
        ("cs_specialist", "orders.customers.read", True),
        ("cs_specialist", "orders.aftersales.create", True),
        ("cs_specialist", "orders.refunds.approve", False),
        ("cs_supervisor", "orders.refunds.approve", True),
        ("cs_specialist", "people.salaries.read_all", False),
        # Analysts see operations data but not customer contact (seed 002 数据安全与保密).
        ("data_analyst", "orders.orders.read", True),
        ("data_analyst", "orders.customers.read", False),
        ("data_analyst", "performance.reports.create", True),
        # Finance and HR read everyone's pay data.
        ("finance_specialist", "people.salaries.read_all", True),
        ("finance_specialist", "performance.statements.read_all", True),
        ("finance_specialist", "performance.commission.read_all", True),
        ("hr_specialist", "people.salaries.read_all", True),
        ("hr_specialist", "performance.appraisals.read_all", True),
        ("hr_specialist", "people.employees.create", True),
        # The operations manager approves replenishment (seed 004 运营经理), so does the GM office.
        ("ops_manager", "inventory.replenishment.approve", True),
        ("ops_specialist", "inventory.replenishment.approve", False),
        ("ops_specialist", "inventory.replenishment.create", True),
        ("gm", "inventory.replenishment.approve", True),
        ("gm", "orders.customers.read", False),
        ("gm", "people.salaries.read_all", False),
        ("ops_director", "inventory.ledger.read", True),
        ("ops_director", "people.training.approve", True),
        ("sales_rep", "inventory.holds.create", True),
        ("promotion_specialist", "orders.customers.read", False),
        ("marketing_specialist", "orders.orders.place", False),
    ],
)
def test_role_grants_follow_the_seed_duties(role_code: str, permission: str, granted: bool) -> None:
    assert role(role_code).allows(permission) is granted


@pytest.mark.parametrize(
    "permission",
    [
        "people.employees.read",
        "people.salaries.read",
        "people.accounts.update",
        "people.training.enrol",
        "people.attendance.create",
        "performance.appraisals.create",
        "performance.statements.read",
    ],
)
def test_every_position_has_the_employee_self_service_grants(permission: str) -> None:
    for p in DEFAULT_POSITIONS:
        assert position(p.code).allows(permission), p.code


def test_nobody_but_admin_may_edit_roles() -> None:
    for p in DEFAULT_POSITIONS:
        assert position(p.code).allows("people.roles.update") is (p.code == "admin")


def test_supervisors_keep_their_teams_grants() -> None:
    pairs = [
        ("ops_specialist", "ops_supervisor"),
        ("ops_supervisor", "ops_manager"),
        ("ops_manager", "ops_director"),
        ("cs_specialist", "cs_supervisor"),
        ("sales_rep", "sales_manager"),
        ("marketing_specialist", "marketing_manager"),
    ]
    for staff, lead in pairs:
        lead_matcher = role(lead)
        assert all(lead_matcher.allows(p) for p in role(staff).patterns), (staff, lead)


def test_unmapped_position_gets_only_self_service() -> None:
    assert default_roles_for_position("new_position") == ("employee",)


def test_role_table_uses_only_known_vocabulary() -> None:
    for r in DEFAULT_ROLES:
        for text in r.patterns:
            p = PermissionPattern.parse(text)
            if "*" not in (p.service, p.resource, p.action):
                assert is_known_permission(Permission(p.service, p.resource, p.action)), text


def test_service_accounts_get_only_what_their_calls_need() -> None:
    assert role("svc_orders").allows("inventory.reservations.commit")
    assert not role("svc_orders").allows("people.salaries.read")
    assert role("svc_performance").allows("orders.events.read")
    assert not role("svc_performance").allows("orders.customers.read")
    assert not any(
        code.startswith("svc_") for roles in DEFAULT_POSITION_ROLES.values() for code in roles
    )
