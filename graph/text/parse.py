"""Free text to graph mentions: what a person wrote, as present, absent or uncertain symptoms and
exposures, the patient's or a relative's.

Matching is a dictionary lookup of token n-grams over each pack's node names and synonyms,
word by word on lemmas (graph/text/tokens.py: "twitches" meets "twitching", "nevi" meets
"nevus"). A multi-word phrase is also found with its words in another order and with "of",
"the", "a", "an" or "in" added or dropped ("calcification of the falx cerebri" meets
"Calcification of falx cerebri"), unless two nodes share those words; a lone word joined by
"and"/"or" to a phrase's first word is tried with the phrase's other words ("palmar and
plantar pits" names palmar pits too). Typo repair by
rapidfuzz mends words that neither the pack nor an English dictionary knows. Overlapping
candidates resolve to the longest match. A pack's lexicon adds everyday phrases, and heads
that name a node beside a qualifier ("my vitamin D is low": graph/text/pairs.py). Context follows ConText (Harkema et al., 2009), after
NegEx (graph/text/context.py): a negated mention is absent; a hedged one ("maybe", "might be",
"not sure if") or one only in the past ("used to") is uncertain; one about a relative ("my
mother has MS", "family history of ...") is marked as the family's, not the patient's. A cue
inside a matched phrase belongs to the phrase ("haven't been drinking much" names dehydration;
it does not negate it).

Everything is built once per graph; a request costs time linear in its (capped) length.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from rapidfuzz import fuzz, process

from graph.knowledge import KnowledgeGraph
from graph.schema.vocabulary import NodeKind
from graph.text.abbreviations import defined_after, written_as
from graph.text.context import STRESS, Context, answer, contexts, negated_within
from graph.text.coreference import coreferents, list_taken_up
from graph.text.medicines import atc_table, medicine_terms
from graph.text.pairs import PairIndex, PairRule
from graph.text.tokens import TEXTSPEAK, TOKEN, Token, is_word, lemma, lowered, text_lemma
from graph.text.variants import variant_roots

__all__ = [
    "MAX_NGRAM",
    "MAX_REPAIRS",
    "MAX_TEXT",
    "Experiencer",
    "Mention",
    "MentionKind",
    "PackParser",
    "Parser",
    "Polarity",
]

MAX_TEXT = 20_000  # characters a request may send: a long clinical note
MAX_NGRAM = 8  # longest phrase, in tokens, the matcher looks up
TYPO_CUTOFF = 80.0  # rapidfuzz ratio below which a word is a different word, not a typo
MIN_TYPO_LENGTH = 5  # shorter words are too easily another real word
# Typo look-ups a request may make (each scores a few hundred pack words): the first this many
# unknown words are looked up, the rest kept as written. A 20,000-character case report of
# the JAX set needs at most 115; a flood of made-up words stops costing here.
MAX_REPAIRS = 128
MAX_SEEN = 1 << 16  # words whose lemma and stem a parser keeps
MAX_CONJUNCTS = 6  # words coordinated with one phrase that are tried with its other words

# An emoji closes what it follows, as a full stop would: "No swelling 🙏 bit stiff".
# A cross mark is no end: it answers what it follows ("swelling ❌", graph/text/context.py).
_SENTENCE_END = re.compile(r"[.!?;\n\u2600-\u2715\u2719-\u274b\u274d-\u27bf\U0001f300-\U0001faff]")
MAX_ANSWER = 40  # characters a sentence that only answers the question before it may have
# Words that a change of word order adds or drops ("calcification of the falx cerebri" is
# "falx cerebri calcification"): left out of the word-order-free keys.
_FILLER = frozenset({"of", "the", "a", "an", "in"})
_JOINS = frozenset({"and", "or"})
# A speaker's label at a sentence's start in a pasted chat or transcript ("Bot: ...").
_TURN_LABEL = re.compile(r"\s*([A-Za-z]+)\s*:")
# The names a pasted chat gives its assistant.
_ASSISTANTS = frozenset(
    {"assistant", "bot", "chatbot", "chatgpt", "gpt", "ai", "copilot", "gemini", "claude"}
)
# The writer speaking of themselves, which an assistant's sentence does not.
_WRITER_SPEAKS = re.compile(r"(?i)\b(?:my|i|i'm|i've|im|ive)\b")
# A level code: a vertebra or its segment ("C5", "T12", "L5", "S4").
_LEVEL = re.compile(r"[ctls]\d{1,2}")
# Words that only say how far a finding is spread, which a term's name may start with where
# the ontology has no term without them ("Localized skin lesion", "Generalized
# hypopigmentation"): the rest of such a name names the term too, unless it names another
# node or two such names share it. Not how often ("Recurrent infections"): one infection is
# not recurrent.
_SPREAD = frozenset(
    {"localized", "localised", "generalized", "generalised", "diffuse", "widespread"}
)
# Words that say how far a finding spreads, the spread words' opposites among them: one of
# these before a name met without its own spread word says it is spread otherwise.
_SPREAD_CONTRASTS = _SPREAD | {
    *("focal", "patchy", "segmental", "limited", "partial", "regional", "circumscribed"),
    *("multifocal", "local"),
}
# Fixed phrases whose words name nothing, though one of them alone may: a drink, a team, a
# warning sign ("red flags"), a series ("a run of night shifts"). Read as written; their
# words are kept from every match.
_IDIOMS = frozenset(
    {
        *(("red", noun) for noun in ("wine", "meat", "card", "flag", "flags", "tape", "carpet")),
        *(("red", noun) for noun in ("bull", "team", "light", "lights", "cross")),
        ("run", "of"),
        # The weather: "it feels warm out today".
        *((word, place) for word in ("warm", "hot") for place in ("out", "outside")),
    }
)
_IDIOM_FIRSTS = frozenset(first for first, _ in _IDIOMS)
# Pronouns and question words with "'s", kept whole: "it's" is a qualifier of its own ("it's
# warm"), where a noun's "'s" is read as the noun ("pain's no better").
_IS_CONTRACTIONS = frozenset(
    f"{w}'s" for w in ("it", "that", "what", "there", "here", "he", "she", "who", "where", "how")
)
# Words that only stress what they stand in, read through inside a phrase: "haven't really
# been drinking enough" is the phrase "haven't been drinking enough"; and words that say only
# how often, "knee sometimes jumps" is "knee jumps".
_STRESS = frozenset(
    {*STRESS, "very", "sometimes", "often", "always", "occasionally", "usually", "constantly"}
)
# The labels after "Figure", "Fig.", "Table" or "Appendix": "S3", "1, S1 and S3", "S2-S4".
_LABELS = re.compile(
    r"\b(?:fig(?:ure)?s?|tables?|appendix)\.?\s+"
    r"((?:[a-z]{0,2}\d+[a-z]?)(?:\s*(?:,|-|and|to)\s*[a-z]{0,2}\d+[a-z]?)*)",
    re.IGNORECASE,
)


class Polarity(StrEnum):
    PRESENT = "present"
    ABSENT = "absent"
    UNCERTAIN = "uncertain"  # hedged ("maybe", "not sure if") or only in the past ("used to")


class Experiencer(StrEnum):
    """Whose the mention is, after ConText's experiencer."""

    PATIENT = "patient"
    FAMILY = "family"  # a relative's: "my mother has MS", "family history of deafness"


class MentionKind(StrEnum):
    SYMPTOM = "symptom"
    EXPOSURE = "exposure"  # a cause the person reports as applying to them


@dataclass(frozen=True, slots=True)
class Mention:
    node_id: str
    name: str
    kind: MentionKind
    polarity: Polarity
    start: int  # character offsets into the text, [start, end)
    end: int
    text: str  # the text as written
    matched: str  # the name or synonym it matched, as written in the content
    typo: bool  # matched only after repairing a misspelt word
    experiencer: Experiencer = Experiencer.PATIENT


@dataclass(frozen=True, slots=True)
class _Entry:
    node_id: str
    name: str
    kind: MentionKind
    matched: str


def _bag(lemmas: Sequence[str]) -> tuple[str, ...]:
    """A phrase's words in a fixed order, fillers and commas left out: the key that ignores
    word order. Without the commas, an inverted name ("Otitis media, chronic", "Intellectual
    disability, severe") meets its words in the order a text writes them."""
    return tuple(sorted(t for t in lemmas if t not in _FILLER and t != ","))


def _mention_kind(kind: NodeKind) -> MentionKind:
    return MentionKind.SYMPTOM if kind is NodeKind.SYMPTOM else MentionKind.EXPOSURE


def _unqualified(
    phrases: Iterable[tuple[str, str, NodeKind, str, list[str]]],
    lemmas: Mapping[str, str],
    stems: Mapping[str, str],
) -> dict[tuple[str, ...], _Entry]:
    """The key of each name or synonym without its first word, where that word only says how
    far the finding is spread (and is no part of a hyphenated compound, "Generalized-onset"),
    keyed as `_read` keys a phrase; a key two nodes' phrases give is left out."""
    found: dict[tuple[str, ...], _Entry | None] = {}
    for node_id, name, kind, phrase, raws in phrases:
        if not 1 < len(raws) <= MAX_NGRAM or raws[0] not in _SPREAD:
            continue
        if not lowered(phrase)[len(raws[0]) :].startswith(" "):
            continue
        rest = raws[1:]
        key = tuple(stems[raw] for raw in rest) if len(rest) > 1 else (lemmas[rest[0]],)
        new = _Entry(node_id, name, _mention_kind(kind), phrase)
        held = found.setdefault(key, new)
        if held is not None and held.node_id != node_id:
            found[key] = None
    return {key: entry for key, entry in found.items() if entry is not None}


def _new_line(text: str, start: int, end: int) -> bool:
    """Whether the sentence text[start:end] starts a new line."""
    if start > 0 and text[start - 1] == "\n":
        return True
    segment = text[start:end]
    return "\n" in segment[: len(segment) - len(segment.lstrip())]


def _spread_denied(tokens: Sequence[Token], i: int, entry: _Entry) -> bool:
    """Whether a match at `i` of a name met without its spread word ("Generalized
    hypopigmentation" in "hypopigmentation") follows another spread word, which says the
    finding is not spread so: "localized hypopigmentation" is no generalized one."""
    before = tokens[i - 1].raw
    if before not in _SPREAD_CONTRASTS:
        return False
    own = entry.matched.split(" ", 1)[0].lower()
    return own in _SPREAD and own != before and tokens[i].raw != own


def _take_level_ranges(segment: str, tokens: Sequence[Token], taken: list[bool]) -> None:
    """Marks both ends of a range of level codes ("L5-S4", "C5\u2013C6"): a term for one level
    ("Spina bifida occulta at L5") is not what a range says, and a code alone ("S4") is no
    finding."""
    for k in range(len(tokens) - 1):
        a, b = tokens[k], tokens[k + 1]
        if (
            b.start == a.end + 1
            and segment[a.end] in "-\u2013"
            and _LEVEL.fullmatch(a.raw)
            and _LEVEL.fullmatch(b.raw)
        ):
            taken[k] = taken[k + 1] = True


def _gerund_form(word: str) -> bool:
    """Whether a text word can be the "-ing" noun a lone pack word names ("collecting",
    "spinning"): that form, its plural, or the verb's "-s" form ("twitches"). The bare verb
    or its past ("order", "collected", "span") is another sense."""
    return word.endswith(("ing", "s"))


def _decimal(text: str, at: int) -> bool:
    """Whether the character at `at` is a decimal point: a point between two digits."""
    return (
        text[at] == "."
        and 0 < at < len(text) - 1
        and text[at - 1].isdigit()
        and text[at + 1].isdigit()
    )


def _inside(mention: Mention, spans: list[tuple[int, int]], starts: list[int]) -> bool:
    """Whether `mention` lies within one of `spans` (sorted, not overlapping)."""
    k = bisect.bisect_right(starts, mention.start) - 1
    return k >= 0 and mention.end <= spans[k][1]


def _polarity(said: Context, kind: MentionKind = MentionKind.SYMPTOM) -> Polarity:
    # A hedge wins over a negation: "might not be swollen" is not a firm no. A cause the
    # writer is worried about is feared, not had ("worried about ALS"); a symptom they are
    # worried about, they have ("worried about the twitching").
    if said.uncertain or (said.worried and kind is MentionKind.EXPOSURE):
        return Polarity.UNCERTAIN
    return Polarity.ABSENT if said.negated else Polarity.PRESENT


def _negated_alone(
    words: Sequence[str],
    taken: list[bool],
    found: list[tuple[int, int, _Entry]],
    context: list[Context],
    alone: set[tuple[int, int]],
) -> tuple[list[tuple[int, int, _Entry]], list[Context]]:
    """`found` without the lone heads the sentence does not negate, and the context read
    again without them (a mention ends or joins a cue's scope, so a dropped one must not).
    A lone head after another negated mention is dropped too, unless its own clause denies
    it: the cue is that mention's ("No pain when I walk" says nothing of walking; "not
    swollen, not hot" denies both)."""
    dropped: set[tuple[int, int]] = set()
    negated_before = False
    for (i, j, _), said in zip(found, context, strict=True):  # in sentence order
        if (i, j) in alone and (
            (negated_before and not _denied_after_comma(words, taken, i))
            or not said.negated
            or not _denied_in_clause(words, taken, i, j)
        ):
            dropped.add((i, j))
        negated_before = negated_before or said.negated
    if not dropped:
        return found, context
    for i, j in dropped:
        taken[i:j] = [False] * (j - i)
    kept = [f for f in found if (f[0], f[1]) not in dropped]
    return kept, contexts(words, taken, kept)


def _taken_up(
    words: Sequence[str],
    taken: list[bool],
    found: list[tuple[int, int, _Entry]],
    context: list[Context],
    before: Sequence[_Entry] = (),
) -> tuple[list[tuple[int, int, _Entry]], list[Context]]:
    """`found` with the writer's pronouns that take up someone else's mention ("I have it
    too", "mine was fine"; graph/text/coreference.py) as mentions of the same node, and the
    context read again: a pronoun said to be fine names the node as absent. Where the
    sentence names no one else's, the last one of the sentence `before` is taken up ("My dad
    has MS. I might have it too.")."""
    others = [
        (i, j, entry) for (i, j, entry), said in zip(found, context, strict=True) if said.other
    ]
    if not others and before:
        others = [(0, 0, before[-1])]  # before every word of this sentence
    referents = coreferents(words, taken, [(i, j) for i, j, _ in others])
    if not referents:
        return found, context
    fine: set[tuple[int, int]] = set()
    for ref in referents:
        found.append((ref.start, ref.end, others[ref.referred][2]))
        taken[ref.start : ref.end] = [True] * (ref.end - ref.start)
        if ref.fine:
            fine.add((ref.start, ref.end))
    found.sort(key=lambda f: f[0])
    context = [
        replace(said, negated=not said.negated) if (i, j) in fine else said
        for (i, j, _), said in zip(found, contexts(words, taken, found), strict=True)
    ]
    return found, context


def _denied_after_comma(words: Sequence[str], taken: Sequence[bool], i: int) -> bool:
    """Whether a head at token `i` is denied in a clause of its own: a negation between the
    last comma before it and it ("not swollen, not hot"), or right before it."""
    if i >= 1 and negated_within(words, taken, i - 2, i + 1):
        return True  # its own denial right before it, commas left out: "not swollen not hot"
    comma = next((k for k in range(i - 1, -1, -1) if words[k] == ","), None)
    return comma is not None and negated_within(words, taken, comma, i + 1)


def _denied_in_clause(words: Sequence[str], taken: Sequence[bool], i: int, j: int) -> bool:
    """Whether a lone head [i, j) is denied in its own clause: a negation after the last comma
    before it, or after it ("Warm: nil"). A denial in a clause before is another action's:
    "Didn't stretch, went straight into sprints" says nothing against the sprints."""
    comma = next((k for k in range(i - 1, -1, -1) if words[k] == ","), None)
    if comma is None:
        return True
    return negated_within(words, taken, comma, i + 1) or negated_within(
        words, taken, j - 1, len(words) + 1
    )


def _said_normal(
    words: Sequence[str], taken: Sequence[bool], i: int, j: int, said: Context
) -> Context:
    """The status of a pair [i, j) whose qualifier says the head is as it should be: "fine"
    names the node absent, "not fine" present. A pair that opens a clause after a comma says
    so itself: a denial before the comma is another finding's ("no cramps, swallowing is
    normal")."""
    if i > 0 and words[i - 1] == ",":
        return replace(said, negated=not negated_within(words, taken, i, j))
    return replace(said, negated=not said.negated)


def _answered_list(
    text: str, start: int, end: int, named: Sequence[_Entry], asked: bool
) -> list[Mention]:
    """The findings a sentence before named only as a condition, where the sentence
    text[start:end] answers them as a list ("I have neither of these"): each the writer's,
    absent or present as the answer says, its span the answer's words."""
    # A short reply takes up a question only ("Any swelling? A tiny bit."), not advice: `asked`
    # says the sentence before ended in "?".
    said = list_taken_up(lowered(text[start:end]), asked)
    if said is None:
        return []
    s, e, has = start + said[0], start + said[1], said[2]
    polarity = Polarity.PRESENT if has else Polarity.ABSENT
    return [
        Mention(
            entry.node_id, entry.name, entry.kind, polarity, s, e, text[s:e], entry.matched, False
        )
        for entry in dict.fromkeys(named)
    ]


def _untied(mentions: list[Mention], tied: list[Mention]) -> list[Mention]:
    """`mentions` without those of `tied` (pairs whose qualifier only says when: "after the
    match") when the text names no other finding of the writer's for them to tie to: "after
    the match we all went for a curry". A denial stands alone ("haven't trained since")."""
    ids = {id(m) for m in tied}
    if any(id(m) not in ids and m.experiencer is Experiencer.PATIENT for m in mentions):
        return mentions
    return [m for m in mentions if id(m) not in ids or m.polarity is Polarity.ABSENT]


class PackParser:
    """The phrase index of one pack: every symptom's and cause's name and synonyms."""

    def __init__(
        self,
        pack: str,
        nodes: Iterable[tuple[str, str, NodeKind, Sequence[str]]],
        pairs: Iterable[tuple[str, str, NodeKind, PairRule]] = (),
        stored: Mapping[str, Any] | None = None,
        exact: frozenset[str] = frozenset(),
    ):
        """`stored` is what `stored()` gave for the same nodes (a built pack keeps it): the
        phrases already split into lemmas, which took most of the HPO pack's parser. `exact`
        phrases are read only as spelt, never as what a misspelt word is mended to."""
        self.pack = pack
        self._exact = exact
        # Heads that name a node only beside a qualifier (graph/text/pairs.py).
        self._pairs = PairIndex(
            (_Entry(node_id, name, _mention_kind(kind), words.heads[0]), words)
            for node_id, name, kind, words in pairs
        )
        if stored is None:
            self._read(nodes)
        else:
            self._restore(stored)
        self._derive()

    def _read(self, nodes: Iterable[tuple[str, str, NodeKind, Sequence[str]]]) -> None:
        """The phrase index, the multi-word phrases by their words in any order, the phrases
        that share a key by their spelling, and the lemma of each word long enough to be a
        typo's target."""
        self._index: dict[tuple[str, ...], _Entry] = {}
        words: set[str] = set()
        phrases = [
            (node_id, name, kind, phrase, TOKEN.findall(lowered(phrase)))
            for node_id, name, kind, synonyms in nodes
            for phrase in (name, *synonyms)
        ]
        # Each word's lemma, looked up once: a large pack repeats its words in tens of
        # thousands of names and synonyms.
        lemmas = {raw: lemma(raw) for *_, raws in phrases for raw in raws}
        # Forms of the pack's words in other parts of speech, read as the same word.
        self._roots = variant_roots({*lemmas, *lemmas.values()})
        stems = {raw: self._root(raw, stem) for raw, stem in lemmas.items()}
        bags: dict[tuple[str, ...], _Entry | None] = {}
        inverted: dict[tuple[str, ...], _Entry | None] = {}
        # Each key's phrases by their words as written: "short limbs" and "shortened limbs"
        # share a key, and the text's own spelling picks between them.
        spelt: dict[tuple[str, ...], dict[tuple[str, ...], _Entry]] = {}
        # Lemmas that the pack's lone words give only as "-ing" nouns ("Collecting").
        gerunds: dict[str, bool] = {}
        for node_id, name, kind, phrase, raws in phrases:
            # A lone word is looked up by its lemma: a variant of it alone is another word
            # ("nevoid basal cell carcinoma" names no nevus).
            key = tuple(stems[raw] for raw in raws) if len(raws) > 1 else (lemmas[raws[0]],)
            if not key or len(key) > MAX_NGRAM:
                continue
            # The first claim on a phrase keeps it (names come before synonyms), unless
            # another node's phrase is spelt as the text is (below).
            new = _Entry(node_id, name, _mention_kind(kind), phrase)
            entry = self._index.setdefault(key, new)
            spelt.setdefault(key, {}).setdefault(tuple(raws), new)
            if len(raws) == 1:
                gerunds[key[0]] = gerunds.get(key[0], True) and raws[0].endswith("ing")
            if phrase not in self._exact:
                words.update(raw for raw in raws if len(raw) >= MIN_TYPO_LENGTH)
            bag = _bag(key)
            if len(bag) >= 2:
                # An inverted name ("Sella turcica, bridged") only fills a bag no plain
                # phrase holds: it never makes another node's words ambiguous.
                group = inverted if "," in key else bags
                held = group.setdefault(bag, entry)
                # Two nodes with the same words in other orders: the words alone name
                # neither (None), and only the exact order still finds each.
                if held is not None and held.node_id != node_id:
                    group[bag] = None
        for bag, held_inverted in inverted.items():
            bags.setdefault(bag, held_inverted)
        # Names without their first word where it only says how far the finding is spread.
        for key, entry in _unqualified(phrases, lemmas, stems).items():
            if key not in self._index and _bag(key) not in bags:
                self._index[key] = entry
                if len(key) >= 2:
                    bags[_bag(key)] = entry
        self._spelt = {k: v for k, v in spelt.items() if len({e.node_id for e in v.values()}) > 1}
        self._gerunds = frozenset(word for word, only in gerunds.items() if only)
        # Multi-word phrases by their words in any order, fillers left out.
        self._bags = {k: v for k, v in bags.items() if v is not None}
        self._stems = {w: lemmas[w] for w in words}

    def stored(self) -> dict[str, Any]:
        """What `_read` built, as plain data, for `PackParser(pack, nodes, stored=...)`."""
        numbers: dict[_Entry, int] = {}
        spelt_entries = [e for group in self._spelt.values() for e in group.values()]
        for entry in [*self._index.values(), *self._bags.values(), *spelt_entries]:
            numbers.setdefault(entry, len(numbers))
        return {
            "entries": [[e.node_id, e.name, e.kind.value, e.matched] for e in numbers],
            "index": [[key, numbers[e]] for key, e in self._index.items()],
            "bags": [[bag, numbers[e]] for bag, e in self._bags.items()],
            "spelt": [
                [key, [[raws, numbers[e]] for raws, e in group.items()]]
                for key, group in self._spelt.items()
            ],
            "gerunds": sorted(self._gerunds),
            "roots": self._roots,
            "stems": self._stems,
        }

    def _restore(self, stored: Mapping[str, Any]) -> None:
        """What `_read` built, from `stored()`."""
        entries = [_Entry(n, name, MentionKind(k), m) for n, name, k, m in stored["entries"]]
        self._index = {tuple(key): entries[i] for key, i in stored["index"]}
        self._bags = {tuple(bag): entries[i] for bag, i in stored["bags"]}
        self._spelt = {
            tuple(key): {tuple(raws): entries[i] for raws, i in group}
            for key, group in stored["spelt"]
        }
        self._gerunds = frozenset(stored["gerunds"])
        self._roots = dict(stored["roots"])
        self._stems = dict(stored["stems"])

    def _derive(self) -> None:
        """The lookups the parser reads, from what `_read` built."""
        words = self._stems.keys()
        self._longest = max((len(k) for k in self._index), default=0)
        # The one-word phrases by their word, and the words whose match `_as_written` checks
        # (an "-ing" noun, or a key two nodes' phrases share).
        self._lone = {k[0]: e for k, e in self._index.items() if len(k) == 1}
        # Lone words the dictionary reads as a past ("pred" -> "pre"): never met by the bare
        # stem ("Pre-season" is no "pred").
        self._pasts = frozenset(
            k
            for k, e in self._lone.items()
            if (written := lowered(e.matched)).endswith("d")
            and written != k
            and not k.endswith("d")
        )
        self._lone_checked = (
            self._gerunds | self._pasts | frozenset(k[0] for k in self._spelt if len(k) == 1)
        )
        # Every beginning of a multi-word key: a walk along a sentence's words stops where
        # no phrase goes on.
        self._key_prefixes = frozenset(
            k[:p] for k in self._index if len(k) > 1 for p in range(2, len(k) + 1)
        )
        self._bag_words = frozenset(t for k in self._bags for t in k) | _FILLER
        # Each key's sum of word hashes, which a span's prefix sums give in O(1): most spans
        # are turned away by it before a key is sorted.
        self._bag_sums = frozenset(sum(map(hash, k)) for k in self._bags)
        self._known = (
            frozenset(t for k in self._index for t in k) | frozenset(words) | frozenset(self._roots)
        )
        # What a text word's noun-rule lemma must start with to be a word of the pack.
        self._prefixes = frozenset(w[:p] for w in self._known for p in range(5))
        # The words a span can start with: every other span is passed over unread.
        self._firsts = frozenset(k[0] for k in self._index) | self._bag_words - _FILLER
        # Typo candidates by first letter and length: a ratio of 80 needs the shorter string
        # to be at least 2/3 of the longer, so a lookup scores only a few words of the pack.
        self._buckets: dict[tuple[str, int], list[str]] = {}
        for word in sorted(words):
            self._buckets.setdefault((word[0], len(word)), []).append(word)
        self._longest_word = max((len(w) for w in words), default=0)
        # The candidates of each first letter and length, gathered on first use (at most
        # 36 letters x 3/2 of the longest word).
        self._candidates: dict[tuple[str, int], list[str]] = {}
        # Each word read so far -> its lemma, its stem (variant root) and whether it is a typo
        # candidate: a note's words repeat, and one look-up here replaces four. Bounded (it
        # is emptied when full), so a flood of made-up words costs no memory.
        self._seen: dict[str, tuple[str, str, bool]] = {}
        # Each typo candidate looked up so far -> the pack word it mends to, or None.
        self._repairs: dict[str, str | None] = {}

    def _word(self, word: str) -> tuple[str, str, bool]:
        """`word`'s lemma as `tokenise` gives it, its stem, and whether it is a typo candidate
        (long enough, and neither the pack nor the dictionary knows it)."""
        found = text_lemma(word, self._prefixes)
        if word[-2:] == "'s" and found not in self._known and word not in _IS_CONTRACTIONS:
            # "pain's no better" is "pain is": the word the pack knows, where it knows it
            # only without the "'s" (a name such as "Crohn's" it knows as written).
            bare = text_lemma(word[:-2], self._prefixes)
            found = bare if bare in self._known else found
        stem = self._root(word, found)
        odd = len(word) >= MIN_TYPO_LENGTH and found not in self._known and not is_word(word)
        if len(self._seen) >= MAX_SEEN:
            self._seen.clear()
        self._seen[word] = info = (found, stem, odd)
        return info

    def _words(self, segment: str) -> tuple[list[Token], list[str], list[bool]]:
        """`segment`'s tokens, as `tokenise` gives them, with each one's stem and whether it
        is a typo candidate: one look-up a word."""
        seen, new = self._seen, tuple.__new__
        tokens: list[Token] = []
        stems: list[str] = []
        odd: list[bool] = []
        before = ""
        for m in TOKEN.finditer(lowered(segment)):
            word = m.group()
            if word in TEXTSPEAK and not before.isdigit():
                word = TEXTSPEAK[word]
            before = word
            info = seen.get(word) or self._word(word)
            tokens.append(new(Token, (word, info[0], *m.span())))
            stems.append(info[1])
            odd.append(info[2])
        return tokens, stems, odd

    def _root(self, raw: str, stem: str) -> str:
        """The word's cluster root where it has one ("patellar" -> "patella"), else its lemma.
        The lemma's root goes first: two forms of one word may sit in two clusters ("tablet",
        "tablets"), and a phrase must meet its singular and its plural alike."""
        return self._roots.get(stem) or self._roots.get(raw) or stem

    def _repair(self, token: Token) -> tuple[Token, bool]:
        """`token`, or the pack word it is a likely misspelling of."""
        raw = token.raw
        if raw in self._repairs:
            word = self._repairs[raw]
        else:
            if len(self._repairs) >= MAX_SEEN:
                self._repairs.clear()
            self._repairs[raw] = word = self._mended(raw)
        if word is None:
            return token, False
        return Token(word, self._stems[word], token.start, token.end), True

    def _mended(self, raw: str) -> str | None:
        """The pack word `raw` is a likely misspelling of, if any."""
        size = len(raw)
        if -(-2 * size // 3) > self._longest_word:
            return None  # longer than any pack word could be misspelt into
        candidates = self._candidates.get((raw[0], size))
        if candidates is None:
            candidates = [
                word
                for length in range(-(-2 * size // 3), 3 * size // 2 + 1)
                for word in self._buckets.get((raw[0], length), ())
            ]
            self._candidates[raw[0], size] = candidates
        best = process.extractOne(raw, candidates, scorer=fuzz.ratio, score_cutoff=TYPO_CUTOFF)
        return None if best is None else str(best[0])

    def parse(self, text: str, every_mention: bool = False) -> list[Mention]:
        """The mentions in `text` (at most MAX_TEXT characters are read). What the text names
        only in advice, a leaflet's condition or a statement of what can cause what ("see a
        doctor if ...", "X can cause ...") is no finding, and left out; with `every_mention`
        it is kept, as uncertain: a concept recogniser counts every mention, whatever it says of
        the patient."""
        text = text[:MAX_TEXT]
        mentions: list[Mention] = []
        offset = 0
        lookups = [MAX_REPAIRS]  # left for this request, shared by its sentences
        # The abbreviations the text has defined so far, as written -> the phrase's entry.
        defined: dict[str, _Entry] = {}
        # Whether the sentence just before ended in a question mark, and its mentions then.
        after_question = False
        asked = range(0)
        # Mentions whose pair only says when ("after the match"): kept beside a symptom.
        tied: list[Mention] = []
        # Someone else's findings in the sentence just before, which the writer's pronoun may
        # take up ("My dad has MS. I have it too.").
        theirs: list[_Entry] = []
        # The findings the sentence just before named only as a condition ("contact your
        # doctor if you experience ..."), which the writer may answer ("I have neither").
        conditions: list[_Entry] = []
        # Sentences are parsed apart: a context cue never crosses a sentence end, but a
        # sentence that only answers ("Swollen? Not really.") settles the question before it.
        # A point between digits is a decimal point: "my calcium was 2.0, which ...".
        ends = [m for m in _SENTENCE_END.finditer(text) if not _decimal(text, m.start())]
        # Whether a pasted chat's assistant is speaking: from its label ("Assistant:") to the
        # next label ("User:", "Doctor:"), a new line, or the writer's own "my" or "I".
        assistant = False
        for match in [*ends, None]:
            end = len(text) if match is None else match.start()
            label = _TURN_LABEL.match(text, offset, end)
            if label is not None:
                assistant = label.group(1).lower() in _ASSISTANTS
            elif assistant and (
                _new_line(text, offset, end) or _WRITER_SPEAKS.search(text, offset, end)
            ):
                # A new line, or the writer's own "my" or "I", is the writer again.
                assistant = False
            named_if: list[_Entry] = []
            found = self._sentence(
                text,
                offset,
                end,
                lookups,
                defined,
                tied,
                theirs,
                named_if,
                every_mention,
                assistant,
            )
            if conditions and not found:
                found = _answered_list(text, offset, end, conditions, after_question)
            conditions = named_if
            theirs = (
                [
                    _Entry(m.node_id, m.name, m.kind, m.matched)
                    for m in found
                    if m.experiencer is Experiencer.FAMILY
                ]
                if found
                else []
            )
            if asked and not found and end - offset <= MAX_ANSWER:
                said = answer(TOKEN.findall(lowered(text[offset:end])))
                if said is not None:
                    # The answer decides what the question left open: its plain mentions
                    # and those its wording hedged ("Is it swollen?"), not a negated one.
                    mentions[asked.start : asked.stop] = [
                        replace(m, polarity=_polarity(said))
                        if m.polarity is not Polarity.ABSENT
                        else m
                        for m in mentions[asked.start : asked.stop]
                    ]
            asked = range(0)
            after_question = match is not None and match.group() == "?"
            if after_question:
                asked = range(len(mentions), len(mentions) + len(found))
            mentions += found
            offset = end + 1
        if tied:
            mentions = _untied(mentions, tied)
        labels = [m.span(1) for m in _LABELS.finditer(text)]
        if labels:
            # A figure's or table's label ("Supplementary Figure S3") names no finding, even
            # where it reads as an abbreviation ("S3", the third heart sound).
            starts = [a for a, _ in labels]
            mentions = [m for m in mentions if not _inside(m, labels, starts)]
        return mentions

    def _joined(self, segment: str, tokens: list[Token]) -> list[Token]:
        """`tokens` with each hyphenated pair written as one word where the pack knows the
        one word ("pre-auricular" for "preauricular"); other pairs stay apart ("knee-jerk")."""
        if "-" not in segment:
            return tokens
        out: list[Token] = []
        i = 0
        while i < len(tokens):
            a = tokens[i]
            if i + 1 < len(tokens) and segment[a.end : a.end + 1] == "-":
                b = tokens[i + 1]
                word = a.raw + b.raw
                if b.start == a.end + 1 and lemma(word) in self._known:
                    out.append(Token(word, lemma(word), a.start, b.end))
                    i += 2
                    continue
            out.append(a)
            i += 1
        return out

    def _as_written(
        self, tokens: list[Token], key: tuple[str, ...], entry: _Entry, i: int, j: int
    ) -> _Entry | None:
        """What the key's phrase found at [i, j) stands for here: an "-ing" noun not met by
        the bare verb or its past, and of two nodes' phrases with the key, the text's spelling."""
        if j - i == 1 and key[0] in self._gerunds and not _gerund_form(tokens[i].raw):
            return None
        if j - i == 1 and key[0] in self._pasts and tokens[i].raw == key[0]:
            return None
        if key in self._spelt:
            other = self._spelt[key].get(tuple(t.raw for t in tokens[i:j]))
            if other is not None and other.node_id != entry.node_id:
                return other
        return entry

    def _phrase(self, words: Sequence[str]) -> _Entry | None:
        """The phrase with these words as written, else in another order."""
        entry = self._index.get(tuple(words))
        if entry is None and len(words) >= 2:
            entry = self._bags.get(_bag(words))
        return entry

    def _conjuncts(
        self, stems: list[str], taken: list[bool], i: int, j: int, entry: _Entry
    ) -> list[tuple[int, int, _Entry]]:
        """The phrases that words coordinated with the match [i, j) make with its other words:
        each conjunct before it (one or two words, back along a list joined by commas,
        "and", "or") in place of its first word, and one word after "and"/"or" in place
        of its last."""
        if j - i < 2:
            return []
        out: list[tuple[int, int, _Entry]] = []

        def free(a: int, b: int) -> bool:
            return a >= 0 and not any(taken[a:b]) and all(w.isalnum() for w in stems[a:b])

        tail, k = stems[i + 1 : j], i - 1
        for _ in range(MAX_CONJUNCTS):
            if k < 1 or not (stems[k] in _JOINS or stems[k] == ","):
                break
            if stems[k] in _JOINS and stems[k - 1] == ",":
                k -= 1  # "A, B, and C N"
            starts = [a for a in (k - 2, k - 1) if free(a, k) and stems[a] not in _JOINS]
            hit = next(
                ((a, e) for a in starts if (e := self._phrase([*stems[a:k], *tail])) is not None),
                None,
            )
            if hit is not None and hit[1].node_id != entry.node_id:
                out.append((hit[0], j, hit[1]))
            if not starts:
                break
            k = (hit[0] if hit is not None else starts[-1]) - 1
        if j + 1 < len(stems) and stems[j] in _JOINS and free(j + 1, j + 2):
            after = self._phrase([*stems[i : j - 1], stems[j + 1]])
            if after is not None and after.node_id != entry.node_id:
                out.append((i, j + 2, after))
        return out

    def _matches(
        self, tokens: list[Token], plain: list[str], stems: list[str], taken: list[bool]
    ) -> list[tuple[int, int, _Entry]]:
        """The phrases found in a sentence's words, longest first, marked in `taken`. Of two
        matches of one size, the words as written go before words in another order ("nevoid
        basal cell carcinoma": "basal cell carcinoma", not "nevoid basal cell"), then the
        leftmost. Each start collects its candidates in one walk (a phrase's words as
        written only while they begin some key), not one pass per size."""
        n = len(tokens)
        index, prefixes, spelt = self._index, self._key_prefixes, self._spelt
        lone, checked = self._lone, self._lone_checked
        longest = min(self._longest, MAX_NGRAM)
        # The words the word-order-free keys do not know: each run of the others ends at one.
        bag_words = self._bag_words
        breaks = [k for k, word in enumerate(stems) if word not in bag_words]
        breaks.append(n)
        sums: list[int] = []  # prefix sums of word hashes, made on first use
        # (size, order-free, start, entry): sorted, the order the matches claim words in.
        candidates: list[tuple[int, bool, int, _Entry]] = []
        firsts, bag_sums = self._firsts, self._bag_sums
        # Only a word some phrase starts with can start a match.
        starts = [i for i, word in enumerate(stems) if word in firsts or plain[i] in firsts]
        for i in starts:
            word = stems[i]
            # A lone word on its lemma; longer phrases on roots.
            exact: list[int] = []
            entry = lone.get(plain[i])
            if entry is not None and plain[i] in checked:
                entry = self._as_written(tokens, (plain[i],), entry, i, i + 1)
            if entry is not None:
                candidates.append((1, False, i, entry))
            for j in range(i + 2, (n if i + longest > n else i + longest) + 1):
                key = tuple(stems[i:j])
                if key not in prefixes:
                    break
                entry = index.get(key)
                if entry is not None and key in spelt:
                    entry = self._as_written(tokens, key, entry, i, j)
                if entry is not None:
                    candidates.append((j - i, False, i, entry))
                    exact.append(j)
            stop = breaks[bisect.bisect_left(breaks, i)]
            if stop - i < 2 or word in _FILLER:
                continue
            if not sums:
                hashes = [0 if w in _FILLER else hash(w) for w in stems]
                sums = [0, *itertools.accumulate(hashes)]
            # The words in another order, fillers added or dropped, within one run of words
            # the order-free keys use; a key's sum of word hashes turns most spans away.
            for j in range(i + 2, (stop if stop < i + MAX_NGRAM else i + MAX_NGRAM) + 1):
                if j not in exact and stems[j - 1] not in _FILLER and sums[j] - sums[i] in bag_sums:
                    other = self._bags.get(_bag(stems[i:j]))
                    if other is not None:
                        candidates.append((j - i, True, i, other))
        candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
        found: list[tuple[int, int, _Entry]] = []
        for size, _, i, entry in candidates:
            j = i + size
            if any(taken[i:j]) or (i > 0 and _spread_denied(tokens, i, entry)):
                continue
            found.append((i, j, entry))
            taken[i:j] = [True] * size
        return found

    def _stressed(
        self, tokens: list[Token], plain: list[str], stems: list[str], taken: list[bool]
    ) -> list[tuple[int, int, _Entry]]:
        """The phrases found once the free stress words are passed over, which span one of
        them ("haven't really been drinking enough"), marked in `taken`."""
        kept = [k for k, word in enumerate(plain) if taken[k] or word not in _STRESS]
        out: list[tuple[int, int, _Entry]] = []
        picked = [taken[k] for k in kept]
        for a, b, entry in self._matches(
            [tokens[k] for k in kept], [plain[k] for k in kept], [stems[k] for k in kept], picked
        ):
            i, j = kept[a], kept[b - 1] + 1
            if j - i > b - a and not any(taken[i:j]):
                out.append((i, j, entry))
                taken[i:j] = [True] * (j - i)
        return out

    def _sentence(
        self,
        text: str,
        start: int,
        end: int,
        lookups: list[int],
        defined: dict[str, _Entry],
        tied: list[Mention],
        theirs: Sequence[_Entry] = (),
        named_if: list[_Entry] | None = None,
        every_mention: bool = False,
        assistant: bool = False,
    ) -> list[Mention]:
        """The mentions of the sentence text[start:end]; those of a pair that only says when
        are added to `tied` too. `theirs`: someone else's findings in the sentence before.
        `assistant`: a pasted chat's assistant says it, so nothing in it is the writer's own
        (its questions and conditions go to `named_if`, for the writer's answer to settle).
        What the sentence names only as a condition is added to `named_if`, and kept as an
        uncertain mention only with `every_mention`."""
        segment = text[start:end]
        raw, stems, odd = self._words(segment)
        if not raw:
            return []
        if "-" in segment:
            joined = self._joined(segment, raw)
            if len(joined) != len(raw):
                raw = joined
                stems = [self._root(t.raw, t.lemma) for t in raw]
                # A joined word is one the pack knows: never a typo.
                odd = [t.lemma not in self._known and self._word(t.raw)[2] for t in raw]
        tokens = raw
        fixed = [False] * len(raw)
        if lookups[0] > 0 and True in odd:
            tokens = list(raw)
            for i, unknown in enumerate(odd):
                if unknown and lookups[0] > 0:
                    lookups[0] -= 1
                    tokens[i], fixed[i] = self._repair(raw[i])
                    stems[i] = self._root(tokens[i].raw, tokens[i].lemma)
        plain = [t.lemma for t in tokens]
        n = len(tokens)
        taken = [False] * n
        if not _IDIOM_FIRSTS.isdisjoint(plain):
            for k in range(n - 1):
                if plain[k] in _IDIOM_FIRSTS and (plain[k], tokens[k + 1].raw.lower()) in _IDIOMS:
                    taken[k] = taken[k + 1] = True
        if "-" in segment or "\u2013" in segment:
            _take_level_ranges(segment, tokens, taken)
        found = self._matches(tokens, plain, stems, taken)
        if not _STRESS.isdisjoint(plain):
            found += self._stressed(tokens, plain, stems, taken)
        # The pairs are keyed by lemmas, not the variant roots the phrases use.
        # Pairs whose qualifier says the head is as it should be ("my calcium is fine").
        normal: set[tuple[int, int]] = set()
        # Heads that name their node only where the sentence negates them ("I don't run").
        alone: set[tuple[int, int]] = set()
        # Heads coordinated with a pair's: each one's span -> the start of the pair whose
        # status it takes ("nothing wrong with my balance or my speech").
        coordinated: dict[tuple[int, int], int] = {}
        # Activity pairs, denied only in their own clause.
        bound: set[tuple[int, int]] = set()
        when: set[tuple[int, int]] = set()  # pairs whose qualifier only says when
        for pair in self._pairs.find(plain, taken, [t.raw for t in tokens]):
            found.append((pair.start, pair.end, pair.entry))
            if pair.clause_bound:
                bound.add((pair.start, pair.end))
            if pair.when:
                when.add((pair.start, pair.end))
            if pair.alone:
                alone.add((pair.start, pair.end))
            if pair.joined is not None:
                coordinated[pair.start, pair.end] = pair.joined
            elif pair.normal:
                normal.add((pair.start, pair.end))
            for k in pair.words:  # the words between stay open to context cues
                taken[k] = True
        if defined:
            for i, token in enumerate(raw):
                short = written_as(text[start + token.start : start + token.end], defined)
                if short is not None and not taken[i]:
                    found.append((i, i + 1, defined[short]))
                    taken[i] = True
        if not found and not theirs:
            return []
        found.sort(key=lambda f: f[0])
        for i, j, entry in found:
            abbreviation = defined_after(text, start + raw[i].start, start + raw[j - 1].end)
            if abbreviation is not None:
                defined[abbreviation] = entry
        words = [t.raw for t in tokens]
        context = contexts(words, taken, found)
        if alone:
            found, context = _negated_alone(words, taken, found, context, alone)
            if not found:
                return []
        # "Four floors and no lift, carrying boxes all day": the lift is denied, not the
        # carrying.
        for k, (i, j, _) in enumerate(found if bound else ()):
            if context[k].negated and (i, j) in bound and not _denied_in_clause(words, taken, i, j):
                context[k] = replace(context[k], negated=False)
        if theirs or True in (said.other for said in context):
            found, context = _taken_up(words, taken, found, context, theirs)
        if not found:
            return []
        if normal:
            context = [
                _said_normal(words, taken, i, j, said) if (i, j) in normal else said
                for (i, j, _), said in zip(found, context, strict=True)
            ]
        if coordinated:
            status = {i: said for (i, _, _), said in zip(found, context, strict=True)}
            context = [
                status[coordinated[i, j]] if (i, j) in coordinated else said
                for (i, j, _), said in zip(found, context, strict=True)
            ]
        spans = list(found)
        # Coordinations share the matched phrase's other words, and its status: "palmar and
        # plantar pits", "branchial, otic and renal anomalies", "hypopigmentation of skin
        # or hair".
        for (i, j, entry), said in list(zip(found, context, strict=True)):
            for conjunct in self._conjuncts(stems, taken, i, j, entry):
                spans.append(conjunct)
                context.append(said)
        if assistant:  # a relative's finding stays theirs, though the assistant asks of it
            context = [said if said.other else replace(said, hypothetical=True) for said in context]
        out: list[Mention] = []
        for (i, j, entry), said in sorted(
            zip(spans, context, strict=True), key=lambda pair: pair[0][0]
        ):
            if said.hypothetical:
                if named_if is not None:
                    named_if.append(entry)
                if not every_mention:
                    continue  # "call back if the knee becomes hot": advice, no finding
            s, e = start + raw[i].start, start + raw[j - 1].end
            out.append(
                Mention(
                    node_id=entry.node_id,
                    name=entry.name,
                    kind=entry.kind,
                    polarity=Polarity.UNCERTAIN
                    if said.hypothetical
                    else _polarity(said, entry.kind),
                    start=s,
                    end=e,
                    text=text[s:e],
                    matched=entry.matched,
                    typo=True in fixed[i:j],
                    experiencer=Experiencer.FAMILY if said.other else Experiencer.PATIENT,
                )
            )
            if when and (i, j) in when:
                tied.append(out[-1])
        return out


class Parser:
    """One phrase index per pack; parses against one pack, chosen or the best fit."""

    def __init__(self, graph: KnowledgeGraph, stored: Mapping[str, Any] | None = None) -> None:
        """`stored`: each pack's `PackParser.stored()` for the same graph, by pack id."""
        by_pack: dict[str, list[tuple[str, str, NodeKind, Sequence[str]]]] = {}
        pairs: dict[str, list[tuple[str, str, NodeKind, PairRule]]] = {}
        for record in graph.lexicon:
            if record.node is not None and record.heads:
                node = graph.node(record.node)
                words = PairRule(
                    record.heads,
                    record.qualifiers,
                    record.normal,
                    record.absent_when_negated,
                    record.qualifier_first,
                )
                rule = (node.id, node.name, node.kind, words)
                pairs.setdefault(graph.pack_of[node.id], []).append(rule)
        # Medicines a drug vocabulary files under a class a lexicon record names, each with
        # the vocabulary's code and the record's excerpt (graph/text/medicines.py). A built
        # pack's stored index has them already: the vocabulary is read only to build one.
        rebuilt = stored is None or any(p.id not in stored for p in graph.packs)
        self.medicines = medicine_terms(graph.lexicon, atc_table() if rebuilt else None)
        for kind in (NodeKind.SYMPTOM, NodeKind.CAUSE):
            for node in graph.nodes(kind):
                # The lexicon's everyday words follow the node's own synonyms.
                medicines = (m.term for m in self.medicines.get(node.id, ()))
                terms = (*node.synonyms, *graph.everyday_terms(node.id), *medicines)
                entry = (node.id, node.name, node.kind, terms)
                by_pack.setdefault(graph.pack_of[node.id], []).append(entry)
        # Brand names are invented words a letter or two from others ("lasik" is no Lasix):
        # read as spelt, never as a typo's target.
        brands = frozenset(t.term for ts in self.medicines.values() for t in ts if t.brand_of)
        # In load order: the first pack wins a tie.
        self.packs: dict[str, PackParser] = {
            p.id: PackParser(
                p.id, by_pack[p.id], pairs.get(p.id, ()), (stored or {}).get(p.id), brands
            )
            for p in graph.packs
            if p.id in by_pack
        }

    def stored(self) -> dict[str, Any]:
        """Every pack's phrase index as plain data, for `Parser(graph, stored)`."""
        return {pack: parser.stored() for pack, parser in self.packs.items()}

    def parse(self, text: str, pack: str | None = None) -> tuple[str | None, list[Mention]]:
        """The pack parsed against and its mentions. Without `pack`, every pack is tried and
        the one with the most mentions wins (the first loaded on a tie); a pack is never mixed
        with another, so a large pack cannot flood a small one's answer."""
        if pack is not None:
            return pack, self.packs[pack].parse(text)
        best: tuple[str | None, list[Mention]] = (None, [])
        for pack_id, parser in self.packs.items():
            mentions = parser.parse(text)
            if best[0] is None or len(mentions) > len(best[1]):
                best = (pack_id, mentions)
        return best
