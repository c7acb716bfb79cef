"""The gateway's Envoy config in the manifests is what the generator writes today, Envoy accepts it
with the Deployment's own arguments, and its clusters are exactly the headless Services."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from gateway.__main__ import main as render_gateway
from tests.k8s.dockerfile import parse
from tests.k8s.manifests import (
    DOCKER,
    ENVOY_CONFIG,
    NAMESPACE,
    ROOT,
    TARGETS,
    Obj,
    envoy_config,
    named,
    of_kind,
    pod_spec,
    render,
)

REGENERATE = (
    "python -m gateway render --target kubernetes --namespace storeops "
    "--out deploy/k8s/base/gateway/envoy.yaml"
)
DESCRIPTORS = ROOT / "gen" / "storeops.binpb"


def transcoder(config: Obj) -> Obj:
    listener = config["static_resources"]["listeners"][0]
    manager = listener["filter_chains"][0]["filters"][0]["typed_config"]
    return next(
        f["typed_config"]
        for f in manager["http_filters"]
        if f["name"] == "envoy.filters.http.grpc_json_transcoder"
    )


def gateway_container(target: str) -> Obj:
    return pod_spec(named(render(target), "Deployment", "gateway"))["containers"][0]


def arg(container: Obj, flag: str) -> str:
    args = container["args"]
    return args[args.index(flag) + 1]


def test_committed_envoy_config_is_what_the_generator_writes(tmp_path: Path) -> None:
    fresh = tmp_path / "envoy.yaml"
    render_gateway(
        ["render", "--target", "kubernetes", "--namespace", NAMESPACE, "--out", str(fresh)]
    )
    assert fresh.read_text() == ENVOY_CONFIG.read_text(), (
        f"{ENVOY_CONFIG.relative_to(ROOT)} is stale (protos or gateway/ changed): "
        f"run `{REGENERATE}`"
    )


@pytest.mark.parametrize("target", TARGETS)
def test_the_configmap_carries_the_committed_config_to_the_path_envoy_reads(target: str) -> None:
    objs = render(target)
    container = gateway_container(target)
    config_path = Path(arg(container, "--config-path"))
    mount = next(m for m in container["volumeMounts"] if m["mountPath"] == str(config_path.parent))
    volume = next(
        v
        for v in pod_spec(named(objs, "Deployment", "gateway"))["volumes"]
        if v["name"] == mount["name"]
    )
    configmap = named(objs, "ConfigMap", volume["configMap"]["name"])
    assert configmap["data"][config_path.name] == ENVOY_CONFIG.read_text()


def test_envoy_validates_the_config_with_the_deployment_arguments(tmp_path: Path) -> None:
    assert DESCRIPTORS.exists(), "gen/storeops.binpb is missing: run `make protos`"
    config = ENVOY_CONFIG.read_text()
    in_image = transcoder(envoy_config())["proto_descriptor"]
    config_file = tmp_path / "envoy.yaml"
    config_file.write_text(config.replace(in_image, str(DESCRIPTORS)))
    args = list(gateway_container("overlays/prod")["args"])
    args[args.index("--config-path") + 1] = str(config_file)
    args = [a.replace("$(POD_NAME)", "gateway-0") for a in args]
    envoy = Path(sys.executable).parent / "envoy"
    result = subprocess.run(
        [str(envoy), "--mode", "validate", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("target", TARGETS)
def test_envoy_clusters_are_exactly_the_headless_services(target: str) -> None:
    """Adding a service to the manifests and not to the gateway (or back) fails here."""
    headless = {
        s["metadata"]["name"]: s
        for s in of_kind(render(target), "Service")
        if s["spec"].get("clusterIP") == "None"
    }
    clusters = {
        c["name"]: c
        for c in envoy_config()["static_resources"]["clusters"]
        if c["name"] != "gateway_self"
    }
    assert set(clusters) == set(headless)
    for name, cluster in clusters.items():
        service = headless[name]
        grpc_port = next(p["port"] for p in service["spec"]["ports"] if p["name"] == "grpc")
        endpoints = [
            e["endpoint"]["address"]["socket_address"]
            for group in cluster["load_assignment"]["endpoints"]
            for e in group["lb_endpoints"]
        ]
        namespace = service["metadata"]["namespace"]
        assert cluster["type"] == "STRICT_DNS"
        assert endpoints == [
            {"address": f"{name}.{namespace}.svc.cluster.local", "port_value": grpc_port}
        ]


@pytest.mark.parametrize("target", TARGETS)
def test_envoy_listens_on_the_ports_the_pod_declares(target: str) -> None:
    config = envoy_config()
    listener = config["static_resources"]["listeners"][0]["address"]["socket_address"]
    admin = config["admin"]["address"]["socket_address"]
    ports = {p["name"]: p["containerPort"] for p in gateway_container(target)["ports"]}
    assert listener["port_value"] == ports["http"]
    # Bound to the pod IP so the kubelet can probe /ready; no Service exposes it.
    assert (admin["address"], admin["port_value"]) == ("0.0.0.0", ports["admin"])
    service = named(render(target), "Service", "gateway")
    assert [(p["port"], p["targetPort"]) for p in service["spec"]["ports"]] == [(8080, "http")]


def test_the_descriptor_set_is_where_the_gateway_image_puts_it() -> None:
    dockerfile = parse(DOCKER / "Dockerfile.gateway")
    destinations = [i.words()[-1] for i in dockerfile.final.all("COPY")]
    assert transcoder(envoy_config())["proto_descriptor"] in destinations
