"""search/scoring.py: term scores by field, and the one order both engines give their results."""

from __future__ import annotations

from typing import Any, cast

import pytest

from search.analyze import index_text
from search.index_schema import COLUMN_BREAK, FTS_WEIGHTS
from search.model import Query
from search.scoring import Order, best_fields, idf, name_forms, scored_term
from search.sqlite_engine import SqliteEngine


def test_idf_is_never_negative_and_falls_with_frequency() -> None:
    assert idf(100, 99) > 0
    assert idf(100, 1) > idf(100, 10) > idf(100, 90)


def padded(*columns: str) -> str:
    return f" {f' {COLUMN_BREAK} '.join(columns)} "


def test_a_term_scores_the_weight_of_its_best_field() -> None:
    text = padded("여성 긴급 전화", "", "상담 삭제", "상담 24시간", "")
    counsel, remove, missing = (scored_term([u], False, 1.0) for u in ("상담", "삭제", "경찰"))
    # 상담 is in the tags (third column) and the summary: the tags' weight counts.
    assert best_fields(text, [counsel, remove, missing]) == [FTS_WEIGHTS[2], FTS_WEIGHTS[2], 0.0]
    assert best_fields(text, [scored_term(["긴급"], False, 1.0)]) == [FTS_WEIGHTS[0]]


def test_a_whole_word_is_not_found_inside_another_unless_typed_as_a_prefix() -> None:
    text = padded("상담소", "", "", "", "")
    assert best_fields(text, [scored_term(["상담"], False, 1.0)]) == [0.0]
    assert best_fields(text, [scored_term(["상담"], True, 1.0)]) == [FTS_WEIGHTS[0]]


def test_long_english_words_match_across_spellings() -> None:
    # counselling ~ counseling, as FTS5's porter stemmer matched them.
    assert best_fields(
        padded("", "", "", "free counseling", ""), [scored_term(["counselling"], False, 1.0)]
    ) == [FTS_WEIGHTS[3]]


def row(rid: str, names: str, **kw: Any) -> dict[str, Any]:
    spaced, padded, compact = name_forms(names)
    return {"id": rid, "kind": "counselling-centre", "national": 1, "platform": "", "names": names,
            "phone_digits": "||", "coverage": 1.0, "score": 1.0, "confidence_rank": 0, "reachable": 1,
            "always_open": 0, "rowid": 1, "spaced": spaced, "padded": padded, "compact": compact,
            **kw}  # fmt: skip


def order(engine: SqliteEngine, q: str, rows: list[dict[str, Any]]) -> Order:
    u = engine.understand(Query(q=q))
    index = engine.index
    return Order(
        u.plan,
        u.bands,
        rows,
        synonyms=index.lexicon.synonyms,
        need_words=index.need_words,
        one_known=u.one_known,
    )


def test_the_service_named_comes_first(engine: SqliteEngine) -> None:
    rows = [
        row("other", "한국여성인권진흥원 | women's human rights institute", rowid=1, coverage=1.0, score=9.0),
        row("named", "한국사이버성폭력대응센터 | 한사성", rowid=2, coverage=0.5, score=1.0),
    ]
    o = order(engine, "한사성", rows)
    assert o.exact(rows[1]) and not o.exact(rows[0])
    assert o.band(rows[1]) == (0, 0)
    assert [r["id"] for r in sorted(rows, key=o.key)] == ["named", "other"]


def test_a_service_named_among_other_words_is_exact(engine: SqliteEngine) -> None:
    named = row("kcsc", "방송통신심의위원회 | korea communications standards commission")
    assert order(engine, "방송통신심의위원회 신고", [named]).exact(named)


def test_a_typed_number_that_is_a_service_s_own_is_an_exact_match(engine: SqliteEngine) -> None:
    rows = [row("mine", "무엇", phone_digits="|15771366|"), row("not", "무엇", phone_digits="|1366|")]
    o = order(engine, "상담 1366", rows)
    assert o.exact(rows[1]) and not o.exact(rows[0])


def test_within_a_band_more_of_the_query_answered_comes_first(engine: SqliteEngine) -> None:
    rows = [
        row("half", "가나다", coverage=0.5, score=5.0, rowid=1),
        row("all", "라마바", coverage=1.0, rowid=2),
    ]
    o = order(engine, "가나다라 마바사아", rows)
    assert o.band(rows[0])[0] == o.band(rows[1])[0]
    assert [r["id"] for r in sorted(rows, key=o.key)] == ["all", "half"]


_TABLE_QUERIES = ["딥페이크 삭제요청", "부산 성폭력 상담", "counselling for students", "국선 변호사", "텔레그램 신고",
                  "deepf", "instag 신고", "counsel", "경찰 ㅅ", "해바"]  # fmt: skip


@pytest.mark.parametrize("q", _TABLE_QUERIES)
def test_the_unit_table_answers_as_the_text_does(engine: SqliteEngine, q: str) -> None:
    # A small index looks one-unit needles (and the starts of Latin ones, for a word still being
    # typed) up in each row's unit table; the answer must be the one a scan of the row's text
    # gives, for every row.
    plan = engine.understand(Query(q=q)).plan
    terms = [
        scored_term([u for a in t.alternatives if (u := index_text(a))], t.prefix, 1.0) for t in plan.terms
    ]
    rows = engine.index.reads.by_ids([r.id for r in engine.resources()])
    assert terms and rows and all("units" in r for r in rows)
    assert [best_fields(r["text"], terms, r["units"]) for r in rows] == [
        best_fields(r["text"], terms) for r in rows
    ]


@pytest.mark.parametrize("q", _TABLE_QUERIES)
def test_the_fields_a_hit_matched_are_those_its_text_has(engine: SqliteEngine, q: str) -> None:
    # A hit's matched fields come from its row's table of fields where one is held: the same
    # fields as reading the text, and some field for a row that has the words.
    found = engine.search(Query(q=q, limit=50)).results
    rows = engine.index.reads.by_ids([h.resource.id for h in found])
    plain = [{k: v for k, v in r.items() if k != "fields"} for r in rows]
    assert found and all("fields" in r for r in rows)
    u = engine.understand(Query(q=q))
    starts = engine.match_keys(u.plan)
    with_table = [engine._matched(r, u.plan, starts) for r in rows]
    assert with_table == [engine._matched(cast(Any, r), u.plan, starts) for r in plain]
    assert any(with_table)
