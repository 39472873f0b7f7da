"""Check that every evidence excerpt appears verbatim in the text of the source it quotes."""

from __future__ import annotations

from pathlib import Path

from graph.content import Content
from graph.errors import Problem
from graph.models import Evidence

__all__ = ["check_excerpts", "collapse_whitespace"]


def collapse_whitespace(text: str) -> str:
    """Whitespace-insensitive form: excerpts may re-wrap lines but change nothing else."""
    return " ".join(text.split())


def check_excerpts(content: Content, texts_dir: Path) -> list[Problem]:
    """Problems for excerpts not found in their source's `text_file` under `texts_dir`.

    An excerpt quoting a source that has no `text_file` is a problem too: it cannot be verified.
    """
    problems: list[Problem] = []
    texts: dict[str, str | None] = {}
    for located in content.sources:
        source = located.record
        if source.text_file is None:
            texts[source.id] = None
            continue
        path = texts_dir / source.text_file
        try:
            texts[source.id] = collapse_whitespace(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(located.file, source.id, f"cannot read {path}: {exc}"))

    def check(where: str, label: str, evidence: list[Evidence]) -> None:
        for item in evidence:
            if item.source not in texts:
                continue  # unknown sources are reported by validation, or the text was unreadable
            text = texts[item.source]
            if text is None:
                reason = (
                    f"excerpt quotes {item.source}, which has no text_file to verify it against"
                )
                problems.append(Problem(where, label, reason))
            elif collapse_whitespace(item.excerpt) not in text:
                reason = f"excerpt not found verbatim in {item.source}: {item.excerpt[:80]!r}"
                problems.append(Problem(where, label, reason))

    for where, label, evidence in content.evidence():
        check(where, label, evidence)
    return problems
