"""Problems in the order to fix them: root causes first, and what follows from them folded.

One broken record, or one file that is not YAML, leaves ids undefined, and every reference
to them is a problem of its own: in a list sorted by file, the cause was buried under
hundreds of "refers to unknown node" lines. The loader marks what it could not read (and
which ids that lost); the checks mark which undefined id a reference problem is about.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase

from graph.schema.errors import Problem

__all__ = ["ProblemReport", "root_causes_first"]


@dataclass(frozen=True)
class ProblemReport:
    """Root causes, then the other problems (each sorted), then the folded consequences:
    references to ids the root causes left undefined, counted by id."""

    roots: list[Problem]
    others: list[Problem]
    folded: Counter[str]

    @property
    def count(self) -> int:
        return len(self.roots) + len(self.others) + self.folded.total()

    def lines(self, listed_ids: int = 5) -> list[str]:
        """The report as text: one line a problem, and one for the folded references."""
        lines = [str(p) for p in (*self.roots, *self.others)]
        # A folded `edges:<id>` is a node the lost edges left with none; any other, a reference.
        orphans = Counter(
            {k[len(_EDGES) :]: n for k, n in self.folded.items() if k.startswith(_EDGES)}
        )
        references = Counter({k: n for k, n in self.folded.items() if not k.startswith(_EDGES)})
        if references:
            lines.append(
                f"... and {references.total()} reference(s) to {len(references)} id(s) the "
                f"problems above left undefined, not listed: {_named(references, listed_ids)}"
            )
        if orphans:
            lines.append(
                f"... and {len(orphans)} node(s) left with no edges by the edges the problems "
                f"above dropped, not listed: {_named(orphans, listed_ids, counts=False)}"
            )
        return lines


_EDGES = "edges:"


def _named(folded: Counter[str], listed: int, counts: bool = True) -> str:
    """The `listed` most folded ids (with their counts), then how many more."""
    top = folded.most_common(listed)
    ids = [f"{ident} ({n})" if counts else ident for ident, n in top]
    more = len(folded) - len(ids)
    return ", ".join(ids) + (f" and {more} more" if more > 0 else "")


def root_causes_first(problems: Iterable[Problem]) -> ProblemReport:
    """Sort `problems` into a report; a reference is folded only when a root cause lost the
    very id it names (or every id of its kind, as a missing file does)."""
    problems = list(problems)
    lost = {ident for p in problems if p.root for ident in p.lost}
    exact = {ident for ident in lost if "*" not in ident}
    patterns = sorted(lost - exact)

    def follows(ref: str) -> bool:
        return ref in exact or any(fnmatchcase(ref, pattern) for pattern in patterns)

    roots: list[Problem] = []
    others: list[Problem] = []
    folded: Counter[str] = Counter()
    for problem in problems:
        if problem.root:
            roots.append(problem)
        elif problem.refers_to is not None and follows(problem.refers_to):
            folded[problem.refers_to] += 1
        else:
            others.append(problem)
    return ProblemReport(sorted(roots), sorted(others), folded)
