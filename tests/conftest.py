from __future__ import annotations

from pathlib import Path

import pytest

from tests.paths import CODES_REFERENCE, SOURCE_TEXTS, required


@pytest.fixture(scope="session")
def source_texts() -> Path:
    """The folder of source texts every excerpt is checked against."""
    return required(SOURCE_TEXTS, "SYMPTOM_GRAPH_SOURCE_TEXTS")


@pytest.fixture(scope="session")
def codes_reference() -> Path:
    """The reference file listing the verified codes."""
    return required(CODES_REFERENCE, "SYMPTOM_GRAPH_CODES_REFERENCE")
