"""The domain's exception hierarchy; the HTTP layer maps each to one problem type."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["AmbiguousCodeError", "ContentError", "GraphError", "NotFoundError", "Problem"]


class GraphError(Exception):
    """Base class for every error the engine raises on purpose."""


class NotFoundError(GraphError, LookupError):
    """An id that names no record of the expected kind."""

    def __init__(self, what: str, ident: str) -> None:
        super().__init__(f"no {what} with id {ident!r}")
        self.what = what
        self.ident = ident


class AmbiguousCodeError(NotFoundError):
    """A standard code that several nodes carry (say, one ICD-10-CM code on two symptoms)."""

    def __init__(self, code: str, candidates: tuple[str, ...]) -> None:
        super().__init__("single node", code)
        self.args = (f"code {code!r} names several nodes: {', '.join(candidates)}",)
        self.candidates = candidates


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    """One thing wrong with a content pack: where it is and why it is wrong.

    The last three fields let a report put root causes first and fold what follows from them
    (graph/packs/report.py); they take no part in comparing problems.
    """

    file: str
    record: str
    reason: str
    # Content that could not be read (a file, a record) or an id defined twice: other
    # problems may follow from it.
    root: bool = field(default=False, compare=False)
    # The ids whose definitions it lost; `kind:*` for every id of a kind, `*` for any id.
    lost: frozenset[str] = field(default=frozenset(), compare=False)
    # The undefined id a reference problem is about ("refers to unknown node 'x'").
    refers_to: str | None = field(default=None, compare=False)

    def __str__(self) -> str:
        return f"{self.file}: {self.record}: {self.reason}"


class ContentError(GraphError):
    """Content that must not be served; carries every problem found in one pass."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} content problem(s):\n{lines}")
