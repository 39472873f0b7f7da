"""The checker's wording per pack: the manifest's where given, derived from content where not."""

from __future__ import annotations

from dataclasses import astuple
from typing import Any

from graph.knowledge import KnowledgeGraph
from graph.knowledge.presentation import presentation
from graph.packs.loader import read_packs
from graph.packs.validate import validate_content
from graph.schema.presentation import Audience, CheckerWording
from graph.schema.vocabulary import NodeKind
from graph.text.parse import Parser
from tests.graph.conftest import PackWriter
from tests.paths import REPO

SEEDS = REPO / "seeds"


def test_a_silent_manifest_gets_wording_from_the_content(tiny: KnowledgeGraph) -> None:
    wording = presentation(tiny, tiny.packs[0])
    assert wording.title == "Tiny"
    assert wording.audience is Audience.PUBLIC
    assert wording.prompt == "What do you notice?"
    # The condition shows two symptoms, more than any cause; jolts are shown most often.
    assert wording.example == "ache and jolts"
    assert wording.search_example == "jolts"
    assert wording.sources == "the cited articles"
    assert (wording.causes, wording.finding) == ("causes", "symptom")
    assert "possible causes from the cited articles" in wording.intro
    assert wording.start == "condition:jolty-knee"
    assert wording.red_flags == 1


def test_the_manifest_wins_where_it_speaks(write_pack: PackWriter) -> None:
    def speak(files: dict[str, Any]) -> None:
        files["pack.yaml"]["checker"] = {
            "audience": "clinician",
            "title": "Jolt clinic",
            "causes": "disorders",
            "finding": "sign",
            "start": "cause:gamma",
        }

    graph = KnowledgeGraph.from_packs([write_pack(speak)])
    wording = presentation(graph, graph.packs[0])
    assert wording.title == "Jolt clinic"
    assert wording.prompt == "Clinical note"  # the clinician's default
    assert wording.start == "cause:gamma"
    assert "each sign it mentions" in wording.intro
    assert "possible disorders" in wording.intro
    assert wording.example == "ache and jolts"  # still derived


def test_without_a_condition_the_explorer_starts_at_the_richest_cause() -> None:
    graph = KnowledgeGraph.from_packs([SEEDS / "hpo-sample"])
    silent = graph.packs[0].model_copy(update={"checker": CheckerWording()})
    wording = presentation(graph, silent)
    assert wording.sources == "the cited databases"
    assert wording.audience is Audience.CLINICIAN  # databases, not articles for the public
    assert wording.prompt == "Clinical note"
    assert wording.title == graph.packs[0].title
    assert wording.start is not None
    assert graph.kind(wording.start) == "cause"
    shown = {e.object for e in graph.edges(subject=wording.start)}
    assert all(len(graph.edges(subject=c.id)) <= len(shown) for c in graph.nodes(NodeKind.CAUSE))
    assert wording.red_flags == 0
    # The derived example is text the pack's own parser reads.
    _, mentions = Parser(graph).parse(wording.example, "hpo-sample")
    assert len(mentions) >= 2


def test_each_pack_served_together_keeps_its_own_wording() -> None:
    graph = KnowledgeGraph.from_packs([SEEDS / "knee", SEEDS / "hpo-sample"])
    knee, hpo = (presentation(graph, pack) for pack in graph.packs)
    assert (knee.title, knee.sources, knee.start) == (
        "Knee symptom checker",
        "the articles",
        "condition:knee-twitching",
    )
    assert hpo.audience is Audience.CLINICIAN
    assert (hpo.causes, hpo.finding) == ("diseases", "phenotype")
    assert hpo.start is not None
    assert graph.pack_of[hpo.start] == "hpo-sample"
    assert knee.red_flags > 0
    assert hpo.red_flags == 0
    for wording, pack in ((knee, "knee"), (hpo, "hpo-sample")):
        _, mentions = Parser(graph).parse(wording.example, pack)
        assert mentions, wording.example
    assert "knee" not in " ".join(str(v) for v in astuple(hpo)).lower()


def test_a_start_node_outside_the_pack_fails_loudly(write_pack: PackWriter) -> None:
    def point_away(files: dict[str, Any]) -> None:
        files["pack.yaml"]["checker"] = {"start": "cause:nowhere"}

    content, problems = read_packs([write_pack(point_away)])
    found = [p for p in problems + validate_content(content) if p.record == "checker.start"]
    assert len(found) == 1
    assert "not a node of this pack" in found[0].reason
