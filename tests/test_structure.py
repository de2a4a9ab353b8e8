"""The engine's shape: no import cycle inside sitegen/ and its subpackages (imports inside
functions count too), and the outputs are planned in one listed place."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "sitegen"


def module_files(package: Path = PACKAGE) -> dict:
    """Every module of the package, in every subfolder: dotted name (relative to the
    package; a subpackage by its folder's name, the package's own `__init__` as
    "__init__") -> file."""
    out = {}
    for path in sorted(package.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        parts = path.relative_to(package).with_suffix("").parts
        if parts[-1] == "__init__" and len(parts) > 1:
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _package_of(name: str, path: Path) -> list:
    """The package a module's relative imports start from."""
    parts = [] if name == "__init__" else name.split(".")
    return parts if path.name == "__init__.py" else parts[:-1]


def _known(modules: dict, parts: list) -> str | None:
    """The longest prefix of `parts` that is a module of the package."""
    while parts:
        if ".".join(parts) in modules:
            return ".".join(parts)
        parts = parts[:-1]
    return None


def import_graph(package: Path = PACKAGE) -> dict:
    """module -> the sitegen modules it imports, anywhere in its code."""
    modules = module_files(package)
    graph = {}
    for name, path in modules.items():
        deps = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = []
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = _package_of(name, path)
                    base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                elif node.module == "sitegen" or (node.module or "").startswith("sitegen."):
                    base = []
                else:
                    continue
                module = (node.module or "").split(".") if node.level else (node.module or "").split(".")[1:]
                module = [m for m in module if m]
                for alias in node.names:
                    targets.append(base + module + [alias.name])
            elif isinstance(node, ast.Import):
                targets += [a.name.split(".")[1:] for a in node.names if a.name.startswith("sitegen.")]
            for target in targets:
                found = _known(modules, target)
                if found is not None and found != name:
                    deps.add(found)
        graph[name] = sorted(deps)
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


def test_modules_in_subfolders_are_seen(tmp_path):
    (tmp_path / "a.py").write_text("from .sub import c\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "__init__.py").write_text("from . import c\n")
    (tmp_path / "sub" / "c.py").write_text("from .. import a\nfrom ..sub.d import x\n")
    (tmp_path / "sub" / "d.py").write_text("import sitegen.sub.c\n")
    graph = import_graph(tmp_path)
    assert graph == {"a": ["sub.c"], "sub": ["sub.c"], "sub.c": ["a", "sub.d"], "sub.d": ["sub.c"]}
    assert find_cycle(graph) == ["a", "sub.c", "a"]


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
    for path in module_files().values():
        assert "PROVIDERS" not in path.read_text(encoding="utf-8"), path.name
    assert callable(planners.plan)


def documented_modules(text: str) -> set:
    """The modules the module map of docs/architecture.md lists (its "Module map" section)."""
    section = text.split("\n## Module map\n", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"`sitegen/([\w/]+\.py)`", section))


def test_every_module_is_in_the_module_map():
    """docs/architecture.md lists every module of the package, subfolders included, and
    no module that does not exist."""
    listed = documented_modules((PACKAGE.parent / "docs" / "architecture.md").read_text(encoding="utf-8"))
    present = {path.relative_to(PACKAGE).as_posix() for path in module_files().values()}
    assert sorted(present - listed) == [], "modules missing from the module map in docs/architecture.md"
    assert sorted(listed - present) == [], "modules listed in docs/architecture.md that do not exist"


def test_the_module_map_reader_sees_both_kinds_of_drift():
    text = "# A\n\n## Module map\n\n| `sitegen/a.py` | x |\n| `sitegen/sub/b.py` | y |\n\n## Later\n`sitegen/c.py`\n"
    assert documented_modules(text) == {"a.py", "sub/b.py"}


def unexplained_function_imports(package: Path = PACKAGE) -> list:
    """Imports inside functions without a comment on their line or one of the two lines
    above it, as "file:line: import". An import belongs at the top of its module; one made
    late on purpose (a heavy library only some builds need, a command's modules loaded
    when it runs) says why where it stands."""
    found = []
    for path in module_files(package).values():
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        for fn in ast.walk(ast.parse(text)):
            if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(fn):
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    near = lines[max(0, node.lineno - 3): node.lineno]
                    if not any("#" in line for line in near):
                        found.append(f"{path.relative_to(package.parent).as_posix()}:{node.lineno}: {lines[node.lineno - 1].strip()}")
    return sorted(set(found))


def test_imports_inside_functions_say_why():
    assert unexplained_function_imports() == [], "move these imports to the top of their module, or say why they are late"


def test_the_late_import_finder_sees_a_silent_one(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "a.py").write_text("import os\n\n\ndef f():\n    import json\n\n    return json\n\n\ndef g():\n"
                                  "    import csv  # only where tables are read\n\n    return csv\n", encoding="utf-8")
    assert unexplained_function_imports(package) == ["pkg/a.py:5: import json"]
