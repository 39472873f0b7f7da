"""The import graph: no circles in graph/ or app/, and graph/'s stages import only downwards.

graph/ is a pipeline, one folder a stage (README, "Architecture"). A module may import its
own stage and the stages ranked below it, never a stage beside it or above it. Every import
counts, including those inside functions and under TYPE_CHECKING: a lazy import still ties
the two modules together, and was how both circles this test was written for were hidden.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from pathlib import Path

import networkx as nx
import pytest

from tests.paths import REPO

# Stage -> rank. Stages of one rank sit side by side and may not import one another.
STAGES: Mapping[str, int] = {
    "schema": 0,  # vocabulary, records, errors: what content is made of
    "packs": 1,  # reading, importing and checking content from disk
    "knowledge": 2,  # the loaded, immutable graph
    "text": 3,  # search and free-text parsing
    "reasoning": 3,  # diagnosis, explanations, paths
    "formats": 3,  # everything written out: node-link, GraphML, JSON-LD, KGX
    "evaluation": 4,  # the harnesses behind `make eval` and `make eval-hpo`
}


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def import_graph(root: Path) -> nx.DiGraph:
    """Modules of the package at `root` as nodes, an edge for each import of one by another."""
    paths = sorted(root.rglob("*.py"))
    modules = {module_name(root, p): p for p in paths}
    graph = nx.DiGraph()
    graph.add_nodes_from(modules)
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative: from the package, up level - 1 packages
                    anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    base = ".".join([*anchor, *([base] if base else [])])
                # `from pkg import mod` imports the module `pkg.mod` when there is one.
                targets = [
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                    for alias in node.names
                ]
            for target in targets:
                # `import a.b.c` of a module inside the package: the deepest one that exists.
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph.add_edge(name, target)
    return graph


def circles(graph: nx.DiGraph) -> list[list[str]]:
    """Every strongly connected group of more than one module, sorted: each holds a circle."""
    return sorted(sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1)


def stage_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def stage_violations(graph: nx.DiGraph, stages: Mapping[str, int]) -> list[str]:
    """Imports that go up or sideways between stages, and modules in no known stage."""
    problems = []
    for module in sorted(graph.nodes):
        stage = stage_of(module)
        if stage is not None and stage not in stages:
            problems.append(f"{module}: in no stage (add its folder to STAGES)")
    for importer, imported in sorted(graph.edges):
        here, there = stage_of(importer), stage_of(imported)
        if here is None or there is None or here == there:
            continue
        if here in stages and there in stages and stages[there] >= stages[here]:
            way = "sideways" if stages[there] == stages[here] else "upwards"
            problems.append(f"{importer} imports {imported}: {here} -> {there} is {way}")
    return problems


@pytest.mark.parametrize("package", ["graph", "app"])
def test_no_import_circles(package: str) -> None:
    graph = import_graph(REPO / package)
    assert graph.number_of_edges() > 20  # the reader found the imports
    assert circles(graph) == []


def test_graph_stages_import_only_downwards() -> None:
    assert stage_violations(import_graph(REPO / "graph"), STAGES) == []


def test_every_stage_folder_is_ranked() -> None:
    folders = {p.name for p in (REPO / "graph").iterdir() if (p / "__init__.py").is_file()}
    assert folders == set(STAGES)


# The checks themselves, on a planted package: each must catch what it is for.


def _plant(root: Path, files: Mapping[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_a_planted_circle_is_found(tmp_path: Path) -> None:
    pkg = _plant(
        tmp_path / "graph",
        {
            "__init__.py": "",
            "schema/__init__.py": "",
            "schema/a.py": "from graph.schema.b import thing\n",
            # The way back is a lazy import inside a function: still a circle.
            "schema/b.py": "def thing():\n    from graph.schema import a\n",
            "schema/c.py": "from . import a\n",
        },
    )
    graph = import_graph(pkg)
    assert circles(graph) == [["graph.schema.a", "graph.schema.b"]]
    assert graph.has_edge("graph.schema.c", "graph.schema.a")  # relative imports resolve


def test_a_planted_upward_or_sideways_import_is_found(tmp_path: Path) -> None:
    pkg = _plant(
        tmp_path / "graph",
        {
            "__init__.py": "",
            "schema/__init__.py": "",
            "schema/records.py": "import graph.knowledge.store\n",
            "knowledge/__init__.py": "",
            "knowledge/store.py": "from graph.schema.records import X\n",
            "text/__init__.py": "",
            "text/search.py": "from graph.reasoning.model import M\n",
            "reasoning/__init__.py": "",
            "reasoning/model.py": "from graph.knowledge import store\n",
            "extra/__init__.py": "",
        },
    )
    assert stage_violations(import_graph(pkg), STAGES) == [
        "graph.extra: in no stage (add its folder to STAGES)",
        "graph.schema.records imports graph.knowledge.store: schema -> knowledge is upwards",
        "graph.text.search imports graph.reasoning.model: text -> reasoning is sideways",
    ]
