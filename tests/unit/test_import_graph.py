"""The shape of ``tracker/``'s imports: no cycle between packages, no import deferred to dodge one.

Read from the source with ``ast`` (nothing is imported): every ``import``/``from … import`` of a ``tracker``
module, at the top of a module, inside a function or under ``TYPE_CHECKING``, is an edge from the importing
module's package (``tracker.<first name>``: a sub-package or a top-level module) to the imported one's. The
package root, ``tracker/__init__.py`` (``create_app``, which wires every feature together), is the composition
root and stands outside the graph; only the console script imports it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

TRACKER = Path(__file__).resolve().parents[2] / "tracker"

# The function-level imports of our own modules that remain, each with its reason. None dodges a cycle.
DEFERRED_ALLOWED = {
    ("tracker.cli", "tracker"): "the console script builds the app with create_app, the composition root",
    ("tracker.cli", "tracker.migrate"): "alembic (0.2 s) loads only for `tracker db upgrade/downgrade`",
    ("tracker.cli", "tracker.scheduler"): "apscheduler loads only for `tracker scheduler`",
    ("tracker.blueprints", "tracker.api"): "the pages and the API load when the app is built, never at import",
    ("tracker.blueprints", "tracker.web"): "the pages and the API load when the app is built, never at import",
    ("tracker.blueprints", "tracker.security"): "the pages and the API load when the app is built, never at import",
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(TRACKER.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _package(module: str) -> str:
    """``tracker.registry.brokers`` → ``tracker.registry``; ``tracker.db`` → ``tracker.db``."""
    return ".".join(module.split(".")[:2])


def _imports(tree: ast.Module) -> Iterator[tuple[ast.stmt, list[str], bool]]:
    """Each import statement of a tracker module: the statement, the modules it may name, whether deferred."""
    top = {id(node) for node in tree.body}
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # ``from tracker import db`` names the module tracker.db; ``from tracker.db import utcnow`` tracker.db.
            names = [f"{node.module}.{alias.name}" for alias in node.names] + [node.module]
        names = [n for n in names if n == "tracker" or n.startswith("tracker.")]
        if names:
            yield node, names, id(node) not in top


def _known(name: str) -> str | None:
    """The longest prefix of a dotted name that is a module in tracker/ (``tracker.db.utcnow`` → tracker.db)."""
    parts = name.split(".")
    while parts:
        candidate = TRACKER.parent.joinpath(*parts)
        if candidate.with_suffix(".py").is_file() or (candidate / "__init__.py").is_file():
            return ".".join(parts)
        parts.pop()
    return None


def _edges() -> tuple[dict[str, dict[str, list[str]]], list[tuple[str, str, str]]]:
    """Package → package → where (``module:line``), and every deferred import (module, target, where)."""
    graph: dict[str, dict[str, list[str]]] = {}
    deferred: list[tuple[str, str, str]] = []
    for path in sorted(TRACKER.rglob("*.py")):
        module = _module_name(path)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node, names, is_deferred in _imports(tree):
            targets = {t for t in (_known(n) for n in names) if t is not None}
            # ``from tracker.x import y`` names tracker.x and perhaps tracker.x.y: keep the most precise one.
            targets = {t for t in targets if not any(o != t and o.startswith(t + ".") for o in targets)}
            where = f"{module}:{node.lineno}"
            for target in targets:
                if is_deferred:
                    deferred.append((module, target, where))
                if module == "tracker" or target == "tracker":
                    continue  # the composition root
                src, dst = _package(module), _package(target)
                if src != dst:
                    graph.setdefault(src, {}).setdefault(dst, []).append(where)
    return graph, deferred


def _cycles(graph: dict[str, dict[str, list[str]]]) -> list[list[str]]:
    """The strongly connected components of more than one package (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, {}):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(set(graph) | {d for targets in graph.values() for d in targets}):
        if node not in index:
            visit(node)
    return found


def test_no_cycle_between_packages() -> None:
    graph, _ = _edges()
    assert "tracker.registry" in graph and "tracker.web" in graph  # the graph was read at all
    described = [
        {src: {dst: graph[src][dst][:3] for dst in comp if dst in graph.get(src, {})} for src in comp}
        for comp in _cycles(graph)
    ]
    assert described == []


def test_the_cycle_check_finds_a_cycle() -> None:
    graph = {"a": {"b": ["a:1"]}, "b": {"c": ["b:1"]}, "c": {"a": ["c:1"]}, "d": {"a": ["d:1"]}}
    assert _cycles(graph) == [["a", "b", "c"]]
    assert _cycles({"a": {"b": ["a:1"]}, "b": {}}) == []


def test_the_registry_does_not_import_the_features_that_read_it() -> None:
    graph, _ = _edges()
    assert not set(graph["tracker.registry"]) & {"tracker.municipalities", "tracker.broadcast", "tracker.notify"}


def test_nothing_below_the_faces_imports_them() -> None:
    """``web`` and ``api`` are the two faces: only the app's wiring imports them, and the pages not the API."""
    graph, _ = _edges()
    importers = {src for src, targets in graph.items() for dst in targets if dst in ("tracker.web", "tracker.api")}
    assert importers <= {"tracker.blueprints", "tracker.web", "tracker.api"}
    assert "tracker.api" not in graph["tracker.web"]


def test_function_level_imports_are_only_the_listed_ones() -> None:
    """A deferred import of our own code hides a cycle or a cost; only the listed costs remain."""
    _, deferred = _edges()
    outside_root = sorted(
        (module, _package(target) if module == "tracker.blueprints" else target, where)
        for module, target, where in deferred
        if module != "tracker"  # create_app itself: `import tracker.models` must not build the app
    )
    unexpected = [d for d in outside_root if (d[0], d[1]) not in DEFERRED_ALLOWED]
    assert unexpected == []
