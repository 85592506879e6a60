"""Korean typed with the keyboard in English mode, and English typed in Korean mode."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from search.keyboard import as_hangul, as_latin
from search.model import Query
from search.sqlite_engine import SqliteEngine


@pytest.mark.parametrize(
    ("typed", "hangul"),
    [("tkdeka", "상담"), ("goqkfkrl", "해바라기"), ("elqvpdlzm", "딥페이크"), ("tlsrh", "신고"),
     ("gkrtod", "학생"), ("rudckftj", "경찰서"), ("dkssudgktpdy", "안녕하세요"), ("Tkdeka", "쌍담"),
     ("rhksfl", "관리"), ("dmlwjdqn", "의정부")],
)  # fmt: skip
def test_two_set_layout(typed: str, hangul: str) -> None:
    assert as_hangul(typed) == hangul


@pytest.mark.parametrize("word", ["hello", "report", "police", "help", "nudes", "go", "sms"])
def test_english_words_are_not_hangul(word: str) -> None:
    assert as_hangul(word) is None


def test_the_reverse() -> None:
    assert as_latin("ㅗ디ㅔ") == "help"
    assert as_latin("ㅔㅐㅣㅑㅊㄷ") == "police"


@given(st.text(max_size=60))
def test_any_text_never_raises(text: str) -> None:
    as_hangul(text)
    as_latin(text)


@pytest.mark.parametrize(
    ("typed", "term"), [("tkdeka", "상담"), ("goqkfkrl", "해바라기"), ("elqvpdlzm", "딥페이크")]
)
def test_a_slip_is_searched_as_hangul_and_said(engine: SqliteEngine, typed: str, term: str) -> None:
    res = engine.search(Query(q=typed, limit=3))
    assert res.understood and {"typed": typed, "understood": term} in res.understood["corrections"]
    assert res.results and res.reason is None


def test_a_slip_into_a_place(engine: SqliteEngine) -> None:
    u = engine.understand(Query(q="qntks tkdeka")).plan.understood()  # 부산 상담
    assert u["region"] == "KR-26"
