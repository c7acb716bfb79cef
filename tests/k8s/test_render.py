"""Every overlay renders with kustomize, and every object it yields is valid for the API server:
Kubernetes kinds against the official schemas (kubernetes-validate), the operators' kinds against
the schemas vendored in deploy/k8s/schemas."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path

import jsonschema
import kubernetes_validate
import pytest

from tests.k8s.manifests import NAMESPACE, SCHEMAS, STAGES, TARGETS, Obj, component, render

# The oldest Kubernetes the manifests support (README prerequisites) and the newest one the
# installed kubernetes-validate ships: an object valid for both is valid in between.
OLDEST_SUPPORTED = "1.31"
VERSIONS = (OLDEST_SUPPORTED, kubernetes_validate.latest_version())


@cache
def vendored_schemas() -> dict[tuple[str, str], jsonschema.protocols.Validator]:
    validators = {}
    for path in sorted(SCHEMAS.glob("*.json")):
        schema = json.loads(path.read_text())
        jsonschema.Draft202012Validator.check_schema(schema)
        props = schema["properties"]
        key = (props["apiVersion"]["const"], props["kind"]["const"])
        validators[key] = jsonschema.Draft202012Validator(schema)
    return validators


def is_custom(obj: Obj) -> bool:
    return "cnpg.io" in obj["apiVersion"]


def describe(obj: Obj) -> str:
    return f"{obj['kind']}/{obj['metadata']['name']}"


@pytest.mark.parametrize("target", TARGETS)
def test_renders_with_kubectl_kustomize(target: str) -> None:
    kinds = {obj["kind"] for obj in render(target)}
    assert {"Deployment", "Service", "NetworkPolicy", "Job"} <= kinds


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("target", TARGETS)
def test_kubernetes_objects_match_the_api_schema(target: str, version: str) -> None:
    errors = []
    for obj in render(target):
        if is_custom(obj):
            continue
        try:
            kubernetes_validate.validate(obj, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            path = "/".join(str(p) for p in exc.absolute_path)
            errors.append(f"{describe(obj)} at {path}: {exc.message}")
        except kubernetes_validate.SchemaNotFoundError:
            errors.append(f"{describe(obj)}: {obj['apiVersion']} is not served by {version}")
    assert errors == []


@pytest.mark.parametrize("target", TARGETS)
def test_operator_objects_match_the_vendored_schemas(target: str) -> None:
    validators = vendored_schemas()
    errors = []
    for obj in filter(is_custom, render(target)):
        validator = validators.get((obj["apiVersion"], obj["kind"]))
        if validator is None:
            errors.append(f"{describe(obj)}: no schema for {obj['apiVersion']} in {SCHEMAS}")
            continue
        errors += [f"{describe(obj)}: {e.message}" for e in validator.iter_errors(obj)]
    assert errors == []


def test_vendored_schemas_reject_what_the_operator_would_reject() -> None:
    validators = vendored_schemas()
    cluster = next(o for o in render("overlays/prod") if o["kind"] == "Cluster")
    typo = copy.deepcopy(cluster)
    typo["spec"]["instance"] = typo["spec"].pop("instances")
    latest = copy.deepcopy(cluster)
    latest["spec"]["imageName"] = "ghcr.io/cloudnative-pg/postgresql:latest"
    backup = next(o for o in render("overlays/prod") if o["kind"] == "ScheduledBackup")
    five_field_cron = copy.deepcopy(backup)
    five_field_cron["spec"]["schedule"] = "0 2 * * *"
    for bad in (typo, latest, five_field_cron):
        assert not validators[(bad["apiVersion"], bad["kind"])].is_valid(bad)


def test_every_vendored_schema_names_its_source() -> None:
    for path in SCHEMAS.glob("*.json"):
        assert "https://cloudnative-pg.io/" in json.loads(Path(path).read_text())["$comment"]


@pytest.mark.parametrize("target", TARGETS)
def test_every_object_lives_in_the_namespace_and_belongs_to_an_apply_stage(target: str) -> None:
    for obj in render(target):
        if obj["kind"] != "Namespace":
            assert obj["metadata"].get("namespace") == NAMESPACE, describe(obj)
        assert obj["metadata"]["labels"]["app.kubernetes.io/part-of"] == "storeops", describe(obj)
        assert component(obj) in STAGES, describe(obj)
