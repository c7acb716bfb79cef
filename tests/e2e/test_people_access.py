"""Identity across the system: log in → token → allowed and refused calls per seeded role on
every service (a matrix, through the gateway); revoked tokens refused by every service directly;
lockout after repeated failures."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf import message_factory
from google.protobuf.descriptor import MethodDescriptor
from grpc_health.v1 import health_pb2, health_pb2_grpc
from storeops.common.v1 import options_pb2
from storeops.inventory.v1 import inventory_service_pb2
from storeops.orders.v1 import orders_service_pb2
from storeops.people.v1 import people_service_pb2
from storeops.performance.v1 import performance_service_pb2

from services.common.interceptors.validation import violations_of
from services.common.permissions import PermissionSet
from tests.e2e.test_people_support import Staff, grpc_code, ok, unique_code
from tests.support.system import RunningSystem
from tools.embedded_pg import free_port

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]

SERVICE_MODULES = {
    "inventory": inventory_service_pb2,
    "orders": orders_service_pb2,
    "people": people_service_pb2,
    "performance": performance_service_pb2,
}
# Every default position role (the position and its role share the code).
POSITION_ROLES = [
    "ops_specialist", "ops_supervisor", "ops_manager", "ops_director", "promotion_specialist",
    "cs_supervisor", "cs_specialist", "data_analyst", "marketing_manager", "marketing_specialist",
    "sales_manager", "sales_rep", "wh_supervisor", "wh_order_clerk", "wh_clerk", "wh_keeper",
    "wh_verifier", "wh_packer", "wh_statistician", "qc_inspector", "wh_receiver",
    "hr_specialist", "finance_specialist", "gm", "admin",
]  # fmt: skip
SAMPLE_PER_SERVICE = 3
ALLOWED_CODES = {grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.UNAUTHENTICATED}


@dataclass(frozen=True)
class Rpc:
    service: str
    method: MethodDescriptor

    @property
    def path(self) -> str:
        return f"/{self.method.containing_service.full_name}/{self.method.name}"

    @property
    def permission(self) -> str:
        return str(self.method.GetOptions().Extensions[options_pb2.permission])

    def request(self) -> Any:
        return message_factory.GetMessageClass(self.method.input_type)()

    @property
    def response_type(self) -> Any:
        return message_factory.GetMessageClass(self.method.output_type)

    def safe_to_call_empty(self) -> bool:
        """A read, or an empty request its protovalidate rules refuse: nothing can change."""
        reads = self.method.GetOptions().idempotency_level == 1  # NO_SIDE_EFFECTS
        return reads or bool(violations_of(self.request()))


def rpcs() -> list[Rpc]:
    found = []
    for service, module in SERVICE_MODULES.items():
        for descriptor in module.DESCRIPTOR.services_by_name.values():
            for method in descriptor.methods:
                options = method.GetOptions()
                if options.Extensions[options_pb2.public] or method.client_streaming:
                    continue
                if method.server_streaming:  # type: ignore[attr-defined]
                    continue
                found.append(Rpc(service, method))
    return found


def sample(role_permissions: PermissionSet, seed: str) -> list[tuple[Rpc, bool]]:
    """Per service, a few RPCs the role may call and a few it may not."""
    chooser = random.Random(seed)
    chosen: list[tuple[Rpc, bool]] = []
    for service in SERVICE_MODULES:
        mine = [r for r in rpcs() if r.service == service and r.safe_to_call_empty()]
        chooser.shuffle(mine)
        allowed = [r for r in mine if role_permissions.allows(r.permission)]
        refused = [r for r in mine if not role_permissions.allows(r.permission)]
        chosen += [(r, True) for r in allowed[:SAMPLE_PER_SERVICE]]
        chosen += [(r, False) for r in refused[:SAMPLE_PER_SERVICE]]
    return chosen


@pytest.fixture(scope="module")
def role_patterns(system: RunningSystem, admin_token: str) -> dict[str, list[str]]:
    roles = ok(system.rest("GET", "/v1/roles?page_size=500", token=admin_token))["roles"]
    return {r["code"]: r["patterns"] for r in roles}


@pytest.mark.parametrize("role", POSITION_ROLES)
def test_each_role_calls_what_it_may_and_is_refused_the_rest(
    system: RunningSystem, admin_token: str, role_patterns: dict[str, list[str]], role: str
) -> None:
    staff = Staff(system, admin_token)
    code = staff.hire(role, department="gm_office" if role in ("gm", "admin") else "operations")
    token = staff.login(code)
    permissions = PermissionSet([*role_patterns["employee"], *role_patterns[role]])
    checked = sample(permissions, role)
    assert any(allowed for _, allowed in checked)
    assert role == "admin" or any(not allowed for _, allowed in checked)
    wrong = []
    for rpc, allowed in checked:
        status = grpc_code(
            system.gateway_address, rpc.path, rpc.request(), rpc.response_type, token
        )
        if (allowed and status in ALLOWED_CODES) or (
            not allowed and (status != grpc.StatusCode.PERMISSION_DENIED)
        ):
            wrong.append((rpc.path, rpc.permission, "allowed" if allowed else "refused", status))
    assert wrong == []


def test_role_checks_hold_over_rest_and_directly_on_each_service(
    system: RunningSystem, admin_token: str
) -> None:
    staff = Staff(system, admin_token)
    keeper = staff.login(staff.hire("wh_keeper", department="warehouse"))
    assert system.rest("GET", "/v1/skus/X-1/stock", token=keeper).status not in (401, 403)
    assert system.rest("GET", "/v1/employees", token=keeper).status == 200
    assert system.rest("GET", "/v1/roles", token=keeper).status == 403
    assert system.rest("GET", "/v1/orders?status=CONFIRMED", token=keeper).status == 403
    for service, module in SERVICE_MODULES.items():
        descriptor = next(iter(module.DESCRIPTOR.services_by_name.values()))
        events = descriptor.methods_by_name.get("ListEvents")
        if events is None:
            continue
        rpc = Rpc(service, events)
        status = grpc_code(
            system.service_address(service), rpc.path, rpc.request(), rpc.response_type, keeper
        )
        assert status == grpc.StatusCode.PERMISSION_DENIED, service


def test_lockout_after_repeated_failures_then_refuses_even_the_right_password(
    system: RunningSystem, admin_token: str
) -> None:
    staff = Staff(system, admin_token)
    code = staff.hire("sales_rep")
    staff.login(code)
    for _ in range(5):
        response = system.rest(
            "POST", "/v1/login", {"employeeCode": code, "password": "Wrong-Guess-Number-9"}
        )
        assert response.status == 401
    locked = system.rest(
        "POST", "/v1/login", {"employeeCode": code, "password": "Quartz-Lantern-73"}
    )
    assert locked.status == 429
    assert locked.body["details"][0]["reason"] == "ACCOUNT_LOCKED"
    account = ok(system.rest("GET", f"/v1/employees/{code}/account", token=admin_token))
    assert "lockedUntil" in account
    staff.login(code)  # an administrator's reset unlocks


# ---- revocation ---------------------------------------------------------------------------------

PROBES = {
    "people": "/storeops.people.v1.PeopleService/ListEmployees",
    "inventory": "/storeops.inventory.v1.InventoryService/ListEvents",
    "orders": "/storeops.orders.v1.OrderService/ListEvents",
    "performance": "/storeops.performance.v1.PerformanceService/ListFeedPositions",
}


def probe(address: str, service: str, token: str) -> grpc.StatusCode:
    module = SERVICE_MODULES[service]
    descriptor = next(iter(module.DESCRIPTOR.services_by_name.values()))
    rpc = Rpc(service, descriptor.methods_by_name[PROBES[service].rsplit("/", 1)[1]])
    return grpc_code(address, rpc.path, rpc.request(), rpc.response_type, token)


def refused_within(address: str, service: str, token: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if probe(address, service, token) == grpc.StatusCode.UNAUTHENTICATED:
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def fast_polling_service(system: RunningSystem) -> Iterator[str]:
    """A second performance server polling revocations every 0.2 s (the setting made small)."""
    port = free_port()
    env = system.local.env_for("performance")
    env.update(
        {
            "STOREOPS_PERFORMANCE_PORT": str(port),
            "STOREOPS_PERFORMANCE_METRICS_PORT": "0",
            "STOREOPS_REVOCATION_POLL_SECONDS": "0.2",
        }
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "services.performance"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    address = f"127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        with grpc.insecure_channel(address) as channel:
            stub = health_pb2_grpc.HealthStub(channel)
            while True:
                try:
                    if stub.Check(health_pb2.HealthCheckRequest(), timeout=1).status == 1:
                        break
                except grpc.RpcError:
                    pass
                assert process.poll() is None, "the extra performance server exited"
                assert time.monotonic() < deadline, "the extra performance server did not start"
                time.sleep(0.1)
        yield address
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)


def test_token_of_a_leaver_is_refused_by_every_service_within_the_poll_interval(
    system: RunningSystem, admin_token: str, fast_polling_service: str
) -> None:
    staff = Staff(system, admin_token)
    code = staff.hire("data_analyst")
    token = staff.login(code)
    for service in PROBES:
        assert probe(system.service_address(service), service, token) not in ALLOWED_CODES - {
            grpc.StatusCode.PERMISSION_DENIED
        }, service
    assert probe(fast_polling_service, "performance", token) != grpc.StatusCode.UNAUTHENTICATED

    ok(
        system.rest(
            "POST",
            f"/v1/employees/{code}:leave",
            {"leaveDate": time.strftime("%Y-%m-%d"), "reason": "dismissed", "endAccessNow": True},
            token=admin_token,
        )
    )
    # The small interval: refused almost at once; the default (5 s) everywhere else.
    assert refused_within(fast_polling_service, "performance", token, 5)
    for service in PROBES:
        assert refused_within(system.service_address(service), service, token, 15), service
    gateway = probe(system.gateway_address, "people", token)
    assert gateway == grpc.StatusCode.UNAUTHENTICATED  # Envoy passes it, people refuses it
    again = system.rest(
        "POST", "/v1/login", {"employeeCode": code, "password": "Quartz-Lantern-73"}
    )
    assert again.status == 401


def test_revoke_tokens_ends_sessions_and_a_new_login_works(
    system: RunningSystem, admin_token: str
) -> None:
    staff = Staff(system, admin_token)
    code = staff.hire("ops_specialist")
    token = staff.login(code)
    revocation = ok(
        system.rest(
            "POST", "/v1/revocations", {"subject": code, "reason": "lost laptop"}, token=admin_token
        )
    )
    assert revocation["subject"] == code
    assert refused_within(system.service_address("orders"), "orders", token, 15)
    fresh = staff.token(code)  # issued after the revocation: accepted
    assert probe(system.service_address("people"), "people", fresh) == grpc.StatusCode.OK
    listed = ok(system.rest("GET", "/v1/revocations", token=admin_token))
    assert code in {r["subject"] for r in listed["revocations"]}
    assert unique_code() not in {r["subject"] for r in listed["revocations"]}
