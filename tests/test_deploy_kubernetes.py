"""deploy/kubernetes against the Kubernetes API schemas (kubernetes-validate ships them: no
cluster, no network), strictly, so a misspelt field is an error; and against the image and
the API it deploys: probe paths, port, user and cache folder."""

from __future__ import annotations

import copy
import json
import re
import tomllib
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from tests.paths import REPO

MANIFESTS = sorted((REPO / "deploy" / "kubernetes").glob("*.yaml"))
# The oldest release the manifests are written for, and the newest the package knows.
VERSIONS = ["1.30", kubernetes_validate.latest_version()]
DOCKERFILE = (REPO / "Dockerfile").read_text(encoding="utf-8")


def _documents(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


def _kind(kind: str) -> dict[str, Any]:
    (found,) = [doc for path in MANIFESTS for doc in _documents(path) if doc["kind"] == kind]
    return found


def _container(deployment: dict[str, Any]) -> dict[str, Any]:
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    return container


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("path", MANIFESTS, ids=lambda path: path.name)
def test_manifests_are_valid_kubernetes_objects(path: Path, version: str) -> None:
    for document in _documents(path):
        kubernetes_validate.validate(document, version, strict=True)


def _misspelt_probe_field(deployment: dict[str, Any]) -> None:
    _container(deployment)["readinessProbe"]["httpGet"]["paht"] = "/readyz"


def _replicas_as_words(deployment: dict[str, Any]) -> None:
    deployment["spec"]["replicas"] = "two"


def _no_selector(deployment: dict[str, Any]) -> None:
    del deployment["spec"]["selector"]


@pytest.mark.parametrize("breakage", [_misspelt_probe_field, _replicas_as_words, _no_selector])
def test_a_broken_manifest_is_refused(breakage: Any) -> None:
    deployment = copy.deepcopy(_kind("Deployment"))
    breakage(deployment)
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, VERSIONS[-1], strict=True)


def test_the_deployment_fits_the_image_and_the_api() -> None:
    deployment, service = _kind("Deployment"), _kind("Service")
    container = _container(deployment)
    paths = json.loads((REPO / "openapi.json").read_text(encoding="utf-8"))["paths"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["startupProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert {"/readyz", "/healthz"} <= set(paths)
    # The port the image serves on, named for the probes and the Service.
    (port,) = container["ports"]
    env = {item["name"]: item["value"] for item in container["env"]}
    assert port["containerPort"] == int(env["SYMPTOM_GRAPH_PORT"])
    assert f"EXPOSE {port['containerPort']}" in DOCKERFILE
    assert service["spec"]["ports"][0]["targetPort"] == port["name"]
    # Non-root as the image's numeric user, on a read-only root filesystem.
    pod = deployment["spec"]["template"]["spec"]
    user = re.findall(r"^USER (\d+):(\d+)$", DOCKERFILE, flags=re.MULTILINE)
    assert [
        (str(pod["securityContext"]["runAsUser"]), str(pod["securityContext"]["runAsGroup"]))
    ] == user
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    # numba's cache folder (the Dockerfile's NUMBA_CACHE_DIR) lies in a writable volume.
    (cache_dir,) = re.findall(r"NUMBA_CACHE_DIR=(\S+)", DOCKERFILE)
    mounts = [mount["mountPath"] for mount in container["volumeMounts"]]
    assert any(cache_dir.startswith(mount + "/") for mount in mounts), (cache_dir, mounts)
    assert "/tmp" in mounts


def test_the_image_is_this_version_of_the_dockerfiles() -> None:
    """Both containers run the image `docker build -t symptom-graph:VERSION .` makes."""
    version = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "version"
    ]
    pod = _kind("Deployment")["spec"]["template"]["spec"]
    images = {container["image"] for container in pod["initContainers"] + pod["containers"]}
    assert images == {f"symptom-graph:{version}"}


def test_service_and_budget_select_the_deployments_pods() -> None:
    labels = _kind("Deployment")["spec"]["template"]["metadata"]["labels"]
    assert _kind("Deployment")["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert _kind("Service")["spec"]["selector"].items() <= labels.items()
    budget = _kind("PodDisruptionBudget")["spec"]["selector"]["matchLabels"]
    assert budget.items() <= labels.items()
