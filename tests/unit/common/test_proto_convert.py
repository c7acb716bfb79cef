"""services.common.proto_convert: the helpers every servicer shares."""

from __future__ import annotations

from storeops.inventory.v1 import resources_pb2

from services.common.proto_convert import enum_filter


def test_enum_filter_names_a_value_and_leaves_unspecified_empty() -> None:
    status = resources_pb2.Receipt.Status
    assert enum_filter(status, 0) == ""
    assert enum_filter(status, resources_pb2.Receipt.AWAITING_INSPECTION) == "AWAITING_INSPECTION"
