"""Which language a query is in (search/language.py): queries written as migrants write them."""

from __future__ import annotations

import pytest

from search.analyze import normalize
from search.language import identify


@pytest.mark.parametrize(
    ("q", "lang"),
    [
        ("tôi bị đe dọa tung ảnh", "vi"),  # with diacritics: the script decides
        ("toi bi tong tien anh nong", "vi"),  # without: lingua
        ("giup toi voi", "vi"),
        ("kailangan ko ng tulong", "tl"),
        ("saya butuh bantuan", "id"),
        ("помогите мне", "ru"),
        ("тусламж хэрэгтэй байна", "mn"),  # Mongolian Cyrillic (ө, ү absent: lingua tells)
        ("миний зургийг тараасан", "mn"),
        ("tuslamj heregtei", "mn"),  # Mongolian in Latin letters: the word list
        ("yordam kerak", "uz"),
        ("मलाई मद्दत चाहियो", "ne"),
        ("ខ្ញុំត្រូវការជំនួយ", "km"),
        ("ช่วยด้วย", "th"),
        ("我的照片被传播了", "zh"),
        ("助けてください", "ja"),
        ("someone posted fake nudes of me", "en"),
    ],
)
def test_the_languages_of_migrants_and_foreigners(q: str, lang: str) -> None:
    assert identify(normalize(q)) == lang


@pytest.mark.parametrize("q", ["상담", "딥페이크 신고", "부산 해바라기센터", ""])
def test_korean_is_no_other_language(q: str) -> None:
    assert identify(normalize(q)) is None


def test_korean_typed_in_english_mode_or_romanised_is_not_a_guess() -> None:
    # gkqtjd ekdgoTdj is 합성 당했어 typed with the keyboard in English mode.
    assert identify(normalize("gkqtjd ekdgotdj")) is None
    # Words the query layer read as Korean (romanised) say so with "~".
    assert identify("haebaragi", {"~haebaragi"}) is None
    # Understood English words (and a place) are English.
    assert identify("gangnam sextortion help", {"sextortion", "help"}) == "en"


@pytest.mark.parametrize(
    ("text", "understood", "lang"),
    [("toi bi tong tien bang video", {"video", "bang"}, "vi"),  # lingua alone reads Tagalog here
     ("can giup do bi quay phim", set(), "vi"),
     ("meni qo'rqitishyapti", set(), "uz"),  # Uzbek's o' letter
     ("saya diancam video saya akan disebar", {"video"}, "id")],  # akan types 마무 only by chance
)  # fmt: skip
def test_a_migrants_words_are_placed_when_lingua_alone_would_not(
    text: str, understood: set[str], lang: str
) -> None:
    assert identify(text, understood) == lang


def test_a_lone_keyboard_slip_is_still_not_a_foreign_language() -> None:
    assert identify("wnrrhtlvek") is None
