"""People demo data for `make run`, loaded through the public gRPC API with an administrator's
token (so every rule applies) and idempotent (safe to run on every start).

Who is there (log in with `POST /v1/login {"employeeCode", "password"}`):

| code  | name          | position (role)          | department       | supervisor | salary/month | password           |
|-------|---------------|--------------------------|------------------|------------|--------------|--------------------|
| E1002 | Chen Jing 陈静 | ops_supervisor           | operations       | —          | 3,500 CNY    | Storeops-Demo-1002! |
| E1001 | Li Na 李娜     | cs_specialist            | customer_service | E1002      | 2,000 CNY    | Storeops-Demo-1001! |
| E1003 | Wang Fang 王芳 | hr_specialist            | hr               | —          | 4,500 CNY    | Storeops-Demo-1003! |
| E1004 | Zhao Lei 赵磊  | wh_keeper                | warehouse        | —          | 2,800 CNY    | Storeops-Demo-1004! |
| E1005 | Sun Hao 孙浩   | qc_inspector             | warehouse        | E1004      | 3,000 CNY    | Storeops-Demo-1005! |

Plus two sub-departments of operations (Amazon and Tmall teams, seeds 000/001) and this year's
training plan (approved) with a platform-rules session next month, E1001 enrolled.
"""  # noqa: E501

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any

import grpc
from storeops.common.v1 import money_pb2
from storeops.people.v1 import access_pb2 as access
from storeops.people.v1 import organisation_pb2 as org
from storeops.people.v1 import people_service_pb2_grpc as people_grpc
from storeops.people.v1 import training_pb2 as training

from tools.system import LocalSystem
from tools.tokens import LocalTokens

log = logging.getLogger(__name__)

SUB_DEPARTMENTS = [
    ("ops_amazon", "Amazon operations team (亚马逊运营组)", "operations"),
    ("ops_tmall", "Tmall operations team (天猫运营组)", "operations"),
]
# code, name, position, department, supervisor, monthly salary (yuan), hire date
EMPLOYEES = [
    ("E1002", "Chen Jing 陈静", "ops_supervisor", "operations", "", 3500, date(2023, 3, 1)),
    ("E1001", "Li Na 李娜", "cs_specialist", "customer_service", "E1002", 2000, date(2024, 2, 19)),
    ("E1003", "Wang Fang 王芳", "hr_specialist", "hr", "", 4500, date(2022, 9, 1)),
    ("E1004", "Zhao Lei 赵磊", "wh_keeper", "warehouse", "", 2800, date(2023, 6, 12)),
    ("E1005", "Sun Hao 孙浩", "qc_inspector", "warehouse", "E1004", 3000, date(2023, 11, 6)),
]


def demo_password(code: str) -> str:
    """The documented demo password of `code` (E1001 → Storeops-Demo-1001!)."""
    return f"Storeops-Demo-{code[1:]}!"


def _created(call: Callable[[], Any]) -> bool:
    """Run a create call; False when the thing already exists (the loader is idempotent)."""
    try:
        call()
    except grpc.RpcError as error:
        if error.code() == grpc.StatusCode.ALREADY_EXISTS:
            return False
        raise
    return True


def _cny(yuan: int) -> money_pb2.Money:
    return money_pb2.Money(currency_code="CNY", amount_minor=yuan * 100)


def _organisation(stub: people_grpc.PeopleServiceStub, metadata: Any) -> bool:
    created = False
    for code, name, parent in SUB_DEPARTMENTS:
        new_department = org.CreateDepartmentRequest(code=code, name=name, parent_code=parent)
        created |= _created(partial(stub.CreateDepartment, new_department, metadata=metadata))
    for code, name, position, department, supervisor, yuan, hired in EMPLOYEES:
        request = org.CreateEmployeeRequest(
            code=code,
            name=name,
            department_code=department,
            position_code=position,
            supervisor_code=supervisor,
            hire_date=hired.isoformat(),
            base_salary=_cny(yuan),
            contact=org.Contact(email=f"{code.lower()}@demo.storeops.example", phone="13800138000"),
        )
        created |= _created(partial(stub.CreateEmployee, request, metadata=metadata))
        account = stub.GetAccount(access.GetAccountRequest(employee_code=code), metadata=metadata)
        if not account.has_password:  # never reset a password someone changed since
            stub.SetPassword(
                access.SetPasswordRequest(employee_code=code, password=demo_password(code)),
                metadata=metadata,
            )
            created = True
    return created


def _training(stub: people_grpc.PeopleServiceStub, metadata: Any, today: date) -> bool:
    year = today.year
    plan_request = training.CreateTrainingPlanRequest(
        year=year,
        title=f"{year} operations training plan",
        goals=["Every specialist passes the platform rules exam", "Faster after-sales replies"],
        budget=_cny(30_000),
        evaluation_method="exam or practical per course, feedback after every session",
    )
    if not _created(lambda: stub.CreateTrainingPlan(plan_request, metadata=metadata)):
        return False  # the year's plan exists: leave it as its owners made it
    stub.AddTrainingCourse(
        training.AddTrainingCourseRequest(
            year=year,
            course=training.Course(
                code="platform_rules",
                title="Tmall and Amazon platform rules",
                category=training.Course.PLATFORM_RULES,
                mode=training.Course.INTERNAL,
                assessment_kind=training.Course.EXAM,
                pass_mark="60",  # noqa: S106 - a score, not a password
            ),
        ),
        metadata=metadata,
    )
    session_day = min(today + timedelta(days=30), date(year, 12, 20))
    stub.ScheduleTraining(
        training.ScheduleTrainingRequest(
            year=year,
            course_code="platform_rules",
            planned_date=session_day.isoformat(),
            trainer=training.Trainer(name="Chen Jing 陈静", employee_code="E1002"),
        ),
        metadata=metadata,
    )
    stub.ApproveTrainingPlan(training.ApproveTrainingPlanRequest(year=year), metadata=metadata)
    start = datetime(session_day.year, session_day.month, session_day.day, 6, 0, tzinfo=UTC)
    if start <= datetime.now(UTC):
        return True  # too late in the year for a future session
    session = training.CreateTrainingSessionRequest(
        session_id=f"demo-{year}-rules-1",
        plan_year=year,
        course_code="platform_rules",
        trainer=training.Trainer(name="Chen Jing 陈静", employee_code="E1002"),
        capacity=20,
        cost=_cny(500),
    )
    session.start_time.FromDatetime(start)
    session.end_time.FromDatetime(start + timedelta(hours=3))
    _created(lambda: stub.CreateTrainingSession(session, metadata=metadata))
    _created(
        lambda: stub.EnrolInSession(
            training.EnrolInSessionRequest(session_id=session.session_id, employee_code="E1001"),
            metadata=metadata,
        )
    )
    return True


def load_people_demo(system: LocalSystem) -> bool:
    """Create the people demo set where it is missing. Returns True if anything was created."""
    token = LocalTokens(system.keys_dir).token(subject="demo-loader", roles=("admin",))
    metadata = (("authorization", f"Bearer {token}"),)
    with grpc.insecure_channel(f"127.0.0.1:{system.ports.services['people']}") as channel:
        stub = people_grpc.PeopleServiceStub(channel)
        created = _organisation(stub, metadata)
        created |= _training(stub, metadata, datetime.now(UTC).date())
    if created:
        log.info("people demo data loaded", extra={"employees": [e[0] for e in EMPLOYEES]})
    return created
