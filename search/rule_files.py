"""The search's rule files, read and checked for the catalog: data/needs.yaml (what queries ask
for, search/needs.py) and data/kinds.yaml (what the ranking knows of each kind, search/kinds.py).
Each problem names its file and line, as the catalog's own do."""

from __future__ import annotations

from pathlib import Path

import msgspec

from search.kinds import KindsFile, KindTable
from search.model import Taxonomy
from search.needs import NeedRules
from search.yaml_file import Problem, YamlFile

__all__ = ("read_kinds", "read_needs")


def read_needs(path: Path, problems: list[Problem]) -> tuple[NeedRules, bytes]:
    """data/needs.yaml (no rules when there is no such file). Adds what is wrong to ``problems``;
    returns the rules and the file's bytes for the data hash."""
    if not path.is_file():
        return NeedRules(), b""
    file = YamlFile(path, str(path), problems)
    if not file.ok:
        return NeedRules(), file.raw
    # needs.yaml may name services a smaller directory does not have (a deployment that keeps only
    # some entries, a test's copy): those are simply not advised. tests/search/test_data.py checks
    # that the project's own data has every one.
    try:
        return msgspec.convert(file.data or {}, NeedRules), file.raw
    except msgspec.ValidationError as exc:
        problems.append(file.conversion_problem(exc))
        return NeedRules(), file.raw


def read_kinds(path: Path, taxonomy: Taxonomy | None, problems: list[Problem]) -> tuple[KindTable, bytes]:
    """data/kinds.yaml checked against the taxonomy's kinds: each listed once, none unknown, none
    missing (so every kind a resource uses has its place). Adds what is wrong to ``problems``;
    returns the table (empty if unreadable) and the file's bytes for the data hash."""
    file = YamlFile(path, str(path), problems)
    if not file.ok:
        return KindTable(), file.raw
    if file.data is None:
        problems.append(
            Problem(file.display, 1, "kinds", "the file is empty (expected a top-level 'kinds:')")
        )
        return KindTable(), file.raw
    try:
        kinds = msgspec.convert(file.data, KindsFile).kinds
    except msgspec.ValidationError as exc:
        problems.append(file.conversion_problem(exc))
        return KindTable(), file.raw
    known = [t.key for t in taxonomy.kinds] if taxonomy else None
    seen: set[str] = set()
    for i, kind in enumerate(kinds):
        line = file.line(["kinds", i])
        if kind.key in seen:
            problems.append(Problem(file.display, line, f"kinds[{i}]", f"kind {kind.key!r} is listed twice"))
        elif known is not None and kind.key not in known:
            msg = f"unknown kind {kind.key!r} (data/taxonomy.yaml has no such kind)"
            problems.append(Problem(file.display, line, f"kinds[{i}]", msg))
        seen.add(kind.key)
    for key in known or []:
        if key not in seen:
            msg = (
                f"kind {key!r} (data/taxonomy.yaml) has no entry: give it its place in the tie order, "
                "its weight and whether a person answers"
            )
            problems.append(Problem(file.display, file.line(["kinds"]), "kinds", msg))
    return KindTable(kinds), file.raw
