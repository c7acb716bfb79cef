"""Policies every workload meets in every overlay: resources, probes, a restricted security context,
graceful termination, disruption budgets, autoscaling, scraping and pinned images."""

from __future__ import annotations

import re

import pytest

from gateway.catalog import load_catalog
from services.common.config import DEFAULT_PORTS
from tests.k8s.manifests import (
    CALLS,
    METRICS_PORTS,
    OVERLAYS,
    ROOT,
    SERVICES,
    TARGETS,
    Obj,
    app_name,
    config_env,
    containers,
    image_reference,
    named,
    of_kind,
    pod_labels,
    pod_spec,
    render,
    selects,
    workloads,
)

REPLICAS = {"base": 2, "overlays/dev": 1, "overlays/prod": 3}


def deployments(target: str) -> list[Obj]:
    return of_kind(render(target), "Deployment")


@pytest.mark.parametrize("target", TARGETS)
def test_every_container_requests_and_limits_cpu_and_memory(target: str) -> None:
    for workload in workloads(render(target)):
        for container in containers(workload):
            resources = container.get("resources", {})
            for kind in ("requests", "limits"):
                assert set(resources.get(kind, {})) >= {"cpu", "memory"}, (
                    f"{workload['metadata']['name']}/{container['name']} {kind}"
                )


@pytest.mark.parametrize("target", TARGETS)
def test_every_long_running_container_has_startup_readiness_and_liveness_probes(
    target: str,
) -> None:
    for deployment in deployments(target):
        for container in pod_spec(deployment)["containers"]:
            for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
                assert probe in container, f"{deployment['metadata']['name']}: {probe}"


@pytest.mark.parametrize("target", TARGETS)
def test_every_pod_meets_the_restricted_pod_security_standard(target: str) -> None:
    for workload in workloads(render(target)):
        spec = pod_spec(workload)
        name = workload["metadata"]["name"]
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        assert spec["securityContext"]["runAsUser"] > 0, name
        assert spec["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault", name
        assert spec.get("automountServiceAccountToken") is False, name
        for container in containers(workload):
            context = container["securityContext"]
            assert context["runAsNonRoot"] is True, name
            assert context["readOnlyRootFilesystem"] is True, name
            assert context["allowPrivilegeEscalation"] is False, name
            assert context["capabilities"]["drop"] == ["ALL"], name
            assert "add" not in context["capabilities"], name


@pytest.mark.parametrize("target", TARGETS)
def test_with_a_read_only_root_tmp_is_a_bounded_empty_dir(target: str) -> None:
    for workload in workloads(render(target)):
        volumes = {v["name"]: v for v in pod_spec(workload).get("volumes", [])}
        for container in containers(workload):
            mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts", [])}
            assert "/tmp" in mounts, workload["metadata"]["name"]
            assert volumes[mounts["/tmp"]]["emptyDir"]["sizeLimit"]


@pytest.mark.parametrize("target", TARGETS)
def test_images_are_pinned_never_latest(target: str) -> None:
    images = [c["image"] for w in workloads(render(target)) for c in containers(w)]
    images += [c["spec"]["imageName"] for c in of_kind(render(target), "Cluster")]
    for image in images:
        _, tag, digest = image_reference(image)
        assert digest or (tag and tag != "latest"), image


def test_make_images_builds_the_images_the_manifests_run() -> None:
    makefile = (ROOT / "Makefile").read_text()
    built = set(re.findall(r"docker build -f deploy/docker/Dockerfile\S* -t ([\w.-]+):", makefile))
    used = {
        image_reference(c["image"])[0] for w in workloads(render("base")) for c in containers(w)
    }
    assert used == built == {"storeops", "storeops-gateway"}


@pytest.mark.parametrize("target", TARGETS)
def test_services_run_the_shared_image_with_their_own_module(target: str) -> None:
    objs = render(target)
    for service in SERVICES:
        server = pod_spec(named(objs, "Deployment", service))["containers"][0]
        job = pod_spec(named(objs, "Job", f"{service}-migrate"))["containers"][0]
        assert server["args"] == [f"services.{service}", "serve"]
        assert job["args"] == [f"services.{service}", "migrate"]
        assert server["image"] == job["image"]
        assert image_reference(server["image"])[0].endswith("storeops")


@pytest.mark.parametrize("target", TARGETS)
def test_services_probe_their_own_grpc_health_service(target: str) -> None:
    catalog = load_catalog(ROOT / "gen" / "storeops.binpb")
    health_names = {s.upstream: s.full_name for s in catalog}
    for service in SERVICES:
        container = pod_spec(named(render(target), "Deployment", service))["containers"][0]
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        assert ports == {"grpc": DEFAULT_PORTS[service], "metrics": METRICS_PORTS[service]}
        for probe in ("startupProbe", "readinessProbe"):
            assert container[probe]["grpc"] == {
                "port": DEFAULT_PORTS[service],
                "service": health_names[service],
            }
        # Liveness asks for the server as a whole ("").
        assert container["livenessProbe"]["grpc"] == {"port": DEFAULT_PORTS[service]}


@pytest.mark.parametrize("target", TARGETS)
def test_gateway_is_ready_when_envoy_says_so_on_its_admin_port(target: str) -> None:
    container = pod_spec(named(render(target), "Deployment", "gateway"))["containers"][0]
    assert {p["name"]: p["containerPort"] for p in container["ports"]} == {
        "http": 8080,
        "admin": 9901,
    }
    for probe in ("startupProbe", "readinessProbe"):
        assert container[probe]["httpGet"] == {"path": "/ready", "port": "admin"}


@pytest.mark.parametrize("target", TARGETS)
def test_rollouts_never_go_below_the_desired_replicas(target: str) -> None:
    for deployment in deployments(target):
        strategy = deployment["spec"]["strategy"]
        assert strategy["type"] == "RollingUpdate"
        assert strategy["rollingUpdate"]["maxUnavailable"] == 0
        assert strategy["rollingUpdate"]["maxSurge"] >= 1


def prestop_seconds(container: Obj) -> float:
    """Seconds a preStop hook sleeps (`sleep N` or Python's `time.sleep(N)`)."""
    command = " ".join(container["lifecycle"]["preStop"]["exec"]["command"])
    match = re.search(r"sleep\(?\s*(\d+(?:\.\d+)?)", command)
    assert match, command
    return float(match[1])


@pytest.mark.parametrize("target", TARGETS)
def test_termination_grace_outlasts_the_prestop_pause_and_the_drain(target: str) -> None:
    objs = render(target)
    for service in SERVICES:
        deployment = named(objs, "Deployment", service)
        container = pod_spec(deployment)["containers"][0]
        grace = float(config_env(objs, deployment, container)["STOREOPS_GRACE_SECONDS"])
        budget = pod_spec(deployment)["terminationGracePeriodSeconds"]
        assert budget > prestop_seconds(container) + grace, service
    gateway = named(objs, "Deployment", "gateway")
    envoy = pod_spec(gateway)["containers"][0]
    drain = float(envoy["args"][envoy["args"].index("--drain-time-s") + 1])
    assert prestop_seconds(envoy) >= drain
    assert pod_spec(gateway)["terminationGracePeriodSeconds"] > prestop_seconds(envoy)


@pytest.mark.parametrize("target", TARGETS)
def test_every_deployment_has_a_disruption_budget_that_allows_a_drain(target: str) -> None:
    objs = render(target)
    for deployment in deployments(target):
        budgets = [
            pdb
            for pdb in of_kind(objs, "PodDisruptionBudget")
            if selects(pdb["spec"]["selector"], pod_labels(deployment))
        ]
        assert len(budgets) == 1, deployment["metadata"]["name"]
        # maxUnavailable: 1 lets a node drain proceed even with a single replica (dev).
        assert budgets[0]["spec"]["maxUnavailable"] == 1


@pytest.mark.parametrize("target", TARGETS)
def test_replica_counts_per_overlay(target: str) -> None:
    for deployment in deployments(target):
        assert deployment["spec"]["replicas"] == REPLICAS[target], deployment["metadata"]["name"]


@pytest.mark.parametrize("target", ["base", "overlays/prod"])
def test_every_deployment_autoscales_on_cpu_from_its_replica_count(target: str) -> None:
    objs = render(target)
    for deployment in deployments(target):
        name = deployment["metadata"]["name"]
        hpa = named(objs, "HorizontalPodAutoscaler", name)
        assert hpa["spec"]["scaleTargetRef"] == {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": name,
        }
        assert hpa["spec"]["minReplicas"] == deployment["spec"]["replicas"]
        assert hpa["spec"]["maxReplicas"] > hpa["spec"]["minReplicas"]
        assert [m["resource"]["name"] for m in hpa["spec"]["metrics"]] == ["cpu"]


def test_dev_runs_a_fixed_single_replica() -> None:
    assert of_kind(render("overlays/dev"), "HorizontalPodAutoscaler") == []


def test_prod_spreads_each_deployment_across_nodes_and_zones() -> None:
    for deployment in deployments("overlays/prod"):
        constraints = pod_spec(deployment)["topologySpreadConstraints"]
        keys = {c["topologyKey"]: c for c in constraints}
        assert set(keys) == {"kubernetes.io/hostname", "topology.kubernetes.io/zone"}
        for constraint in constraints:
            assert constraint["maxSkew"] == 1
            assert selects(constraint["labelSelector"], pod_labels(deployment))
            # Scoped to this Deployment, not to all storeops pods.
            assert "app.kubernetes.io/name" in constraint["matchLabelKeys"]
        assert keys["kubernetes.io/hostname"]["whenUnsatisfiable"] == "DoNotSchedule"


def test_prod_containers_get_guaranteed_resources() -> None:
    for deployment in deployments("overlays/prod"):
        for container in containers(deployment):
            resources = container["resources"]
            assert resources["requests"] == resources["limits"], deployment["metadata"]["name"]


def test_dev_asks_for_less_than_prod() -> None:
    def memory_mi(quantity: str) -> int:
        number, unit = re.fullmatch(r"(\d+)(Mi|Gi)", quantity).groups()  # type: ignore[union-attr]
        return int(number) * (1024 if unit == "Gi" else 1)

    for name in [*SERVICES, "gateway"]:
        dev = containers(named(render("overlays/dev"), "Deployment", name))[0]["resources"]
        prod = containers(named(render("overlays/prod"), "Deployment", name))[0]["resources"]
        for kind in ("requests", "limits"):
            assert memory_mi(dev[kind]["memory"]) < memory_mi(prod[kind]["memory"]), name


@pytest.mark.parametrize("target", TARGETS)
def test_prometheus_scrapes_every_service_and_envoy(target: str) -> None:
    expected = {**{s: (METRICS_PORTS[s], "/metrics") for s in SERVICES}}
    expected["gateway"] = (9901, "/stats/prometheus")
    for deployment in deployments(target):
        annotations = deployment["spec"]["template"]["metadata"]["annotations"]
        port, path = expected[app_name(deployment)]
        assert annotations["prometheus.io/scrape"] == "true"
        assert annotations["prometheus.io/port"] == str(port)
        assert annotations["prometheus.io/path"] == path
        exposed = {p["containerPort"] for c in containers(deployment) for p in c["ports"]}
        assert port in exposed


@pytest.mark.parametrize("target", OVERLAYS)
def test_every_caller_of_a_service_is_deployed(target: str) -> None:
    deployed = {app_name(d) for d in deployments(target)}
    assert deployed == set(CALLS)
