"""The shape of the search package: a face in ``search/__init__.py``, imports that flow one way,
no private name borrowed from another module, and modules and functions a reader takes in whole."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import search
from tests.layout import (
    MAX_MODULE_LINES,
    borrowed_private_names,
    find_cycle,
    import_graph,
    long_functions,
    module_lines,
    parse,
)

PACKAGE = Path(search.__file__).parent
MODULES = sorted(p for p in PACKAGE.glob("*.py") if p.name != "__init__.py")
#: Modules that are mostly tables of strings may run longer.
STRING_TABLES: set[str] = set()


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
        for node in ast.walk(parse(path)):
            if isinstance(node, ast.ImportFrom):
                assert not (node.module or "").startswith("service"), path.name
            elif isinstance(node, ast.Import):
                assert not any(a.name.startswith("service") for a in node.names), path.name


def test_no_import_cycle() -> None:
    assert find_cycle(import_graph("search", MODULES)) is None


def test_the_cycle_finder_finds_one() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_private_name_is_borrowed_from_another_module() -> None:
    for path in MODULES:
        borrowed = borrowed_private_names(path, ("search",))
        assert not borrowed, f"{path.name} imports {borrowed}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_modules_and_functions_stay_short(path: Path) -> None:
    lines = module_lines(path)
    if path.name not in STRING_TABLES:
        assert lines <= MAX_MODULE_LINES, f"{path.name} has {lines} lines"
    assert not long_functions(path), f"{path.name}: {long_functions(path)}"


def test_make_test_runs_every_test_directory() -> None:
    # `make test` names its test directories (two pytest runs: one with two workers, one without);
    # a new directory of tests would otherwise never run in CI.
    root = Path(__file__).resolve().parent.parent.parent
    recipe = root.joinpath("Makefile").read_text(encoding="utf-8").split("\ntest:", 1)[1].split("\n\n", 1)[0]
    named = {
        word
        for line in recipe.splitlines()
        if "pytest" in line
        for word in line.split()
        if word.startswith("tests/")
    }
    with_tests = {f"tests/{p.parent.name}" for p in root.joinpath("tests").glob("*/test_*.py")}
    assert with_tests and named == with_tests, (named, with_tests)
