"""Issue 24 item 8: a fresh clone's `make test` states what it needs and skips no accuracy
test for want of `../shared`."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.paths import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_the_readme_lists_every_system_package_make_test_needs() -> None:
    (install,) = re.findall(r"^sudo apt-get install (.+)$", README, flags=re.MULTILINE)
    listed = set(install.split())
    # What `make test` installs when it is missing, and what the Makefile runs.
    script = (REPO / "scripts" / "prerequisites").read_text()
    installed = set(re.findall(r"missing\+=\((\w+)\)", script))
    assert installed == {"nginx", "chromium"}
    assert installed | {"make", "python3", "python3-venv", "npm"} <= listed


def test_make_test_checks_prerequisites_first() -> None:
    makefile = (REPO / "Makefile").read_text()
    (test_line,) = re.findall(r"^test: (.+)$", makefile, flags=re.MULTILINE)
    assert test_line.split()[0] == "prerequisites"
    assert "scripts/prerequisites" in makefile
    assert "make test" in (REPO / ".ci" / "run").read_text()


def _prerequisites(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """scripts/prerequisites as a user who is not root and has no sudo, on a PATH without
    Chromium (nginx may still be found at /usr/sbin/nginx)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(parents=True)
    fake_id = bin_dir / "id"
    fake_id.write_text("#!/bin/sh\necho 1000\n")
    fake_id.chmod(0o755)
    return subprocess.run(
        ["/bin/bash", str(REPO / "scripts" / "prerequisites")],
        env={"PATH": str(bin_dir), **env}, capture_output=True, text=True, timeout=30,
        check=False,
    )  # fmt: skip


def test_missing_prerequisites_are_refused_with_the_command_to_run(tmp_path: Path) -> None:
    result = _prerequisites(tmp_path)
    assert result.returncode == 1
    assert "make test needs" in result.stderr
    assert "chromium" in result.stderr
    assert "sudo apt-get install" in result.stderr


def test_a_developer_may_run_without_them_but_ci_may_not(tmp_path: Path) -> None:
    allowed = _prerequisites(tmp_path / "dev", SYMPTOM_GRAPH_ALLOW_SKIPS="1")
    assert allowed.returncode == 0, allowed.stderr
    assert "will be skipped" in allowed.stderr
    in_ci = _prerequisites(tmp_path / "ci", SYMPTOM_GRAPH_ALLOW_SKIPS="1", CI="true")
    assert in_ci.returncode == 1


def test_a_clone_without_shared_skips_no_accuracy_test(tmp_path: Path) -> None:
    """The vignette tests in a clone without the source texts: only the verbatim-quote
    check is skipped (58 tests were, one per vignette)."""
    env = {
        **os.environ,
        "SYMPTOM_GRAPH_SOURCE_TEXTS": str(tmp_path / "no-seeds"),
        "SYMPTOM_GRAPH_CODES_REFERENCE": str(tmp_path / "no-codes.md"),
    }
    env.pop("CI", None)  # a developer's clone: skipped, not failed
    env.pop("COVERAGE_PROCESS_START", None)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider",
         "tests/graph/evaluation"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:]
    skipped = [line for line in result.stdout.splitlines() if line.startswith("SKIPPED")]
    # -rs groups skips with one reason: `SKIPPED [58] file:line: reason`.
    assert sum(int(n) for n in re.findall(r"^SKIPPED \[(\d+)\]", result.stdout, re.M)) == 1
    assert "test_vignettes.py" in skipped[0]
    assert "set SYMPTOM_GRAPH_SOURCE_TEXTS to enable this check" in skipped[0]
