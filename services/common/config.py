"""Settings from environment variables, read once at start.

Every name is looked up service-first: `STOREOPS_<SERVICE>_<NAME>`, then `STOREOPS_<NAME>`, then
the default. So `STOREOPS_DB_POOL_SIZE=20` sets every service and `STOREOPS_ORDERS_DB_POOL_SIZE=40`
overrides it for orders alone.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

SERVICES: tuple[str, ...] = ("inventory", "orders", "people", "performance")
DEFAULT_PORTS: Mapping[str, int] = {
    "inventory": 50051,
    "orders": 50052,
    "people": 50053,
    "performance": 50054,
}


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


class Env:
    """Service-first lookup over an environment mapping."""

    def __init__(self, service: str, environ: Mapping[str, str] | None = None) -> None:
        self.service = service
        self.environ = os.environ if environ is None else environ

    def names(self, name: str) -> tuple[str, str]:
        return f"STOREOPS_{self.service.upper()}_{name}", f"STOREOPS_{name}"

    def get(self, name: str, default: str) -> str:
        for key in self.names(name):
            value = self.environ.get(key)
            if value not in (None, ""):
                return value
        return default

    def int(self, name: str, default: int) -> int:
        raw = self.get(name, str(default))
        try:
            return int(raw)
        except ValueError as exc:
            raise SettingsError(f"{self.names(name)[0]}: {raw!r} is not an integer") from exc

    def float(self, name: str, default: float) -> float:
        raw = self.get(name, str(default))
        try:
            return float(raw)
        except ValueError as exc:
            raise SettingsError(f"{self.names(name)[0]}: {raw!r} is not a number") from exc

    def bool(self, name: str, default: bool) -> bool:
        raw = self.get(name, "1" if default else "0").strip().lower()
        if raw in ("1", "true", "yes", "on"):
            return True
        if raw in ("0", "false", "no", "off"):
            return False
        raise SettingsError(f"{self.names(name)[0]}: {raw!r} is not a boolean")


def normalize_database_url(url: str) -> str:
    """Accept plain libpq URLs (`postgresql://`, `postgres://`, as operators hand them out) and
    use the psycopg 3 driver for them."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def database_url_for(service: str, environ: Mapping[str, str] | None = None) -> str:
    """The service's own database: `STOREOPS_<SVC>_DATABASE_URL`, else `STOREOPS_DATABASE_URL`
    with `_<service>` appended to its database name (one server, four databases)."""
    environ = os.environ if environ is None else environ
    own = environ.get(f"STOREOPS_{service.upper()}_DATABASE_URL")
    if own:
        return normalize_database_url(own)
    shared = environ.get("STOREOPS_DATABASE_URL")
    if not shared:
        raise SettingsError(
            f"no database configured for {service}: set STOREOPS_{service.upper()}_DATABASE_URL "
            "or STOREOPS_DATABASE_URL (or start everything with `make run`)"
        )
    return with_database_suffix(normalize_database_url(shared), service)


def with_database_suffix(url: str, service: str) -> str:
    parts = urlsplit(url)
    base = parts.path.lstrip("/") or "storeops"
    return urlunsplit(parts._replace(path=f"/{base}_{service}"))


@dataclass(frozen=True)
class Settings:
    """Everything a service process needs to start; built by `load_settings`."""

    service: str
    database_url: str
    listen_host: str = "0.0.0.0"  # noqa: S104 - a server inside a pod listens on all interfaces
    port: int = 0
    metrics_port: int = 0
    db_pool_size: int = 10
    db_max_overflow: int = 10
    db_pool_timeout: float = 5.0
    grace_seconds: float = 10.0
    workers: int = 1
    log_level: str = "INFO"
    access_log: bool = True
    jwt_audience: str = "storeops"
    jwt_issuer: str = "storeops-people"
    people_address: str = "127.0.0.1:50053"
    inventory_address: str = "127.0.0.1:50051"
    orders_address: str = "127.0.0.1:50052"
    client_id: str = ""
    client_secret_file: str = ""
    keys_dir: str = "var/keys"
    secrets_dir: str = "var/secrets"
    max_message_bytes: int = 4 * 1024 * 1024
    call_timeout_seconds: float = 5.0
    extra: Mapping[str, str] = field(default_factory=dict)

    def option(self, name: str, default: str) -> str:
        """A service-specific setting (`STOREOPS_<SVC>_<NAME>` or `STOREOPS_<NAME>`)."""
        return Env(self.service, self.extra).get(name, default)


def load_settings(service: str, environ: Mapping[str, str] | None = None) -> Settings:
    if service not in SERVICES:
        raise SettingsError(f"unknown service {service!r}; one of {', '.join(SERVICES)}")
    env = Env(service, environ)
    port = env.int("PORT", DEFAULT_PORTS[service])
    return Settings(
        service=service,
        database_url=database_url_for(service, env.environ),
        listen_host=env.get("LISTEN_HOST", "0.0.0.0"),  # noqa: S104
        port=port,
        metrics_port=env.int("METRICS_PORT", port - 41000),  # 9051..9054 by default
        db_pool_size=env.int("DB_POOL_SIZE", 10),
        db_max_overflow=env.int("DB_MAX_OVERFLOW", 10),
        db_pool_timeout=env.float("DB_POOL_TIMEOUT", 5.0),
        grace_seconds=env.float("GRACE_SECONDS", 10.0),
        workers=env.int("WORKERS", 1),
        log_level=env.get("LOG_LEVEL", "INFO").upper(),
        access_log=env.bool("ACCESS_LOG", True),
        jwt_audience=env.get("JWT_AUDIENCE", "storeops"),
        jwt_issuer=env.get("JWT_ISSUER", "storeops-people"),
        people_address=env.get("PEOPLE_ADDRESS", "127.0.0.1:50053"),
        inventory_address=env.get("INVENTORY_ADDRESS", "127.0.0.1:50051"),
        orders_address=env.get("ORDERS_ADDRESS", "127.0.0.1:50052"),
        client_id=env.get("CLIENT_ID", f"svc-{service}"),
        client_secret_file=env.get("CLIENT_SECRET_FILE", ""),
        keys_dir=env.get("KEYS_DIR", "var/keys"),
        secrets_dir=env.get("SECRETS_DIR", "var/secrets"),
        max_message_bytes=env.int("MAX_MESSAGE_BYTES", 4 * 1024 * 1024),
        call_timeout_seconds=env.float("CALL_TIMEOUT_SECONDS", 5.0),
        extra=dict(env.environ),
    )
