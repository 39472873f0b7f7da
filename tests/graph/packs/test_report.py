"""Issue 24 item 10: root causes first, and the references they left undefined folded."""

from __future__ import annotations

from pathlib import Path

from graph.packs.loader import read_packs
from graph.packs.report import root_causes_first
from graph.packs.validate import validate_content
from graph.schema.errors import Problem
from tests.graph.conftest import PackWriter


def report_lines(pack: Path) -> list[str]:
    content, problems = read_packs([pack])
    return root_causes_first(problems + validate_content(content)).lines()


def test_a_yaml_syntax_error_names_file_line_and_column_and_comes_first(
    write_pack: PackWriter,
) -> None:
    pack = write_pack()
    nodes = pack / "nodes" / "all.yaml"
    lines = nodes.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if "name:" in line)
    lines[at] += ": broken"  # `name: x: broken` is not YAML
    nodes.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = report_lines(pack)
    column = lines[at].rindex(": broken") + 1
    assert report[0] == (
        f"tiny/nodes/all.yaml: line {at + 1}, column {column}: "
        "not valid YAML: mapping values are not allowed here"
    )
    # Every edge of the pack now refers to a node of the unreadable file: none is listed.
    assert not any("refers to unknown node" in line for line in report)  # edges, red flags
    assert report[-1].startswith("... and 21 reference(s) to 11 id(s) the problems above")


def test_bad_utf8_names_its_line(write_pack: PackWriter) -> None:
    pack = write_pack()
    sources = pack / "sources.yaml"
    text = sources.read_bytes()
    assert b"title: A\n" in text
    sources.write_bytes(text.replace(b"title: A\n", b"title: A\xff\n"))
    line = text[: text.index(b"title: A")].count(b"\n") + 1
    report = report_lines(pack)
    assert report[0] == (
        f"tiny/sources.yaml: line {line}: not valid UTF-8: byte 0xff (invalid start byte)"
    )
    # The ids of the file are still found, so what cites them is folded.
    assert not any("unknown source" in line for line in report)


def test_a_broken_record_comes_before_what_it_caused(write_pack: PackWriter) -> None:
    def break_alpha(files: dict[str, object]) -> None:
        nodes = files["nodes/all.yaml"]["nodes"]  # type: ignore[index]
        alpha = next(n for n in nodes if n["id"] == "cause:alpha")
        alpha["synonyms"] = "not a list"

    report = report_lines(write_pack(break_alpha))
    assert report[0] == "tiny/nodes/all.yaml: cause:alpha: synonyms: Input should be a valid list"
    assert not any("unknown node 'cause:alpha'" in line for line in report)
    assert "cause:alpha (" in report[-1]


def test_a_missing_file_folds_every_reference_of_its_kind(write_pack: PackWriter) -> None:
    pack = write_pack()
    (pack / "sources.yaml").unlink()
    report = report_lines(pack)
    assert report[0] == "tiny/sources.yaml: -: required file is missing"
    assert len(report) == 2
    assert report[1].startswith("... and ")
    assert "source:" in report[1]


def test_only_ids_a_root_cause_lost_are_folded() -> None:
    lost_record = Problem("p/nodes/a.yaml", "cause:a", "name: Field required", True, frozenset({"cause:a"}))  # fmt: skip
    duplicate = Problem("p/nodes/b.yaml", "cause:b", "duplicate id (first defined in x)", True)
    follows = Problem(
        "p/edges/e.yaml", "e1", "refers to unknown node 'cause:a'", refers_to="cause:a"
    )
    typo = Problem(
        "a/edges/e.yaml", "e2", "refers to unknown node 'cause:typo'", refers_to="cause:typo"
    )
    other = Problem("a/edges/e.yaml", "e3", "a cause may not treat a symptom")
    report = root_causes_first([typo, follows, other, duplicate, lost_record])
    assert report.roots == [lost_record, duplicate]  # each group sorted
    assert report.others == [typo, other]  # a reference no root cause explains stays
    assert dict(report.folded) == {"cause:a": 1}
    assert report.count == 5
    assert report.lines()[-1] == (
        "... and 1 reference(s) to 1 id(s) the problems above left undefined, not listed: "
        "cause:a (1)"
    )


def test_a_wildcard_folds_the_ids_of_its_kind_only() -> None:
    missing = Problem("p/sources.yaml", "-", "required file is missing", True, frozenset({"source:*"}))  # fmt: skip
    source = Problem("p/e.yaml", "e", "evidence cites unknown source 'source:x'", refers_to="source:x")  # fmt: skip
    node = Problem("p/e.yaml", "e", "refers to unknown node 'cause:x'", refers_to="cause:x")
    report = root_causes_first([missing, source, node])
    assert report.others == [node]
    assert dict(report.folded) == {"source:x": 1}


def test_nodes_an_unreadable_edges_file_leaves_bare_are_folded(write_pack: PackWriter) -> None:
    pack = write_pack()
    edges = pack / "edges" / "all.yaml"
    edges.write_text(edges.read_text(encoding="utf-8") + "  - subject: [unclosed\n")
    report = report_lines(pack)
    assert report[0].startswith("tiny/edges/all.yaml: line ")
    assert not any("node has no edges" in line for line in report)
    assert report[-1].startswith("... and ")
    assert "node(s) left with no edges by the edges the problems above dropped" in report[-1]


def test_a_broken_edge_folds_only_the_nodes_it_left_bare(write_pack: PackWriter) -> None:
    def break_edges(files: dict[str, object]) -> None:
        edges = files["edges/all.yaml"]["edges"]  # type: ignore[index]
        for edge in edges:
            edge["predicate"] = "not_a_predicate"

    def add_bare_node(files: dict[str, object]) -> None:
        break_edges(files)
        nodes = files["nodes/all.yaml"]["nodes"]  # type: ignore[index]
        nodes.append({**nodes[2], "id": "cause:never-linked", "name": "Never linked"})

    folded = report_lines(write_pack(break_edges))
    assert not any("node has no edges" in line for line in folded)
    # A node no dropped edge named is still its own problem.
    report = report_lines(write_pack(add_bare_node, name="tiny"))
    assert "tiny/nodes/all.yaml: cause:never-linked: node has no edges" in report


def test_an_orphan_no_root_cause_explains_stays_listed() -> None:
    orphan = Problem("p/nodes/a.yaml", "cause:a", "node has no edges", refers_to="edges:cause:a")
    dropped = Problem("p/edges/e.yaml", "e1", "predicate: bad", True, frozenset({"edges:cause:b"}))
    report = root_causes_first([orphan, dropped])
    assert report.others == [orphan]
    assert not report.folded
