from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from graph.knowledge import KnowledgeGraph
from graph.packs.loader import load_content, read_packs
from graph.schema.errors import ContentError, Problem
from tests.graph.conftest import PackWriter


def problems_of(pack: Path) -> list[Problem]:
    with pytest.raises(ContentError) as info:
        load_content([pack])
    return info.value.problems


def test_tiny_pack_loads(write_pack: PackWriter) -> None:
    content = load_content([write_pack()])
    assert [p.record.id for p in content.packs] == ["tiny"]
    assert len(content.nodes) == 11
    assert len(content.edges) == 10
    assert content.nodes[0].file == "tiny/nodes/all.yaml"


def test_every_problem_is_reported_at_once(write_pack: PackWriter) -> None:
    def break_it(files: dict[str, Any]) -> None:
        nodes = files["nodes/all.yaml"]["nodes"]
        edges = files["edges/all.yaml"]["edges"]
        nodes.append(dict(nodes[1]))  # duplicate id cause:alpha
        nodes.append({"id": "organ:knee", "name": "knee", "description": "x"})  # unknown kind
        nodes.append({"id": "symptom:lonely", "name": "lonely", "description": "x"})  # no edges
        nodes[2] = {**nodes[2], "synonyms": ["Knee  Jolts"]}  # clashes with the condition
        edges[0] = {**edges[0], "predicate": "cures"}  # unknown predicate
        edges[1] = {**edges[1], "object": "symptom:missing"}  # dangling
        edges[2] = {**edges[2], "subject": "cause:alpha"}  # cause may not has_symptom
        edges[3] = {**edges[3], "evidence": []}  # no evidence
        edges[4] = {**edges[4], "evidence": [{"source": "source:nope", "excerpt": "x"}]}
        edges[5] = {**edges[5], "evidence": [{"source": "source:a", "excerpt": "y" * 301}]}
        edges.append({**edges[6]})  # duplicate triple

    problems = problems_of(write_pack(break_it))
    reasons = {(p.record, p.reason.split(" (")[0]) for p in problems}
    assert ("cause:alpha", "duplicate id") in reasons
    assert (
        "organ:knee",
        "id: Value error, unknown node kind 'organ'; expected one of condition, cause, symptom,"
        " diagnostic, treatment, prevention",
    ) in reasons
    assert ("symptom:lonely", "node has no edges") in reasons
    assert any(r == "cause:beta" and "'knee jolts'" in why for r, why in reasons)
    assert any(r == "cause:alpha cures symptom:jolts" and "predicate" in why for r, why in reasons)
    assert (
        "cause:beta|causes|symptom:missing",
        "refers to unknown node 'symptom:missing'",
    ) in reasons
    assert (
        "cause:alpha|has_symptom|symptom:ache",
        "a cause may not has_symptom a symptom",
    ) in reasons
    assert any(
        r == "condition:jolty-knee has_symptom symptom:jolts" and why.startswith("evidence:")
        for r, why in reasons
    )
    assert (
        "cause:beta-minor|subtype_of|cause:beta",
        "evidence cites unknown source 'source:nope'",
    ) in reasons
    assert any(r == "cause:gamma contributes_to cause:alpha" and "300" in why for r, why in reasons)
    assert ("cause:gamma|causes|symptom:tingle", "duplicate edge") in reasons
    assert all(p.file.startswith("tiny/") for p in problems)


def test_subtype_cycles_are_reported(write_pack: PackWriter) -> None:
    def cycle(files: dict[str, Any]) -> None:
        edges = files["edges/all.yaml"]["edges"]
        edges.append({**edges[4], "subject": "cause:beta", "object": "cause:beta-minor"})

    problems = problems_of(write_pack(cycle))
    assert [p.reason for p in problems] == [
        "subtype_of cycle: cause:beta -> cause:beta-minor -> cause:beta"
    ]


@pytest.mark.parametrize(
    ("rel", "text", "reason"),
    [
        ("pack.yaml", None, "required file is missing"),
        ("sources.yaml", "sources: [", "not valid YAML"),
        ("red_flags.yaml", "flags: []", "expected a mapping with a list under 'red_flags'"),
    ],
)
def test_file_level_problems(
    write_pack: PackWriter, rel: str, text: str | None, reason: str
) -> None:
    pack = write_pack()
    if text is None:
        (pack / rel).unlink()
    else:
        (pack / rel).write_text(text)
    _, problems = read_packs([pack])
    assert any(p.file == f"tiny/{rel}" and p.reason.startswith(reason) for p in problems)


def test_missing_pack_and_no_packs(tmp_path: Path) -> None:
    assert read_packs([])[1] == [Problem("-", "-", "no content pack given")]
    missing = tmp_path / "nope"
    assert read_packs([missing])[1] == [Problem(str(missing), "-", "pack folder does not exist")]


def test_edge_folders_must_hold_yaml(write_pack: PackWriter) -> None:
    pack = write_pack()
    (pack / "edges" / "all.yaml").unlink()
    _, problems = read_packs([pack])
    assert Problem("tiny/edges", "-", "no *.yaml files found") in problems


def test_inferred_edges_need_reasoning(write_pack: PackWriter) -> None:
    def infer(files: dict[str, Any]) -> None:
        files["edges/all.yaml"]["edges"][0]["inferred"] = True

    problems = problems_of(write_pack(infer))
    assert [(p.record, p.reason) for p in problems] == [
        (
            "cause:alpha causes symptom:jolts",
            "record: Value error, an inferred edge needs `reasoning` that says why it holds",
        )
    ]


def test_two_packs_merge_and_clash(write_pack: PackWriter) -> None:
    first = write_pack(name="one")
    second = write_pack(name="two")
    assert load_content([second]).packs[0].record.id == "tiny"  # a lone copy is valid
    with pytest.raises(ContentError) as info:
        KnowledgeGraph.from_packs([first, second])
    assert any(p.reason == "pack id is used twice" for p in info.value.problems)


def test_version_is_order_independent(write_pack: PackWriter) -> None:
    def reverse(files: dict[str, Any]) -> None:
        files["nodes/all.yaml"]["nodes"].reverse()
        files["edges/all.yaml"]["edges"].reverse()

    assert (
        KnowledgeGraph.from_packs([write_pack()]).version
        == KnowledgeGraph.from_packs([write_pack(reverse, name="other")]).version
    )
