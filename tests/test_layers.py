"""The package's layers import only downward, and no module imports itself back through a circle.

The layers, top first (docs/architecture.md draws them): faces (cli, web) > pipeline, views >
ingest, enrich, search, render, export, sample > analysis, store > domain, model, config, errors.
"""

from __future__ import annotations

import ast
from pathlib import Path

import unsealed

ROOT = Path(unsealed.__file__).parent

LAYER = {
    "cli": 5,
    "web": 5,
    "__main__": 5,
    "pipeline": 4,
    "views": 3,
    "render": 3,
    "export": 3,
    "sample": 3,
    "ingest": 2,
    "enrich": 2,
    "search": 2,
    "analysis": 1,
    "store": 1,
    "domain": 0,
    "model": 0,
    "config": 0,
    "errors": 0,
    "__init__": 0,
}


def _package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _imports() -> dict[str, set[str]]:
    """Every module's imports of other `unsealed` modules (lazy imports inside functions count)."""
    graph: dict[str, set[str]] = {}
    for path in ROOT.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        rel = path.relative_to(ROOT.parent).with_suffix("")
        name = ".".join(p for p in rel.parts if p != "__init__")
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("unsealed"):
                found.add(node.module)
            elif isinstance(node, ast.Import):
                found.update(a.name for a in node.names if a.name.startswith("unsealed"))
        graph[name] = found
    return graph


def test_every_package_has_a_layer() -> None:
    packages = {_package(m) for m in _imports()}
    assert packages <= set(LAYER), f"give these a layer: {sorted(packages - set(LAYER))}"


def test_imports_go_only_downward() -> None:
    upward = [
        f"{module} -> {target}"
        for module, targets in _imports().items()
        for target in targets
        if _package(module) != _package(target)
        and LAYER[_package(target)] > LAYER[_package(module)]
        and not (_package(module) == "__init__")
    ]
    assert upward == []


def test_no_import_circles_between_packages() -> None:
    graph = _imports()
    edges: dict[str, set[str]] = {}
    for module, targets in graph.items():
        edges.setdefault(_package(module), set()).update(
            _package(t) for t in targets if _package(t) not in (_package(module), "__init__")
        )
    assert _circles(edges) == []


def test_no_import_circles_between_modules() -> None:
    graph = _imports()
    modules = set(graph)
    edges = {m: {t for t in ts if t in modules and t != m} for m, ts in graph.items()}
    # a package's __init__ re-exporting its own modules is not a circle
    real = [c for c in _circles(edges) if not any(c[i + 1].startswith(c[i] + ".") for i in range(len(c) - 1))]
    assert real == []


def _circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Each back edge found by a depth-first walk, as the circle it closes."""
    circles: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                circles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node)
    return circles
