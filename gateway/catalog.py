"""What the gateway routes, read from the descriptor set the protos compile to.

Each `storeops.<svc>.v1.*Service` goes to upstream `<svc>`; a method is retryable when its proto
declares `idempotency_level` IDEMPOTENT or NO_SIDE_EFFECTS, public when it carries
`(storeops.common.v1.public) = true`. Adding an RPC to a proto is all it takes to route it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from google.protobuf import descriptor_pb2
from google.protobuf.descriptor_pb2 import MethodOptions
from storeops.common.v1 import options_pb2

# Calls that may legitimately take long (feeds, reports) get this timeout instead of the default.
SLOW_METHOD_PREFIXES = ("List", "Export", "Report", "Replay")


@dataclass(frozen=True)
class Method:
    service: str
    name: str
    retryable: bool
    public: bool

    @property
    def path(self) -> str:
        return f"/{self.service}/{self.name}"


@dataclass(frozen=True)
class Service:
    full_name: str
    upstream: str
    methods: tuple[Method, ...]


def _options(raw: descriptor_pb2.MethodDescriptorProto) -> MethodOptions:
    # Re-parse so the storeops extensions are known to this process's descriptor pool.
    return MethodOptions.FromString(raw.options.SerializeToString())


def load_catalog(descriptor_set: Path) -> list[Service]:
    files = descriptor_pb2.FileDescriptorSet.FromString(descriptor_set.read_bytes())
    services = []
    for file in files.file:
        if not file.package.startswith("storeops."):
            continue
        upstream = file.package.split(".")[1]
        for service in file.service:
            full_name = f"{file.package}.{service.name}"
            methods = []
            for raw in service.method:
                options = _options(raw)
                retryable = options.idempotency_level in (
                    MethodOptions.IDEMPOTENT,
                    MethodOptions.NO_SIDE_EFFECTS,
                )
                public = bool(options.Extensions[options_pb2.public])  # type: ignore[index]
                methods.append(Method(full_name, raw.name, retryable, public))
            services.append(Service(full_name, upstream, tuple(methods)))
    return sorted(services, key=lambda s: s.full_name)
