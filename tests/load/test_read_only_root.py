"""deploy/kubernetes runs the server on a read-only root filesystem with two writable volumes,
/tmp and numba's cache folder: the real server, in a mount namespace of its own where the
checkout, the Python installation and the home folder are mounted read-only, serves the knee
pack, diagnoses and exports with just those; without the cache volume it cannot start.

Needs root (to mount); skips without it, except under CI=true, where that is a failure.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from bench.servers import free_port, project_command, running
from tests.load.test_nginx_exports import padded_pack
from tests.paths import REPO, skip_unless_ci

pytestmark = pytest.mark.slow


def _read_only_command(port: int) -> list[str]:
    """`serve` in a private mount namespace whose code and home are read-only."""
    # Never "/" itself (a HOME of "/"): the test's own folder under /tmp stays writable.
    trees = sorted({REPO, Path(sys.prefix), Path(sys.base_prefix), Path.home()} - {Path("/")})
    mounts = "".join(
        f"mount -o bind,ro {shlex.quote(str(tree))} {shlex.quote(str(tree))} && " for tree in trees
    )
    serve = shlex.join(project_command(port))
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c", f"{mounts}exec {serve}"]


@pytest.fixture(scope="module")
def can_mount() -> None:
    probe = ["unshare", "--mount", "--propagation", "private", "mount", "-o", "bind,ro", "/", "/"]
    try:
        subprocess.run(probe, check=True, capture_output=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        skip_unless_ci("mounting in a mount namespace needs root (unshare, mount)")


@pytest.mark.usefixtures("can_mount")
def test_the_server_needs_only_tmp_and_the_numba_cache_writable(tmp_path: Path) -> None:
    port = free_port()
    env = {
        "NUMBA_CACHE_DIR": str(tmp_path / "cache" / "numba"),
        "TMPDIR": str(tmp_path / "tmp"),
        "SYMPTOM_GRAPH_EXPORT_FOLDER": str(tmp_path / "tmp" / "exports"),
    }
    (tmp_path / "tmp").mkdir()
    with running(_read_only_command(port), port, env=env, timeout=60) as server:
        diagnose = httpx.post(
            server.url + "/v1/diagnose", json={"present": ["symptom:numbness"]}, timeout=10
        )
        export = httpx.get(server.url + "/v1/graph", timeout=30)
    assert diagnose.status_code == 200
    assert export.status_code == 200
    assert len(export.json()["nodes"]) == 65
    assert any((tmp_path / "tmp" / "exports").iterdir())  # written where the volume is


@pytest.mark.usefixtures("can_mount")
def test_a_large_pack_without_a_writable_numba_cache_cannot_start(tmp_path: Path) -> None:
    """Why the Deployment mounts one: a pack over ModelParameters.dense_cells (19 causes x
    15,035 symptoms here) loads the compiled kernels, and numba looks for a writable cache
    folder even to read those compiled into the image."""
    port = free_port()
    env = {
        "NUMBA_CACHE_DIR": str(REPO / ".numba-cache-on-a-read-only-tree"),
        "SYMPTOM_GRAPH_PACKS": json.dumps([str(padded_pack(tmp_path / "pack", extra=15_000))]),
    }
    log = tmp_path / "serve.log"
    with (
        log.open("wb") as out,
        pytest.raises(RuntimeError, match="exited"),
        running(_read_only_command(port), port, env=env, timeout=60, log=out),
    ):
        pass
    assert "no locator available" in log.read_text(encoding="utf-8")
