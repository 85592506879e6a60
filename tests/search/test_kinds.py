"""data/kinds.yaml (search/kinds.py, read by search/rule_files.py) and the needs' ``victim`` mark:
checked by `haven validate`, kept in the index, and what the search reads."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest
import yaml

from search.catalog import Catalog, load_catalog
from search.index import build_index
from search.kinds import Kind, KindTable
from search.model import Query
from search.needs import NeedRules, detect
from search.scoring import Order
from search.sqlite_engine import SqliteEngine
from tests.search.test_catalog import problems
from tests.search.test_scoring import row


def edit_kinds(data_dir: Path, change: object) -> Path:
    """data/kinds.yaml of ``data_dir`` with its list of kinds passed through ``change``."""
    path = data_dir / "kinds.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["kinds"] = change(doc["kinds"])  # type: ignore[operator]
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return data_dir


def test_every_kind_of_the_taxonomy_has_its_entry(catalog: Catalog) -> None:
    listed = [k.key for k in catalog.kinds.kinds]
    assert sorted(listed) == sorted(t.key for t in catalog.taxonomy.kinds)
    used = {r.kind for r in catalog.resources}
    assert used <= set(listed)


def test_a_kind_left_out_of_the_table_is_named_by_validate(national_data: Path) -> None:
    edit_kinds(national_data, lambda kinds: [k for k in kinds if k["key"] != "legal-aid"])
    found = problems(national_data)
    assert len(found) == 1
    assert found[0].startswith(f"{national_data}/kinds.yaml:")
    assert "kinds: kind 'legal-aid' (data/taxonomy.yaml) has no entry" in found[0]


def test_an_unknown_or_repeated_kind_is_named_at_its_line(national_data: Path) -> None:
    extra = [{"key": "helpline", "weight": 1.2}, {"key": "guide"}]
    edit_kinds(national_data, lambda kinds: [*kinds, *extra])
    found = problems(national_data)
    assert any(
        p.endswith("kinds[12]: unknown kind 'helpline' (data/taxonomy.yaml has no such kind)") for p in found
    ), found
    assert any(p.endswith("kinds[13]: kind 'guide' is listed twice") for p in found), found
    # Each at its own line of the file (safe_dump writes a kind over two lines or one).
    lines = [int(p.split(":")[1]) for p in found]
    assert len(set(lines)) == 2 and all(n > 12 for n in lines)


def test_a_weight_out_of_bounds_or_an_unknown_field_is_refused(national_data: Path) -> None:
    edit_kinds(national_data, lambda kinds: [{**kinds[0], "weight": 5}, *kinds[1:]])
    assert any("kinds[0].weight" in p and "<= 2.0" in p for p in problems(national_data))
    edit_kinds(national_data, lambda kinds: [{**kinds[0], "weight": 1.5, "person": True}, *kinds[1:]])
    assert any("kinds[0]" in p and "person" in p for p in problems(national_data))


def test_a_missing_or_empty_file_is_a_problem(national_data: Path) -> None:
    (national_data / "kinds.yaml").write_text("# nothing yet\n", encoding="utf-8")
    assert any("kinds.yaml:1: kinds: the file is empty" in p for p in problems(national_data))
    (national_data / "kinds.yaml").unlink()
    assert any(p == f"{national_data}/kinds.yaml: file not found" for p in problems(national_data))


def test_the_table_answers_rank_weight_and_human() -> None:
    table = KindTable([Kind(key="hotline", weight=1.5, human=True), Kind(key="guide", weight=0.9)])
    assert [table.rank("hotline"), table.rank("guide"), table.rank("school")] == [0, 1, 2]
    assert [table.weight("hotline"), table.weight("school")] == [1.5, 1.0]
    assert table.human == frozenset({"hotline"})
    again = KindTable.from_builtins(table.to_builtins())
    assert [k.key for k in again.kinds] == ["hotline", "guide"] and again.human == table.human


def _tie(engine: SqliteEngine) -> list[str]:
    """Two candidates equal in everything but their kind (of the same weight, and neither a kind
    the query's needs ask for), in the order the search gives them."""
    u = engine.understand(Query(q="센터"))
    assert u.plan.terms and not u.needs.found
    kinds = [("a", "counselling-centre"), ("b", "legal-aid")]
    rows = [row(rid, "무엇", kind=kind, rowid=i) for i, (rid, kind) in enumerate(kinds)]
    o = Order(u.plan, u.bands, rows, synonyms=set(), need_words=set())
    return [r["id"] for r in sorted(rows, key=o.key)]


def test_the_index_keeps_the_table_and_the_search_reads_it_there(
    tmp_path: Path, data_copy: Path, engine: SqliteEngine
) -> None:
    # The tie order reversed in the data: the index built from it, and the search over it, follow.
    edit_kinds(data_copy, lambda kinds: list(reversed(kinds)))
    reversed_order = load_catalog(data_copy)
    other = SqliteEngine(build_index(reversed_order, tmp_path / "h.db"))
    try:
        assert [k.key for k in other.kinds.kinds] == [k.key for k in reversed_order.kinds.kinds]
        assert other.kinds.rank("guide") == 0 and other.kinds.rank("hotline") == 11
        # The index stores its rows in that order: a listing of every kind starts with a guide.
        assert other.search(Query(q="", limit=5)).results[0].resource.kind == "guide"
        assert _tie(other) == ["b", "a"]
    finally:
        other.close()
    # The project's own order puts a phone line first and guides last.
    assert _tie(engine) == ["a", "b"]
    assert engine.search(Query(q="", limit=5)).results[0].resource.kind == "hotline"


def _rules(victim: bool) -> NeedRules:
    data = {"needs": {"threat": {"words": ["협박"], "victim": victim}, "legal": {"words": ["변호사"]}}}
    return msgspec.convert(data, NeedRules).normalized()


@pytest.mark.parametrize("victim", [True, False])
def test_a_need_marked_victim_makes_the_query_a_victim_s(victim: bool) -> None:
    assert detect(_rules(victim), "협박", ["협박"], {}).victim is victim
    assert not detect(_rules(victim), "변호사", ["변호사"], {}).victim


def test_the_data_marks_the_needs_that_say_she_is_harmed(catalog: Catalog) -> None:
    marked = {k for k, n in catalog.needs.needs.items() if n.victim}
    assert {"threat", "removal", "minor"} <= marked
    assert not marked & {"legal", "teacher", "school", "migrant"}
