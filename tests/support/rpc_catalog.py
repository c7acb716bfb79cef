"""Every public RPC of every service, read from the generated descriptors (so tests that loop over
them cover new RPCs automatically)."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from google.protobuf import descriptor_pb2, message_factory
from google.protobuf.descriptor import MethodDescriptor
from google.protobuf.descriptor_pool import Default as default_pool
from storeops.common.v1 import options_pb2

ROOT = Path(__file__).resolve().parent.parent.parent
SERVICE_OF_PACKAGE = {
    "storeops.inventory.v1": "inventory",
    "storeops.orders.v1": "orders",
    "storeops.people.v1": "people",
    "storeops.performance.v1": "performance",
}


@dataclass(frozen=True)
class Rpc:
    service: str  # inventory, orders, …
    method: MethodDescriptor

    @property
    def path(self) -> str:
        return f"/{self.method.containing_service.full_name}/{self.method.name}"

    @property
    def permission(self) -> str:
        return str(self.method.GetOptions().Extensions[options_pb2.permission])

    @property
    def public(self) -> bool:
        return bool(self.method.GetOptions().Extensions[options_pb2.public])

    @property
    def request_class(self) -> Any:
        return message_factory.GetMessageClass(self.method.input_type)

    @property
    def response_class(self) -> Any:
        return message_factory.GetMessageClass(self.method.output_type)

    @property
    def streaming(self) -> bool:
        return self.method.client_streaming or self.method.server_streaming  # type: ignore[attr-defined,no-any-return]

    def __str__(self) -> str:
        return f"{self.service}.{self.method.name}"


def _import_generated_modules() -> None:
    files = descriptor_pb2.FileDescriptorSet.FromString(
        (ROOT / "gen" / "storeops.binpb").read_bytes()
    )
    for file in files.file:
        if file.name.startswith("storeops/"):
            importlib.import_module(file.name.removesuffix(".proto").replace("/", ".") + "_pb2")


def all_rpcs() -> list[Rpc]:
    _import_generated_modules()
    pool = default_pool()
    rpcs = []
    for package, service in SERVICE_OF_PACKAGE.items():
        for file_name in _files_of(package):
            file = pool.FindFileByName(file_name)
            for svc in file.services_by_name.values():
                rpcs.extend(Rpc(service, m) for m in svc.methods)
    return sorted(rpcs, key=str)


def _files_of(package: str) -> Iterator[str]:
    files = descriptor_pb2.FileDescriptorSet.FromString(
        (ROOT / "gen" / "storeops.binpb").read_bytes()
    )
    for file in files.file:
        if file.package == package and file.service:
            yield file.name
