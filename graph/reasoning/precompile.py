"""Compile the diagnose kernels ahead of time (the Dockerfile runs this at build time).

Kept apart from graph/reasoning/kernel.py: compiling needs a real model to call the kernels
with, and the kernels must not depend on the model that uses them.
"""

from __future__ import annotations

from graph.knowledge import KnowledgeGraph
from graph.packs.loader import DEFAULT_PACKS_DIR
from graph.reasoning.diagnose import Diagnoser

__all__ = ["warm_up"]


def warm_up() -> None:
    """Compile the kernels into numba's cache, for a container image whose code cannot be
    written to at run time (the Dockerfile points NUMBA_CACHE_DIR at a folder the server
    may write)."""
    # The knee pack: every pack calls the kernels with the same argument types.
    Diagnoser(KnowledgeGraph.from_packs([DEFAULT_PACKS_DIR / "knee"]))
