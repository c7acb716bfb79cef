"""Checks every request against the protovalidate rules declared in the protos."""

from __future__ import annotations

from typing import Any

import grpc
import protovalidate

from services.common.errors import FieldViolation, InvalidArgument
from services.common.interceptors import Behavior, UnaryInterceptor

_validator = protovalidate.Validator()


def field_path(violation: Any) -> str:
    """`lines[2].quantity` from a protovalidate FieldPath. Message-level (CEL) rules have no path;
    their ids are written `<field>.<rule>` in the protos, so the field is the id's first part."""
    path = violation.proto.field
    if path is None or not path.elements:
        return str(violation.proto.rule_id).split(".", 1)[0] or "(request)"
    parts: list[str] = []
    for element in path.elements:
        subscript = element.subscript
        suffix = f"[{subscript.value}]" if subscript is not None else ""
        parts.append(f"{element.field_name}{suffix}")
    return ".".join(parts)


def violations_of(message: Any) -> list[FieldViolation]:
    try:
        _validator.validate(message)
    except protovalidate.ValidationError as error:
        return [
            FieldViolation(field_path(v), v.proto.message or v.proto.rule_id)
            for v in error.violations
        ]
    return []


def validate_request(message: Any) -> None:
    violations = violations_of(message)
    if violations:
        summary = "; ".join(f"{v.field}: {v.description}" for v in violations[:5])
        raise InvalidArgument(summary, reason="INVALID_REQUEST", violations=violations)


class ValidationInterceptor(UnaryInterceptor):
    def wrap(self, method: str, behavior: Behavior) -> Behavior:
        async def validated(request: Any, context: grpc.aio.ServicerContext) -> Any:
            validate_request(request)
            return await behavior(request, context)

        return validated
