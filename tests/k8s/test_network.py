"""NetworkPolicies encode exactly who calls whom: a service is reached only by the gateway and its
callers, and reaches only DNS, the services it calls and its own database."""

from __future__ import annotations

import pytest

from services.common.config import DEFAULT_PORTS
from tests.k8s.manifests import (
    CALLS,
    METRICS_PORTS,
    SERVICES,
    TARGETS,
    WITH_DATABASES,
    Obj,
    app_name,
    config_env,
    named,
    of_kind,
    pod_labels,
    pod_spec,
    render,
    selects,
    workloads,
)

DNS = ("dns", 53)


def policies_for(objs: tuple[Obj, ...], workload: Obj) -> list[Obj]:
    return [
        policy
        for policy in of_kind(objs, "NetworkPolicy")
        if selects(policy["spec"]["podSelector"], pod_labels(workload))
    ]


def peer(selector: Obj) -> str:
    """A storeops pod (`orders`), a database (`db:orders-db`) or a namespace (`ns:monitoring`)."""
    if "namespaceSelector" in selector:
        return "ns:" + selector["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]
    match = selector["podSelector"]["matchLabels"]
    if "cnpg.io/cluster" in match:
        return "db:" + match["cnpg.io/cluster"]
    # Never a bare name: that would also select the service's migration pods (or a database).
    assert "app.kubernetes.io/component" in match or selector["podSelector"].get(
        "matchExpressions"
    ), selector
    return match["app.kubernetes.io/name"]


def edges(policies: list[Obj], direction: str) -> set[tuple[str, int]]:
    """(peer, port) pairs allowed in one direction; a rule without peers is DNS or 'anyone'."""
    key = "from" if direction == "ingress" else "to"
    allowed = set()
    for policy in policies:
        for rule in policy["spec"].get(direction, []):
            ports = [p["port"] for p in rule.get("ports", [])]
            assert ports, f"{policy['metadata']['name']}: a {direction} rule without ports"
            peers = [peer(s) for s in rule.get(key, [])] or (
                ["dns"] if set(ports) == {53} else ["anyone"]
            )
            allowed |= {(p, port) for p in peers for port in ports}
    return allowed


def expected_egress(name: str, target: str, migration: bool = False) -> set[tuple[str, int]]:
    allowed = {DNS}
    if not migration:
        allowed |= {(callee, DEFAULT_PORTS[callee]) for callee in CALLS[name]}
    if target in WITH_DATABASES and name in SERVICES:
        allowed.add((f"db:{name}-db", 5432))
    return allowed


@pytest.mark.parametrize("target", TARGETS)
def test_every_pod_is_isolated_in_both_directions(target: str) -> None:
    objs = render(target)
    for workload in workloads(objs):
        types = {t for p in policies_for(objs, workload) for t in p["spec"]["policyTypes"]}
        assert types == {"Ingress", "Egress"}, workload["metadata"]["name"]


@pytest.mark.parametrize("target", TARGETS)
def test_a_service_is_reached_only_by_the_gateway_its_callers_and_prometheus(target: str) -> None:
    objs = render(target)
    for service in SERVICES:
        policies = policies_for(objs, named(objs, "Deployment", service))
        callers = {caller for caller, callees in CALLS.items() if service in callees}
        assert edges(policies, "ingress") == {
            *((caller, DEFAULT_PORTS[service]) for caller in callers),
            ("ns:monitoring", METRICS_PORTS[service]),
        }


@pytest.mark.parametrize("target", TARGETS)
def test_a_service_reaches_only_dns_its_callees_and_its_own_database(target: str) -> None:
    objs = render(target)
    for service in SERVICES:
        policies = policies_for(objs, named(objs, "Deployment", service))
        assert edges(policies, "egress") == expected_egress(service, target)


@pytest.mark.parametrize("target", TARGETS)
def test_a_migration_job_reaches_only_dns_and_its_own_database(target: str) -> None:
    objs = render(target)
    for service in SERVICES:
        policies = policies_for(objs, named(objs, "Job", f"{service}-migrate"))
        assert edges(policies, "egress") == expected_egress(service, target, migration=True)
        assert edges(policies, "ingress") == set()


@pytest.mark.parametrize("target", TARGETS)
def test_the_gateway_is_open_to_clients_and_reaches_every_service(target: str) -> None:
    objs = render(target)
    policies = policies_for(objs, named(objs, "Deployment", "gateway"))
    assert edges(policies, "ingress") == {("anyone", 8080), ("ns:monitoring", 9901)}
    assert edges(policies, "egress") == expected_egress("gateway", target)


@pytest.mark.parametrize("target", WITH_DATABASES)
def test_a_database_accepts_only_its_own_service_its_replicas_and_the_operator(
    target: str,
) -> None:
    objs = render(target)
    for service in SERVICES:
        policy = named(objs, "NetworkPolicy", f"{service}-db")
        assert policy["spec"]["podSelector"] == {
            "matchLabels": {"cnpg.io/cluster": f"{service}-db"}
        }
        own_pods = [
            named(objs, "Deployment", service),
            named(objs, "Job", f"{service}-migrate"),
        ]
        others = [w for w in workloads(objs) if app_name(w) != service]
        first_rule = policy["spec"]["ingress"][0]["from"][0]["podSelector"]
        assert all(selects(first_rule, pod_labels(w)) for w in own_pods)
        assert not any(selects(first_rule, pod_labels(w)) for w in others)
        allowed = {p for p, _ in edges([policy], "ingress")}
        assert allowed == {service, f"db:{service}-db", "ns:cnpg-system", "ns:monitoring"}


@pytest.mark.parametrize("target", TARGETS)
def test_configured_peer_addresses_are_the_services_the_policy_allows(target: str) -> None:
    objs = render(target)
    for service in SERVICES:
        deployment = named(objs, "Deployment", service)
        env = config_env(objs, deployment, pod_spec(deployment)["containers"][0])
        addresses = {
            key.removeprefix("STOREOPS_").removesuffix("_ADDRESS").lower(): value
            for key, value in env.items()
            if key.endswith("_ADDRESS")
        }
        assert addresses == {
            callee: f"{callee}:{DEFAULT_PORTS[callee]}" for callee in CALLS[service]
        }


@pytest.mark.parametrize("target", TARGETS)
def test_services_are_headless_and_expose_grpc_and_metrics(target: str) -> None:
    objs = render(target)
    for service in SERVICES:
        svc = named(objs, "Service", service)
        assert svc["spec"]["clusterIP"] == "None"
        assert selects(
            {"matchLabels": svc["spec"]["selector"]}, pod_labels(named(objs, "Deployment", service))
        )
        ports = {p["name"]: (p["port"], p["targetPort"]) for p in svc["spec"]["ports"]}
        assert ports == {
            "grpc": (DEFAULT_PORTS[service], "grpc"),
            "metrics": (METRICS_PORTS[service], "metrics"),
        }


@pytest.mark.parametrize("target", TARGETS)
def test_no_service_exposes_envoy_admin(target: str) -> None:
    for svc in of_kind(render(target), "Service"):
        for port in svc["spec"]["ports"]:
            assert port["port"] != 9901
            assert port.get("targetPort") not in (9901, "admin")


def test_the_gateway_is_cluster_internal_in_dev_and_load_balanced_in_prod() -> None:
    assert named(render("overlays/dev"), "Service", "gateway")["spec"]["type"] == "ClusterIP"
    assert named(render("overlays/prod"), "Service", "gateway")["spec"]["type"] == "LoadBalancer"
