"""Starts and stops the whole system on one machine: PostgreSQL (embedded unless URLs are given),
migrations, the four services and Envoy. `make run` and the end-to-end tests both use it; tests
pass free ports and a temporary directory so they run beside a `make run`.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import grpc
import yaml
from grpc_health.v1 import health_pb2, health_pb2_grpc

from gateway import topology
from gateway.catalog import load_catalog
from gateway.envoy_config import GatewayOptions, build_config
from services.common import migrations
from services.common.config import DEFAULT_PORTS, SERVICES, database_url_for, with_database_suffix
from services.common.db import drop_database, ensure_database
from tools.embedded_pg import EmbeddedPostgres, free_port

ROOT = Path(__file__).resolve().parent.parent
SERVICE_ACCOUNTS = ("svc-orders", "svc-performance", "svc-inventory")
# Services start in dependency order: people signs tokens the others need.
START_ORDER = ("people", "inventory", "orders", "performance")


@dataclass
class Ports:
    services: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_PORTS))
    metrics: dict[str, int] = field(
        default_factory=lambda: {s: p - 41000 for s, p in DEFAULT_PORTS.items()}
    )
    gateway: int = 8080
    admin: int = 9901

    @classmethod
    def free(cls) -> Ports:
        return cls(
            services={s: free_port() for s in SERVICES},
            metrics={s: free_port() for s in SERVICES},
            gateway=free_port(),
            admin=free_port(),
        )


@dataclass
class LocalSystem:
    state_dir: Path
    ports: Ports = field(default_factory=Ports)
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    database_prefix: str = "storeops"
    drop_databases_on_stop: bool = False
    service_env: dict[str, str] = field(default_factory=dict)
    gateway_options: GatewayOptions = field(default_factory=GatewayOptions)
    log_dir: Path | None = None
    quiet: bool = False

    def __post_init__(self) -> None:
        self.postgres: EmbeddedPostgres | None = None
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self._logs: dict[str, IO[bytes]] = {}
        self.database_urls: dict[str, str] = {}

    # ---- configuration -------------------------------------------------------------------
    @property
    def keys_dir(self) -> Path:
        return self.state_dir / "keys"

    @property
    def secrets_dir(self) -> Path:
        return self.state_dir / "secrets"

    @property
    def external_database(self) -> bool:
        return bool(self.environ.get("STOREOPS_DATABASE_URL")) or any(
            self.environ.get(f"STOREOPS_{s.upper()}_DATABASE_URL") for s in SERVICES
        )

    def _resolve_database_urls(self) -> None:
        if self.external_database:
            shared = self.environ.get("STOREOPS_DATABASE_URL", "")
            for service in SERVICES:
                own = self.environ.get(f"STOREOPS_{service.upper()}_DATABASE_URL")
                if own:
                    self.database_urls[service] = own
                else:
                    base = shared.rsplit("/", 1)[0] + f"/{self.database_prefix}"
                    self.database_urls[service] = with_database_suffix(base, service)
        else:
            assert self.postgres is not None
            base = self.postgres.url.rsplit("/", 1)[0] + f"/{self.database_prefix}"
            self.database_urls = {s: with_database_suffix(base, s) for s in SERVICES}

    def env_for(self, service: str | None = None) -> dict[str, str]:
        env = {k: v for k, v in self.environ.items() if not k.startswith("STOREOPS_")}
        env.update(
            {
                "PYTHONUNBUFFERED": "1",
                "STOREOPS_KEYS_DIR": str(self.keys_dir),
                "STOREOPS_SECRETS_DIR": str(self.secrets_dir),
                "STOREOPS_PEOPLE_ADDRESS": f"127.0.0.1:{self.ports.services['people']}",
                "STOREOPS_INVENTORY_ADDRESS": f"127.0.0.1:{self.ports.services['inventory']}",
                "STOREOPS_ORDERS_ADDRESS": f"127.0.0.1:{self.ports.services['orders']}",
            }
        )
        for name in SERVICES:
            env[f"STOREOPS_{name.upper()}_DATABASE_URL"] = self.database_urls[name]
            env[f"STOREOPS_{name.upper()}_PORT"] = str(self.ports.services[name])
            env[f"STOREOPS_{name.upper()}_METRICS_PORT"] = str(self.ports.metrics[name])
        # Settings the caller gave (STOREOPS_LOG_LEVEL, pool sizes…) except database URLs.
        for key, value in self.environ.items():
            if key.startswith("STOREOPS_") and not key.endswith("DATABASE_URL"):
                env.setdefault(key, value)
        env.update(self.service_env)
        return env

    # ---- lifecycle -------------------------------------------------------------------------
    def start(self) -> LocalSystem:
        try:
            self.state_dir.mkdir(parents=True, exist_ok=True)
            self._start_database()
            self._ensure_secrets()
            self.migrate()
            for service in START_ORDER:
                self.start_service(service)
            for service in START_ORDER:
                self.wait_serving(service)
            self.start_gateway()
        except BaseException:
            self.stop()
            raise
        return self

    def _start_database(self) -> None:
        if not self.external_database:
            port = int(self.environ.get("STOREOPS_EMBEDDED_PG_PORT") or free_port())
            self.postgres = EmbeddedPostgres(self.state_dir / "pgdata", port).start()
        self._resolve_database_urls()

    def _ensure_secrets(self) -> None:
        self.secrets_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        for account in SERVICE_ACCOUNTS:
            path = self.secrets_dir / account
            if not path.exists():
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "w") as handle:
                    handle.write(secrets.token_urlsafe(32))

    def migrate(self) -> None:
        """The same `alembic upgrade head` as `python -m services.<svc> migrate`, in-process."""
        for service in SERVICES:
            ensure_database(self.database_urls[service])
            migrations.upgrade(
                ROOT / "services" / service / "db" / "migrations", self.database_urls[service]
            )

    def _log_target(self, name: str) -> IO[bytes] | int | None:
        if self.log_dir is None:
            return subprocess.DEVNULL if self.quiet else None
        self.log_dir.mkdir(parents=True, exist_ok=True)
        handle = (self.log_dir / f"{name}.log").open("ab")
        self._logs[name] = handle
        return handle

    def start_service(self, service: str) -> None:
        target = self._log_target(service)
        self.processes[service] = subprocess.Popen(
            [sys.executable, "-m", f"services.{service}"],
            env=self.env_for(service),
            cwd=ROOT,
            stdout=target,
            stderr=subprocess.STDOUT if target is not None else None,
            start_new_session=True,  # Ctrl-C reaches only us; we stop children in order
        )

    def wait_serving(self, service: str, timeout: float = 60.0) -> None:
        address = f"127.0.0.1:{self.ports.services[service]}"
        deadline = time.monotonic() + timeout
        with grpc.insecure_channel(address) as channel:
            stub = health_pb2_grpc.HealthStub(channel)
            while True:
                process = self.processes.get(service)
                if process is not None and process.poll() is not None:
                    raise RuntimeError(f"{service} exited with {process.returncode} during start")
                try:
                    response = stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=1)
                    if response.status == health_pb2.HealthCheckResponse.SERVING:
                        return
                except grpc.RpcError:
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{service} not serving on {address} after {timeout} s")
                time.sleep(0.1)

    def envoy_config(self) -> dict[str, object]:
        topo = topology.local(
            ports=self.ports.services,
            listen_port=self.ports.gateway,
            admin_port=self.ports.admin,
            descriptor_path=str(ROOT / "gen" / "storeops.binpb"),
        )
        return build_config(
            load_catalog(ROOT / "gen" / "storeops.binpb"), topo, self.gateway_options
        )

    def start_gateway(self, timeout: float = 30.0) -> None:
        config_path = self.state_dir / "envoy.yaml"
        config_path.write_text(yaml.safe_dump(self.envoy_config(), sort_keys=False))
        envoy = Path(sys.executable).parent / "envoy"
        target = self._log_target("gateway")
        self.processes["gateway"] = subprocess.Popen(
            [
                str(envoy),
                "-c",
                str(config_path),
                "--concurrency",
                self.environ.get("STOREOPS_ENVOY_CONCURRENCY", "1"),
                "--log-level",
                "warning",
                "--base-id",
                str(self.ports.admin),  # shared-memory id: several Envoys side by side
                "--drain-time-s",
                "2",
            ],
            cwd=ROOT,
            stdout=target,
            stderr=subprocess.STDOUT if target is not None else None,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while True:
            if self.processes["gateway"].poll() is not None:
                raise RuntimeError(f"envoy exited with {self.processes['gateway'].returncode}")
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{self.ports.admin}/ready", timeout=1
                ) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError("envoy not ready")
            time.sleep(0.1)
        self._wait_gateway_jwks(deadline)

    def _wait_gateway_jwks(self, deadline: float) -> None:
        """Envoy fetches the JWKS from people through itself; wait until it has it."""
        url = f"http://127.0.0.1:{self.ports.admin}/stats?filter=jwks_fetch_success"
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=1) as r:
                counts = [
                    line.rsplit(":", 1)[-1].strip() for line in r.read().decode().splitlines()
                ]
                if any(c.isdigit() and int(c) > 0 for c in counts):
                    return
            time.sleep(0.1)
        raise TimeoutError("envoy has not fetched the token keys from people")

    def stop_process(
        self, name: str, sig: int = signal.SIGTERM, timeout: float = 20.0
    ) -> int | None:
        process = self.processes.pop(name, None)
        if process is None:
            return None
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, sig)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        return process.returncode

    def restart_service(self, service: str) -> None:
        self.start_service(service)
        self.wait_serving(service)

    def stop(self) -> None:
        self.stop_process("gateway")
        for service in reversed(START_ORDER):
            self.stop_process(service)
        for handle in self._logs.values():
            with contextlib.suppress(Exception):
                handle.close()
        if self.drop_databases_on_stop and self.database_urls:
            for url in self.database_urls.values():
                with contextlib.suppress(Exception):
                    drop_database(url)
        if self.postgres is not None:
            self.postgres.stop()
            self.postgres = None

    @contextlib.contextmanager
    def running(self) -> Iterator[LocalSystem]:
        self.start()
        try:
            yield self
        finally:
            self.stop()

    def run_env_file(self) -> str:
        """What `make token` needs to reach this deployment."""
        lines = [f"STOREOPS_{s.upper()}_DATABASE_URL={self.database_urls[s]}" for s in SERVICES]
        lines.append(f"STOREOPS_KEYS_DIR={self.keys_dir}")
        return "\n".join(lines) + "\n"


__all__ = ["LocalSystem", "Ports", "database_url_for"]
