from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest

from services.common.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound
from services.common.money import Money
from services.people.domain.departments import DEFAULT_DEPARTMENTS, Department, DepartmentTree
from services.people.domain.employees import Contact, Employee, EmploymentStatus
from services.people.domain.positions import (
    DEFAULT_POSITIONS,
    DEFAULT_POSITIONS_BY_CODE,
    PositionLevel,
    get_position,
)

from .builders import cny, employee

SEED_DEPARTMENTS = {
    "operations", "warehouse", "product", "purchasing", "customer_service", "finance", "hr",
    "gm_office",
}  # fmt: skip
SEED_POSITIONS = {
    "ops_specialist", "ops_supervisor", "ops_manager", "ops_director", "promotion_specialist",
    "cs_supervisor", "cs_specialist", "data_analyst", "marketing_manager",
    "marketing_specialist", "sales_manager", "sales_rep", "wh_supervisor", "wh_order_clerk",
    "wh_clerk", "wh_keeper", "wh_verifier", "wh_packer", "wh_statistician", "qc_inspector",
    "wh_receiver", "hr_specialist", "finance_specialist", "gm", "admin",
}  # fmt: skip


# --- departments ---------------------------------------------------------------------------


def test_default_tree_has_the_seed_departments_under_the_gm_office() -> None:
    tree = DepartmentTree.default()
    assert {d.code for d in tree} == SEED_DEPARTMENTS
    assert tree.get("gm_office").parent_code is None
    assert all(tree.ancestors(code) == ("gm_office",) for code in SEED_DEPARTMENTS - {"gm_office"})


def test_sub_departments_can_be_added_and_found_within_their_parent() -> None:
    tree = DepartmentTree.default().add(Department("amazon_ops", "Amazon operations", "operations"))
    assert tree.ancestors("amazon_ops") == ("operations", "gm_office")
    assert tree.is_within("amazon_ops", "gm_office")
    assert tree.is_within("amazon_ops", "amazon_ops")
    assert not tree.is_within("operations", "amazon_ops")
    assert tree.descendants("operations") == {"amazon_ops"}


def test_adding_a_department_twice_is_already_exists() -> None:
    with pytest.raises(AlreadyExists):
        DepartmentTree.default().add(Department("hr", "HR again", "gm_office"))


def test_adding_under_an_unknown_parent_is_not_found_naming_parent_code() -> None:
    with pytest.raises(NotFound, match="parent_code"):
        DepartmentTree.default().add(Department("x", "X", "nowhere"))


def test_moving_a_department_under_its_own_descendant_is_refused_with_the_cycle() -> None:
    tree = (
        DepartmentTree.default()
        .add(Department("amazon_ops", "Amazon operations", "operations"))
        .add(Department("amazon_ads", "Amazon ads", "amazon_ops"))
    )
    with pytest.raises(InvalidArgument) as caught:
        tree.move("operations", "amazon_ads")
    assert caught.value.reason == "DEPARTMENT_CYCLE"
    assert caught.value.violations[0].field == "parent_code"
    assert "operations → amazon_ads → amazon_ops → operations" in caught.value.message


def test_moving_a_department_under_itself_is_a_cycle() -> None:
    with pytest.raises(InvalidArgument, match="hr → hr"):
        DepartmentTree.default().move("hr", "hr")


def test_moving_to_a_legal_parent_works() -> None:
    tree = DepartmentTree.default().move("customer_service", "operations")
    assert tree.ancestors("customer_service") == ("operations", "gm_office")


def test_stored_departments_with_a_cycle_are_refused() -> None:
    with pytest.raises(FailedPrecondition, match="cycle"):
        DepartmentTree([Department("a", "A", "b"), Department("b", "B", "a")])


def test_a_department_with_children_cannot_be_removed() -> None:
    with pytest.raises(FailedPrecondition) as caught:
        DepartmentTree.default().remove("gm_office")
    assert caught.value.reason == "DEPARTMENT_HAS_CHILDREN"
    assert "hr" not in DepartmentTree.default().remove("hr")


def test_department_head_must_be_employed() -> None:
    head = employee("E2001", hire_date=date(2024, 1, 1))
    tree = DepartmentTree.default().set_head("warehouse", head, today=date(2025, 1, 1))
    assert tree.get("warehouse").head_employee_code == "E2001"
    gone = head.record_leave(date(2024, 6, 30))
    with pytest.raises(FailedPrecondition) as caught:
        tree.set_head("warehouse", gone, today=date(2025, 1, 1))
    assert caught.value.reason == "HEAD_NOT_ACTIVE"
    assert (
        tree.set_head("warehouse", None, today=date(2025, 1, 1)).get("warehouse").head_employee_code
        is None
    )


def test_unknown_department_is_not_found_naming_the_field() -> None:
    with pytest.raises(NotFound, match="department_code"):
        DepartmentTree.default().get("marketing")


def test_default_departments_constant_matches_the_tree() -> None:
    assert len(DEFAULT_DEPARTMENTS) == len(DepartmentTree.default())


# --- positions -----------------------------------------------------------------------------


def test_default_catalogue_has_every_seed_position_with_a_stable_code() -> None:
    assert {p.code for p in DEFAULT_POSITIONS} == SEED_POSITIONS
    assert len(DEFAULT_POSITIONS) == len(SEED_POSITIONS)


def test_every_default_position_sits_in_a_seed_department() -> None:
    assert {p.department_code for p in DEFAULT_POSITIONS} <= SEED_DEPARTMENTS


def test_positions_carry_their_chinese_titles_and_levels() -> None:
    assert get_position("wh_statistician").title_zh == "统计员"
    assert get_position("ops_director").level is PositionLevel.DIRECTOR
    assert get_position("cs_supervisor").level is PositionLevel.SUPERVISOR
    assert DEFAULT_POSITIONS_BY_CODE["qc_inspector"].department_code == "warehouse"


def test_unknown_position_is_not_found() -> None:
    with pytest.raises(NotFound) as caught:
        get_position("astronaut")
    assert caught.value.reason == "POSITION_NOT_FOUND"


# --- employees -----------------------------------------------------------------------------


def test_hiring_validates_and_normalises_every_field() -> None:
    hired = Employee.hire(
        code="E1001",
        name="  Zhang  Wei ",
        department_code="operations",
        position_code="ops_specialist",
        hire_date=date(2025, 3, 1),
        base_salary=cny(2000),
        contact=Contact(email="Zhang@EXAMPLE.com", phone="138 0013 8000"),
        supervisor_code="E1000",
    )
    assert hired.name == "Zhang Wei"
    assert hired.contact == Contact(email="Zhang@example.com", phone="13800138000")
    assert hired.status is EmploymentStatus.ACTIVE
    assert hired.leave_date is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"code": "1001"}, "code"),
        ({"name": "123"}, "name"),
        ({"contact": Contact(phone="12")}, "contact.phone"),
        ({"contact": Contact(email="nope")}, "contact.email"),
        ({"base_salary": Money(0, "CNY")}, "base_salary"),
        ({"supervisor_code": "E1001"}, "supervisor_code"),
        ({"supervisor_code": "boss"}, "supervisor_code"),
        ({"department_code": "Ops!"}, "department_code"),
    ],
)
def test_hiring_with_a_bad_field_names_that_field(change: dict[str, object], field: str) -> None:
    fields: dict[str, object] = {
        "code": "E1001",
        "name": "Zhang Wei",
        "department_code": "operations",
        "position_code": "ops_specialist",
        "hire_date": date(2025, 3, 1),
        "base_salary": cny(2000),
        "contact": Contact(),
        **change,
    }
    with pytest.raises(InvalidArgument) as caught:
        Employee.hire(**fields)  # type: ignore[arg-type]
    assert caught.value.violations[0].field == field


def test_leave_date_on_the_hire_date_is_allowed() -> None:
    hired = employee(hire_date=date(2025, 3, 1))
    left = hired.record_leave(date(2025, 3, 1))
    assert left.status is EmploymentStatus.LEFT
    assert left.is_employed_on(date(2025, 3, 1))
    assert not left.is_employed_on(date(2025, 3, 2))


def test_leave_date_before_the_hire_date_is_refused() -> None:
    with pytest.raises(InvalidArgument) as caught:
        employee(hire_date=date(2025, 3, 1)).record_leave(date(2025, 2, 28))
    assert caught.value.violations[0].field == "leave_date"
    assert caught.value.reason == "LEAVE_BEFORE_HIRE"


def test_recording_leave_twice_is_a_failed_precondition() -> None:
    left = employee().record_leave(date(2025, 3, 1))
    with pytest.raises(FailedPrecondition):
        left.record_leave(date(2025, 3, 2))


def test_not_employed_before_hire_date() -> None:
    assert not employee(hire_date=date(2025, 3, 1)).is_employed_on(date(2025, 2, 28))


def test_access_ends_at_midnight_after_the_leave_date_local_time() -> None:
    tz = ZoneInfo("Asia/Shanghai")
    left = employee().record_leave(date(2025, 3, 31))
    ends = left.employment_ends_at(tz)
    assert ends is not None
    assert ends.isoformat() == "2025-04-01T00:00:00+08:00"
    assert employee().employment_ends_at(tz) is None
