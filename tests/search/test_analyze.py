from __future__ import annotations

from search.analyze import (
    MAX_QUERY_UNITS,
    clip_units,
    index_text,
    normalize,
    normalized_units,
    phone_digits,
    words,
)


def test_normalize_folds_width_case_and_controls() -> None:
    assert normalize("ＤＥＥＰfake\x00상담") == "deepfake 상담"
    assert normalize("ㄷㄴㄹ") == "ㄷㄴㄹ"  # typed consonants survive NFKC


def test_script_runs_split_mixed_text() -> None:
    assert words("24시간상담 Help!") == [("digit", "24"), ("hangul", "시간상담"), ("latin", "help")]


def test_index_text_bigrams_and_cross_space_bigram() -> None:
    assert index_text("여성폭력상담소") == "여성 성폭 폭력 력상 상담 담소"
    # "디지털 성범죄" and "디지털성범죄" share every unit.
    assert index_text("디지털 성범죄") == index_text("디지털성범죄")
    # Punctuation breaks the span: no unit across "·".
    assert "울부" not in index_text("서울·부산").split()


def test_index_text_keeps_latin_and_digits() -> None:
    assert index_text("Call 1366, 24/7") == "call 1366 24 7"


def test_same_path_for_query_and_document() -> None:
    # A query phrase is the document analysis of the query word: they cannot diverge.
    assert index_text("상담") in index_text("서울 여성폭력 상담소에서")


def test_phone_digits() -> None:
    assert phone_digits("02-735-8994") == "027358994"
    assert phone_digits("#0117") == "#0117"


def test_a_query_is_analysed_up_to_its_unit_budget() -> None:
    # A query people type stays whole; a long one is cut at the budget, whatever its script.
    assert clip_units("엄마한테 말 못하겠어요 사진 퍼졌어요") == "엄마한테 말 못하겠어요 사진 퍼졌어요"
    for text in ["가나다라" * 200, "deepfake " * 200, "딥페이크 help 1366 " * 60, "1" * 900]:
        clipped = clip_units(normalize(text))
        assert text.startswith(clipped) or normalize(text).startswith(clipped)
        assert len(normalized_units(clipped).split()) <= MAX_QUERY_UNITS
        assert len(normalized_units(clipped).split()) >= min(
            MAX_QUERY_UNITS, len(normalized_units(text).split())
        )
