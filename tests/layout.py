"""Reading a package's shape from its source: which of its modules each module imports at load
time, import cycles, private names taken from another module, and long modules and functions.

tests/search/test_layout.py and tests/service/test_layout.py hold the rules; this module only
reads the code, so both packages are measured the same way.
"""

from __future__ import annotations

import ast
from pathlib import Path

MAX_MODULE_LINES = 450
MAX_FUNCTION_LINES = 80


def parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def module_level_imports(tree: ast.Module) -> list[ast.ImportFrom | ast.Import]:
    """Imports run when the module is loaded: at its top level, not under TYPE_CHECKING or in a
    function (those are imported on first use and cannot close a cycle at import time)."""
    out: list[ast.ImportFrom | ast.Import] = []
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            out.append(node)
        elif isinstance(node, ast.Try):  # an optional dependency: try: import … except ImportError
            out += [n for n in node.body if isinstance(n, ast.Import | ast.ImportFrom)]
    return out


def imports_from(tree: ast.Module, packages: tuple[str, ...]) -> dict[str, list[str]]:
    """Modules of ``packages`` imported at load time → the names taken from each."""
    out: dict[str, list[str]] = {}
    for node in module_level_imports(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module.startswith(tuple(f"{p}." for p in packages)):
                out.setdefault(node.module, []).extend(a.name for a in node.names)
            elif node.module in packages:
                for a in node.names:
                    out.setdefault(f"{node.module}.{a.name}", [])
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith(tuple(f"{p}." for p in packages)):
                    out.setdefault(a.name, [])
    return out


def import_graph(package: str, modules: list[Path]) -> dict[str, set[str]]:
    """``package.module`` → the modules of the same package it imports at load time."""
    return {f"{package}.{p.stem}": set(imports_from(parse(p), (package,))) for p in modules}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, if there is any."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def borrowed_private_names(path: Path, packages: tuple[str, ...]) -> list[str]:
    """``module.name`` for each private name ``path`` imports from a module of ``packages``."""
    return [
        f"{module}.{name}"
        for module, names in imports_from(parse(path), packages).items()
        for name in names
        if name.startswith("_")
    ]


def module_lines(path: Path) -> int:
    return path.read_text(encoding="utf-8").count("\n")


def long_functions(path: Path, limit: int = MAX_FUNCTION_LINES) -> list[tuple[str, int]]:
    """``(name, lines)`` of each function or method in ``path`` longer than ``limit`` lines."""
    out = []
    for node in ast.walk(parse(path)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > limit:
                out.append((node.name, length))
    return out
