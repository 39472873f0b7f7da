from __future__ import annotations

from pathlib import Path

import pytest

from graph.packs import hpo
from tests.paths import (
    CODES_REFERENCE,
    HPO_DEMOGRAPHICS,
    HPO_HIERARCHY,
    SOURCE_TEXTS,
    required,
)


@pytest.fixture(scope="session")
def source_texts() -> Path:
    """The folder of source texts every excerpt is checked against."""
    return required(SOURCE_TEXTS, "SYMPTOM_GRAPH_SOURCE_TEXTS")


@pytest.fixture(scope="session")
def codes_reference() -> Path:
    """The reference file listing the verified codes."""
    return required(CODES_REFERENCE, "SYMPTOM_GRAPH_CODES_REFERENCE")


@pytest.fixture(scope="session")
def hierarchy_pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/fixtures/hpo-hierarchy (a hand-written branch of HPO around cryptorchidism)
    imported as the real HPO pack is, as a KGX pack folder."""
    return _imported(HPO_HIERARCHY, tmp_path_factory.mktemp("hpo-hierarchy"))


@pytest.fixture(scope="session")
def demographics_pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/fixtures/hpo-demographics (six seizure disorders that differ only in onset,
    inheritance and the sex column) imported as the real HPO pack is."""
    return _imported(HPO_DEMOGRAPHICS, tmp_path_factory.mktemp("hpo-demographics"))


def _imported(files: Path, into: Path) -> Path:
    """An HPO fixture folder (hp.obo, phenotype.hpoa) imported as a KGX pack in `into`/hpo."""
    content = hpo.build_content(
        hpo.parse_obo(files / "hp.obo"), hpo.read_annotations(files / "phenotype.hpoa")
    )
    folder = into / "hpo"
    hpo.write_kgx_pack(content, folder)
    return folder
