"""Hypothesis strategies that build arbitrary protobuf requests from their descriptors: random
field values, huge strings, unicode, extreme and negative numbers, unknown enum numbers, missing
fields and long repeated fields."""

from __future__ import annotations

from typing import Any

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message
from hypothesis import strategies as st

INT_RANGES = {
    FieldDescriptor.TYPE_INT32: (-(2**31), 2**31 - 1),
    FieldDescriptor.TYPE_SINT32: (-(2**31), 2**31 - 1),
    FieldDescriptor.TYPE_SFIXED32: (-(2**31), 2**31 - 1),
    FieldDescriptor.TYPE_INT64: (-(2**63), 2**63 - 1),
    FieldDescriptor.TYPE_SINT64: (-(2**63), 2**63 - 1),
    FieldDescriptor.TYPE_SFIXED64: (-(2**63), 2**63 - 1),
    FieldDescriptor.TYPE_UINT32: (0, 2**32 - 1),
    FieldDescriptor.TYPE_FIXED32: (0, 2**32 - 1),
    FieldDescriptor.TYPE_UINT64: (0, 2**64 - 1),
    FieldDescriptor.TYPE_FIXED64: (0, 2**64 - 1),
}
HUGE = ["x" * 100_000, "测" * 50_000, "\u0000" * 1000, "\U0001f600" * 10_000]


def _strings() -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(max_size=80),
        st.sampled_from(
            ["", " ", "A", "E0001", "../../etc/passwd", "'; DROP TABLE orders; --", "%00", "NaN"]
        ),
        st.sampled_from(HUGE),
    )


def _ints(low: int, high: int) -> st.SearchStrategy[int]:
    edges = [v for v in (low, high, 0, 1, -1, 2**31 - 1, -(2**31), 2**53 + 1) if low <= v <= high]
    return st.one_of(st.integers(low, high), st.sampled_from(edges))


def _scalar(field: FieldDescriptor) -> st.SearchStrategy[Any]:
    kind = field.type
    if kind in INT_RANGES:
        return _ints(*INT_RANGES[kind])
    if kind == FieldDescriptor.TYPE_BOOL:
        return st.booleans()
    if kind in (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT):
        return st.floats(
            allow_nan=True,
            allow_infinity=True,
            width=32 if kind == FieldDescriptor.TYPE_FLOAT else 64,
        )
    if kind == FieldDescriptor.TYPE_STRING:
        return _strings()
    if kind == FieldDescriptor.TYPE_BYTES:
        return st.binary(max_size=200)
    if kind == FieldDescriptor.TYPE_ENUM:
        return st.one_of(
            st.sampled_from([v.number for v in field.enum_type.values]), st.integers(-3, 1000)
        )
    raise TypeError(f"unsupported field type {kind}")


def fill(message: Message, draw: Any, depth: int = 0) -> Message:
    descriptor: Descriptor = message.DESCRIPTOR
    for field in descriptor.fields:
        if not draw(st.booleans()):
            continue  # missing field
        repeated = field.is_repeated
        if field.message_type is not None:
            if field.message_type.GetOptions().map_entry or depth >= 3:
                continue
            if repeated:
                for _ in range(draw(st.integers(0, 3))):
                    fill(getattr(message, field.name).add(), draw, depth + 1)
            else:
                fill(getattr(message, field.name), draw, depth + 1)
                if not message.HasField(field.name):
                    getattr(message, field.name).SetInParent()
            continue
        if repeated:
            if draw(st.integers(0, 9)) == 0 and field.type != FieldDescriptor.TYPE_STRING:
                values = [draw(_scalar(field))] * 10_000  # a long repeated field
            else:
                values = draw(st.lists(_scalar(field), max_size=4))
            getattr(message, field.name).extend(values)
        else:
            setattr(message, field.name, draw(_scalar(field)))
    return message


@st.composite
def requests(draw: Any, request_class: type[Message]) -> Message:
    return fill(request_class(), draw)
