"""graph/ is the pure domain engine: it must not reach for the HTTP layer."""

from __future__ import annotations

import ast

import pytest

from tests.paths import REPO

FORBIDDEN = ("fastapi", "starlette", "uvicorn", "app")
MODULES = sorted((REPO / "graph").rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(REPO)))
def test_graph_module_imports_no_http_layer(path: object) -> None:
    tree = ast.parse(path.read_text())  # type: ignore[attr-defined]
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert not imported & set(FORBIDDEN)


def test_modules_were_found() -> None:
    assert len(MODULES) >= 10
