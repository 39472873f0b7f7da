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
    # What .ci/run installs when it is missing, and what the Makefile runs.
    ci = set(re.findall(r"missing\+=\((\w+)\)", (REPO / ".ci" / "run").read_text()))
    assert ci == {"nginx", "chromium"}
    assert ci | {"make", "python3", "python3-venv", "npm"} <= listed


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
