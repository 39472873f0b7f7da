"""Long text: 20,000-character notes in one request, with the costly steps bounded (typo
look-ups, noun rules), the same reading as before, and the body limits that let it through."""

from __future__ import annotations

import json
import random
import string
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

import graph.text.parse as parse_module
import graph.text.tokens as tokens_module
from app.hardening import MAX_JSON_VALUES, _separators
from app.main import create_app
from app.settings import Settings
from graph.evaluation.parsing import load_sentences
from graph.knowledge import KnowledgeGraph
from graph.text.parse import MAX_REPAIRS, MAX_TEXT, PackParser, Parser
from graph.text.tokens import kept_prefix, noun_lemma
from tests.paths import REPO

KNEE = REPO / "seeds" / "knee"
HPO = REPO / "seeds" / "hpo-sample"


def made_up(seed: int, size: int = MAX_TEXT) -> str:
    rng = random.Random(seed)
    words = (
        "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 11)))
        for _ in range(size)
    )
    return " ".join(words)[:size]


@pytest.fixture(scope="module")
def parser() -> Parser:
    return Parser(KnowledgeGraph.from_packs([KNEE, HPO]))


def counting(monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> list[object]:
    calls: list[object] = []
    real: Callable[..., Any] = getattr(owner, name)

    def wrapper(*args: object, **kwargs: object) -> object:
        calls.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, wrapper)
    return calls


def test_a_note_of_20000_characters_is_read_to_its_end(parser: Parser) -> None:
    assert MAX_TEXT >= 20_000
    filler = "The patient was seen again, and the examination was repeated. "
    text = (filler * (MAX_TEXT // len(filler)))[: MAX_TEXT - 40] + " Her knee is swollen."
    assert len(text) <= MAX_TEXT
    _, mentions = parser.parse(text, "knee")
    assert [(m.node_id, m.start > 19_000) for m in mentions] == [("symptom:swelling", True)]


@pytest.mark.parametrize("pack", ["knee", "hpo-sample"])
def test_made_up_words_cost_at_most_max_repairs_typo_lookups(
    parser: Parser, pack: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    lookups = counting(monkeypatch, parse_module.process, "extractOne")
    parser.parse(made_up(seed=len(pack)), pack)
    # Before the bound, every unknown word of 5+ letters was looked up (about 1,700 here).
    assert 0 < len(lookups) <= MAX_REPAIRS


def test_the_first_unknown_words_are_still_repaired(parser: Parser) -> None:
    _, mentions = parser.parse("my knee is twiching", "knee")
    assert [(m.node_id, m.typo) for m in mentions] == [("symptom:visible-twitching", True)]


def test_noun_rules_run_only_where_the_pack_could_know_the_lemma(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pack = PackParser("t", [("symptom:h", "Retinal hamartoma", parse_module.NodeKind.SYMPTOM, [])])
    calls = counting(monkeypatch, tokens_module, "noun_lemma")
    found = pack.parse("zqxvbs qwplmtis and retinal hamartomas")
    assert [m.text for m in found] == ["retinal hamartomas"]
    assert calls == ["hamartomas"]


def test_kept_prefix_is_kept_by_the_noun_rules() -> None:
    rng = random.Random(3)
    for _ in range(2000):
        stem = "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(2, 10)))
        word = stem + rng.choice(["s", "es", "ies", "i", "ae", "ices", "ves", "ses"])
        assert noun_lemma(word).startswith(kept_prefix(word)), word


def test_the_prefix_filter_changes_no_reading(
    parser: Parser, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = [s.text for s in load_sentences()] + [
        "Multiple nevi, retinal hamartomas, odontogenic keratocysts and palmar pits.",
        made_up(seed=11, size=3000),
    ]
    for pack in parser.packs.values():
        filtered = [pack.parse(t) for t in texts]
        monkeypatch.setattr(pack, "_prefixes", None)
        monkeypatch.setattr(pack, "_seen", {})  # the words already read, read again
        assert [pack.parse(t) for t in texts] == filtered
        monkeypatch.undo()


def test_the_word_table_is_bounded_and_changes_no_reading(
    parser: Parser, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = [s.text for s in load_sentences()] + ["My knee is twiching. Twiching again."]
    pack = parser.packs["knee"]
    read = [pack.parse(t) for t in texts]
    monkeypatch.setattr(parse_module, "MAX_SEEN", 8)
    monkeypatch.setattr(pack, "_seen", {})
    monkeypatch.setattr(pack, "_repairs", {})
    assert [pack.parse(t) for t in texts] == read
    assert 0 < len(pack._seen) <= 8
    assert 0 < len(pack._repairs) <= 8


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    settings = Settings(access_log=False, packs=[Path(KNEE), Path(HPO)])
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_a_long_note_with_thousands_of_commas_is_one_request(client: TestClient) -> None:
    text = ("seen, examined, reassured, " * 800)[: MAX_TEXT - 30] + " No swelling but some redness."
    assert text.count(",") > MAX_JSON_VALUES
    response = client.post("/v1/parse", json={"text": text, "pack": "knee"})
    assert response.status_code == 200, response.text
    assert response.json()["diagnose"]["absent"] == ["symptom:swelling"]
    assert response.json()["diagnose"]["present"] == ["symptom:redness"]


def test_a_note_with_every_character_escaped_fits_the_body_limit(client: TestClient) -> None:
    body = json.dumps({"text": "é" * MAX_TEXT})  # ensure_ascii: 6 bytes a character
    assert len(body) > 64 * 1024
    response = client.post("/v1/parse", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 200, response.text


def test_a_note_over_the_cap_is_a_problem(client: TestClient) -> None:
    response = client.post("/v1/parse", json={"text": "a" * (MAX_TEXT + 1)})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")


def test_commas_inside_strings_are_not_json_values() -> None:
    assert _separators(json.dumps({"text": "a, " * 5000}).encode()) == 0
    assert _separators(json.dumps(["a,b"] * 1500).encode()) == 1499
    # An escaped quote does not close a string; an unclosed one runs to the end.
    assert _separators(b'["x", "' + b'\\",' * 3000 + b'"]') == 1
    assert _separators(b'["x", "' + b"a," * 3000 + b"\\") == 1
