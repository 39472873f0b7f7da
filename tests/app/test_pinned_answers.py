"""Diagnose answers pinned byte for byte: a sample of knee and HPO-sample queries (with absences,
exposures, explanations, limits, sex and age, and refusals), each answer's SHA-256 as the code
gave it before issue 23's work on the engine's glue. A change meant to be faster must leave
every one unchanged; a change meant to change answers rewrites the file:

    .venv/bin/python tests/app/test_pinned_answers.py --write

The graph version (the content's hash) is blanked first, so that content edits elsewhere in a
pack that leave the answers alone do not break the pins.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PINS = REPO / "tests" / "fixtures" / "pinned-answers.json"
PACKS = {"knee": REPO / "seeds" / "knee", "hpo-sample": REPO / "seeds" / "hpo-sample"}


def sample_bodies(pack: str) -> list[dict[str, object]]:
    """Queries over the pack's symptoms and causes, every optional field exercised."""
    from graph.knowledge import KnowledgeGraph
    from graph.schema.vocabulary import NodeKind

    graph = KnowledgeGraph.from_packs([PACKS[pack]])
    symptoms = [n.id for n in graph.nodes(NodeKind.SYMPTOM)]
    causes = [n.id for n in graph.nodes(NodeKind.CAUSE)]
    combos = [list(c) for size in (1, 2, 3) for c in itertools.combinations(symptoms[:12], size)]
    bodies: list[dict[str, object]] = []
    for i, present in enumerate(combos[::5]):
        others = [s for s in symptoms if s not in present]
        body: dict[str, object] = {"present": present}
        if i % 3 == 1:
            body["absent"] = others[i % len(others) : i % len(others) + 2]
        if i % 4 == 2:
            body["exposures"] = [causes[i % len(causes)]]
        if i % 5 == 3:
            body["absent_exposures"] = [causes[(i + 1) % len(causes)]]
        if i % 6 == 0:
            body["explain"] = True
        if i % 7 == 4:
            body["limit"] = 1 + i % 12
        if i % 8 == 5:
            body["sex"] = ("female", "male", "unknown")[i % 3]
        if i % 9 == 6:
            body["age"] = ("childhood", "adult", "infantile")[i % 3]
        bodies.append(body)
    bodies.append({"present": [symptoms[0]], "absent": [symptoms[0]]})  # both ways: refused
    return bodies


def answers(pack: str) -> list[tuple[str, str]]:
    """(body, SHA-256 of its answer or of its refusal's status and text) for each sample."""
    from app.problems import ProblemError
    from app.routers.reasoning import answer_diagnose
    from app.runtime import Runtime

    runtime = Runtime.load([PACKS[pack]], diagnose_cache_size=0)
    version = runtime.graph.version.encode()
    found = []
    for body in sample_bodies(pack):
        raw = json.dumps(body).encode()
        try:
            answer = answer_diagnose(runtime, raw, "application/json")
        except ProblemError as exc:
            answer = f"{exc.status}: {exc.detail}".encode()
        digest = hashlib.sha256(answer.replace(version, b"")).hexdigest()
        found.append((raw.decode(), digest))
    return found


@pytest.mark.parametrize("pack", sorted(PACKS))
def test_the_sampled_answers_are_byte_for_byte_as_pinned(pack: str) -> None:
    pinned = json.loads(PINS.read_text())[pack]
    found = answers(pack)
    assert [body for body, _ in found] == [body for body, _ in pinned]
    changed = [
        body for (body, digest), (_, was) in zip(found, pinned, strict=True) if digest != was
    ]
    assert changed == []


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    PINS.write_text(json.dumps({pack: answers(pack) for pack in sorted(PACKS)}, indent=1) + "\n")
