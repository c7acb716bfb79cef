from __future__ import annotations

import pytest
from google.rpc import code_pb2, error_details_pb2

from services.common.errors import (
    Aborted,
    AlreadyExists,
    DomainError,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    ResourceExhausted,
    Unauthenticated,
    Unavailable,
)
from services.common.interceptors.errors import status_for


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (InvalidArgument("bad"), code_pb2.INVALID_ARGUMENT),
        (NotFound("missing"), code_pb2.NOT_FOUND),
        (AlreadyExists("dup"), code_pb2.ALREADY_EXISTS),
        (FailedPrecondition("rule"), code_pb2.FAILED_PRECONDITION),
        (PermissionDenied("no"), code_pb2.PERMISSION_DENIED),
        (Unauthenticated("who"), code_pb2.UNAUTHENTICATED),
        (Aborted("race"), code_pb2.ABORTED),
        (ResourceExhausted("limit"), code_pb2.RESOURCE_EXHAUSTED),
        (Unavailable("down"), code_pb2.UNAVAILABLE),
    ],
)
def test_each_domain_error_maps_to_its_status_code(error: DomainError, code: int) -> None:
    status = status_for(error)
    assert status.code == code
    assert status.message == error.message


def test_invalid_argument_carries_field_violations() -> None:
    status = status_for(InvalidArgument.for_field("lines[0].quantity", "must be greater than 0"))
    bad_request = error_details_pb2.BadRequest()
    assert any(d.Unpack(bad_request) for d in status.details)
    assert bad_request.field_violations[0].field == "lines[0].quantity"


def test_error_info_carries_reason_and_metadata() -> None:
    status = status_for(
        FailedPrecondition("short", reason="INSUFFICIENT_STOCK", metadata={"sku": "A"})
    )
    info = error_details_pb2.ErrorInfo()
    assert any(d.Unpack(info) for d in status.details)
    assert info.reason == "INSUFFICIENT_STOCK"
    assert info.metadata["sku"] == "A"
    assert info.domain == "storeops"
