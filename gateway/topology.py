"""Where the upstream services are: loopback ports locally, headless Services in Kubernetes."""

from __future__ import annotations

from dataclasses import dataclass

from services.common.config import DEFAULT_PORTS


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int


@dataclass(frozen=True)
class Topology:
    """`dns`: STRICT_DNS clusters that resolve every pod behind a headless Service."""

    endpoints: dict[str, Endpoint]
    dns: bool
    listen_port: int = 8080
    admin_address: str = "127.0.0.1"
    admin_port: int = 9901
    descriptor_path: str = "gen/storeops.binpb"


def local(
    ports: dict[str, int] | None = None,
    listen_port: int = 8080,
    admin_port: int = 9901,
    descriptor_path: str = "gen/storeops.binpb",
) -> Topology:
    chosen = {**DEFAULT_PORTS, **(ports or {})}
    return Topology(
        endpoints={name: Endpoint("127.0.0.1", port) for name, port in chosen.items()},
        dns=False,
        listen_port=listen_port,
        admin_port=admin_port,
        descriptor_path=descriptor_path,
    )


def kubernetes(
    namespace: str = "storeops", descriptor_path: str = "/etc/envoy/storeops.binpb"
) -> Topology:
    return Topology(
        endpoints={
            name: Endpoint(f"{name}.{namespace}.svc.cluster.local", port)
            for name, port in DEFAULT_PORTS.items()
        },
        dns=True,
        admin_address="0.0.0.0",  # noqa: S104 - kubelet probes /ready on the pod IP; no Service exposes it
        descriptor_path=descriptor_path,
    )
