"""The shape of the search package: a face in ``search/__init__.py``, imports that flow one way,
no private name borrowed from another module, and modules and functions a reader takes in whole."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import search

PACKAGE = Path(search.__file__).parent
MODULES = sorted(p for p in PACKAGE.glob("*.py") if p.name != "__init__.py")
#: Modules that are mostly tables of strings may run longer.
STRING_TABLES: set[str] = set()
MAX_MODULE_LINES = 450
MAX_FUNCTION_LINES = 80


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _module_level_imports(tree: ast.Module) -> list[ast.ImportFrom | ast.Import]:
    """Imports run when the module is loaded: at its top level, not under TYPE_CHECKING or in a
    function (those are imported on first use and cannot close a cycle at import time)."""
    out: list[ast.ImportFrom | ast.Import] = []
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            out.append(node)
        elif isinstance(node, ast.Try):  # an optional dependency: try: import … except ImportError
            out += [n for n in node.body if isinstance(n, ast.Import | ast.ImportFrom)]
    return out


def _search_imports(tree: ast.Module) -> dict[str, list[str]]:
    """search modules imported at load time → the names taken from each."""
    out: dict[str, list[str]] = {}
    for node in _module_level_imports(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("search."):
            out.setdefault(node.module, []).extend(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module == "search":
            for a in node.names:
                out.setdefault(f"search.{a.name}", [])
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("search."):
                    out.setdefault(a.name, [])
    return out


def _graph() -> dict[str, set[str]]:
    return {f"search.{p.stem}": set(_search_imports(_tree(p))) for p in MODULES}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
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


def test_every_public_name_resolves_to_its_home() -> None:
    for name in search.__all__:
        value = getattr(search, name)
        home = getattr(value, "__module__", None)
        # Classes and functions come from a search module; constants (SEOUL) are checked by value.
        assert home is None or home.startswith(("search.", "zoneinfo")), (name, home)
    with pytest.raises(AttributeError):
        search.no_such_name  # noqa: B018


def test_importing_the_package_loads_no_station() -> None:
    # The face imports on first use, so `haven validate` does not pay for the engines.
    code = "import sys, search; print(sorted(m for m in sys.modules if m.startswith('search.')))"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]"


def test_search_never_imports_the_service() -> None:
    for path in MODULES:
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.ImportFrom):
                assert not (node.module or "").startswith("service"), path.name
            elif isinstance(node, ast.Import):
                assert not any(a.name.startswith("service") for a in node.names), path.name


def test_no_import_cycle() -> None:
    assert _cycle(_graph()) is None


def test_the_cycle_finder_finds_one() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_no_private_name_is_borrowed_from_another_module() -> None:
    for path in MODULES:
        for module, names in _search_imports(_tree(path)).items():
            borrowed = [n for n in names if n.startswith("_")]
            assert not borrowed, f"{path.name} imports {borrowed} from {module}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_modules_and_functions_stay_short(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").count("\n")
    if path.name not in STRING_TABLES:
        assert lines <= MAX_MODULE_LINES, f"{path.name} has {lines} lines"
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            assert length <= MAX_FUNCTION_LINES, f"{path.name}: {node.name} has {length} lines"
