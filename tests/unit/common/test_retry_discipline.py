"""The gateway retries exactly the RPCs whose proto says a retry is safe, and passes the client's
deadline on; docs/reliability.md's retry table is what the protos say today.

The levels are read from the descriptor set here, independently of gateway/catalog.py, and
compared with the route Envoy is actually given for each method (docs/reliability.md; the e2e
counterpart, tests/e2e/test_retry_discipline.py, counts the attempts an upstream receives)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from google.protobuf import descriptor_pb2
from google.protobuf.descriptor_pb2 import MethodOptions

from gateway import topology
from gateway.catalog import load_catalog
from gateway.envoy_config import GatewayOptions, build_config
from tools.soak import retry_table

ROOT = Path(__file__).resolve().parents[3]
DESCRIPTORS = ROOT / "gen" / "storeops.binpb"
SAFE = {MethodOptions.IDEMPOTENT, MethodOptions.NO_SIDE_EFFECTS}
# Before a request reaches a service (no connection, refused stream) a retry is safe for all.
ALWAYS = {"connect-failure", "refused-stream"}
# After it may have acted (UNAVAILABLE from the service, a reset mid-call): idempotent only.
AFTER_REACHING = {"unavailable", "reset"}


def proto_levels() -> dict[str, int]:
    files = descriptor_pb2.FileDescriptorSet.FromString(DESCRIPTORS.read_bytes())
    found = {}
    for file in files.file:
        if not file.package.startswith("storeops."):
            continue
        for service in file.service:
            for method in service.method:
                options = MethodOptions.FromString(method.options.SerializeToString())
                path = f"/{file.package}.{service.name}/{method.name}"
                found[path] = options.idempotency_level
    return found


LEVELS = proto_levels()


@pytest.fixture(scope="module")
def routes() -> dict[str, dict[str, Any]]:
    config = build_config(load_catalog(DESCRIPTORS), topology.local(), GatewayOptions())
    listener = config["static_resources"]["listeners"][0]
    manager = listener["filter_chains"][0]["filters"][0]["typed_config"]
    (host,) = manager["route_config"]["virtual_hosts"]
    return {r["match"]["path"]: r["route"] for r in host["routes"] if "path" in r["match"]}


def test_every_rpc_has_its_own_route(routes: dict[str, dict[str, Any]]) -> None:
    assert len(LEVELS) > 200
    assert set(routes) == set(LEVELS)


@pytest.mark.parametrize("path", sorted(LEVELS))
def test_the_gateway_retries_an_rpc_after_it_reached_the_service_only_if_its_proto_allows(
    path: str, routes: dict[str, dict[str, Any]]
) -> None:
    policy = routes[path]["retry_policy"]
    retry_on = set(policy["retry_on"].split(","))
    expected = ALWAYS | AFTER_REACHING if LEVELS[path] in SAFE else ALWAYS
    assert retry_on == expected, (path, MethodOptions.IdempotencyLevel.Name(LEVELS[path]))
    assert policy["num_retries"] == 2  # bounded, with backoff
    assert policy["retry_back_off"]["base_interval"]


@pytest.mark.parametrize("path", sorted(LEVELS))
def test_the_gateway_honours_the_client_deadline(
    path: str, routes: dict[str, dict[str, Any]]
) -> None:
    route = routes[path]
    # grpc-timeout sets the call's timeout (capped by the route's); Envoy forwards the header,
    # so the service sees the client's deadline.
    assert route["max_stream_duration"]["grpc_timeout_header_max"] == route["timeout"]


def test_only_reads_claim_to_have_no_side_effects() -> None:
    for path, level in LEVELS.items():
        name = path.rsplit("/", 1)[1]
        if level == MethodOptions.NO_SIDE_EFFECTS:
            assert name.startswith(("Get", "List", "Verify")), path
        if name.startswith(("Get", "List")):
            assert level == MethodOptions.NO_SIDE_EFFECTS, path


def test_the_retry_table_in_docs_is_what_the_protos_say() -> None:
    assert retry_table.committed() == retry_table.section(), (
        "docs/reliability.md's retry table is stale: run `python -m tools.soak.retry_table --write`"
    )
