"""Helpers of the people end-to-end tests (no tests here): hiring through the gateway with an
administrator's token, logging in, and calling any service with a token."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from typing import Any

import grpc

from tests.support.system import RestResponse, RunningSystem

LOGIN_PHRASE = "Quartz-Lantern-73"


def unique_code() -> str:
    """An employee code no other test (or the demo data's E1001…) uses: E + 6 digits."""
    return f"E{secrets.randbelow(900_000) + 100_000}"


def cny(yuan: int) -> dict[str, Any]:
    return {"currencyCode": "CNY", "amountMinor": str(yuan * 100)}


def ok(response: RestResponse) -> Any:
    assert 200 <= response.status < 300, (response.status, response.body)
    return response.body


@dataclass
class Staff:
    """People hired for one test, with tokens from a real Login."""

    system: RunningSystem
    admin: str

    def hire(
        self,
        position: str,
        *,
        supervisor: str = "",
        department: str = "",
        salary_yuan: int = 4000,
        hire_date: date = date(2024, 1, 2),
        name: str = "Lin Mei",
        code: str = "",
    ) -> str:
        code = code or unique_code()
        body = {
            "code": code,
            "name": name,
            "departmentCode": department or "operations",
            "positionCode": position,
            "supervisorCode": supervisor,
            "hireDate": hire_date.isoformat(),
            "baseSalary": cny(salary_yuan),
            "contact": {"email": f"{code.lower()}@example.com", "phone": "13800138000"},
        }
        ok(self.system.rest("POST", "/v1/employees", body, token=self.admin))
        return code

    def login(self, code: str, password: str = LOGIN_PHRASE) -> str:
        ok(
            self.system.rest(
                "POST",
                f"/v1/employees/{code}/account:setPassword",
                {"password": password},
                token=self.admin,
            )
        )
        return str(self.token(code, password))

    def token(self, code: str, password: str = LOGIN_PHRASE) -> str:
        body = ok(
            self.system.rest("POST", "/v1/login", {"employeeCode": code, "password": password})
        )
        return str(body["accessToken"])


def grpc_code(
    address: str, path: str, request: Any, response_type: Any, token: str
) -> grpc.StatusCode:
    """Call `path` (`/pkg.Service/Method`) and return only the status code."""
    with grpc.insecure_channel(address) as channel:
        call = channel.unary_unary(
            path,
            request_serializer=lambda m: m.SerializeToString(),
            response_deserializer=response_type.FromString,
        )
        try:
            call(request, metadata=[("authorization", f"Bearer {token}")], timeout=15)
        except grpc.RpcError as error:
            return error.code()  # type: ignore[no-any-return]
    return grpc.StatusCode.OK
