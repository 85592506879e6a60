"""Korean morphology in the query layer: lemmas of inflected and run-together sentences."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search.model import Query
from search.morph import content_words
from search.sqlite_engine import SqliteEngine


@pytest.mark.parametrize(
    ("text", "lemmas"),
    [("신고하고싶어요", ["신고"]), ("뿌렸어요", ["뿌리"]), ("퍼졌어요", ["퍼지"]), ("삭제요청", ["삭제", "요청"]),
     ("협박당하고있어요", ["협박"])],
)  # fmt: skip
def test_content_words_and_lemmas(text: str, lemmas: list[str]) -> None:
    assert [m.lemma for m in content_words(text)] == lemmas


@pytest.mark.parametrize(
    ("q", "needs"),
    [("신고하고싶어요", "police"), ("지워주세요", "removal"), ("상담받고싶어요", "talk"), ("뿌렸어요", "removal"),
     ("신고하는법", "police"), ("삭제요청", "removal"), ("중딩인데 사진 합성됐어요", "minor")],
)  # fmt: skip
def test_inflected_sentences_are_understood(engine: SqliteEngine, q: str, needs: str) -> None:
    res = engine.search(Query(q=q, limit=10))
    assert res.understood and needs in res.understood["needs"]
    assert res.total >= 3 and res.relaxed != "general"


def test_run_together_and_spaced_find_the_same_first_answers(engine: SqliteEngine) -> None:
    a = engine.search(Query(q="신고하고싶어요", limit=3))
    b = engine.search(Query(q="신고하고 싶어요", limit=3))
    assert [h.resource.id for h in a.results] == [h.resource.id for h in b.results]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_text_never_raises(text: str) -> None:
    content_words(text)


def test_a_long_sentence_is_capped(engine: SqliteEngine) -> None:
    res = engine.search(Query(q="친구가 내 사진을 합성해서 뿌렸어요 " * 300, limit=3))
    assert res.results
