"""Property-based fuzzing of every public RPC through the real gRPC servers, and malformed REST
bodies through Envoy: every answer is a clean status (never INTERNAL/UNKNOWN or a dropped
connection), the services stay up, and a refused request changes nothing in any database."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import grpc
import psycopg
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from hypothesis import HealthCheck, given, settings

from services.common.db import libpq_url
from tests.support import fuzz
from tests.support.postgres import TestServer
from tests.support.rpc_catalog import Rpc, all_rpcs
from tests.support.system import RunningSystem, start_system

pytestmark = pytest.mark.e2e

EXAMPLES = int(os.environ.get("STOREOPS_FUZZ_EXAMPLES", "15"))
RPCS = [rpc for rpc in all_rpcs() if not rpc.streaming]
CLEAN = set(grpc.StatusCode) - {
    grpc.StatusCode.INTERNAL,
    grpc.StatusCode.UNKNOWN,
    grpc.StatusCode.UNAVAILABLE,
}
TRIED: Counter[str] = Counter()
FUZZ_SUBJECT = "fuzz-admin-7f3a9c"
# Refusals these RPCs record on purpose: a failed login counts towards the lockout and is audited.
RECORDS_REFUSALS = {"people.Login"}


@pytest.fixture(scope="module")
def fuzz_system(
    pg_server: TestServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningSystem]:
    """A system of its own: random accepted requests must not disturb the other tests."""
    with start_system(pg_server, tmp_path_factory.mktemp("fuzz"), dict(os.environ)) as running:
        yield running
    report = Path(os.environ.get("STOREOPS_FUZZ_REPORT", "/tmp/storeops-fuzz-count.txt"))
    report.write_text(f"{sum(TRIED.values())} fuzz cases over {len(TRIED)} RPCs\n")


def database_fingerprint(url: str) -> list[tuple[str, int, int]]:
    """(table, rows, newest committed row version) for every table: changes on any commit."""
    with psycopg.connect(libpq_url(url)) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        result = []
        for table in tables:
            rows, version = conn.execute(
                f'SELECT count(*), coalesce(max(xmin::text::bigint), 0) FROM "{table}"'
            ).fetchone()  # type: ignore[misc]
            result.append((table, rows, version))
        return result


@pytest.mark.parametrize("rpc", RPCS, ids=str)
def test_fuzzed_requests_get_clean_statuses(fuzz_system: RunningSystem, rpc: Rpc) -> None:
    # A subject of its own: fuzzed RevokeTokens/leave calls must not revoke the test's token.
    token = fuzz_system.tokens.token(subject=FUZZ_SUBJECT)
    url = fuzz_system.local.database_urls[rpc.service]
    with grpc.insecure_channel(
        fuzz_system.service_address(rpc.service),
        options=[("grpc.max_send_message_length", 64 * 1024 * 1024)],
    ) as channel:
        stub = channel.unary_unary(
            rpc.path,
            request_serializer=lambda m: m.SerializeToString(),
            response_deserializer=rpc.response_class.FromString,
        )

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(request=fuzz.requests(rpc.request_class))
        def check(request: object) -> None:
            TRIED[str(rpc)] += 1
            before = database_fingerprint(url)
            try:
                stub(request, metadata=[("authorization", f"Bearer {token}")], timeout=20)
            except grpc.RpcError as error:
                assert error.code() in CLEAN, f"{rpc}: {error.code()} {error.details()}"
                if str(rpc) not in RECORDS_REFUSALS:
                    assert database_fingerprint(url) == before, (
                        f"{rpc}: refused request changed the database"
                    )

        check()
        health = health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(), timeout=5
        )
        assert health.status == health_pb2.HealthCheckResponse.SERVING


MALFORMED_BODIES = [
    b"{",
    b"[]",
    b'"just a string"',
    b"null",
    b'{"channel": 12.5}',
    b'{"channel": "NOT_A_CHANNEL"}',
    b'{"lines": "not a list"}',
    b'{"lines": [{"quantity": "many"}]}',
    b'{"paid": {"nested": true}}',
    b'{"customer": {"name": ["x"]}}',
    b'{"unknownField": 1}',
    b"\xff\xfe\x00garbage",
    b'{"externalOrderId": "' + b"x" * 5_000_000 + b'"}',
]


@pytest.mark.parametrize("body", MALFORMED_BODIES, ids=lambda b: repr(b[:24]))
def test_malformed_rest_bodies_get_clean_json_errors(
    fuzz_system: RunningSystem, body: bytes
) -> None:
    token = fuzz_system.tokens.token(subject=FUZZ_SUBJECT)
    response = fuzz_system.rest("POST", "/v1/orders", raw=body, token=token)
    assert 400 <= response.status < 500, (response.status, response.body)
    assert isinstance(response.body, dict)
    assert response.body["code"] in (3, 5, 8, 9), response.body
    assert (
        fuzz_system.rest("GET", "/v1/orders/events", token=fuzz_system.tokens.admin()).status == 200
    )
