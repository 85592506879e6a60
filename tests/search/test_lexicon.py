"""search/lexicon.py: the words the index knows, and how a mistyped or half-typed word finds them."""

from __future__ import annotations

from search.hangul import choseong, jamo
from search.lexicon import Lexicon
from search.sqlite_engine import SqliteEngine


def small() -> Lexicon:
    """A lexicon of a few words: 상담 (common), 상담소, 해바라기 (a name), 삭제; counselling, deepfake."""
    lex = Lexicon(
        hangul={"상담": (90, 0), "상담소": (10, 1), "해바라기": (20, 1), "삭제": (30, 0), "해바": (1, 0)},
        latin={"counselling": (40, 0), "deepfake": (15, 1), "counseling": (2, 0)},
    )
    lex.jamo_of = {w: jamo(w) for w in lex.hangul}
    lex.cho_of = {w: choseong(w) for w, (_, named) in lex.hangul.items() if named}
    lex.roman = {"haebaragi": {"해바라기"}, "sangdamso": {"상담소"}}
    return lex.finish()


def test_a_one_key_typo_finds_the_word() -> None:
    # 상담 typed with ㅁ → ㄴ: one jamo away.
    assert small().hangul_typo(jamo("상단")) == ["상담"]
    assert "삭제" in small().hangul_typo(jamo("삭재"))
    assert small().hangul_typo(jamo("무서워")) == []


def test_a_half_typed_word_finds_its_completions_named_first() -> None:
    # 상다 (ㅅㅏㅇㄷㅏ) is on the way to 상담 and 상담소; the named 상담소 ranks first.
    assert small().hangul_prefix(jamo("상다")) == ["상담소", "상담"]


def test_initial_consonants_find_named_words_only() -> None:
    lex = small()
    assert lex.choseong("ㅎㅂㄹㄱ") == ["해바라기"]
    assert lex.choseong("ㅅㄷ") == ["상담소"]  # a prefix of 상담소's; 상담 is not a name
    assert lex.choseong("ㅋㅋㅋ") == []


def test_romanised_korean_finds_the_hangul() -> None:
    lex = small()
    assert lex.from_roman("haebaragi") == ["해바라기"]
    assert lex.from_roman("haebaragu") == ["해바라기"]  # one letter off
    assert lex.from_roman("sangd", prefix=True) == ["상담소"]
    assert lex.from_roman("sangd") == []


def test_english_typos_by_length() -> None:
    lex = small()
    assert lex.latin_typo("deepfak") == ["deepfake"]
    assert lex.latin_typo("cousnelling")[:1] == ["counselling"]  # a swap is one edit
    assert lex.latin_typo("fake") == []  # under five letters: no guessing


def test_the_index_lexicon_knows_the_directory(engine: SqliteEngine) -> None:
    lex = engine.index.lexicon
    assert "해바라기" in lex.hangul and lex.hangul["해바라기"][1] == 1  # a name word
    assert lex.region_alias["부산"] == "KR-26" and lex.region_alias["busan"] == "KR-26"
    assert "deepfake" in lex.synonyms["딥페이크"]
    assert lex.choseong("ㅎㅂㄹㄱ")[:1] == ["해바라기"]
