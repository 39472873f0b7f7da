"""Issue 21, item 4: in a database pack a reported absence is a feature someone checked, so it
weighs `checked_ratio` times more for a cause that shows the symptom at all; the knee pack,
whose absences answer its own questions, reads them as before."""

from __future__ import annotations

import math

import numpy as np
import pytest

from graph.knowledge import KnowledgeGraph
from graph.reasoning import Diagnoser, ModelParameters
from graph.reasoning.model import PosteriorModel
from graph.reasoning.parameters import FindingKind
from tests.paths import KNEE_PACK, REPO

HPO_SAMPLE = REPO / "seeds" / "hpo-sample"


def _model(graph: KnowledgeGraph, ratio: float) -> PosteriorModel:
    [model] = Diagnoser(graph, ModelParameters(checked_ratio=ratio)).models.values()
    return model


def _absent_scores(model: PosteriorModel, symptom: str) -> np.ndarray:
    column = model.finding_index[(FindingKind.SYMPTOM, symptom)]
    return model.log_weights([], [column])


def test_a_checked_absence_favours_the_causes_that_show_it() -> None:
    graph = KnowledgeGraph.from_packs([HPO_SAMPLE])
    plain, checked = _model(graph, 1.0), _model(graph, 5.0)
    assert not checked.profiled
    matrix, excluded = checked.sensitivities
    # A symptom about half the causes show, so that some show it and some do not.
    counts = np.diff(matrix.tocsc().indptr)
    column = int(np.argmin(np.abs(counts - matrix.shape[0] / 2)))
    symptom = checked.findings[column][1]
    # The causes whose picture holds it: they show it at all, or their source ruled it out.
    picture = matrix.tocsc()[:, [column]].toarray().ravel() > 0
    picture[[i for i, j in excluded if j == column]] = True
    assert picture.any()
    assert not picture.all()
    moved = _absent_scores(checked, symptom) - _absent_scores(plain, symptom)
    np.testing.assert_allclose(moved[picture], math.log(5.0))
    np.testing.assert_allclose(moved[~picture], 0.0)


def test_a_source_that_ruled_the_symptom_out_had_checked_it() -> None:
    graph = KnowledgeGraph.from_packs([HPO_SAMPLE])
    plain, checked = _model(graph, 1.0), _model(graph, 5.0)
    _, excluded = checked.sensitivities
    assert excluded
    cause, column = min(excluded)
    moved = _absent_scores(checked, checked.findings[column][1]) - _absent_scores(
        plain, checked.findings[column][1]
    )
    assert moved[cause] == pytest.approx(math.log(5.0))


def test_the_knee_pack_reads_absences_as_before() -> None:
    graph = KnowledgeGraph.from_packs([KNEE_PACK])
    plain, checked = _model(graph, 1.0), _model(graph, 5.0)
    assert checked.profiled
    for symptom in ("symptom:weakness", "symptom:numbness"):
        assert np.array_equal(_absent_scores(plain, symptom), _absent_scores(checked, symptom))


def test_the_ratio_is_at_least_one() -> None:
    with pytest.raises(ValueError, match="checked_ratio"):
        ModelParameters(checked_ratio=0.5)
