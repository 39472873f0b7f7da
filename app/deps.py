"""Dependencies shared by the routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.problems import ProblemError, Suggestion
from app.runtime import Runtime
from graph.vocabulary import NodeKind

__all__ = ["RuntimeDep", "get_runtime", "unknown_node"]


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
