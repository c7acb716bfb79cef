"""Every List RPC refuses a page token it did not issue — well-formed base64 JSON carrying the
right keys with values of the wrong type included — with INVALID_ARGUMENT, never INTERNAL."""

from __future__ import annotations

import base64
import json

import grpc
import pytest

from tests.support.rpc_catalog import Rpc, all_rpcs
from tests.support.system import RunningSystem

pytestmark = pytest.mark.e2e

KEYS = ["after", "before", "o", "t", "id", "k", "d", "offset", "at", "starts_at", "session_id",
        "requested_at", "request_id"]  # fmt: skip
WRONG_VALUES: list[object] = [{"x": 1}, [1, [2]], "not-a-date", -(2**70), ["a"], [], True, None]
PAGED = [rpc for rpc in all_rpcs() if "page_token" in rpc.method.input_type.fields_by_name]


def forged(value: object) -> str:
    raw = json.dumps({key: value for key in KEYS}).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@pytest.mark.parametrize("rpc", PAGED, ids=str)
def test_forged_page_tokens_are_invalid_argument(system: RunningSystem, rpc: Rpc) -> None:
    token = system.tokens.admin()
    with grpc.insecure_channel(system.service_address(rpc.service)) as channel:
        stub = channel.unary_unary(
            rpc.path,
            request_serializer=lambda m: m.SerializeToString(),
            response_deserializer=rpc.response_class.FromString,
        )
        for value in WRONG_VALUES:
            request = rpc.request_class(page_token=forged(value))
            try:
                stub(request, metadata=[("authorization", f"Bearer {token}")], timeout=10)
            except grpc.RpcError as error:
                assert error.code() not in (
                    grpc.StatusCode.INTERNAL,
                    grpc.StatusCode.UNKNOWN,
                ), f"{rpc} with {value!r}: {error.code()} {error.details()}"
