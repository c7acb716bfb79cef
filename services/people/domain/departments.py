"""Departments as a tree with a head (DOMAIN "People": departments with a head).

The seed departments (DOMAIN "Positions") are the default tree. The general manager's office
(总经办) is the root: seed 003 has the e-commerce management group "directly led by the GM
office" and sends replenishment approval and QC rejections there, so every other department
hangs under it. Sub-departments (e.g. an Amazon and a Tmall operations team, seeds 000/001) are
children of `operations`.

`DepartmentTree` is immutable: each change returns a new tree and never leaves a cycle.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date

from services.common.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound
from services.people.domain.employees import Employee
from services.people.domain.validation import validate_code, validate_text

DEPARTMENT_NAME_MAX_LENGTH = 100


@dataclass(frozen=True)
class Department:
    """One department; `parent_code` None means a root; the head is an employee code."""

    code: str
    name: str
    parent_code: str | None = None
    head_employee_code: str | None = None

    def __post_init__(self) -> None:
        validate_code(self.code, field_path="code")
        object.__setattr__(
            self,
            "name",
            validate_text(self.name, field_path="name", max_length=DEPARTMENT_NAME_MAX_LENGTH),
        )
        if self.parent_code is not None:
            validate_code(self.parent_code, field_path="parent_code")


DEFAULT_DEPARTMENTS: tuple[Department, ...] = (
    Department("gm_office", "General manager's office (总经办)"),
    Department("operations", "Operations (运营部)", "gm_office"),
    Department("warehouse", "Warehouse (仓储部)", "gm_office"),
    Department("product", "Product (产品部)", "gm_office"),
    Department("purchasing", "Purchasing (采购部)", "gm_office"),
    Department("customer_service", "Customer service (客服部)", "gm_office"),
    Department("finance", "Finance (财务部)", "gm_office"),
    Department("hr", "Human resources (人力资源部)", "gm_office"),
)


class DepartmentTree:
    """All departments; guarantees unique codes, known parents and no cycles."""

    __slots__ = ("_by_code",)

    def __init__(self, departments: Iterable[Department] = ()) -> None:
        by_code: dict[str, Department] = {}
        for department in departments:
            if department.code in by_code:
                raise AlreadyExists(
                    f"department {department.code!r} is listed twice",
                    reason="DEPARTMENT_EXISTS",
                )
            by_code[department.code] = department
        for department in by_code.values():
            if department.parent_code is not None and department.parent_code not in by_code:
                raise NotFound(
                    f"department {department.code!r} names unknown parent "
                    f"{department.parent_code!r}",
                    reason="DEPARTMENT_NOT_FOUND",
                )
        self._by_code = by_code
        for code in by_code:
            self._path_to_root(code)  # raises on a cycle in stored data

    @classmethod
    def default(cls) -> DepartmentTree:
        """The seed departments."""
        return cls(DEFAULT_DEPARTMENTS)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __iter__(self) -> Iterator[Department]:
        return iter(self._by_code.values())

    def __len__(self) -> int:
        return len(self._by_code)

    def get(self, code: str, *, field_path: str = "department_code") -> Department:
        """The department `code`, or NotFound naming `field_path`."""
        try:
            return self._by_code[code]
        except KeyError:
            raise NotFound(
                f"{field_path}: no department {code!r}", reason="DEPARTMENT_NOT_FOUND"
            ) from None

    def add(self, department: Department) -> DepartmentTree:
        """A tree with `department` added under its (existing) parent."""
        if department.code in self._by_code:
            raise AlreadyExists(
                f"department {department.code!r} already exists", reason="DEPARTMENT_EXISTS"
            )
        if department.parent_code is not None:
            self.get(department.parent_code, field_path="parent_code")
        return DepartmentTree([*self._by_code.values(), department])

    def move(self, code: str, new_parent_code: str | None) -> DepartmentTree:
        """A tree with `code` under `new_parent_code`; refuses to create a cycle."""
        department = self.get(code)
        if new_parent_code is not None:
            self.get(new_parent_code, field_path="parent_code")
            path = self._path_to_root(new_parent_code)
            if code in path:
                # Upwards: code → its new parent → … → back to code.
                shown = " → ".join([code, *path[: path.index(code)], code])
                raise InvalidArgument.for_field(
                    "parent_code",
                    f"moving {code!r} under {new_parent_code!r} would create the cycle {shown}",
                    reason="DEPARTMENT_CYCLE",
                )
        return self._replaced(replace(department, parent_code=new_parent_code))

    def set_head(self, code: str, head: Employee | None, *, today: date) -> DepartmentTree:
        """A tree where `code` is headed by `head` (who must be employed today), or by nobody."""
        department = self.get(code)
        if head is not None and not head.is_employed_on(today):
            raise FailedPrecondition(
                f"{head.code} is not an active employee and cannot head {code!r}; "
                "choose a current employee",
                reason="HEAD_NOT_ACTIVE",
            )
        return self._replaced(
            replace(department, head_employee_code=None if head is None else head.code)
        )

    def remove(self, code: str) -> DepartmentTree:
        """A tree without `code`; a department with sub-departments cannot be removed."""
        self.get(code)
        children = sorted(d.code for d in self if d.parent_code == code)
        if children:
            raise FailedPrecondition(
                f"department {code!r} still has sub-departments {children}; "
                "move or remove them first",
                reason="DEPARTMENT_HAS_CHILDREN",
            )
        return DepartmentTree(d for d in self if d.code != code)

    def ancestors(self, code: str) -> tuple[str, ...]:
        """Parent first, up to the root."""
        return self._path_to_root(code)[1:]

    def descendants(self, code: str) -> frozenset[str]:
        """Every department below `code` (not `code` itself)."""
        self.get(code)
        return frozenset(d.code for d in self if code in self._path_to_root(d.code)[1:])

    def is_within(self, code: str, ancestor_code: str) -> bool:
        """True when `code` is `ancestor_code` or lies below it."""
        return ancestor_code in self._path_to_root(code)

    def _path_to_root(self, code: str) -> tuple[str, ...]:
        path = [self.get(code).code]
        seen = {code}
        parent = self._by_code[code].parent_code
        while parent is not None:
            if parent in seen:
                raise FailedPrecondition(
                    f"stored departments form a cycle through {parent!r}; repair the data",
                    reason="DEPARTMENT_CYCLE",
                )
            seen.add(parent)
            path.append(parent)
            parent = self._by_code[parent].parent_code
        return tuple(path)

    def _replaced(self, department: Department) -> DepartmentTree:
        return DepartmentTree(
            department if d.code == department.code else d for d in self._by_code.values()
        )
