"""The loader, given malformed or hostile records, reports problems and never crashes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import networkx as nx
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.packs.loader import load_content, read_packs
from graph.packs.validate import validate_content
from graph.schema.errors import ContentError, Problem
from tests.graph.conftest import TINY

HOSTILE = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=40),
    st.integers(3000, 9000).map(lambda n: "é" * n),  # huge strings, cheap to draw
    st.sampled_from(["cause:alpha", "symptom:jolts", "../etc/passwd", "cause:\x00", "é:ü"]),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
records = st.dictionaries(
    st.sampled_from(["id", "name", "description", "synonyms", "codes", "subject", "predicate",
                     "object", "evidence", "strength", "inferred", "question", "junk"]),
    values,
    max_size=8,
)  # fmt: skip


def write(tmp: Path, files: dict[str, Any]) -> Path:
    pack = tmp / "pack"
    for rel, data in files.items():
        path = pack / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return pack


@HOSTILE
@given(bad_nodes=st.lists(records, max_size=4), bad_edges=st.lists(records, max_size=4))
def test_hostile_records_are_rejected_with_problems(
    tmp_path_factory: Any, bad_nodes: list[dict[str, Any]], bad_edges: list[dict[str, Any]]
) -> None:
    files = {**TINY}
    files["nodes/all.yaml"] = {"nodes": [*TINY["nodes/all.yaml"]["nodes"], *bad_nodes]}
    files["edges/bad.yaml"] = {"edges": bad_edges}
    pack = write(tmp_path_factory.mktemp("hostile"), files)
    content, problems = read_packs([pack])
    problems += validate_content(content)
    assert all(isinstance(p, Problem) and p.file and p.reason for p in problems)
    if not bad_nodes and not bad_edges:
        assert problems == []


@HOSTILE
@given(document=values)
def test_any_yaml_document_in_a_file_is_handled(tmp_path_factory: Any, document: Any) -> None:
    pack = write(tmp_path_factory.mktemp("doc"), {**TINY, "sources.yaml": document})
    # Without its sources the pack cannot stand: the disclaimer and evidence cite source:a.
    with pytest.raises(ContentError) as info:
        load_content([pack])
    assert all(p.file.startswith("pack/") for p in info.value.problems)
    assert any(p.file == "pack/sources.yaml" for p in info.value.problems)


@HOSTILE
@given(pairs=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), max_size=8))
def test_subtype_cycles_are_found_exactly(
    tmp_path_factory: Any, pairs: list[tuple[int, int]]
) -> None:
    nodes = [{"id": f"cause:c{i}", "name": f"c{i}", "description": "d"} for i in range(4)]
    evidence = [{"source": "source:a", "excerpt": "Alpha causes jolts."}]
    edges = [
        {"subject": f"cause:c{a}", "predicate": "subtype_of", "object": f"cause:c{b}",
         "evidence": evidence}
        for a, b in dict.fromkeys(pairs) if a != b
    ]  # fmt: skip
    links = [{"subject": f"cause:c{i}", "predicate": "causes", "object": "symptom:jolts",
              "evidence": evidence} for i in range(4)]  # fmt: skip
    files = {
        **TINY,
        "nodes/extra.yaml": {"nodes": nodes},
        "edges/extra.yaml": {"edges": edges + links},
    }
    pack = write(tmp_path_factory.mktemp("cycles"), files)
    content, problems = read_packs([pack])
    assert problems == []
    reported = [p for p in validate_content(content) if "cycle" in p.reason]
    graph = nx.DiGraph([(e["subject"], e["object"]) for e in edges])
    assert len(reported) == len(list(nx.simple_cycles(graph)))
