"""Check evidence against the text of its source: excerpts verbatim, database references present.

Both checks use an index built once per source (a whitespace-collapsed text for excerpts, a
set of tokens for references), so a pack of 150,000 edges checks in linear time.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from graph.schema.content import Content
from graph.schema.errors import Problem
from graph.schema.records import EdgeEvidence, Evidence, SourceKind

__all__ = ["check_excerpts", "collapse_whitespace"]

# What separates the fields of a database file (TSV, OBO) in which a reference such as
# PMID:123 stands alone.
_SEPARATORS = ';|,[]"'


def _tokens(text: str) -> set[str]:
    # str.replace + split: a regex split took 4.6 s on the 33 MB annotation file, and
    # str.translate (slow on non-ASCII text) 4.7 s; this takes well under one.
    for separator in _SEPARATORS:
        text = text.replace(separator, " ")
    return set(text.split())


def collapse_whitespace(text: str) -> str:
    """Whitespace-insensitive form: excerpts may re-wrap lines but change nothing else."""
    return " ".join(text.split())


class _SourceText:
    """One source's text, indexed for the kind of evidence that cites it."""

    def __init__(self, text: str, database: bool) -> None:
        self._text = "" if database else collapse_whitespace(text)
        self._tokens = _tokens(text) if database else set()
        self._seen: dict[str, bool] = {}

    def quotes(self, excerpt: str) -> bool:
        found = self._seen.get(excerpt)
        if found is None:
            found = self._seen[excerpt] = collapse_whitespace(excerpt) in self._text
        return found

    def mentions(self, reference: str) -> bool:
        return reference in self._tokens


def check_excerpts(content: Content, texts_dir: Path) -> list[Problem]:
    """Problems for evidence its source's `text_file` under `texts_dir` does not bear out.

    An excerpt must appear verbatim (whitespace aside); a database reference must appear as a
    field of the database file. Evidence citing a source without a `text_file` is a problem
    too: it cannot be verified.
    """
    problems: list[Problem] = []
    texts: dict[str, _SourceText | None] = {}
    for located in content.sources:
        source = located.record
        if source.text_file is None:
            texts[source.id] = None
            continue
        path = texts_dir / source.text_file
        try:
            raw = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(located.file, source.id, f"cannot read {path}: {exc}"))
            continue
        texts[source.id] = _SourceText(raw, database=source.kind is SourceKind.DATABASE)

    def check(where: str, label: str, evidence: Sequence[EdgeEvidence]) -> None:
        for item in evidence:
            if item.source not in texts:
                continue  # unknown sources are reported by validation, or the text was unreadable
            text = texts[item.source]
            if text is None:
                reason = (
                    f"evidence cites {item.source}, which has no text_file to verify it against"
                )
                problems.append(Problem(where, label, reason))
            elif isinstance(item, Evidence):
                if not text.quotes(item.excerpt):
                    reason = f"excerpt not found verbatim in {item.source}: {item.excerpt[:80]!r}"
                    problems.append(Problem(where, label, reason))
            elif not text.mentions(item.reference):
                reason = f"reference {item.reference} does not appear in {item.source}"
                problems.append(Problem(where, label, reason))

    for where, label, evidence in content.evidence():
        check(where, label, evidence)
    return problems
