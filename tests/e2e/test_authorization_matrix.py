"""For every RPC of every service: without its permission → PERMISSION_DENIED, with it → past
the permission check; bad tokens refused at the gateway and directly at each service."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path

import grpc
import pytest

from tests.support.rpc_catalog import Rpc, all_rpcs
from tests.support.system import RunningSystem
from tests.support.tokens import TestTokens

pytestmark = pytest.mark.e2e

RPCS = [rpc for rpc in all_rpcs() if not rpc.public and not rpc.streaming]
SERVICES = sorted({rpc.service for rpc in all_rpcs()})


def call(channel: grpc.Channel, rpc: Rpc, token: str | None) -> grpc.StatusCode:
    stub = channel.unary_unary(
        rpc.path,
        request_serializer=lambda m: m.SerializeToString(),
        response_deserializer=rpc.response_class.FromString,
    )
    metadata = [("authorization", f"Bearer {token}")] if token else []
    try:
        stub(rpc.request_class(), metadata=metadata, timeout=10)
    except grpc.RpcError as error:
        return error.code()  # type: ignore[no-any-return]
    return grpc.StatusCode.OK


def test_every_rpc_declares_a_permission_or_is_public() -> None:
    undeclared = [str(rpc) for rpc in all_rpcs() if not rpc.public and not rpc.permission]
    assert undeclared == []


@pytest.mark.parametrize("rpc", RPCS, ids=str)
def test_rpc_refused_without_its_permission_and_allowed_with_it(
    system: RunningSystem, rpc: Rpc
) -> None:
    unrelated = system.tokens.token(permissions=["nothing.at.all"], subject="E9001")
    exact = system.tokens.token(permissions=[rpc.permission], subject="E9002")
    with grpc.insecure_channel(system.service_address(rpc.service)) as direct:
        assert call(direct, rpc, unrelated) == grpc.StatusCode.PERMISSION_DENIED
        assert call(direct, rpc, exact) not in (
            grpc.StatusCode.PERMISSION_DENIED,
            grpc.StatusCode.UNAUTHENTICATED,
        )
    with grpc.insecure_channel(system.gateway_address) as gateway:
        assert call(gateway, rpc, unrelated) == grpc.StatusCode.PERMISSION_DENIED


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def bad_tokens(system: RunningSystem, tmp_path: Path) -> dict[str, str]:
    tokens = system.tokens
    now = int(time.time())
    good = tokens.token()
    header, payload, signature = good.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    other = TestTokens(tmp_path / "other-keys")
    return {
        "expired": tokens.issuer.issue("E1", "employee", ["admin"], ["*"], now - 7200, 60).token,
        "not_yet_valid": tokens.issuer.issue(
            "E1", "employee", ["admin"], ["*"], now + 3600, 7200
        ).token,
        "other_key": other.token(),
        "alg_none": f"{_b64({'alg': 'none', 'kid': tokens.keys.signing_key().kid})}.{payload}.",
        "tampered": f"{header}.{_b64({**claims, 'sub': 'E0666'})}.{signature}",
        "garbage": "not.a.token",
    }


@pytest.mark.parametrize(
    "kind", ["expired", "not_yet_valid", "other_key", "alg_none", "tampered", "garbage"]
)
def test_bad_tokens_refused_at_gateway_and_every_service(
    system: RunningSystem, tmp_path: Path, kind: str
) -> None:
    token = bad_tokens(system, tmp_path)[kind]
    probe = {rpc.service: rpc for rpc in reversed(RPCS)}  # one RPC per service
    with grpc.insecure_channel(system.gateway_address) as gateway:
        for rpc in probe.values():
            assert call(gateway, rpc, token) == grpc.StatusCode.UNAUTHENTICATED, (kind, str(rpc))
    for service, rpc in probe.items():
        with grpc.insecure_channel(system.service_address(service)) as direct:
            assert call(direct, rpc, token) == grpc.StatusCode.UNAUTHENTICATED, (kind, service)
