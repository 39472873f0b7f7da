"""Precision, recall and negation accuracy of the free-text parser on tests/parse/sentences.yaml.

`python -m graph.evaluation.parsing` prints the report (`make eval` runs it after the vignettes).
A mention counts as found when both its node and its status (present or absent) match.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from graph.knowledge import KnowledgeGraph
from graph.text.parse import Parser, Polarity

__all__ = ["ParseReport", "evaluate", "load_sentences", "main"]

ROOT = Path(__file__).resolve().parents[2]
SENTENCES = ROOT / "tests" / "parse" / "sentences.yaml"
PACK = ROOT / "seeds" / "knee"


@dataclass(frozen=True, slots=True)
class Sentence:
    text: str
    expect: dict[str, str]
    tags: tuple[str, ...]


@dataclass(slots=True)
class ParseReport:
    sentences: int = 0
    expected: int = 0
    predicted: int = 0
    correct: int = 0
    negated: int = 0  # expected absent mentions
    negated_correct: int = 0  # ... found as absent
    wrongly_negated: int = 0  # present mentions read as absent
    failures: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.expected if self.expected else 1.0

    @property
    def negation_accuracy(self) -> float:
        return self.negated_correct / self.negated if self.negated else 1.0


def load_sentences(path: Path = SENTENCES) -> list[Sentence]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        Sentence(s["text"], dict(s.get("expect") or {}), tuple(s.get("tags") or ()))
        for s in data["sentences"]
    ]


def evaluate(parser: Parser, sentences: Sequence[Sentence], pack: str = "knee") -> ParseReport:
    report = ParseReport()
    for sentence in sentences:
        _, mentions = parser.parse(sentence.text, pack)
        got: dict[str, str] = {}
        for m in mentions:
            got[m.node_id] = m.polarity.value  # the last mention decides, as the API does
        want = sentence.expect
        report.sentences += 1
        report.expected += len(want)
        report.predicted += len(got)
        hits = {k for k, v in got.items() if want.get(k) == v}
        report.correct += len(hits)
        absent = [k for k, v in want.items() if v == Polarity.ABSENT.value]
        report.negated += len(absent)
        report.negated_correct += sum(got.get(k) == Polarity.ABSENT.value for k in absent)
        report.wrongly_negated += sum(
            v == Polarity.PRESENT.value and got.get(k) == Polarity.ABSENT.value
            for k, v in want.items()
        )
        if got != want:
            report.failures.append(f"{sentence.text!r}: expected {want}, got {got}")
    return report


def main(argv: Sequence[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__).parse_args(argv)
    del args
    parser = Parser(KnowledgeGraph.from_packs([PACK]))
    report = evaluate(parser, load_sentences())
    print(f"Free-text parsing ({report.sentences} sentences, {SENTENCES.relative_to(ROOT)})")
    print(f"  mentions expected {report.expected}, predicted {report.predicted}")
    print(f"  precision          {report.precision:.3f}")
    print(f"  recall             {report.recall:.3f}")
    print(
        f"  negation accuracy  {report.negation_accuracy:.3f} "
        f"({report.negated_correct}/{report.negated} negated mentions); "
        f"present mentions read as absent: {report.wrongly_negated}"
    )
    for failure in report.failures:
        print(f"  miss: {failure}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
