"""Dependencies shared by the routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.problems import ProblemError, Suggestion
from app.runtime import Runtime
from graph.errors import AmbiguousCodeError, NotFoundError
from graph.vocabulary import NodeKind

__all__ = ["RuntimeDep", "get_runtime", "resolve_node_ref", "unknown_node"]


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime | None = getattr(request.app.state, "runtime", None)
    if runtime is None:
        raise ProblemError(503, "The content is still loading; retry in a moment.")
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def unknown_node(runtime: Runtime, node_id: str, kind: NodeKind | None = None) -> ProblemError:
    """A 404 for an unknown node id, with the ids it most likely meant."""
    hits = runtime.search.suggest(node_id, kind=kind)
    suggestions = [Suggestion(id=h.node_id, name=h.name) for h in hits]
    hint = f" Did you mean {', '.join(repr(s.id) for s in suggestions)}?" if suggestions else ""
    return ProblemError(
        404,
        f"No node with id {node_id!r}.{hint} Search with /v1/search?q=...",
        suggestions=suggestions,
    )


def resolve_node_ref(runtime: Runtime, ref: str) -> str:
    """The node id that `ref` names, by id or by a standard code (`HP:0001250`, `R25.1`);
    a 404 problem with suggestions when it names no node, or several."""
    try:
        return runtime.graph.resolve(ref)
    except AmbiguousCodeError as exc:
        raise ProblemError(
            404,
            f"The code {ref!r} names {len(exc.candidates)} nodes: "
            f"{', '.join(exc.candidates)}. Ask for one of them by id.",
            suggestions=[Suggestion(id=c, name=runtime.graph.node(c).name) for c in exc.candidates],
        ) from None
    except NotFoundError:
        raise unknown_node(runtime, ref) from None
