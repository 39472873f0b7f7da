"""Where the repository and the shared material beside it live, for tests.

The source texts and the verified-codes reference live outside the repository (in
`../shared` by default). Tests that need them ask for the `source_texts` or
`codes_reference` fixture, which skips with the setting that enables them when they are
missing, and fails instead when CI=true (CI always has them).
"""

import os
from pathlib import Path

import pytest

from bench.servers import nginx_binary

REPO = Path(__file__).resolve().parent.parent
KNEE_PACK = REPO / "seeds" / "knee"
# A hand-written branch of HPO (hp.obo and phenotype.hpoa lines) around cryptorchidism.
HPO_HIERARCHY = REPO / "tests" / "fixtures" / "hpo-hierarchy"
# Onset classes, inheritance and the sex column (issue 21, item 5).
HPO_DEMOGRAPHICS = REPO / "tests" / "fixtures" / "hpo-demographics"
SHARED = REPO.parent / "shared"
SOURCE_TEXTS = Path(os.environ.get("SYMPTOM_GRAPH_SOURCE_TEXTS", SHARED / "seeds"))
CODES_REFERENCE = Path(
    os.environ.get("SYMPTOM_GRAPH_CODES_REFERENCE", SHARED / "reference" / "codes.md")
)


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def skip_unless_ci(reason: str) -> None:
    """Skip locally; in CI a missing prerequisite is a failure, never a silent skip."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: required here)")
    pytest.skip(reason)


def nginx_or_skip() -> str:
    """Debian's nginx binary; the test skips without it (fails under CI=true)."""
    binary = nginx_binary()
    if binary is None:
        skip_unless_ci("nginx is not installed: apt-get install nginx (.ci/run does)")
        raise AssertionError("unreachable")
    return binary


def required(path: Path, variable: str) -> Path:
    if not path.exists():
        skip_unless_ci(f"{path} not found: set {variable} to enable this check")
    return path
