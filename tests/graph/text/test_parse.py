"""The free-text parser: the sentence table's scores, negation scope, spans, packs, the route."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from graph.evaluation.parsing import (
    BEFORE_EVERYDAY,
    HELD_OUT,
    evaluate,
    load_sentences,
    main,
    per_tag,
)
from graph.knowledge import KnowledgeGraph
from graph.schema.vocabulary import NodeKind
from graph.text.parse import MAX_TEXT, MentionKind, PackParser, Parser, Polarity
from tests.paths import REPO as ROOT

KNEE = ROOT / "seeds" / "knee"
HPO = ROOT / "seeds" / "hpo-sample"


@pytest.fixture(scope="module")
def parser() -> Parser:
    return Parser(KnowledgeGraph.from_packs([KNEE, HPO]))


def found(parser: Parser, text: str) -> dict[str, str]:
    _, mentions = parser.parse(text, "knee")
    return {m.node_id: m.polarity.value for m in mentions}


def test_sentence_table_scores(parser: Parser) -> None:
    sentences = load_sentences()
    assert len(sentences) >= 60
    tags = {t for s in sentences for t in s.tags}
    assert {"present", "absent", "exposure", "typo", "none"} <= tags
    # The held-out sentences are measured (make eval), not held to a bar: nothing is tuned
    # to them.
    report = evaluate(parser, sentences[:-HELD_OUT])
    assert report.precision >= 0.9, report.failures
    assert report.recall >= 0.9, report.failures
    assert report.negated >= 20
    # The everyday sentences negate what no phrase names ("Balance is ok."): the table before
    # them keeps its bar, the rest a lower one.
    assert report.negation_accuracy >= 0.9, report.failures
    before = evaluate(parser, sentences[:BEFORE_EVERYDAY])
    assert before.negation_accuracy >= 0.95, before.failures


def test_everyday_wording_classes_score(parser: Parser) -> None:
    """Issue 22: a paraphrase, an activity, a level read through the knee lexicon. A named
    medicine has no source to map it, so its class scores lower and is held to less. The
    level class is held to 0.80 since round eleven (0.814 after its fixes): its blind misses
    are potassium, sodium and salt (no source names them as electrolytes) and amounts of
    water ("300 ml a day": no source sets a threshold), which stay unread."""
    sentences = load_sentences()
    assert len(sentences) >= 150
    tags = per_tag(parser, sentences[:-HELD_OUT])
    for tag, recall in (("paraphrase", 0.8), ("activity", 0.8), ("level", 0.8), ("medicine", 0.6)):
        assert tags[tag].sentences >= 10, tag
        assert tags[tag].precision >= 0.95, (tag, tags[tag].failures)
        assert tags[tag].recall >= recall, (tag, tags[tag].failures)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I keep losing my balance.", {"symptom:trouble-balancing": "present"}),
        ("My vitamin D levels are really low.", {"cause:vitamin-d-deficiency": "present"}),
        ("my magnesium is not low", {"cause:magnesium-deficiency": "absent"}),
        # A qualifier whose variant root differs from its lemma ("deficient" has
        # "deficiencies" in FastHPOCR's clusters): pairs are read by lemmas.
        ("My magnesium is deficient.", {"cause:magnesium-deficiency": "present"}),
        ("Loads of squats at the gym today.", {"cause:overuse": "present"}),
        ("I run twice a week.", {}),  # an activity alone is no overuse
        # Issue 22, fifth round: lexicon words, each backed by an excerpt.
        (
            "Not swollen. Not hot to the touch.",
            {"symptom:swelling": "absent", "symptom:warmth": "absent"},
        ),
        ("It's been really hot this week.", {}),  # the weather, not the knee
        ("I can't tell if it moves.", {}),  # not how far it moves
        ("the muscle is rippling under the skin", {"symptom:visible-twitching": "present"}),
        ("I could barely move it this morning.", {"symptom:limited-range-of-motion": "present"}),
        ("Food went down the wrong pipe.", {"symptom:difficulty-swallowing": "present"}),
        ("I don't drink much, mostly tea.", {"cause:dehydration": "present"}),
        ("I take a multivitamin.", {"cause:medications-and-supplements": "present"}),
        ("Nothing wrong with my balance.", {"symptom:trouble-balancing": "absent"}),
        # Heads joined under one qualifier share it, and its status; a clause joined by "and
        # my" is another clause.
        (
            "Nothing wrong with my balance or my speech.",
            {"symptom:trouble-balancing": "absent", "symptom:difficulty-speaking": "absent"},
        ),
        (
            "My calcium and magnesium are not low.",
            {"cause:calcium-deficiency": "absent", "cause:magnesium-deficiency": "absent"},
        ),
        (
            "Maybe my calcium and magnesium are low",
            {"cause:calcium-deficiency": "uncertain", "cause:magnesium-deficiency": "uncertain"},
        ),
        # The calcium taken is a supplement, not low: only the magnesium is.
        (
            "I take calcium and my magnesium is low.",
            {
                "cause:medications-and-supplements": "present",
                "cause:magnesium-deficiency": "present",
            },
        ),
        # A distance says nothing of overuse: a mile to work is routine.
        ("I walk a mile to work every day.", {}),
        ("I walk to work.", {}),
        # A level or a function stated as normal names the node as absent; "not fine" not.
        ("Blood test said my calcium is fine.", {"cause:calcium-deficiency": "absent"}),
        ("My magnesium levels were normal.", {"cause:magnesium-deficiency": "absent"}),
        ("My calcium is not fine.", {"cause:calcium-deficiency": "present"}),
        ("Swallowing is fine.", {"symptom:difficulty-swallowing": "absent"}),
        ("Swallowing isn't normal anymore.", {"symptom:difficulty-swallowing": "present"}),
        ("I swallow pills every morning.", {}),  # a function alone is no difficulty
        ("I can't fully straighten my leg.", {"symptom:limited-range-of-motion": "present"}),
        ("I choke on my food sometimes.", {"symptom:difficulty-swallowing": "present"}),
        # A nutrient taken is a supplement, and no deficiency; named alone, nothing.
        ("I take vitamin D.", {"cause:medications-and-supplements": "present"}),
        ("My vitamin D.", {}),
        ("My electrolytes were low after being ill.", {"cause:electrolyte-imbalance": "present"}),
        ("Electrolytes came back normal.", {"cause:electrolyte-imbalance": "absent"}),
        # Tired muscles are muscle fatigue; a tired person is not.
        ("My legs feel tired and worn out.", {"cause:muscle-fatigue": "present"}),
        ("I'm tired all the time.", {}),
        # Activities the articles do not name, done hard or long; done at all, nothing.
        ("Loads of yoga this week.", {"cause:overuse": "present"}),
        ("Dancing all night at a wedding.", {"cause:overuse": "present"}),
        ("I do yoga.", {}),
        # How often alone is routine exercise, not overuse (the lexicon's reason says so).
        ("I run three times a week.", {}),
        ("I walk daily.", {}),
        # A brand the FDA list files under the US name of an ATC medicine (Hygroton:
        # "chlorthalidone", ATC's chlortalidone) is one; a hormone level is no medicine of a
        # class (named generics and brands are tests/graph/text/test_medicines.py's).
        ("I'm taking Hygroton.", {"cause:diuretics": "present"}),
        ("My cortisol levels are high.", {}),
        # An activity the writer does not do is overuse absent (the record's
        # `absent_when_negated`); a head of a record without it stays silent when negated.
        ("I haven't exercised in weeks.", {"cause:overuse": "absent"}),
        ("I don't run.", {"cause:overuse": "absent"}),
        (
            "Not running at the moment, my knee still twitches.",
            {"cause:overuse": "absent", "symptom:visible-twitching": "present"},
        ),
        ("I've had no vitamin D test.", {}),
        # The negation is the symptom's: it says nothing of walking.
        ("No pain when I walk.", {"symptom:pain-or-discomfort": "absent"}),
        # A pair's qualifier still wins over the head alone: one pair, not a lone head.
        ("I'm training for a triathlon.", {"cause:overuse": "present"}),
        # Round seven. A qualifier whose form is its meaning is matched as written: hours
        # are long, an hour is not.
        ("I walk the dog for an hour.", {}),
        ("Walked the dog for hours.", {"cause:overuse": "present"}),
        # A compound names the medicine's use ("qualifier_first"); after the tablets named
        # already, it says what they are for.
        ("I'm on blood pressure tablets.", {"cause:medications-and-supplements": "present"}),
        ("Taking diuretic tablets for my heart.", {"cause:diuretics": "present"}),
        # "Until" keeps a head from a qualifier beyond it.
        ("My knee is fine until I bend it.", {}),
        ("I can bend and straighten it fine.", {"symptom:limited-range-of-motion": "absent"}),
        # A reason about the writer reaches the head before it, unless a head follows.
        (
            "I take vitamin D because I'm low.",
            {
                "cause:medications-and-supplements": "present",
                "cause:vitamin-d-deficiency": "present",
            },
        ),
        (
            "I take calcium because I'm low on magnesium.",
            {
                "cause:medications-and-supplements": "present",
                "cause:magnesium-deficiency": "present",
            },
        ),
        # A hot knee, not hot weather.
        ("The knee was hot after.", {"symptom:warmth": "present"}),
        ("A hot bath helps my knee.", {}),
        # Two forms of one word in two variant clusters ("tablet", "tablets") meet one phrase.
        ("I take a water tablet.", {"cause:diuretics": "present"}),
        # Worse than before is worsening; worse at a time of day is not.
        ("If anything it's worse now.", {"symptom:persistent-or-worsening": "present"}),
        ("It's worse at night.", {}),
        # An endurance race run; the race alone is nothing.
        ("Ran a half marathon on Sunday.", {"cause:overuse": "present"}),
        ("Watching the marathon on TV.", {}),
    ],
)
def test_everyday_words_map_only_where_the_lexicon_says(
    parser: Parser, text: str, expected: dict[str, str]
) -> None:
    assert found(parser, text) == expected


def test_eval_command_prints_the_scores(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    out = capsys.readouterr().out
    for label in ("precision", "recall", "negation accuracy", "dev sentences of round four"):
        assert label in out
    # The held-out sentences' misses are counted, never listed: reading them would tune to them.
    assert "held-out misses:" in out
    held_out = {repr(s.text) for s in load_sentences()[-HELD_OUT:]}
    listed = [
        line.split(": expected")[0].split("miss: ")[1]
        for line in out.splitlines()
        if "miss: " in line
    ]
    assert not held_out & set(listed)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("no swelling or redness", {"symptom:swelling": "absent", "symptom:redness": "absent"}),
        (
            "not painful, but it twitches",
            {"symptom:pain-or-discomfort": "absent", "symptom:visible-twitching": "present"},
        ),
        ("I don't think it's swollen", {"symptom:swelling": "absent"}),
        # The negation belongs to the phrase: dehydration is reported, not denied.
        ("I haven't been drinking much", {"cause:dehydration": "present"}),
        # A pseudo-trigger negates nothing.
        (
            "not only twitching but cramps",
            {"symptom:visible-twitching": "present", "symptom:severe-painful-cramps": "present"},
        ),
        # A negation never crosses a sentence end.
        (
            "No swelling. Twitching.",
            {"symptom:swelling": "absent", "symptom:visible-twitching": "present"},
        ),
        # Post-negation: "gone" looks back.
        ("the swelling is gone", {"symptom:swelling": "absent"}),
        (
            "the swelling, well it's gone but numbness",
            {"symptom:swelling": "absent", "symptom:numbness": "present"},
        ),
        ("", {}),
    ],
)
def test_negation_scope(parser: Parser, text: str, expected: dict[str, str]) -> None:
    assert found(parser, text) == expected


def test_longest_match_wins_and_spans_point_into_the_text(parser: Parser) -> None:
    text = "Bad muscle spasms and twiching"
    _, mentions = parser.parse(text, "knee")
    assert [(m.node_id, m.matched, m.typo) for m in mentions] == [
        ("symptom:involuntary-contractions", "muscle spasm", False),
        ("symptom:visible-twitching", "twitching", True),
    ]
    for m in mentions:
        assert text[m.start : m.end] == m.text


def test_exposures_are_causes(parser: Parser) -> None:
    _, mentions = parser.parse("I take water pills, after a long run", "knee")
    assert [(m.node_id, m.kind) for m in mentions] == [
        ("cause:diuretics", MentionKind.EXPOSURE),
        ("cause:overuse", MentionKind.EXPOSURE),
    ]


def test_text_is_capped(parser: Parser) -> None:
    text = "x " * MAX_TEXT + "twitching"
    assert found(parser, text) == {}


def test_pack_choice(parser: Parser) -> None:
    assert list(parser.packs) == ["knee", "hpo-sample"]
    # The knee pack is first: it wins a tie, and a text only it knows.
    assert parser.parse("hello")[0] == "knee"
    assert parser.parse("my knee twitches")[0] == "knee"
    pack, mentions = parser.parse("my knee twitches", "hpo-sample")
    assert pack == "hpo-sample"
    assert all(m.node_id.startswith(("symptom:hp-", "cause:")) for m in mentions)


def test_a_pack_with_the_most_mentions_wins() -> None:
    small = PackParser("a", [("symptom:x", "Ache", NodeKind.SYMPTOM, [])])
    big = PackParser("b", [("symptom:y", "Ache", NodeKind.SYMPTOM, ["Pain"])])
    mentions = big.parse("ache and pain")
    assert [m.polarity for m in mentions] == [Polarity.PRESENT, Polarity.PRESENT]
    assert len(small.parse("ache and pain")) == 1


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    settings = Settings(access_log=False, packs=[Path(KNEE), Path(HPO)])
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_parse_route(client: TestClient) -> None:
    text = "My knee keeps twitching after running, no swelling"
    response = client.post("/v1/parse", json={"text": text})
    assert response.status_code == 200
    body = response.json()
    assert body["pack"] == "knee"
    assert [(m["id"], m["kind"], m["status"]) for m in body["mentions"]] == [
        ("symptom:visible-twitching", "symptom", "present"),
        ("cause:overuse", "exposure", "present"),
        ("symptom:swelling", "symptom", "absent"),
    ]
    assert body["diagnose"] == {
        "present": ["symptom:visible-twitching"],
        "absent": ["symptom:swelling"],
        "exposures": ["cause:overuse"],
        "absent_exposures": [],
    }
    first = body["mentions"][0]
    assert text[first["start"] : first["end"]] == first["text"] == "twitching"
    # The lists go straight into diagnose.
    ranked = client.post("/v1/diagnose", json=body["diagnose"])
    assert ranked.status_code == 200


def test_parse_last_mention_decides(client: TestClient) -> None:
    body = client.post("/v1/parse", json={"text": "No swelling. Actually, swelling."}).json()
    assert body["diagnose"]["present"] == ["symptom:swelling"]
    assert body["diagnose"]["absent"] == []


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"text": "x" * (MAX_TEXT + 1)}, 422),
        ({"text": ""}, 422),
        ({"text": "twitching", "extra": 1}, 422),
        ({"text": "twitching", "pack": "nope"}, 422),
        ({"text": "twitching", "pack": "Not A Slug"}, 422),
    ],
)
def test_parse_rejects_bad_requests(
    client: TestClient, payload: dict[str, object], status: int
) -> None:
    response = client.post("/v1/parse", json=payload)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
