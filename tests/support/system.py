"""The whole system for end-to-end tests, plus small REST and gRPC client helpers."""

from __future__ import annotations

import json
import secrets
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.postgres import TestServer
from tests.support.tokens import TestTokens
from tools.system import LocalSystem, Ports


@dataclass
class RestResponse:
    status: int
    body: Any
    headers: dict[str, str]


@dataclass
class RunningSystem:
    local: LocalSystem
    tokens: TestTokens
    log_dir: Path

    @property
    def gateway_address(self) -> str:
        return f"127.0.0.1:{self.local.ports.gateway}"

    def service_address(self, service: str) -> str:
        return f"127.0.0.1:{self.local.ports.services[service]}"

    @property
    def rest_base(self) -> str:
        return f"http://127.0.0.1:{self.local.ports.gateway}"

    def rest(
        self,
        method: str,
        path: str,
        body: Any = None,
        token: str | None = None,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 30.0,
    ) -> RestResponse:
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        request = urllib.request.Request(self.rest_base + path, data=data, method=method)
        request.add_header("content-type", "application/json")
        if token:
            request.add_header("authorization", f"Bearer {token}")
        for key, value in (headers or {}).items():
            request.add_header(key, value)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return RestResponse(response.status, _json(response.read()), dict(response.headers))
        except urllib.error.HTTPError as error:
            return RestResponse(error.code, _json(error.read()), dict(error.headers))


def _json(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode(errors="replace")


@contextmanager
def start_system(server: TestServer, tmp: Path, environ: dict[str, str]) -> Iterator[RunningSystem]:
    env = {k: v for k, v in environ.items() if not k.startswith("STOREOPS_")}
    env["STOREOPS_DATABASE_URL"] = server.url("postgres")
    env["STOREOPS_GRACE_SECONDS"] = "5"
    # Last month's appraisals can be scored on days 1-28 (default 1-10), so the end-to-end
    # tests reach the scoring path on most days of the month.
    env["STOREOPS_PERFORMANCE_APPRAISAL_CLOSE_DAY"] = "28"
    log_dir = tmp / "logs"
    local = LocalSystem(
        state_dir=tmp,
        ports=Ports.free(),
        environ=env,
        database_prefix=f"{server.prefix}e2e{secrets.token_hex(2)}",
        drop_databases_on_stop=True,
        log_dir=log_dir,
    )
    tokens = TestTokens(local.keys_dir)  # the key people will publish, made before it starts
    with local.running():
        yield RunningSystem(local, tokens, log_dir)
