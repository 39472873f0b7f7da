"""The vignette set (tests/vignettes) and the targets the engine is held to on it (issue 9).

Gold answers come from the two knee articles. When a threshold test fails, the engine or the
content is what needs work: never edit a gold answer to make it pass.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

from graph.evaluation.vignette_metrics import (
    Outcome,
    Report,
    calibration_error,
    evaluate,
    metrics,
)
from graph.evaluation.vignette_report import main
from graph.evaluation.vignettes import (
    DEFAULT_VIGNETTES_DIR,
    Vignette,
    VignetteError,
    accepted_answers,
    check_against_graph,
    load_vignettes,
    pack_causes,
    query_for,
)
from graph.knowledge import KnowledgeGraph
from graph.packs.excerpts import collapse_whitespace
from graph.reasoning import DiagnoseQuery, Diagnoser
from tests.paths import KNEE_PACK, REPO

VIGNETTES = load_vignettes(DEFAULT_VIGNETTES_DIR)
IDS = [v.id for v in VIGNETTES]


@pytest.fixture(scope="module")
def graph() -> KnowledgeGraph:
    return KnowledgeGraph.from_packs([KNEE_PACK])


@pytest.fixture(scope="module")
def diagnoser(graph: KnowledgeGraph) -> Diagnoser:
    return Diagnoser(graph)


@pytest.fixture(scope="module")
def report(graph: KnowledgeGraph, diagnoser: Diagnoser) -> Report:
    return evaluate(graph, VIGNETTES, diagnoser)


def _describe(outcomes: list[Outcome]) -> str:
    lines = []
    for o in outcomes:
        top = ", ".join(
            f"#{c.rank} {c.cause} {c.probability:.3f}"
            for c in o.diagnosis.candidates
            if c.rank <= 3
        )
        lines.append(f"{o.vignette.id}: gold {list(o.vignette.gold)}; engine {top}")
    return "\n".join(lines)


# The set itself ----------------------------------------------------------------------------


def test_the_vignette_files_validate(graph: KnowledgeGraph) -> None:
    assert len(VIGNETTES) >= 44
    assert check_against_graph(VIGNETTES, graph) == []


def test_every_cause_is_gold_somewhere_and_both_triage_levels_occur(graph: KnowledgeGraph) -> None:
    gold = {c for v in VIGNETTES for c in v.gold}
    assert set(pack_causes(graph, "knee")) <= gold
    assert {v.gold_triage for v in VIGNETTES} == {"self_care", "seek_care"}
    assert any(v.exposures for v in VIGNETTES)
    assert any(not v.exposures for v in VIGNETTES)
    assert any(v.absent for v in VIGNETTES)
    assert any(v.absent_exposures for v in VIGNETTES)
    assert any(len(v.present) == 1 and not v.exposures for v in VIGNETTES)


def test_splits_are_balanced_within_each_theme() -> None:
    for path in sorted(DEFAULT_VIGNETTES_DIR.glob("*.yaml")):
        ids = {item["id"] for item in yaml.safe_load(path.read_text(encoding="utf-8"))}
        splits = Counter(v.split for v in VIGNETTES if v.id in ids)
        assert abs(splits["dev"] - splits["test"]) <= 1, (path.name, splits)


@pytest.mark.parametrize("vignette", VIGNETTES, ids=IDS)
def test_each_vignette_quotes_a_source_with_a_text(
    vignette: Vignette, graph: KnowledgeGraph
) -> None:
    assert graph.source(vignette.source).text_file is not None, vignette.source
    assert vignette.quote.strip()


def test_every_quote_is_verbatim(graph: KnowledgeGraph, source_texts: Path) -> None:
    """An excerpt check, the one vignette test that needs the source texts (../shared/seeds):
    without them it alone is skipped (a failure under CI=true), not the whole set."""
    texts: dict[str, str] = {}
    missing = []
    for vignette in VIGNETTES:
        text_file = graph.source(vignette.source).text_file
        assert text_file is not None, vignette.source
        if text_file not in texts:
            text = (source_texts / text_file).read_text(encoding="utf-8")
            texts[text_file] = collapse_whitespace(text)
        if collapse_whitespace(vignette.quote) not in texts[text_file]:
            missing.append(f"{vignette.id}: quote not found verbatim in {text_file}")
    assert missing == []


def _write(tmp_path: Path, name: str, items: list[dict[str, object]]) -> Path:
    folder = tmp_path / "vignettes"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(yaml.safe_dump(items, sort_keys=False), encoding="utf-8")
    return folder


def _raw(**change: object) -> dict[str, object]:
    item = VIGNETTES[0].model_dump(mode="json")
    item.update(change)
    return item


def test_an_unknown_field_is_named_with_its_file_and_id(tmp_path: Path) -> None:
    folder = _write(tmp_path, "bad.yaml", [_raw(id="one-case", golden=["cause:overuse"])])
    with pytest.raises(VignetteError, match=r"bad\.yaml: one-case: golden: Extra inputs"):
        load_vignettes(folder)


def test_bad_values_and_repeated_ids_are_all_reported(tmp_path: Path) -> None:
    folder = _write(
        tmp_path,
        "a.yaml",
        [_raw(id="same"), _raw(id="same"), _raw(id="odd", split="train", gold=[])],
    )
    with pytest.raises(VignetteError) as caught:
        load_vignettes(folder)
    message = str(caught.value)
    assert "a.yaml: same: id already used in a.yaml" in message
    assert "a.yaml: odd: split:" in message
    assert "a.yaml: odd: gold:" in message


def test_ids_of_the_wrong_kind_are_reported(graph: KnowledgeGraph) -> None:
    wrong = Vignette.model_validate(
        _raw(present=["cause:overuse"], exposures=["cause:nope"], absent=["cause:overuse"])
    )
    problems = check_against_graph([wrong], graph)
    assert f"{wrong.id}: present: cause:overuse is not a symptom id" in problems
    assert f"{wrong.id}: exposures: cause:nope is not a cause id" in problems


def test_a_missing_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(VignetteError, match="no vignette files"):
        load_vignettes(tmp_path / "none")
    assert main(["--vignettes", str(tmp_path / "none")]) == 2


# Metrics -----------------------------------------------------------------------------------


def test_calibration_error_compares_confidence_with_accuracy_per_bin() -> None:
    assert calibration_error([(0.9, True), (0.9, True)]) == pytest.approx(0.1)
    # bins [0.2, 0.3) and [0.9, 1.0]: |0.25 - 0| and |1.0 - 1| weighted by 1/2 each
    assert calibration_error([(0.25, False), (1.0, True)]) == pytest.approx(0.125)


def test_top1_needs_every_cause_sharing_rank_one_to_be_gold(
    report: Report, graph: KnowledgeGraph
) -> None:
    causes = pack_causes(graph, "knee")
    for o in report.outcomes:
        leaders = {c.cause for c in o.diagnosis.candidates if c.rank == 1}
        assert o.top1_hit == (leaders <= accepted_answers(graph, o.vignette.gold))
        # every cause is listed, so the Brier score covers all classes
        assert len(o.diagnosis.candidates) == len(causes)
        assert 0.0 <= o.brier <= 2.0


def test_a_kind_of_a_gold_cause_is_an_accepted_answer(graph: KnowledgeGraph) -> None:
    accepted = accepted_answers(graph, ["cause:nerve-irritation-or-injury"])
    assert accepted == {"cause:nerve-irritation-or-injury", "cause:nerve-compression"}
    assert accepted_answers(graph, ["cause:diuretics"]) == {"cause:diuretics"}


def test_the_command_prints_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--split", "dev"]) == 0
    out = capsys.readouterr().out
    assert "top-1" in out
    assert "Tie rate" in out
    assert "\ndev " in out
    assert "\ntest " not in out


# Targets (issue 9) --------------------------------------------------------------------------


def test_top1_is_at_least_90_percent(report: Report) -> None:
    m = metrics(report.outcomes)
    missed = [o for o in report.outcomes if not o.top1_hit]
    assert m.top1 >= 0.90, f"top-1 {m.top1:.3f}; missed:\n{_describe(missed)}"


def test_top3_is_100_percent(report: Report) -> None:
    missed = [o for o in report.outcomes if not o.top3_hit]
    assert not missed, f"top-3 missed:\n{_describe(missed)}"


def test_triage_is_100_percent_with_no_under_triage(report: Report) -> None:
    m = metrics(report.outcomes)
    wrong = [o.vignette.id for o in report.outcomes if not o.triage_ok]
    assert m.under_triage == 0, wrong
    assert m.triage == 1.0, wrong


def test_tie_rate_is_at_most_10_percent(report: Report) -> None:
    assert report.ties.queries == 16 + 120
    assert report.ties.tie_rate <= 0.10


def test_no_top3_candidate_recommends_nothing(report: Report) -> None:
    assert report.ties.empty_top3 == 0, report.ties.empty_causes
    assert report.ties.empty_leader == 0
    assert report.empty_in_vignettes == ()


# Determinism ----------------------------------------------------------------------------------


@pytest.mark.parametrize("vignette", VIGNETTES, ids=IDS)
def test_shuffled_evidence_gives_the_same_diagnosis(
    vignette: Vignette, diagnoser: Diagnoser, graph: KnowledgeGraph
) -> None:
    limit = len(pack_causes(graph, "knee"))
    expected = diagnoser.diagnose(query_for(vignette, limit))
    rng = random.Random(vignette.id)
    for _ in range(5):
        lists = [
            list(vignette.present),
            list(vignette.absent),
            list(vignette.exposures),
            list(vignette.absent_exposures),
        ]
        for items in lists:
            rng.shuffle(items)
        present, absent, exposures, absent_exposures = lists
        query = DiagnoseQuery.of(
            present=present,
            absent=absent,
            exposures=exposures,
            absent_exposures=absent_exposures,
            limit=limit,
        )
        assert Diagnoser(graph).diagnose(query) == expected


_DIGEST = """
from graph.evaluation.vignette_metrics import evaluate
from graph.evaluation.vignettes import DEFAULT_VIGNETTES_DIR, load_vignettes
from graph.knowledge import KnowledgeGraph
from tests.paths import KNEE_PACK, REPO
report = evaluate(KnowledgeGraph.from_packs([KNEE_PACK]), load_vignettes(DEFAULT_VIGNETTES_DIR))
for o in report.outcomes:
    print(o.vignette.id, [(c.cause, c.rank, c.probability.hex()) for c in o.diagnosis.candidates])
"""


def test_answers_do_not_depend_on_hash_seeds() -> None:
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", _DIGEST],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]
    assert outputs[0].count("\n") == len(VIGNETTES)
