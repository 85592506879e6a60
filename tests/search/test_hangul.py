from __future__ import annotations

import pytest

from search.hangul import bigrams, choseong, is_choseong_query, jamo, romanisations, strip_josa


def test_bigrams() -> None:
    assert bigrams("상담소") == ["상담", "담소"]
    assert bigrams("내") == ["내"]
    assert bigrams("") == []


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("상담소에서", "상담소"),
        ("경찰에", "경찰"),
        ("부산에서는", "부산"),
        ("사진을", "사진"),
        ("센터로", "센터"),
        ("집에", "집에"),
    ],
)
def test_strip_josa_keeps_two_syllables(word: str, stem: str) -> None:
    assert strip_josa(word) == stem


def test_choseong_and_jamo() -> None:
    assert choseong("해바라기") == "ㅎㅂㄹㄱ"
    assert choseong("다누리 센터") == "ㄷㄴㄹㅅㅌ"
    assert jamo("상담") == "ㅅㅏㅇㄷㅏㅁ"
    assert is_choseong_query("ㅎㅂㄹㄱ") and not is_choseong_query("ㅎ") and not is_choseong_query("해바")


@pytest.mark.parametrize(
    ("word", "form"),
    [("해바라기", "haebaragi"), ("상담소", "sangdamso"), ("다누리", "danuri"), ("신라", "silla")],
)
def test_romanisations_include_revised_romanisation(word: str, form: str) -> None:
    assert form in romanisations(word)


def test_romanisations_include_letter_by_letter() -> None:
    assert "sinra" in romanisations("신라")  # letters as written, no sound change
