"""The system a soak runs against, and the faults it can inflict on it.

`SoakSystem.start` brings up its own deployment: the orders database on an embedded PostgreSQL
server of its own (so scenario 3 can stop it alone), the other three databases on a second
embedded server (or on STOREOPS_DATABASE_URL's server when set), the four services and Envoy on
free ports. `SoakSystem.attach` wraps a system someone else started (the e2e session system):
then every fault but stopping the orders database is available.

Every fault is something an orchestrator or an operator's bad day does to processes from outside
(SIGKILL, a database stop, a gateway restart); the services get no hooks. The harness restarts
what it killed — that is the orchestrator's job — and records each restart, so the report can
tell scripted restarts from anything a person would have had to do.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import psycopg
from grpc_health.v1 import health_pb2, health_pb2_grpc

from gateway.envoy_config import GatewayOptions
from services.common.config import SERVICES
from services.common.db import libpq_url
from tools.embedded_pg import EmbeddedPostgres, free_port
from tools.system import LocalSystem, Ports
from tools.tokens import LocalTokens

SOAK_SUBJECT = "soak-client"


@dataclass
class SoakSystem:
    local: LocalSystem
    orders_pg: EmbeddedPostgres | None = None
    main_pg: EmbeddedPostgres | None = None
    actions: list[str] = field(default_factory=list)  # every fault and restart, in order
    started: float = field(default_factory=time.monotonic)

    # ---- construction ----------------------------------------------------------------------
    @classmethod
    def start(
        cls,
        state_dir: Path,
        environ: Mapping[str, str] | None = None,
        gateway_options: GatewayOptions | None = None,
        service_env: Mapping[str, str] | None = None,
    ) -> SoakSystem:
        environ = dict(os.environ if environ is None else environ)
        state_dir.mkdir(parents=True, exist_ok=True)
        prefix = f"storeops_soak_{secrets.token_hex(3)}"
        orders_pg = EmbeddedPostgres(state_dir / "pg-orders", free_port()).start()
        main_pg: EmbeddedPostgres | None = None
        try:
            shared = environ.get("STOREOPS_DATABASE_URL")
            if shared:
                server = shared.rsplit("/", 1)[0]
            else:
                main_pg = EmbeddedPostgres(state_dir / "pg-main", free_port()).start()
                server = main_pg.url.rsplit("/", 1)[0]
            env = {k: v for k, v in environ.items() if not k.endswith("DATABASE_URL")}
            for service in SERVICES:
                base = orders_pg.url.rsplit("/", 1)[0] if service == "orders" else server
                env[f"STOREOPS_{service.upper()}_DATABASE_URL"] = f"{base}/{prefix}_{service}"
            env.setdefault("STOREOPS_LOG_LEVEL", "WARNING")
            env.setdefault("STOREOPS_ACCESS_LOG", "0")
            env.setdefault("STOREOPS_GRACE_SECONDS", "5")
            local = LocalSystem(
                state_dir=state_dir,
                ports=Ports.free(),
                environ=env,
                database_prefix=prefix,
                drop_databases_on_stop=bool(shared),
                gateway_options=gateway_options or GatewayOptions(access_log=False),
                log_dir=state_dir / "logs",
            )
            local.service_env.update(service_env or {})
            local.start()
        except BaseException:
            orders_pg.stop()
            if main_pg is not None:
                main_pg.stop()
            raise
        return cls(local, orders_pg, main_pg)

    @classmethod
    def attach(cls, local: LocalSystem) -> SoakSystem:
        return cls(local)

    def stop(self) -> None:
        self.local.stop()
        for server in (self.orders_pg, self.main_pg):
            if server is not None:
                server.stop()

    @contextlib.contextmanager
    def running(self) -> Iterator[SoakSystem]:
        try:
            yield self
        finally:
            self.stop()

    # ---- addresses and credentials -----------------------------------------------------------
    @property
    def gateway(self) -> str:
        return f"127.0.0.1:{self.local.ports.gateway}"

    def address(self, service: str) -> str:
        return f"127.0.0.1:{self.local.ports.services[service]}"

    @property
    def admin_url(self) -> str:
        return f"http://127.0.0.1:{self.local.ports.admin}"

    def token(self, subject: str = SOAK_SUBJECT, ttl: int = 6 * 3600) -> str:
        return LocalTokens(self.local.keys_dir).token(subject=subject, ttl=ttl)

    @property
    def database_urls(self) -> dict[str, str]:
        return dict(self.local.database_urls)

    def connect(self, service: str) -> psycopg.Connection[Any]:
        """A read-only connection to a service's database (checks never write)."""
        return psycopg.connect(
            libpq_url(self.local.database_urls[service]),
            options="-c default_transaction_read_only=on",
            autocommit=True,
            connect_timeout=5,
        )

    # ---- faults ---------------------------------------------------------------------------------
    def _log(self, what: str) -> None:
        self.actions.append(f"{time.monotonic() - self.started:8.1f}s {what}")

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        self._log(f"{signal.Signals(sig).name} {name}")
        self.local.stop_process(name, sig, timeout=20)

    def restart(self, service: str) -> None:
        """What an orchestrator does for a dead service: start it again, wait until it serves."""
        self._log(f"restart {service}")
        self.local.restart_service(service)

    def restart_gateway(self, sig: int = signal.SIGTERM) -> None:
        self.kill("gateway", sig)
        self._log("start gateway")
        self.local.start_gateway()

    def stop_orders_database(self) -> None:
        assert self.orders_pg is not None, "the orders database is not ours to stop"
        self._log("stop orders database")
        self.orders_pg.stop()

    def start_orders_database(self) -> None:
        assert self.orders_pg is not None
        self._log("start orders database")
        self.orders_pg.start()

    @property
    def can_stop_orders_database(self) -> bool:
        return self.orders_pg is not None

    # ---- liveness -------------------------------------------------------------------------------
    def dead_processes(self) -> list[str]:
        """Processes that should run but do not (exited, or never restarted)."""
        expected = [*SERVICES, "gateway"]
        return [
            name
            for name in expected
            if name not in self.local.processes or self.local.processes[name].poll() is not None
        ]

    def not_serving(self) -> list[str]:
        """Services whose health check does not answer SERVING right now."""
        bad = []
        for service in SERVICES:
            try:
                with grpc.insecure_channel(self.address(service)) as channel:
                    answer = health_pb2_grpc.HealthStub(channel).Check(
                        health_pb2.HealthCheckRequest(service=""), timeout=3
                    )
                if answer.status != health_pb2.HealthCheckResponse.SERVING:
                    bad.append(service)
            except grpc.RpcError as error:
                bad.append(f"{service} ({error.code().name})")
        return bad
