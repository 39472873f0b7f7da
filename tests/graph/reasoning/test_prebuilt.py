"""A built pack's stored sensitivities: used when they were made the same way, else ignored."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from graph.knowledge import KnowledgeGraph
from graph.packs.artifact import read_artifact, write_artifact
from graph.packs.loader import load_content
from graph.reasoning import DiagnoseQuery, Diagnoser, ModelParameters
from graph.reasoning.prebuilt import sensitivity_arrays, stored_sensitivities
from tests.paths import KNEE_PACK

HPO_SAMPLE = KNEE_PACK.parent / "hpo-sample"


@pytest.mark.parametrize("pack", [KNEE_PACK, HPO_SAMPLE])
def test_stored_sensitivities_are_used_and_equal_computed_ones(
    tmp_path: Path, pack: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = load_content([pack])
    graph = KnowledgeGraph(content)
    computed = Diagnoser(graph)
    path = tmp_path / "pack.sgpack"
    write_artifact(path, content, graph.version, sensitivity_arrays(computed))
    stored = stored_sensitivities(read_artifact(path).arrays, ModelParameters())
    assert set(stored) == set(computed.models)
    assert stored

    def not_computed(*args: object) -> None:
        raise AssertionError("computed again")

    monkeypatch.setattr("graph.reasoning.model.symptom_sensitivities", not_computed)
    loaded = Diagnoser(graph, ModelParameters(), stored)
    for name, model in computed.models.items():
        matrix, excluded = model.sensitivities
        theirs, their_excluded = loaded.models[name].sensitivities
        assert np.array_equal(matrix.toarray(), theirs.toarray())
        assert excluded == their_excluded
        np.testing.assert_array_equal(model.background, loaded.models[name].background)
    symptom = next(iter(computed.models.values())).findings[0][1]
    query = DiagnoseQuery(present=frozenset({symptom}))
    assert computed.diagnose(query) == loaded.diagnose(query)


def test_sensitivities_made_with_other_parameters_are_not_used(tmp_path: Path) -> None:
    graph = KnowledgeGraph(load_content([KNEE_PACK]))
    arrays = sensitivity_arrays(Diagnoser(graph))
    assert stored_sensitivities(arrays, ModelParameters())
    assert stored_sensitivities(arrays, replace(ModelParameters(), leak=0.02)) == {}


def test_the_fingerprint_is_the_same_in_every_process() -> None:
    """Sets in the parameters are spelled in a fixed order, whatever the string hash seed."""
    script = (
        "from graph.reasoning import ModelParameters\n"
        "from graph.reasoning.prebuilt import fingerprint\n"
        "print(fingerprint(ModelParameters()))"
    )
    found = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in range(8)
    }
    assert len(found) == 1
