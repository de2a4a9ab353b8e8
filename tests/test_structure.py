"""The engine's shape: no import cycle inside sitegen/ (imports inside functions count
too), and the outputs are planned in one listed place."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "sitegen"


def import_graph(package: Path = PACKAGE) -> dict:
    """module -> the sitegen modules it imports, anywhere in its code."""
    modules = {p.stem for p in package.glob("*.py")}
    graph = {}
    for path in sorted(package.glob("*.py")):
        deps = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                if node.level == 1 and node.module:
                    deps.add(node.module.split(".")[0])
                elif node.level == 1:
                    deps.update(a.name for a in node.names)
                elif node.module == "sitegen":
                    deps.update(a.name for a in node.names)
                elif node.module and node.module.startswith("sitegen."):
                    deps.add(node.module.split(".")[1])
            elif isinstance(node, ast.Import):
                deps.update(a.name.split(".")[1] for a in node.names if a.name.startswith("sitegen."))
        graph[path.stem] = sorted(d for d in deps if d in modules and d != path.stem)
    return graph


def find_cycle(graph: dict) -> list:
    """One import cycle as [a, b, ..., a], or []."""
    state: dict = {}
    stack: list = []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for dep in graph.get(node, ()):
            if state.get(dep) == "open":
                return stack[stack.index(dep):] + [dep]
            if dep not in state:
                found = visit(dep)
                if found:
                    return found
        stack.pop()
        state[node] = "done"
        return []

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return []


def test_the_package_has_no_import_cycle():
    graph = import_graph()
    assert {"pipeline", "routes", "render", "charts"} <= set(graph)
    assert find_cycle(graph) == []


def test_the_cycle_finder_finds_cycles():
    assert find_cycle({"a": ["b"], "b": ["c"], "c": ["a"]}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": ["b"], "b": [], "c": ["a", "b"]}) == []


def test_function_level_imports_are_seen(tmp_path):
    # A cycle hidden in an import inside a function still counts.
    (tmp_path / "a.py").write_text("from . import b\n")
    (tmp_path / "b.py").write_text("def f():\n    from .a import x\n    return x\n")
    (tmp_path / "c.py").write_text("import sitegen.a\nfrom sitegen import b\n")
    graph = import_graph(tmp_path)
    assert graph == {"a": ["b"], "b": ["a"], "c": ["a", "b"]}
    assert find_cycle(graph) == ["a", "b", "a"]


def test_outputs_are_planned_in_one_place():
    from sitegen import planners

    source = (PACKAGE / "planners.py").read_text(encoding="utf-8")
    for call in ("routes.pages", "charts.csv_routes", "feeds.feed_routes", "calendar.calendar_routes",
                 "opendata.data_routes", "feeds.sitemap_routes", "share.image_routes"):
        assert call in source
    # No module registers anything into another when imported.
    for path in PACKAGE.glob("*.py"):
        assert "PROVIDERS" not in path.read_text(encoding="utf-8"), path.name
    assert callable(planners.plan)
