"""What an operator relies on: settings the services really read, secrets referenced but never
stored, migrations that run before the rollout, one database per service with backups in prod,
and a README that matches the manifests."""

from __future__ import annotations

import re

import pytest
from sqlalchemy.engine import make_url

from services.common.config import DEFAULT_PORTS, load_settings
from tests.k8s.manifests import (
    K8S,
    METRICS_PORTS,
    SERVICES,
    STAGES,
    TARGETS,
    WITH_DATABASES,
    Obj,
    component,
    config_env,
    containers,
    named,
    of_kind,
    pod_labels,
    pod_spec,
    render,
    selects,
    workloads,
)

README = K8S / "README.md"
FAKE_SECRET = {"PGHOST": "h", "PGPORT": "5432", "PGDATABASE": "d", "PGUSER": "u", "PGPASSWORD": "p"}
PRIVATE_KEY_MARKER = "PRIVATE" + " KEY-----"


def expand(value: str, env: dict[str, str]) -> str:
    return re.sub(r"\$\((\w+)\)", lambda m: env[m[1]], value)


def mounts_by_secret(workload: Obj, container: Obj) -> dict[str, Obj]:
    """Secret name → {mountPath, items} for the container's secret volumes."""
    volumes = {v["name"]: v for v in pod_spec(workload).get("volumes", [])}
    found = {}
    for mount in container.get("volumeMounts", []):
        secret = volumes[mount["name"]].get("secret")
        if secret:
            found[secret["secretName"]] = {
                "path": mount["mountPath"],
                "items": [i["path"] for i in secret.get("items", [])],
            }
    return found


@pytest.mark.parametrize("target", TARGETS)
def test_services_read_the_settings_the_manifests_mean(target: str) -> None:
    """Feeds each Deployment's environment to the services' own settings loader."""
    objs = render(target)
    for service in SERVICES:
        deployment = named(objs, "Deployment", service)
        container = pod_spec(deployment)["containers"][0]
        env = {**FAKE_SECRET, **config_env(objs, deployment, container)}
        env = {key: expand(value, env) for key, value in env.items()}
        settings = load_settings(service, env)
        assert make_url(settings.database_url).drivername == "postgresql+psycopg"
        assert settings.database_url == "postgresql+psycopg://u:p@h:5432/d"
        assert (settings.port, settings.metrics_port) == (
            DEFAULT_PORTS[service],
            METRICS_PORTS[service],
        )
        assert settings.listen_host == "0.0.0.0"
        # One process per pod: extra workers would serve metrics on ports nobody scrapes.
        assert settings.workers == 1
        secrets = mounts_by_secret(deployment, container)
        assert settings.secrets_dir == secrets["storeops-service-accounts"]["path"]
        if service == "people":
            # people registers every account, and signs with keys it never generates itself.
            assert secrets["storeops-service-accounts"]["items"] == []
            assert settings.keys_dir == secrets["people-signing-keys"]["path"]
            assert settings.option("GENERATE_KEYS", "true") == "false"
        else:
            assert secrets["storeops-service-accounts"]["items"] == [settings.client_id]
            assert "people-signing-keys" not in secrets


@pytest.mark.parametrize("target", TARGETS)
def test_database_urls_use_only_variables_defined_before_them(target: str) -> None:
    """Kubernetes expands $(VAR) only for variables earlier in the list."""
    for workload in workloads(render(target)):
        for container in containers(workload):
            defined: set[str] = set()
            for var in container.get("env", []):
                for ref in re.findall(r"\$\((\w+)\)", var.get("value", "")):
                    assert ref in defined, f"{workload['metadata']['name']}: {var['name']}"
                defined.add(var["name"])


@pytest.mark.parametrize("target", TARGETS)
def test_no_secret_values_are_stored(target: str) -> None:
    assert of_kind(render(target), "Secret") == []


def test_no_secret_manifest_or_key_is_tracked_under_deploy() -> None:
    for path in (K8S.parent).rglob("*"):
        if path.is_file() and path.suffix in (".yaml", ".yml", ".json", ".env", ""):
            text = path.read_text()
            assert not re.search(r"(?m)^kind:\s*Secret\b", text), path
            assert PRIVATE_KEY_MARKER not in text, path


@pytest.mark.parametrize("target", TARGETS)
def test_every_secret_the_manifests_reference_is_documented(target: str) -> None:
    referenced = set()
    for workload in workloads(render(target)):
        for volume in pod_spec(workload).get("volumes", []):
            if "secret" in volume:
                referenced.add(volume["secret"]["secretName"])
        for container in containers(workload):
            for var in container.get("env", []):
                ref = var.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    referenced.add(ref["name"])
    for store in of_kind(render(target), "ObjectStore"):
        for ref in store["spec"]["configuration"]["s3Credentials"].values():
            referenced.add(ref["name"])
    readme = README.read_text()
    generic = {re.sub(f"^({'|'.join(SERVICES)})-db-app$", "<svc>-db-app", n) for n in referenced}
    assert [name for name in sorted(generic) if f"`{name}`" not in readme] == []


@pytest.mark.parametrize("target", TARGETS)
def test_every_service_has_an_idempotent_migration_job(target: str) -> None:
    objs = render(target)
    for service in SERVICES:
        job = named(objs, "Job", f"{service}-migrate")
        spec = job["spec"]
        assert pod_spec(job)["restartPolicy"] == "Never"
        assert spec["backoffLimit"] >= 1  # retries while the database comes up
        assert spec["activeDeadlineSeconds"] > 0
        assert spec["ttlSecondsAfterFinished"] > 0


@pytest.mark.parametrize("target", TARGETS)
def test_each_apply_stage_holds_what_it_needs(target: str) -> None:
    """`kubectl apply -k … -l app.kubernetes.io/component=<stage>` must bring up a stage alone:
    a migration Job with its ServiceAccount and NetworkPolicy, before any Deployment."""
    objs = render(target)
    stage = {s: [o for o in objs if component(o) == s] for s in STAGES}
    for job in of_kind(objs, "Job"):
        assert component(job) == "migration"
        spec = pod_spec(job)
        accounts = [
            o["metadata"]["name"] for o in stage["migration"] if o["kind"] == "ServiceAccount"
        ]
        assert spec["serviceAccountName"] in accounts
        assert all("envFrom" not in c for c in containers(job))  # no ConfigMap from a later stage
        assert any(
            selects(p["spec"]["podSelector"], pod_labels(job))
            for p in stage["migration"]
            if p["kind"] == "NetworkPolicy"
        )
    for deployment in of_kind(objs, "Deployment"):
        assert component(deployment) in ("server", "gateway")
        name = deployment["metadata"]["name"]
        for kind in ("ServiceAccount", "Service", "NetworkPolicy", "PodDisruptionBudget"):
            assert component(named(objs, kind, name)) == component(deployment)
        configmaps = [
            v["configMap"]["name"]
            for v in pod_spec(deployment).get("volumes", [])
            if "configMap" in v
        ]
        configmaps += [
            s["configMapRef"]["name"]
            for c in containers(deployment)
            for s in c.get("envFrom", [])
            if "configMapRef" in s
        ]
        for configmap in configmaps:
            assert component(named(objs, "ConfigMap", configmap)) == component(deployment)
    assert [o["kind"] for o in stage["namespace"]] == ["Namespace"]
    databases = {o["kind"] for o in stage["database"]}
    assert databases == ({"Cluster", "NetworkPolicy"} if target in WITH_DATABASES else set()) | (
        {"ObjectStore", "ScheduledBackup"} if target == "overlays/prod" else set()
    )


def test_readme_walks_the_stages_in_order() -> None:
    readme = README.read_text()
    positions = [
        readme.find(f"kubectl apply -k $O -l app.kubernetes.io/component={s}\n") for s in STAGES
    ]
    assert -1 not in positions, dict(zip(STAGES, positions, strict=True))
    assert positions == sorted(positions)


@pytest.mark.parametrize("target", WITH_DATABASES)
def test_each_service_owns_one_database_cluster_and_reads_its_secret(target: str) -> None:
    objs = render(target)
    clusters = {c["metadata"]["name"]: c for c in of_kind(objs, "Cluster")}
    assert set(clusters) == {f"{s}-db" for s in SERVICES}
    for service in SERVICES:
        initdb = clusters[f"{service}-db"]["spec"]["bootstrap"]["initdb"]
        assert initdb == {"database": service, "owner": service}
        for workload in (
            named(objs, "Deployment", service),
            named(objs, "Job", f"{service}-migrate"),
        ):
            refs = {
                var["valueFrom"]["secretKeyRef"]["name"]
                for var in containers(workload)[0]["env"]
                if "valueFrom" in var and "secretKeyRef" in var["valueFrom"]
            }
            # CloudNativePG names the application Secret `<cluster>-app`.
            assert refs == {f"{service}-db-app"}


def test_database_instances_per_overlay() -> None:
    dev = [c["spec"]["instances"] for c in of_kind(render("overlays/dev"), "Cluster")]
    prod = [c["spec"] for c in of_kind(render("overlays/prod"), "Cluster")]
    assert dev == [1] * len(SERVICES)
    assert [c["instances"] for c in prod] == [3] * len(SERVICES)
    assert all(c["affinity"]["podAntiAffinityType"] == "required" for c in prod)


def test_prod_archives_wal_and_backs_up_every_database_daily() -> None:
    objs = render("overlays/prod")
    stores = {o["metadata"]["name"] for o in of_kind(objs, "ObjectStore")}
    backed_up = {b["spec"]["cluster"]["name"] for b in of_kind(objs, "ScheduledBackup")}
    for cluster in of_kind(objs, "Cluster"):
        archivers = [p for p in cluster["spec"]["plugins"] if p.get("isWALArchiver")]
        assert len(archivers) == 1
        assert archivers[0]["parameters"]["barmanObjectName"] in stores
    assert backed_up == {c["metadata"]["name"] for c in of_kind(objs, "Cluster")}
    for backup in of_kind(objs, "ScheduledBackup"):
        assert backup["spec"]["method"] == "plugin"
        assert backup["spec"]["pluginConfiguration"]["name"] == archivers[0]["name"]
