"""The shape of the service package: imports that flow one way, no private name borrowed from
another module (of service/ or search/), and modules and functions a reader takes in whole.

An allowance below names a module or function that is still over the limit; each is checked to
be still needed, so one that has been shortened must leave the list.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import service
from tests.layout import (
    MAX_MODULE_LINES,
    borrowed_private_names,
    find_cycle,
    import_graph,
    imports_from,
    long_functions,
    module_lines,
    parse,
)

PACKAGE = Path(service.__file__).parent
MODULES = sorted(p for p in PACKAGE.glob("*.py") if p.name != "__init__.py")
#: Modules that are mostly tables of strings may run longer.
STRING_TABLES = {"i18n.py"}
#: Modules still over the limit (none today; an entry here must say why).
LONG_MODULES: set[str] = set()
#: Functions still over the limit (none today; an entry here must say why).
LONG_FUNCTIONS: set[tuple[str, str]] = set()
#: Modules that make pages: they build queries from service.params, never from the API's routes.
PAGE_MODULES = ("pages.py", "cards.py", "present.py", "api_docs.py")


def test_no_import_cycle() -> None:
    assert find_cycle(import_graph("service", MODULES)) is None


def test_no_private_name_is_borrowed_from_another_module() -> None:
    for path in MODULES:
        borrowed = borrowed_private_names(path, ("service", "search"))
        assert not borrowed, f"{path.name} imports {borrowed}"


def test_the_private_name_check_sees_one(tmp_path: Path) -> None:
    module = tmp_path / "borrower.py"
    module.write_text("from service.present import _secret, page_template\nfrom os import _exit\n")
    assert borrowed_private_names(module, ("service", "search")) == ["service.present._secret"]


def test_pages_do_not_stand_on_the_api() -> None:
    for name in PAGE_MODULES:
        assert "service.api" not in imports_from(parse(PACKAGE / name), ("service",)), name


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_modules_and_functions_stay_short(path: Path) -> None:
    lines = module_lines(path)
    if path.name not in STRING_TABLES | LONG_MODULES:
        assert lines <= MAX_MODULE_LINES, f"{path.name} has {lines} lines"
    long = [(name, n) for name, n in long_functions(path) if (path.name, name) not in LONG_FUNCTIONS]
    assert not long, f"{path.name}: {long}"


def test_every_allowance_is_still_needed() -> None:
    for name in LONG_MODULES:
        assert module_lines(PACKAGE / name) > MAX_MODULE_LINES, f"{name} is short now: drop it"
    for module, function in LONG_FUNCTIONS:
        names = [n for n, _ in long_functions(PACKAGE / module)]
        assert function in names, f"{module}: {function} is short now: drop it"
