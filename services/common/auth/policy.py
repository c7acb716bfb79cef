"""Which permission each RPC needs: the `(storeops.common.v1.permission)` method option."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from google.protobuf.descriptor import ServiceDescriptor
from storeops.common.v1 import options_pb2

# Infrastructure RPCs that load balancers and tools call without a token.
PUBLIC_INFRASTRUCTURE = (
    "/grpc.health.v1.Health/",
    "/grpc.reflection.v1alpha.ServerReflection/",
    "/grpc.reflection.v1.ServerReflection/",
)


@dataclass(frozen=True)
class MethodPolicy:
    method: str
    permission: str
    public: bool


def method_policies(services: Iterable[ServiceDescriptor]) -> Mapping[str, MethodPolicy]:
    """`/pkg.Service/Method` → policy for every method of the given services."""
    policies: dict[str, MethodPolicy] = {}
    for service in services:
        for method in service.methods:
            options = method.GetOptions()
            path = f"/{service.full_name}/{method.name}"
            policies[path] = MethodPolicy(
                method=path,
                permission=options.Extensions[options_pb2.permission],  # type: ignore[index]
                public=options.Extensions[options_pb2.public],  # type: ignore[index]
            )
    return policies


def is_public_infrastructure(method: str) -> bool:
    return method.startswith(PUBLIC_INFRASTRUCTURE)
