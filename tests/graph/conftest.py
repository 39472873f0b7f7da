"""Tiny inline packs, written to disk so tests exercise the real loader."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from graph.knowledge import KnowledgeGraph

TEXT = "Alpha causes jolts. Beta brings the knee condition. Drink water to stop beta. Test d checks alpha."

EV = {"source": "source:a", "excerpt": "Alpha causes jolts."}


def _node(ident: str, **extra: Any) -> dict[str, Any]:
    return {"id": ident, "name": ident.split(":")[1].replace("-", " "), "description": "x", **extra}


def _edge(subject: str, predicate: str, obj: str, strength: float = 0.5) -> dict[str, Any]:
    return {
        "subject": subject,
        "predicate": predicate,
        "object": obj,
        "strength": strength,
        "evidence": [EV],
    }


TINY: dict[str, Any] = {
    "pack.yaml": {
        "id": "tiny",
        "title": "Tiny",
        "version": "1.0.0",
        "description": "A tiny pack for tests.",
        "attribution": "Test source A.",
        "licence": "MIT",
        "disclaimer": {"source": "source:a", "text": "Not medical advice."},
    },
    "sources.yaml": {
        "sources": [
            {"id": "source:a", "kind": "consumer_article", "title": "A", "text_file": "a.txt"}
        ]
    },
    "nodes/all.yaml": {
        "nodes": [
            _node("condition:jolty-knee", synonyms=["knee jolts"]),
            _node("cause:alpha", codes=[{"system": "ICD-10-CM", "code": "R25.3"}]),
            _node("cause:beta"),
            _node("cause:beta-minor"),
            _node("cause:gamma"),
            _node("symptom:jolts", question="Does your knee jolt?"),
            _node("symptom:ache", question="Does it ache?"),
            _node("symptom:tingle"),
            _node("diagnostic:test-d"),
            _node("treatment:water"),
            _node("prevention:rest"),
        ]
    },
    "edges/all.yaml": {
        "edges": [
            _edge("cause:alpha", "causes", "symptom:jolts", 0.7),
            _edge("cause:beta", "causes", "condition:jolty-knee", 0.5),
            _edge("condition:jolty-knee", "has_symptom", "symptom:ache", 0.8),
            _edge("condition:jolty-knee", "has_symptom", "symptom:jolts", 0.5),
            _edge("cause:beta-minor", "subtype_of", "cause:beta", 0.5),
            _edge("cause:gamma", "contributes_to", "cause:alpha", 0.5),
            _edge("cause:gamma", "causes", "symptom:tingle", 0.6),
            _edge("diagnostic:test-d", "evaluates", "cause:alpha"),
            _edge("treatment:water", "treats", "cause:beta"),
            _edge("prevention:rest", "prevents", "cause:beta"),
        ]
    },
    "red_flags.yaml": {
        "red_flags": [
            {
                "id": "red-flag:tingling",
                "name": "Tingling",
                "advice": "See a doctor.",
                "any_present": ["symptom:tingle"],
                "evidence": [EV],
            }
        ]
    },
}

PackWriter = Callable[..., Path]


@pytest.fixture
def write_pack(tmp_path: Path) -> PackWriter:
    """Write TINY (optionally edited by `change`) as a pack folder and its source text."""

    def write(change: Callable[[dict[str, Any]], None] | None = None, name: str = "tiny") -> Path:
        files = copy.deepcopy(TINY)
        if change is not None:
            change(files)
        pack = tmp_path / name
        for rel, data in files.items():
            path = pack / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            text = data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False)
            path.write_text(text, encoding="utf-8")
        (tmp_path / "texts").mkdir(exist_ok=True)
        (tmp_path / "texts" / "a.txt").write_text(TEXT, encoding="utf-8")
        return pack

    return write


@pytest.fixture
def tiny(write_pack: PackWriter) -> KnowledgeGraph:
    return KnowledgeGraph.from_packs([write_pack()])
