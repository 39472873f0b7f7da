"""Clinical text: HPO terms found in text written outside the project, against its gold sets.

Two dev sets from PhenoTagger's repository, kept in `../shared/data/hpo-text/` (its README):

- GSC+ dev: 22 PubMed abstracts with every phenotype mention's span and HPO id;
- JAX: 131 full-text case reports, each with the set of HPO ids its curators assigned.

Scores are micro-averaged over documents:

- document level: the set of HPO ids found in a document against its gold set (both sets);
- mention level (GSC+ only): a found (span, id) against the gold ones, `strict` when the span
  is the same, `overlap` when the spans share a character.

What counts as found is every mention of an HPO term, whatever its status: GSC+ and JAX mark
concepts, not whether the patient has them, and FastHPOCR (beside it in
`bench/clinical_text.py`) has no negation either. So the mentions the API leaves out as no
finding (in advice, or in a statement of what can cause what: "mutations in X may cause A")
count here too (`every_mention`). Gold ids are read as the pack reads them:
an id HPO has since merged into another counts as the term it was merged into.

The parser takes at most MAX_TEXT characters a request, as the API does; here a longer text
is cut at sentence ends into pieces that fit and each piece is read, so that a 20 KB case
report is read whole (and pays for the cutting in the speed figure).

`python -m graph.evaluation.clinical_text` prints the project's own figures (`make
eval-clinical`; `make eval` prints them beside FastHPOCR's, through bench/clinical_text.py);
it skips with a message when the data or the HPO pack is missing.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from graph.knowledge import KnowledgeGraph
from graph.schema.records import CodeSystem
from graph.schema.vocabulary import NodeKind
from graph.text.parse import MAX_TEXT, MentionKind, Parser

__all__ = [
    "Document",
    "Found",
    "GoldMention",
    "Recogniser",
    "Report",
    "Scores",
    "chunks",
    "evaluate",
    "hpo_codes",
    "load_gscplus",
    "load_jax",
    "main",
    "project_recogniser",
    "score_documents",
    "score_mentions",
]

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data" / "hpo-text"
PACK = ROOT / "build" / "hpo"

_HP_ID = re.compile(r"HP:\d{7}")
# A sentence ends at . ! ? and the white space after it, or at a line break.
_SENTENCE_END = re.compile(r"[.!?]\s+|\n")


@dataclass(frozen=True, slots=True)
class GoldMention:
    start: int
    end: int
    text: str
    term: str  # HPO id


@dataclass(frozen=True, slots=True)
class Document:
    id: str
    text: str
    terms: frozenset[str]  # the document-level gold set
    mentions: tuple[GoldMention, ...] = ()  # spans, where the corpus gives them


# A span [start, end) and the HPO id found there.
Found = tuple[int, int, str]
Recogniser = Callable[[str], Sequence[Found]]


def load_gscplus(path: Path) -> list[Document]:
    """GSC+ blocks (PMID, abstract, then `start<TAB>end<TAB>text<TAB>HP id` lines), separated
    by a blank line. A mention whose id is not an HP id (a few are malformed in the source) or
    whose span does not hold its text is left out rather than guessed at."""
    text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    documents = []
    for block in text.split("\n\n"):
        lines = block.strip("\n").split("\n")
        if len(lines) < 2:
            continue
        pmid, abstract = lines[0].strip(), lines[1]
        mentions = []
        for line in lines[2:]:
            cells = line.split("\t")
            if len(cells) != 4 or not _HP_ID.fullmatch(cells[3].strip()):
                continue
            start, end = int(cells[0]), int(cells[1])
            if abstract[start:end] != cells[2]:
                continue
            mentions.append(GoldMention(start, end, cells[2], cells[3].strip()))
        terms = frozenset(m.term for m in mentions)
        documents.append(Document(pmid, abstract, terms, tuple(mentions)))
    return documents


def load_jax(folder: Path) -> list[Document]:
    """The case reports in `txt/` that `gold.json` has a set for, in PMID order."""
    gold: dict[str, dict[str, str]] = json.loads((folder / "gold.json").read_text("utf-8"))
    documents = []
    for path in sorted((folder / "txt").glob("*.txt")):
        if path.stem in gold:
            terms = frozenset(t for t in gold[path.stem] if _HP_ID.fullmatch(t))
            documents.append(Document(path.stem, path.read_text(encoding="utf-8"), terms))
    return documents


def chunks(text: str, limit: int = MAX_TEXT) -> Iterator[tuple[int, str]]:
    """`text` as (offset, piece) pieces of at most `limit` characters, cut after a sentence
    end where there is one in reach, else at the last white space, else hard."""
    start = 0
    while len(text) - start > limit:
        window = text[start : start + limit]
        cut = max((m.end() for m in _SENTENCE_END.finditer(window)), default=0)
        if cut == 0:
            cut = window.rfind(" ") + 1 or limit
        yield start, text[start : start + cut]
        start += cut
    if start < len(text):
        yield start, text[start:]


def hpo_codes(graph: KnowledgeGraph) -> dict[str, str]:
    """Every HP id a symptom node carries (its own first, then ids merged into it) -> its own."""
    current: dict[str, str] = {}
    for node in graph.nodes(NodeKind.SYMPTOM):
        codes = [c.code for c in node.codes if c.system is CodeSystem.HPO]
        for code in codes:
            current.setdefault(code, codes[0])
    return current


def project_recogniser(graph: KnowledgeGraph, pack: str | None = None) -> Recogniser:
    """The project's parser on one pack (the first loaded by default), as a recogniser of HPO
    ids: symptom mentions of nodes with an HP code, of any status and experiencer, in a text of any
    length."""
    packs = Parser(graph).packs
    parser = packs[pack] if pack is not None else next(iter(packs.values()))
    code_of: dict[str, str] = {}
    for node in graph.nodes(NodeKind.SYMPTOM):
        codes = [c.code for c in node.codes if c.system is CodeSystem.HPO]
        if codes:
            code_of[node.id] = codes[0]

    def recognise(text: str) -> list[Found]:
        found: list[Found] = []
        for offset, piece in chunks(text):
            for m in parser.parse(piece, every_mention=True):
                code = code_of.get(m.node_id)
                if m.kind is MentionKind.SYMPTOM and code is not None:
                    found.append((offset + m.start, offset + m.end, code))
        return found

    return recognise


@dataclass(slots=True)
class Scores:
    """Micro-averaged counts. Precision and recall keep their own true positives: at mention
    level with `overlap`, one found span may cover two gold ones, or the other way round."""

    found: int = 0
    gold: int = 0
    found_correct: int = 0
    gold_found: int = 0

    @property
    def precision(self) -> float:
        return self.found_correct / self.found if self.found else 0.0

    @property
    def recall(self) -> float:
        return self.gold_found / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _current(terms: frozenset[str] | set[str], codes: Mapping[str, str]) -> set[str]:
    return {codes.get(t, t) for t in terms}


def score_documents(
    documents: Sequence[Document], found: Sequence[Sequence[Found]], codes: Mapping[str, str]
) -> Scores:
    scores = Scores()
    for document, hits in zip(documents, found, strict=True):
        gold = _current(document.terms, codes)
        got = _current({term for _, _, term in hits}, codes)
        scores.found += len(got)
        scores.gold += len(gold)
        scores.found_correct += len(got & gold)
        scores.gold_found += len(got & gold)
    return scores


def score_mentions(
    documents: Sequence[Document],
    found: Sequence[Sequence[Found]],
    codes: Mapping[str, str],
    strict: bool,
) -> Scores:
    scores = Scores()
    for document, hits in zip(documents, found, strict=True):
        gold = {(m.start, m.end, codes.get(m.term, m.term)) for m in document.mentions}
        got = {(s, e, codes.get(t, t)) for s, e, t in hits}
        scores.found += len(got)
        scores.gold += len(gold)
        if strict:
            scores.found_correct += len(got & gold)
            scores.gold_found += len(got & gold)
            continue

        def meets(a: Found, others: set[Found]) -> bool:
            return any(a[2] == b[2] and a[0] < b[1] and b[0] < a[1] for b in others)

        scores.found_correct += sum(meets(g, gold) for g in got)
        scores.gold_found += sum(meets(g, got) for g in gold)
    return scores


@dataclass(frozen=True, slots=True)
class Report:
    name: str
    documents: Scores
    strict: Scores | None  # mention level, where the corpus has spans
    overlap: Scores | None
    per_second: float  # documents read per second, in process
    characters: int


def evaluate(
    recogniser: Recogniser,
    documents: Sequence[Document],
    codes: Mapping[str, str],
    name: str,
    min_seconds: float = 1.0,
) -> Report:
    """Scores over `documents`, and their speed: the set is read again until `min_seconds`
    have passed (at least once), and documents per second is the count over the time."""
    found = [recogniser(d.text) for d in documents]
    rounds, started = 0, time.perf_counter()
    while True:
        for document in documents:
            recogniser(document.text)
        rounds += 1
        elapsed = time.perf_counter() - started
        if elapsed >= min_seconds:
            break
    spans = any(d.mentions for d in documents)
    return Report(
        name=name,
        documents=score_documents(documents, found, codes),
        strict=score_mentions(documents, found, codes, strict=True) if spans else None,
        overlap=score_mentions(documents, found, codes, strict=False) if spans else None,
        per_second=rounds * len(documents) / elapsed,
        characters=sum(len(d.text) for d in documents),
    )


def _cell(scores: Scores | None) -> str:
    if scores is None:
        return "       -            "
    return f"{scores.precision:.3f} {scores.recall:.3f} {scores.f1:.3f}"


def table(title: str, reports: Sequence[Report]) -> str:
    """The reports of one set, side by side: P R F1 at each level, and speed."""
    lines = [
        title,
        f"  {'recogniser':<34} {'document P R F1':<19}  {'mention strict':<19}  "
        f"{'mention overlap':<19}  docs/s",
    ]
    for r in reports:
        lines.append(
            f"  {r.name:<34} {_cell(r.documents)}  {_cell(r.strict)}  {_cell(r.overlap)}  "
            f"{r.per_second:,.0f}"
        )
    return "\n".join(lines)


def datasets(data: Path) -> list[tuple[str, list[Document]]]:
    gscplus = load_gscplus(data / "gscplus-dev.tsv")
    jax = load_jax(data / "jax")
    return [
        (f"GSC+ dev ({len(gscplus)} abstracts)", gscplus),
        (f"JAX ({len(jax)} case reports)", jax),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    args.add_argument("--data", type=Path, default=DATA, help="the hpo-text folder")
    args.add_argument("--pack", type=Path, default=PACK, help="the HPO pack (make hpo)")
    options = args.parse_args(argv)
    if not (options.data / "gscplus-dev.tsv").is_file():
        print(f"Clinical text: skipped, {options.data} not found (the dev data in ../shared)")
        return 0
    if not (options.pack / "pack.yaml").is_file():
        print(f"Clinical text: skipped, no HPO pack at {options.pack} (make hpo builds it)")
        return 0
    graph = KnowledgeGraph.from_packs([options.pack])
    recogniser = project_recogniser(graph)
    codes = hpo_codes(graph)
    print(
        "Clinical text, HPO pack: micro-averaged P R F1, any status (graph/evaluation/clinical_text.py)"
    )
    for title, documents in datasets(options.data):
        print(table(title, [evaluate(recogniser, documents, codes, "symptom-graph parser")]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
