"""The image is built from the same commands the Makefile runs, and the wheel carries the content."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

from tests.paths import REPO

DOCKERFILE = (REPO / "Dockerfile").read_text(encoding="utf-8")


def test_dockerfile_follows_the_card() -> None:
    bases = re.findall(r"^ARG PYTHON_IMAGE=(\S+)$", DOCKERFILE, flags=re.MULTILINE)
    assert bases == ["python:3.11.7-slim-bookworm"]  # pinned, slim
    assert DOCKERFILE.count("FROM ${PYTHON_IMAGE}") == 2  # multi-stage
    assert DOCKERFILE.index("pip install .") < DOCKERFILE.index("COPY app ./app")  # deps first
    assert re.findall(r"^USER (.+)$", DOCKERFILE, flags=re.MULTILINE) == ["10001:10001"]
    assert "RUN symptom-graph validate" in DOCKERFILE
    # The pack is built with the drug vocabulary that maps named medicines to their class.
    fetch = DOCKERFILE.index("RUN CI=true scripts/medicine-vocabulary")
    assert (
        fetch
        < DOCKERFILE.index("SYMPTOM_GRAPH_ATC_TABLE=")
        < DOCKERFILE.index("RUN symptom-graph validate")
    )
    assert "/healthz" in DOCKERFILE.split("HEALTHCHECK", 1)[1]
    assert "SYMPTOM_GRAPH_WORKERS=" in DOCKERFILE
    # `serve` applies the bounds on request heads (app/serving.py): never bare uvicorn.
    cmd = re.findall(r"^CMD (.+)$", DOCKERFILE, flags=re.MULTILINE)
    assert cmd == ['["symptom-graph", "serve", "--host", "0.0.0.0"]']
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert "symptom-graph validate" in makefile
    assert "symptom-graph serve" in makefile


def test_wheel_carries_code_and_content(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--quiet",
            "-w",
            str(tmp_path),
            str(REPO),
        ],
        check=True,
    )
    (wheel,) = tmp_path.glob("symptom_graph-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"app/main.py", "graph/knowledge/knowledge_graph.py", "seeds/knee/pack.yaml"} <= names
    assert not any(name.startswith("tests/") for name in names)


SNIPPETS = "./nginx/symptom-graph:/etc/nginx/symptom-graph:ro"


def _compose(name: str) -> dict[str, Any]:
    import yaml

    compose: dict[str, Any] = yaml.safe_load((REPO / "deploy" / name).read_text(encoding="utf-8"))
    return compose


def _template_variables(name: str) -> set[str]:
    return set(re.findall(r"\$\{(\w+)\}", (REPO / "deploy" / "nginx" / name).read_text()))


def test_compose_runs_nginx_with_the_template_and_fills_every_variable(tmp_path: Path) -> None:
    from bench.servers import render_nginx

    compose = _compose("docker-compose.yml")
    nginx = compose["services"]["nginx"]
    assert (
        "./nginx/symptom-graph.conf.template:/etc/nginx/templates/default.conf.template:ro"
        in (nginx["volumes"])
    )
    assert SNIPPETS in nginx["volumes"]
    assert _template_variables("symptom-graph.conf.template") == set(nginx["environment"])
    assert nginx["depends_on"]["app"]["condition"] == "service_healthy"
    assert compose["services"]["app"]["build"] == ".."
    render_nginx(tmp_path, 8080, 8000)
    for name in ("main.conf", "symptom-graph.conf"):
        assert "${" not in (tmp_path / name).read_text(), name


def test_replicas_compose_runs_two_apps_behind_the_replicas_template(tmp_path: Path) -> None:
    from bench.servers import render_nginx

    compose = _compose("docker-compose.replicas.yml")
    nginx = compose["services"]["nginx"]
    assert (
        "./nginx/replicas.conf.template:/etc/nginx/templates/default.conf.template:ro"
        in nginx["volumes"]
    )
    assert SNIPPETS in nginx["volumes"]
    assert _template_variables("replicas.conf.template") == set(nginx["environment"])
    apps = {name for name in compose["services"] if name != "nginx"}
    assert {nginx["environment"][f"SYMPTOM_GRAPH_REPLICA_{n}"] for n in (1, 2)} == {
        f"{app}:8000" for app in apps
    }
    for app in apps:
        assert compose["services"][app]["build"] == ".."
        assert nginx["depends_on"][app]["condition"] == "service_healthy"
    render_nginx(tmp_path, 8080, [8001, 8002])
    for name in ("main.conf", "replicas.conf"):
        assert "${" not in (tmp_path / name).read_text(), name


def test_the_shared_snippets_are_copied_as_they_are() -> None:
    """They are mounted, not passed through envsubst: a ${NAME} there would reach nginx."""
    snippets = sorted((REPO / "deploy" / "nginx" / "symptom-graph").glob("*.conf"))
    assert [path.name for path in snippets] == ["http.conf", "server.conf"]
    for path in snippets:
        assert "${" not in path.read_text(encoding="utf-8"), path.name
