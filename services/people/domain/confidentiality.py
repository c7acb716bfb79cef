"""Who may see confidential data (seeds 000 §六 and 002 §四(四); ARCHITECTURE "Identity").

Employee data (pay, appraisal, commission, attendance, personal contact) of employee S is
visible to viewer V only when
1. V is S (basis SELF), or
2. V supervises S directly or indirectly (basis REPORTING_LINE), or
3. V holds the category's `read_all` permission, given to HR and finance (HR_FINANCE_ROLE).
The first basis that applies is reported, so the adapter can audit why a read was allowed.
Customer contact data is visible only with `orders.customers.read` (basis PERMISSION).

Choices: attendance and personal contact data follow the pay rule (seed 002: data access only
for authorised people; seed 003 has the warehouse supervisor keep the attendance sheets, i.e.
the line manager). `ConfidentialityPolicy` holds the permission per category. Masking keeps the
last four digits of a phone and the first character of an e-mail's local part, so a colleague
can recognise whose record it is without learning the data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from types import MappingProxyType

from services.common.errors import PermissionDenied
from services.common.money import Money
from services.people.domain.employees import Contact, Employee, EmploymentStatus
from services.people.domain.permissions import PermissionChecker
from services.people.domain.reporting_lines import ReportingLines


class DataCategory(StrEnum):
    """Kinds of confidential data (seeds 000 §六, 002 §四(四))."""

    PAY = "PAY"
    APPRAISAL = "APPRAISAL"
    COMMISSION = "COMMISSION"
    ATTENDANCE = "ATTENDANCE"
    EMPLOYEE_CONTACT = "EMPLOYEE_CONTACT"
    CUSTOMER_CONTACT = "CUSTOMER_CONTACT"


class VisibilityBasis(StrEnum):
    """Why a read was allowed (NONE: it was not), for the audit log."""

    SELF = "SELF"
    REPORTING_LINE = "REPORTING_LINE"
    HR_FINANCE_ROLE = "HR_FINANCE_ROLE"
    PERMISSION = "PERMISSION"
    NONE = "NONE"


_READ_ALL: Mapping[DataCategory, str] = MappingProxyType(
    {
        DataCategory.PAY: "people.salaries.read_all",
        DataCategory.APPRAISAL: "performance.appraisals.read_all",
        DataCategory.COMMISSION: "performance.commission.read_all",
        DataCategory.ATTENDANCE: "people.attendance.read_all",
        DataCategory.EMPLOYEE_CONTACT: "people.employees.read_all",
    }
)


@dataclass(frozen=True)
class ConfidentialityPolicy:
    """Setting: which permission opens each category to everyone's records."""

    read_all_permissions: Mapping[DataCategory, str] = field(default_factory=lambda: _READ_ALL)
    customer_contact_permission: str = "orders.customers.read"


DEFAULT_CONFIDENTIALITY_POLICY = ConfidentialityPolicy()


@dataclass(frozen=True)
class VisibilityDecision:
    """Allow or deny, why, and for whom: what the adapter writes to the audit log."""

    allowed: bool
    basis: VisibilityBasis
    category: DataCategory
    viewer_code: str | None
    subject_code: str | None

    def require(self) -> None:
        """Raise PermissionDenied when denied."""
        if not self.allowed:
            whose = f" of {self.subject_code}" if self.subject_code else ""
            raise PermissionDenied(
                f"{self.category.value.lower().replace('_', ' ')} data{whose} is confidential: "
                "only the person, their supervisors, and HR/finance may see it",
                reason="CONFIDENTIAL_DATA",
            )


def decide_employee_data_visibility(
    *,
    viewer_code: str | None,
    subject_code: str,
    category: DataCategory,
    viewer_permissions: PermissionChecker,
    reporting_lines: ReportingLines,
    policy: ConfidentialityPolicy = DEFAULT_CONFIDENTIALITY_POLICY,
) -> VisibilityDecision:
    """May `viewer_code` (None: a service account) see `category` data of `subject_code`?"""
    if category is DataCategory.CUSTOMER_CONTACT:
        return decide_customer_contact_visibility(
            viewer_code=viewer_code, viewer_permissions=viewer_permissions, policy=policy
        )
    basis = VisibilityBasis.NONE
    if viewer_code is not None and viewer_code == subject_code:
        basis = VisibilityBasis.SELF
    elif viewer_code is not None and reporting_lines.is_in_line_upwards(viewer_code, subject_code):
        basis = VisibilityBasis.REPORTING_LINE
    elif viewer_permissions.allows(policy.read_all_permissions[category]):
        basis = VisibilityBasis.HR_FINANCE_ROLE
    return VisibilityDecision(
        allowed=basis is not VisibilityBasis.NONE,
        basis=basis,
        category=category,
        viewer_code=viewer_code,
        subject_code=subject_code,
    )


def decide_customer_contact_visibility(
    *,
    viewer_code: str | None,
    viewer_permissions: PermissionChecker,
    policy: ConfidentialityPolicy = DEFAULT_CONFIDENTIALITY_POLICY,
) -> VisibilityDecision:
    """Customer names, phones and addresses: only with the customer-contact permission."""
    allowed = viewer_permissions.allows(policy.customer_contact_permission)
    return VisibilityDecision(
        allowed=allowed,
        basis=VisibilityBasis.PERMISSION if allowed else VisibilityBasis.NONE,
        category=DataCategory.CUSTOMER_CONTACT,
        viewer_code=viewer_code,
        subject_code=None,
    )


def mask_phone(phone: str) -> str:
    """`13800138000` → `*******8000`."""
    visible = 4 if len(phone) > 4 else 0
    return "*" * (len(phone) - visible) + phone[len(phone) - visible :]


def mask_email(email: str) -> str:
    """`zhang.wei@example.com` → `z***@example.com`."""
    local, _, domain = email.rpartition("@")
    return f"{local[:1]}***@{domain}" if local else "***"


@dataclass(frozen=True)
class EmployeeView:
    """An employee record as one viewer may see it; masked fields say so."""

    code: str
    name: str
    department_code: str
    position_code: str
    supervisor_code: str | None
    hire_date: date
    status: EmploymentStatus
    leave_date: date | None
    contact: Contact
    base_salary: Money | None
    contact_masked: bool
    salary_masked: bool
    decisions: tuple[VisibilityDecision, ...]


def employee_view(
    employee: Employee,
    *,
    viewer_code: str | None,
    viewer_permissions: PermissionChecker,
    reporting_lines: ReportingLines,
    policy: ConfidentialityPolicy = DEFAULT_CONFIDENTIALITY_POLICY,
) -> EmployeeView:
    """`employee` with contact masked and salary removed where the viewer may not see them."""
    decide = {
        category: decide_employee_data_visibility(
            viewer_code=viewer_code,
            subject_code=employee.code,
            category=category,
            viewer_permissions=viewer_permissions,
            reporting_lines=reporting_lines,
            policy=policy,
        )
        for category in (DataCategory.EMPLOYEE_CONTACT, DataCategory.PAY)
    }
    contact_ok = decide[DataCategory.EMPLOYEE_CONTACT].allowed
    pay_ok = decide[DataCategory.PAY].allowed
    contact = employee.contact
    if not contact_ok:
        contact = Contact(
            email=None if contact.email is None else mask_email(contact.email),
            phone=None if contact.phone is None else mask_phone(contact.phone),
        )
    return EmployeeView(
        code=employee.code,
        name=employee.name,
        department_code=employee.department_code,
        position_code=employee.position_code,
        supervisor_code=employee.supervisor_code,
        hire_date=employee.hire_date,
        status=employee.status,
        leave_date=employee.leave_date,
        contact=contact,
        base_salary=employee.base_salary if pay_ok else None,
        contact_masked=not contact_ok,
        salary_masked=not pay_ok,
        decisions=tuple(decide.values()),
    )
