"""Words that name a node only together: a lexicon record's head ("vitamin d", "squats") with
one of its qualifiers ("low", "lots of") a few words away in one sentence (graph/schema/
lexicon.py). "My vitamin D levels are really low" names vitamin D deficiency; "my vitamin D"
names nothing.

A pair's span runs from the first of its two words to the last. The words between stay open
to context, so "magnesium is not low" is a negated deficiency and "magnesium might be low" an
uncertain one (graph/text/context.py reads a cue inside such a span). A record's words
for "as it should be" pair with its heads too, and such a pair names the node as absent:
"my calcium is fine", "swallowing is normal". A record may also let its heads stand alone
(`absent_when_negated`): such a head is returned on its own, for the reader to keep only
where the sentence negates it ("I haven't exercised in weeks": no overuse).

Heads match on lemmas ("squats" meets "squat"); a qualifier whose lemmas differ from its
words is matched as written, since its form is its meaning: "for hours" is long, "for an
hour" is not ("hours" and "hour" share a lemma).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Generic, NamedTuple, Protocol, TypeVar

from graph.text.tokens import TOKEN, lemma, lowered

__all__ = ["MAX_GAP", "Pair", "PairIndex", "PairRule"]

MAX_GAP = 6  # words a head and its qualifier may have between them
# A pair never reaches across these: "I take magnesium, but my vitamin D is low", "my knee is
# fine until I bend it".
_BARRIERS = frozenset(
    {",", "but", "however", "because", "though", "although", "except", "until", "till", "unless"}
)
# A reason the writer gives about themselves is about the head just named, and no barrier
# when no other head follows in the sentence: "I take magnesium because I was deficient".
_REASONS = frozenset({"because", "as", "since", "cause", "cos"})
_WRITER = frozenset({"i", "i'm", "i've", "im", "ive"})
# Words that join two heads under one qualifier, and those that may follow the join when the
# qualifier comes first ("low in calcium and magnesium", "nothing wrong with my balance or my
# speech"). With the qualifier last only the join itself: "calcium and magnesium are low", but
# not "I take calcium and my magnesium is low".
_JOINS = frozenset({"and", "or", "nor"})
_DETERMINERS = frozenset({"my", "the", "his", "her", "their", "our"})
# A qualifier that only says when: "twitching after the match" ties the match to a finding,
# but "after the match we went for a curry" names nothing. Such a pair is kept only where the
# text names another finding of the writer's (graph/text/parse.py). "Since" says how long as
# often ("on my feet since 5am"), and stays a qualifier of its own.
_WHEN = frozenset({("after",)})


class _Named(Protocol):
    @property
    def node_id(self) -> str: ...


E = TypeVar("E", bound=_Named)


class PairRule(NamedTuple):
    """One lexicon record's words for the pair finder."""

    heads: Sequence[str]
    qualifiers: Sequence[str]
    normal: Sequence[str] = ()  # words that say the head is as it should be
    alone: bool = False  # a head negated on its own names the node as absent
    # The qualifier only before the head, as in a compound noun: "blood pressure tablets",
    # not "diuretic tablets for my heart" (the tablets are named already).
    qualifier_first: bool = False


@dataclass(frozen=True, slots=True)
class Pair(Generic[E]):
    start: int  # token span of the whole pair, [start, end)
    end: int
    entry: E
    words: tuple[int, ...]  # the tokens of the head and the qualifier themselves
    normal: bool = False  # the qualifier says the head is as it should be: the node absent
    alone: bool = False  # a head without a qualifier: it names the node only if negated
    # A head coordinated with another pair's head shares its qualifier, and what the text
    # says of it: the other pair's start ("nothing wrong with my balance or my speech").
    joined: int | None = None
    # The head's record reads it alone where negated (an activity): a denial of the pair
    # counts only in its own clause ("no lift, carrying boxes all day").
    clause_bound: bool = False
    # Its qualifier only says when ("after the match"): it names the node only beside a
    # symptom the text names.
    when: bool = False


def _key(phrase: str) -> tuple[str, ...]:
    return tuple(lemma(raw) for raw in TOKEN.findall(lowered(phrase)))


def _written(phrase: str) -> tuple[str, ...]:
    return tuple(TOKEN.findall(lowered(phrase)))


class PairIndex(Generic[E]):
    """The heads and qualifiers of one pack's lexicon records, by their lemmas."""

    def __init__(self, rules: Iterable[tuple[E, PairRule]]) -> None:
        """`rules`: each record's entry and its words."""
        # Each phrase's rules, by its words: a head or a qualifier of some ("jumping" the
        # activity after "lots of", "jumps" the movement of a knee). A qualifier's rule is
        # numbered past the records when it is a "normal" word.
        self._heads: dict[tuple[str, ...], set[int]] = {}
        self._qualifiers: dict[tuple[str, ...], set[int]] = {}
        # Qualifiers matched on the words as written, not their lemmas ("hours").
        self._as_written: dict[tuple[str, ...], set[int]] = {}
        self._entries: list[E] = []
        self._alone: set[int] = set()  # the rules whose heads may stand alone
        self._qualifier_first: set[int] = set()  # the rules whose qualifier comes first
        # One-word heads a rule gives only as an "-ing" form ("boxing", "lifting"): met only
        # by the verb's "-ing" and "-ed" forms ("haven't trained"), as "boxes", "a lift" and
        # "a swim" after a sauna are no activity.
        self._gerunds: dict[tuple[str, ...], set[int]] = {}
        # The rules with "hundreds of" among their qualifiers, for which a count of a hundred
        # or more written as a number right before a head says the same ("200 squats").
        self._counted: set[int] = set()
        # The rules with "back to back" among their qualifiers, for which two heads one after
        # the other ("footy training then a 10k") say the same.
        self._in_a_row: set[int] = set()
        listed = list(rules)
        self._normal_from = len(listed)
        for rule, (entry, words) in enumerate(listed):
            self._entries.append(entry)
            if words.alone:
                self._alone.add(rule)
            if words.qualifier_first:
                self._qualifier_first.add(rule)
            if _HUNDREDS in words.qualifiers:
                self._counted.add(rule)
            if _BACK_TO_BACK in words.qualifiers:
                self._in_a_row.add(rule)
            forms: dict[tuple[str, ...], bool] = {}
            for head in words.heads:
                key = _key(head)
                self._heads.setdefault(key, set()).add(rule)
                if len(key) == 1:
                    forms[key] = forms.get(key, True) and head.endswith("ing")
            for key, only in forms.items():
                if only:
                    self._gerunds.setdefault(key, set()).add(rule)
            for qualifier in words.qualifiers:
                written = _written(qualifier)
                table = self._qualifiers if _key(qualifier) == written else self._as_written
                table.setdefault(written, set()).add(rule)
            for word in words.normal:
                self._qualifiers.setdefault(_key(word), set()).add(self._normal_from + rule)
        # Each table's longest phrase by its first word: most words start none.
        self._head_sizes = _sizes(self._heads)
        self._qualifier_sizes = _sizes(self._qualifiers)
        self._written_sizes = _sizes(self._as_written)

    def __bool__(self) -> bool:
        return bool(self._heads)

    def _spans(
        self,
        stems: Sequence[str],
        taken: Sequence[bool],
        heads: bool,
        written: Sequence[str] = (),
    ) -> list[tuple[int, int, int]]:
        """(start, end, rule) of each head (or qualifier) in the free tokens, longest first.
        `written`: the words as written, for the qualifiers matched so."""
        table = self._heads if heads else self._qualifiers
        sizes = self._head_sizes if heads else self._qualifier_sizes
        spelt_sizes = {} if heads else self._written_sizes
        out: list[tuple[int, int, int]] = []
        i, n = 0, len(stems)
        while i < n:
            size = 0
            longest = sizes.get(stems[i], 0)
            if written and spelt_sizes:
                longest = max(longest, spelt_sizes.get(written[i], 0))
            if longest:
                step = 0
                seen: set[int] = set()
                for size in range(min(longest, n - i), 0, -1):
                    if any(taken[i : i + size]):
                        continue
                    rules = table.get(tuple(stems[i : i + size]))
                    if written and self._as_written:
                        spelt = self._as_written.get(tuple(written[i : i + size]))
                        if spelt is not None:
                            rules = spelt if rules is None else rules | spelt
                    if rules:
                        out += [(i, i + size, rule) for rule in sorted(rules - seen)]
                        step = step or size
                        if heads:
                            break
                        # A shorter qualifier of another record inside a longer one still
                        # counts for its own: "knee" (pain) in "knees are" (jerking).
                        seen |= rules
                size = step
            i += max(size, 1)
        return out

    def find(
        self, stems: Sequence[str], taken: Sequence[bool], written: Sequence[str]
    ) -> list[Pair[E]]:
        """Each head with its nearest qualifier of the same record, where no barrier and no
        other head or matched phrase lies between them; a head of a record whose heads may
        stand alone, without one, on its own. `stems` are the words' lemmas, `written` the
        words as written."""
        if not self._heads:
            return []
        # A head with "'s" is the head: "magnesium's on the floor", "my diet's lacking".
        bare = [w[:-2] if w[-2:] == "'s" else w for w in stems] if "'" in "".join(stems) else stems
        heads = [
            (s, e, rule)
            for s, e, rule in self._spans(bare, taken, heads=True)
            if e - s > 1
            or rule not in self._gerunds.get((bare[s],), ())
            or written[s].endswith(("ing", "ed"))
            or _irregular_past(written[s], bare[s])
        ]
        # A lone head is none the person did where they could not do it ("too stiff to walk
        # back from the match", "too sore to run all week": the words after it are how long it
        # was missed), nor where it names the thing a remedy or a bag is for, and a denial of
        # the remedy is none of the head's ("not even the heat pad", "no ice pack").
        heads = [
            h
            for h in heads
            if h[2] not in self._alone
            or not (_unable_before(h[0], written) or _modifies_a_remedy(h[1], written))
        ]
        if not heads:
            return []
        qualifiers = self._spans(stems, taken, heads=False, written=written)
        commas = "," in stems  # a judgement set off by one may cross it
        head_tokens = {k for s, e, _ in heads for k in range(s, e)}
        pairs: list[Pair[E]] = []
        used: set[int] = set()
        # Each head's span -> the nodes its pairs name: one head may name two nodes with two
        # qualifiers ("I take magnesium because I was deficient": a supplement, a deficiency).
        named: dict[tuple[int, int], set[str]] = {}
        spans: list[tuple[Pair[E], int, int, int, int]] = []  # each pair, head and qualifier
        lone: list[tuple[int, int, int]] = []  # heads that may stand alone, without a qualifier
        for h_start, h_end, rule in heads:
            best: tuple[int, int, int, int] | None = None
            for q_start, q_end, q_rule in qualifiers:
                if q_rule % self._normal_from != rule or (q_start < h_end and h_start < q_end):
                    continue
                if q_start >= h_end and rule in self._qualifier_first:
                    continue
                gap = range(h_end, q_start) if q_start >= h_end else range(q_end, h_start)
                judged = _judged_after(gap, stems) if commas and q_start >= h_end else None
                if (len(gap) > MAX_GAP and judged is None) or any(k in head_tokens for k in gap):
                    continue
                if judged is not None and any(
                    taken[k] or (k != judged and self._barrier(stems, k, q_end, head_tokens))
                    for k in gap
                ):
                    continue
                if q_start < h_end and _listed(gap, stems, taken):
                    pass  # "the knee is swollen and hot": findings listed after the qualifier
                elif judged is None and any(
                    taken[k] or self._barrier(stems, k, q_end, head_tokens) for k in gap
                ):
                    continue
                if best is None or len(gap) < best[2]:
                    best = (q_start, q_end, len(gap), q_rule)
            if best is None and rule in self._counted and _count_before(h_start, written, taken):
                best = (h_start - 1, h_start, 0, rule)  # "200 squats": hundreds of them
            if best is None:
                if rule in self._alone:
                    lone.append((h_start, h_end, rule))
                continue
            start, end = min(h_start, best[0]), max(h_end, best[1])
            entry = self._entries[rule]
            overlap = used & set(range(start, end))
            held = named.get((h_start, h_end), {entry.node_id})
            if overlap and (overlap - set(range(h_start, h_end)) or entry.node_id in held):
                continue  # overlaps a pair already found, beyond a head naming another node
            used.update(range(start, end))
            named.setdefault((h_start, h_end), set()).add(entry.node_id)
            words = (*range(h_start, h_end), *range(best[0], best[1]))
            normal = best[3] >= self._normal_from
            bound = rule in self._alone
            when = tuple(stems[best[0] : best[1]]) in _WHEN
            pair = Pair(
                start, end, entry, tuple(sorted(words)), normal, clause_bound=bound, when=when
            )
            pairs.append(pair)
            spans.append((pair, h_start, h_end, best[0], best[1]))
        pairs += self._coordinated(heads, qualifiers, spans, stems, used)
        if len(heads) > 1:
            pairs += self._one_after_another(heads, stems, taken, used)
        # After every pair: "training for a triathlon" is one pair, not "training" alone.
        for start, end, rule in lone:
            if not used & set(range(start, end)):
                used.update(range(start, end))
                words = tuple(range(start, end))
                pairs.append(Pair(start, end, self._entries[rule], words, alone=True))
        return sorted(pairs, key=lambda pair: pair.start)

    def _one_after_another(
        self,
        heads: Sequence[tuple[int, int, int]],
        stems: Sequence[str],
        taken: Sequence[bool],
        used: set[int],
    ) -> list[Pair[E]]:
        """Two heads left without a qualifier, of rules read "back to back", one straight
        after the other ("golf and then tennis", "footy training then a 10k"): one pair of
        both, marked in `used`."""
        out: list[Pair[E]] = []
        free = [h for h in heads if h[2] in self._in_a_row and not used & set(range(h[0], h[1]))]
        for (s1, e1, r1), (s2, e2, r2) in pairwise(free):
            gap = stems[e1:s2]
            if (
                self._entries[r1].node_id == self._entries[r2].node_id
                and _THEN & set(gap)
                and set(gap) <= _THEN_GAP
                and not any(taken[e1:s2])
                and not used & set(range(s1, e2))
            ):
                used.update(range(s1, e2))
                words = (*range(s1, e1), *range(s2, e2))
                out.append(Pair(s1, e2, self._entries[r1], words, clause_bound=r1 in self._alone))
        return out

    @staticmethod
    def _barrier(stems: Sequence[str], k: int, q_end: int, head_tokens: set[int]) -> bool:
        """Whether token `k`, between a head and a qualifier ending at `q_end`, keeps them
        apart: a barrier word, unless it gives the writer's reason and no head comes after
        the qualifier ("because I was deficient", not "because I'm low on calcium")."""
        if stems[k] not in _BARRIERS and stems[k] not in _REASONS:
            return False
        if stems[k] in _REASONS and k + 1 < len(stems) and stems[k + 1].lower() in _WRITER:
            return any(h >= q_end for h in head_tokens)
        return stems[k] in _BARRIERS

    def _coordinated(
        self,
        heads: Sequence[tuple[int, int, int]],
        qualifiers: Sequence[tuple[int, int, int]],
        found: Sequence[tuple[Pair[E], int, int, int, int]],
        stems: Sequence[str],
        used: set[int],
    ) -> list[Pair[E]]:
        """Heads left without a qualifier that are joined to a pair's head and take its
        qualifier too (as their own record's qualifier or "normal" word), marked in `used`.
        `found`: each pair with its head's and its qualifier's spans."""
        out: list[Pair[E]] = []
        for pair, h_start, h_end, q_start, q_end in found:
            for start, end, rule in heads:
                if used & set(range(start, end)):
                    continue
                if start >= q_end > h_start and _also(stems, end):
                    # After the whole pair, said to be so too: "my B12 was low and my
                    # magnesium as well".
                    joined = _joined(stems[q_end:start], determiners=True)
                elif start >= h_end:  # after the pair's head: its qualifier must come first
                    joined = q_end <= h_start and _joined(stems[h_end:start], determiners=True)
                else:  # before it: only a bare join, with the qualifier after both heads
                    joined = q_start >= h_end and _joined(stems[end:h_start], determiners=False)
                if joined and any(
                    (s, e) == (q_start, q_end)
                    and r % self._normal_from == rule
                    and (r >= self._normal_from) == pair.normal
                    for s, e, r in qualifiers
                ):
                    used.update(range(start, end))
                    words = tuple(range(start, end))
                    entry = self._entries[rule]
                    out.append(Pair(start, end, entry, words, pair.normal, joined=pair.start))
        return out


_HUNDREDS = "hundreds of"
_BACK_TO_BACK = "back to back"
# The words between two activities one straight after the other: "X then Y", "X and then a
# Y", "X followed by Y".
_THEN = frozenset({"then", "follow"})
_THEN_GAP = frozenset({"then", "and", "follow", "by", "a", "an", "the", "some", "straight"})


def _count_before(k: int, written: Sequence[str], taken: Sequence[bool]) -> bool:
    """Whether the word before token `k` is a count of a hundred or more, as a number."""
    return k > 0 and not taken[k - 1] and written[k - 1].isdigit() and int(written[k - 1]) >= 100


# Words right before an activity that say it could not be done.
_CANNOT = frozenset({"can't", "cant", "cannot", "couldn't", "couldnt"})
# Remedies and things to carry that a lone head may modify: "heat pad", "gym bag".
_REMEDIES = frozenset(
    {
        *("pack", "packs", "pad", "pads", "patch", "patches", "lamp", "lamps", "rub", "gel"),
        *("cream", "spray", "wrap", "wraps", "bag", "bags", "bottle", "bottles"),
    }
)
_UNABLE_TO = (("unable", "to"), ("not", "able", "to"))


def _unable_before(k: int, written: Sequence[str]) -> bool:
    """Whether the activity at token `k` follows "can't", "couldn't", "unable to", "not able
    to" or "too <word> to" ("too stiff to walk")."""
    before = tuple(w.lower() for w in written[max(0, k - 3) : k])
    return (
        (bool(before) and before[-1] in _CANNOT)
        or any(before[-len(words) :] == words for words in _UNABLE_TO)
        or (len(before) == 3 and before[0] == "too" and before[2] == "to")
    )


def _modifies_a_remedy(end: int, written: Sequence[str]) -> bool:
    """Whether the word after a head ending at `end` is a remedy or a thing to carry that
    the head modifies ("heat pad", "heat packs", "gym bag"); a verb's "-ing" or "-ed" takes it
    as its object instead ("lugging bags of cement")."""
    return (
        end < len(written)
        and written[end].lower() in _REMEDIES
        and not written[end - 1].lower().endswith(("ing", "ed"))
    )


def _irregular_past(word: str, stem: str) -> bool:
    """Whether `word` is a verb's irregular past ("swam", "stood", "ran"): not its lemma, and
    no plural or "-s" form ("boxes", "lifts" are no boxing or lifting)."""
    return word != stem and not word.endswith("s") and word.isalpha()


def _sizes(table: dict[tuple[str, ...], set[int]]) -> dict[str, int]:
    """Each first word of the table's phrases -> the longest phrase it starts."""
    sizes: dict[str, int] = {}
    for key in table:
        if key:
            sizes[key[0]] = max(sizes.get(key[0], 0), len(key))
    return sizes


# Verbs that report who judged a level, right before the judgement: "B12 was 140, the GP's
# letter says below normal".
_REPORTING = frozenset({"say", "said", "says", "call", "called", "reckon", "reckons", "flag"})


def _judged_after(gap: range, stems: Sequence[str]) -> int | None:
    """The comma between a head and its qualifier after it that only sets off a judgement of
    the head, else None: the qualifier right after it ("vit D came back at 18, deficient"),
    a clause on "which" ("25 nmol/L, which my GP called insufficient") or one reporting who
    judged it ("140, the GP's letter says below normal"). Each side of it is at most MAX_GAP
    words."""
    commas = [k for k in gap if stems[k] == ","]
    if len(commas) != 1:
        return None
    k = commas[0]
    if k - gap.start > MAX_GAP or gap.stop - k - 1 > MAX_GAP:
        return None
    if k + 1 == gap.stop or stems[k + 1] == "which" or stems[gap.stop - 1] in _REPORTING:
        return k
    return None


def _listed(gap: range, stems: Sequence[str], taken: Sequence[bool]) -> bool:
    """Whether the words between a qualifier and the head after it are other findings listed
    before the head ("the knee is red, swollen and hot"): matched words, commas and a join,
    the join last."""
    return (
        len(gap) >= 2
        and stems[gap[-1]] in _JOINS
        and any(taken[k] for k in gap)
        and all(taken[k] or stems[k] == "," or stems[k] in _JOINS for k in gap)
    )


_ALSO = (("as", "well"), ("too",), ("also",))


def _also(stems: Sequence[str], end: int) -> bool:
    """Whether the words from `end` say "as well" or "too", ending the clause."""
    for words in _ALSO:
        after = end + len(words)
        if tuple(stems[end:after]) == words and (after == len(stems) or stems[after] in _BARRIERS):
            return True
    return False


def _joined(gap: Sequence[str], determiners: bool) -> bool:
    """Whether the words between two heads join them: one join word, then (where allowed)
    one determiner ("or my")."""
    if not gap or gap[0] not in _JOINS:
        return False
    rest = gap[1:]
    return not rest or (determiners and len(rest) == 1 and rest[0] in _DETERMINERS)
