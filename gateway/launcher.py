"""`make run`: the whole system in the foreground until Ctrl-C.

Embedded PostgreSQL in `var/pgdata` unless `STOREOPS_DATABASE_URL` (or per-service URLs) point
elsewhere; migrations; demo data on first start; the four services and Envoy on the ports of
CONTRACT.md. Ctrl-C (or SIGTERM) stops Envoy, then the services, then PostgreSQL.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import time
from pathlib import Path
from types import FrameType

from tools.demo_data import load_demo_data
from tools.system import ROOT, LocalSystem

log = logging.getLogger("storeops.run")


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    state = Path(os.environ.get("STOREOPS_STATE_DIR", ROOT / "var"))
    system = LocalSystem(state_dir=state, log_dir=state / "logs")
    stopping = False

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    started = time.monotonic()
    print("storeops: starting (PostgreSQL, migrations, 4 services, Envoy)…", flush=True)
    try:
        system.start()
        (state / "run.env").write_text(system.run_env_file())
        loaded = load_demo_data(system)
        print(_banner(system, loaded, time.monotonic() - started), flush=True)
        while not stopping:
            for name, process in list(system.processes.items()):
                if process.poll() is not None:
                    log_file = state / "logs" / f"{name}.log"
                    print(f"storeops: {name} exited with {process.returncode}; see {log_file}")
                    stopping = True
            time.sleep(0.5)
    finally:
        print("storeops: stopping…", flush=True)
        system.stop()
        (state / "run.env").unlink(missing_ok=True)
        print("storeops: stopped", flush=True)
    return 0


def _banner(system: LocalSystem, demo_loaded: bool, seconds: float) -> str:
    ports = system.ports
    database = "embedded PostgreSQL (var/pgdata)" if system.postgres else "external PostgreSQL"
    lines = [
        f"storeops is running ({seconds:.1f} s, {database}"
        f"{', demo data loaded' if demo_loaded else ''})",
        f"  gateway  REST + gRPC   http://localhost:{ports.gateway}",
        f"  Envoy admin            http://localhost:{ports.admin}",
        *(f"  {name:<12} gRPC       localhost:{port}" for name, port in ports.services.items()),
        "  token:  make token                     (admin, every permission)",
        "          make token ROLES=cs_specialist EMPLOYEE=E1001",
        '  try:    curl -H "Authorization: Bearer $(make -s token)" '
        f"localhost:{ports.gateway}/v1/skus/DEMO-TEA-GRN-250G/stock",
        f"  logs:   {system.state_dir / 'logs'}/",
        "  Ctrl-C stops everything.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
