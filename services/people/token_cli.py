"""`make token [ROLES=…] [EMPLOYEE=…]`: a bearer token for the local deployment.

Signs with the deployment's key store and reads the roles' permissions from the people database,
exactly as IssueToken would (an operator tool: whoever can read the key files is trusted)."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import psycopg

from services.common.db import libpq_url
from services.people.service.keystore import KeyStore
from services.people.service.token_issuer import TokenIssuer

ROOT = Path(__file__).resolve().parent.parent.parent


def _run_env() -> dict[str, str]:
    path = Path(os.environ.get("STOREOPS_STATE_DIR", ROOT / "var")) / "run.env"
    if not path.exists():
        return {}
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return {key: value for key, value in pairs}


def role_permissions(database_url: str, roles: list[str]) -> set[str]:
    with psycopg.connect(libpq_url(database_url), connect_timeout=3) as conn:
        known = {
            r[0] for r in conn.execute("SELECT code FROM roles WHERE code = ANY(%s)", (roles,))
        }
        unknown = sorted(set(roles) - known)
        if unknown:
            sys.exit(f"unknown role(s): {', '.join(unknown)}")
        rows = conn.execute(
            "SELECT pattern FROM role_permissions WHERE role_code = ANY(%s)", (roles,)
        )
        return {r[0] for r in rows}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="make token")
    parser.add_argument("--roles", default="admin", help="comma-separated role codes")
    parser.add_argument("--employee", default="E0001")
    parser.add_argument("--ttl", type=int, default=3600)
    args = parser.parse_args(argv)
    env = {**_run_env(), **{k: v for k, v in os.environ.items() if k.startswith("STOREOPS_")}}
    url = env.get("STOREOPS_PEOPLE_DATABASE_URL")
    if not url:
        sys.exit(
            "storeops is not running here: start it with `make run` "
            "(or set STOREOPS_PEOPLE_DATABASE_URL)"
        )
    roles = [r.strip() for r in args.roles.split(",") if r.strip()]
    try:
        permissions = role_permissions(url, roles)
    except psycopg.OperationalError as exc:
        sys.exit(f"cannot reach the people database ({exc}); is `make run` running?")
    keys = KeyStore(
        Path(env.get("STOREOPS_KEYS_DIR", ROOT / "var" / "keys")),
        # Sign with the key people signs with: a freshly rotated one only once it is active.
        activation_delay=float(
            env.get("STOREOPS_PEOPLE_KEY_ACTIVATION_DELAY_SECONDS")
            or env.get("STOREOPS_KEY_ACTIVATION_DELAY_SECONDS", "120")
        ),
    )
    issuer = TokenIssuer(
        keys,
        env.get("STOREOPS_JWT_ISSUER", "storeops-people"),
        env.get("STOREOPS_JWT_AUDIENCE", "storeops"),
    )
    print(
        issuer.issue(
            args.employee, "employee", roles, permissions, int(time.time()), args.ttl
        ).token
    )


if __name__ == "__main__":
    main()
