"""Organisation RPCs: departments, positions, employees, salary and history, reporting lines."""

from __future__ import annotations

from typing import TypeAlias

import grpc
from storeops.people.v1 import organisation_pb2 as opb

from services.common.proto_convert import date_text, enum_filter, parse_date, to_money
from services.people.api.base import Base
from services.people.api.convert import (
    mask_paths,
    money,
    timestamp,
)
from services.people.db.organisation_repo import DepartmentRow, PositionRow
from services.people.domain.employees import Contact
from services.people.domain.employment_history import PositionAssignment, SalaryChange
from services.people.domain.positions import PositionLevel
from services.people.service import employees, organisation
from services.people.service.employees import (
    EmployeeResult,
    HistoryResult,
    ReportingEntry,
    SalaryResult,
)

Ctx: TypeAlias = grpc.aio.ServicerContext


def department_message(row: DepartmentRow) -> opb.Department:
    d = row.department
    return opb.Department(
        code=d.code,
        name=d.name,
        parent_code=d.parent_code or "",
        head_employee_code=d.head_employee_code or "",
        create_time=timestamp(row.created_at),
        update_time=timestamp(row.updated_at),
    )


def position_message(row: PositionRow) -> opb.Position:
    p = row.position
    return opb.Position(
        code=p.code,
        title=p.title,
        title_zh=p.title_zh,
        department_code=p.department_code,
        level=p.level.value,
        default_roles=list(row.default_roles),
        update_time=timestamp(row.updated_at),
    )


def employee_message(result: EmployeeResult) -> opb.Employee:
    v = result.view
    return opb.Employee(
        code=v.code,
        name=v.name,
        department_code=v.department_code,
        position_code=v.position_code,
        supervisor_code=v.supervisor_code or "",
        hire_date=date_text(v.hire_date),
        leave_date=date_text(v.leave_date),
        status=v.status.value,
        base_salary=to_money(v.base_salary),
        contact=opb.Contact(email=v.contact.email or "", phone=v.contact.phone or ""),
        salary_masked=v.salary_masked,
        contact_masked=v.contact_masked,
        create_time=timestamp(result.row.created_at),
        update_time=timestamp(result.row.updated_at),
    )


def salary_change_message(change: SalaryChange) -> opb.SalaryChange:
    return opb.SalaryChange(
        effective_date=change.effective_date.isoformat(),
        base_salary=to_money(change.base_salary),
        reason=change.reason,
        recorded_by=change.recorded_by or "",
        record_time=timestamp(change.recorded_at),
    )


def position_change_message(change: PositionAssignment) -> opb.PositionChange:
    return opb.PositionChange(
        effective_date=change.effective_date.isoformat(),
        position_code=change.position_code,
        department_code=change.department_code,
        reason=change.reason,
        recorded_by=change.recorded_by or "",
        record_time=timestamp(change.recorded_at),
    )


def salary_message(result: SalaryResult) -> opb.Salary:
    return opb.Salary(
        employee_code=result.employee_code,
        base_salary=to_money(result.current.base_salary),
        effective_date=result.current.effective_date.isoformat(),
        changes=[salary_change_message(c) for c in result.changes],
    )


def history_message(result: HistoryResult) -> opb.EmploymentHistory:
    h = result.history
    return opb.EmploymentHistory(
        employee_code=h.employee_code,
        hire_date=h.hire_date.isoformat(),
        leave_date=date_text(h.leave_date),
        positions=[position_change_message(p) for p in h.positions],
        salaries=[salary_change_message(s) for s in h.salaries],
        salary_masked=result.salary_masked,
    )


def reporting_entry(entry: ReportingEntry) -> opb.ReportingEntry:
    return opb.ReportingEntry(
        employee_code=entry.employee_code,
        name=entry.name,
        supervisor_code=entry.supervisor_code or "",
        depth=entry.depth,
    )


def _contact(message: opb.Contact) -> Contact:
    return Contact(email=message.email or None, phone=message.phone or None)


class OrganisationRpcs(Base):
    async def CreateDepartment(
        self, request: opb.CreateDepartmentRequest, context: Ctx
    ) -> opb.Department:
        row = await organisation.create_department(
            self.people,
            code=request.code,
            name=request.name,
            parent_code=request.parent_code or None,
            head_code=request.head_employee_code or None,
        )
        return department_message(row)

    async def GetDepartment(
        self, request: opb.GetDepartmentRequest, context: Ctx
    ) -> opb.Department:
        return department_message(
            await organisation.get_department(self.people, request.department_code)
        )

    async def ListDepartments(
        self, request: opb.ListDepartmentsRequest, context: Ctx
    ) -> opb.ListDepartmentsResponse:
        rows, token = await organisation.list_departments(
            self.people,
            parent_code=request.parent_code,
            size=request.page_size,
            token=request.page_token,
        )
        return opb.ListDepartmentsResponse(
            departments=[department_message(r) for r in rows], next_page_token=token
        )

    async def UpdateDepartment(
        self, request: opb.UpdateDepartmentRequest, context: Ctx
    ) -> opb.Department:
        row = await organisation.update_department(
            self.people,
            code=request.department_code,
            mask=mask_paths(request.update_mask),
            name=request.name,
            parent_code=request.parent_code or None,
            head_code=request.head_employee_code or None,
        )
        return department_message(row)

    async def DeleteDepartment(
        self, request: opb.DeleteDepartmentRequest, context: Ctx
    ) -> opb.DeleteDepartmentResponse:
        await organisation.delete_department(self.people, request.department_code)
        return opb.DeleteDepartmentResponse()

    async def CreatePosition(
        self, request: opb.CreatePositionRequest, context: Ctx
    ) -> opb.Position:
        row = await organisation.create_position(
            self.people,
            code=request.code,
            title=request.title,
            title_zh=request.title_zh,
            department_code=request.department_code,
            level=PositionLevel(opb.Position.Level.Name(request.level)),
        )
        return position_message(row)

    async def GetPosition(self, request: opb.GetPositionRequest, context: Ctx) -> opb.Position:
        return position_message(await organisation.get_position(self.people, request.position_code))

    async def ListPositions(
        self, request: opb.ListPositionsRequest, context: Ctx
    ) -> opb.ListPositionsResponse:
        rows, token = await organisation.list_positions(
            self.people,
            department_code=request.department_code,
            size=request.page_size,
            token=request.page_token,
        )
        return opb.ListPositionsResponse(
            positions=[position_message(r) for r in rows], next_page_token=token
        )

    async def UpdatePosition(
        self, request: opb.UpdatePositionRequest, context: Ctx
    ) -> opb.Position:
        level = PositionLevel(opb.Position.Level.Name(request.level)) if request.level else None
        row = await organisation.update_position(
            self.people,
            code=request.position_code,
            mask=mask_paths(request.update_mask),
            title=request.title,
            title_zh=request.title_zh,
            department_code=request.department_code,
            level=level,
        )
        return position_message(row)

    async def SetPositionRoles(
        self, request: opb.SetPositionRolesRequest, context: Ctx
    ) -> opb.Position:
        row = await organisation.set_position_roles(
            self.people, request.position_code, list(request.roles)
        )
        return position_message(row)

    async def CreateEmployee(
        self, request: opb.CreateEmployeeRequest, context: Ctx
    ) -> opb.Employee:
        result = await employees.hire(
            self.people,
            code=request.code,
            name=request.name,
            department_code=request.department_code,
            position_code=request.position_code,
            supervisor_code=request.supervisor_code or None,
            hire_date=parse_date(request.hire_date, "hire_date"),
            base_salary=money(request.base_salary, "base_salary"),
            contact=_contact(request.contact),
        )
        return employee_message(result)

    async def GetEmployee(self, request: opb.GetEmployeeRequest, context: Ctx) -> opb.Employee:
        return employee_message(await employees.get_employee(self.people, request.employee_code))

    async def ListEmployees(
        self, request: opb.ListEmployeesRequest, context: Ctx
    ) -> opb.ListEmployeesResponse:
        status = enum_filter(opb.Employee.Status, request.status)
        results, token = await employees.list_employees(
            self.people,
            department_code=request.department_code,
            include_sub_departments=request.include_sub_departments,
            position_code=request.position_code,
            supervisor_code=request.supervisor_code,
            status=status,
            size=request.page_size,
            token=request.page_token,
        )
        return opb.ListEmployeesResponse(
            employees=[employee_message(r) for r in results], next_page_token=token
        )

    async def UpdateEmployee(
        self, request: opb.UpdateEmployeeRequest, context: Ctx
    ) -> opb.Employee:
        result = await employees.update_employee(
            self.people,
            code=request.employee_code,
            mask=mask_paths(request.update_mask),
            name=request.name,
            contact=_contact(request.contact),
            supervisor_code=request.supervisor_code or None,
        )
        return employee_message(result)

    async def ChangeEmployeePosition(
        self, request: opb.ChangeEmployeePositionRequest, context: Ctx
    ) -> opb.Employee:
        result = await employees.change_position(
            self.people,
            code=request.employee_code,
            position_code=request.position_code,
            department_code=request.department_code or None,
            effective_date=parse_date(request.effective_date, "effective_date"),
            reason=request.reason,
        )
        return employee_message(result)

    async def ChangeEmployeeSalary(
        self, request: opb.ChangeEmployeeSalaryRequest, context: Ctx
    ) -> opb.Salary:
        result = await employees.change_salary(
            self.people,
            code=request.employee_code,
            base_salary=money(request.base_salary, "base_salary"),
            effective_date=parse_date(request.effective_date, "effective_date"),
            reason=request.reason,
        )
        return salary_message(result)

    async def RecordEmployeeLeave(
        self, request: opb.RecordEmployeeLeaveRequest, context: Ctx
    ) -> opb.Employee:
        result = await employees.record_leave(
            self.people,
            code=request.employee_code,
            leave_date=parse_date(request.leave_date, "leave_date"),
            reason=request.reason,
            end_access_now=request.end_access_now,
        )
        return employee_message(result)

    async def GetSalary(self, request: opb.GetSalaryRequest, context: Ctx) -> opb.Salary:
        return salary_message(await employees.get_salary(self.people, request.employee_code))

    async def GetEmploymentHistory(
        self, request: opb.GetEmploymentHistoryRequest, context: Ctx
    ) -> opb.EmploymentHistory:
        return history_message(await employees.get_history(self.people, request.employee_code))

    async def ListReports(
        self, request: opb.ListReportsRequest, context: Ctx
    ) -> opb.ListReportsResponse:
        entries, token = await employees.list_reports(
            self.people,
            code=request.employee_code,
            transitive=request.transitive,
            size=request.page_size,
            token=request.page_token,
        )
        return opb.ListReportsResponse(
            reports=[reporting_entry(e) for e in entries], next_page_token=token
        )

    async def GetReportingChain(
        self, request: opb.GetReportingChainRequest, context: Ctx
    ) -> opb.ReportingChain:
        chain = await employees.reporting_chain(self.people, request.employee_code)
        return opb.ReportingChain(
            employee_code=request.employee_code, supervisors=[reporting_entry(e) for e in chain]
        )
