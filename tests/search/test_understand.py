"""Query understanding on the real lexicon: what people type, and what Haven hears."""

from __future__ import annotations

import pytest

from search.model import Query
from search.sqlite_engine import SqliteEngine
from search.understand import Plan


def plan(engine: SqliteEngine, q: str, region: str | None = None) -> Plan:
    return engine.understand(Query(q=q, region=region)).plan


def alternatives(p: Plan) -> set[str]:
    return {a for t in p.terms for a in t.alternatives}


@pytest.mark.parametrize(
    ("q", "region"),
    [("부산 상담", "KR-26"), ("상담 부산에서", "KR-26"), ("Busan counselling", "KR-26"), ("서울시", "KR-11"),
     ("counselling in south jeolla", "KR-46"), ("수원 상담", "KR-41"), ("전라북도 해바라기", "KR-45"), ("부산상담", "KR-26")],
)  # fmt: skip
def test_region_words_become_a_region(engine: SqliteEngine, q: str, region: str) -> None:
    p = plan(engine, q)
    assert p.region == region
    assert not any(t.surface in {"부산", "busan", "서울시", "수원"} for t in p.terms)


def test_explicit_region_wins(engine: SqliteEngine) -> None:
    assert plan(engine, "부산 상담", region="KR-11").region == "KR-11"


@pytest.mark.parametrize(
    ("q", "expected"),
    [("ㅎㅂㄹㄱ", "해바라기"), ("haebaragi", "해바라기"), ("danuri", "다누리"), ("합성됐어요", "합성"),
     ("상담소에서", "상담소"), ("디지털성범좌", "디지털성범죄"), ("다누라", "다누리"), ("deepfake", "딥페이크")],
)  # fmt: skip
def test_typing_realities(engine: SqliteEngine, q: str, expected: str) -> None:
    assert expected in alternatives(plan(engine, q))


def test_typo_correction_is_recorded_and_counts_less(engine: SqliteEngine) -> None:
    p = plan(engine, "텔래그램")
    assert p.corrections == [("텔래그램", "텔레그램")]
    assert p.terms[0].fuzzy


def test_phone_numbers(engine: SqliteEngine) -> None:
    assert plan(engine, "02-735-8994").phone == "027358994"
    assert plan(engine, "02 735 8994").phone == "027358994"


def test_stopwords_and_any_hour(engine: SqliteEngine) -> None:
    p = plan(engine, "지금 24시간 도와주세요")
    assert p.any_hour and not p.terms
    assert [t.surface for t in plan(engine, "how do i report to police").terms] == ["report", "police"]
