"""Which language a query is written in, so that the lines that speak it come first.

Korea's migrants and foreigners search in their own languages: Vietnamese (often without its
diacritics), Chinese, Thai, Russian, Mongolian (in Cyrillic or Latin letters), Uzbek, Nepali,
Khmer, Tagalog, Indonesian, Japanese and English. :func:`identify` gives the ISO 639-1 code the
data's ``languages`` use (``vi``, ``tl`` …), or None for Korean and for text it cannot place.

1. The script decides where it alone is enough: kana is Japanese, Han without kana Chinese, Thai,
   Khmer, Lao, Devanagari (Nepali: the Nepali speakers among Korea's migrant workers far outnumber
   Hindi's), Vietnamese letters (ă đ ơ ư and the tone marks); Hangul is Korean.
2. Latin and Cyrillic text goes to lingua (lingua-language-detector, maintained, Apache-2.0), whose
   models ship inside its wheel (nothing is downloaded): English, Vietnamese, Tagalog, Indonesian,
   Russian, Mongolian. Measured on 27 short queries (bench/language_bench.py prints it): its low
   accuracy mode, which reads trigrams only, placed Vietnamese without diacritics ("giup toi voi",
   "anh cua toi bi phat tan"), Tagalog and Indonesian better than the high accuracy mode (5 of 5
   Vietnamese against 1), loads in 0.3 s instead of 4.8 s and answers in about 0.1 ms. It is
   loaded on the first query that needs it, so `haven search` for Korean words never pays for it.
   A non-English answer must be confident (:data:`_SURE`, 0.55: "giup toi voi" is Vietnamese at
   about 0.6, while a lone English word such as "report" is guessed as Tagalog at about 0.5).
3. lingua has no model of Uzbek or of Mongolian in Latin letters: a few words people write for
   help, police and photos in them are listed here (:data:`_WORDS`), and Uzbek's own letters oʻ
   and gʻ (typed o' and g': qo'rqitish) place it. Vietnamese typed without diacritics is listed
   too (toi, giup, cua, nguoi, tien …): lingua reads "toi bi tong tien" as Tagalog.
4. A Latin word that types whole Hangul syllables in English mode is Korean only when the query
   layer read it so; one that does so by chance (Indonesian akan → 마무) does not hide the rest
   of the query from lingua, which decides when it is very sure (:data:`_VERY_SURE`).

Only words the query layer did not understand are asked about: ``tkdeka`` (상담 typed with the
keyboard in English mode) and ``haebaragi`` (romanised Korean) are Korean, not a guess of lingua's.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Container
from typing import Any

from search.keyboard import as_hangul

__all__ = ("OTHER_SCRIPT", "identify", "other_language")

_SCRIPTS = (
    ("ja", re.compile(r"[\u3040-\u30ff]")),
    ("zh", re.compile(r"[\u4e00-\u9fff]")),
    ("th", re.compile(r"[\u0e00-\u0e7f]")),
    ("lo", re.compile(r"[\u0e80-\u0eff]")),
    ("km", re.compile(r"[\u1780-\u17ff]")),
    ("ne", re.compile(r"[\u0900-\u097f]")),
    ("mn", re.compile(r"[өүӨҮ]")),  # letters of Mongolian Cyrillic that Russian does not have
    ("vi", re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]")),
)
#: Scripts of languages people in Korea speak that Haven's data is not written in: Chinese and
#: Japanese (Han, kana), Russian and Mongolian (Cyrillic), Thai, Lao, Khmer, Nepali (Devanagari),
#: and Vietnamese letters (ă â đ ê ô ơ ư and the tone marks). Such a query is a migrant's.
OTHER_SCRIPT = re.compile(
    r"[\u3040-\u30ff\u4e00-\u9fff\u0400-\u04ff\u0e00-\u0eff\u1780-\u17ff\u0900-\u097f"
    r"ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]"
)


_HANGUL = re.compile(r"[가-힣ㄱ-ㅣ]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN_WORD = re.compile(r"[a-z][a-z']*")
#: Words of languages lingua has no model of, as people write them in Latin letters.
_WORDS = {
    # Uzbek (Latin script since 1993): help, needed, please, police, photo(s), threat, violence.
    "uz": "yordam yordamga yordam_bering kerak iltimos politsiya politsiyaga rasm rasmim rasmlarim "
    "suratim suratlarim tahdid zorlik zo'ravonlik jabrlanuvchi",
    # Mongolian in Latin letters (as typed on a phone without a Cyrillic layout): help, needed,
    # police, photo, my.
    "mn": "tuslamj tuslamzh tuslaach heregtei kheregtei tsagdaa tsagdaad zurag zurgiig minii",
    # Nepali in Latin letters: help, needed, police, photo.
    "ne": "madat maddat sahayog chahiyo chaiyo prahari tasbir malai",
    # Vietnamese typed without its diacritics, words no other language here writes so: I (tôi),
    # help (giúp), of (của), person (người), not (không), money (tiền: tống tiền is extortion),
    # film (quay phim), take a photo (chụp), threaten (dọa).
    "vi": "toi giup cua nguoi khong duoc tien quay phim chup doa",
}
_WORD_LANG = {w: lang for lang, words in _WORDS.items() for w in words.replace("_", " ").split()}
#: Uzbek's own letters in Latin script, oʻ and gʻ (typed o' and g'): qo'rqitish, yo'q, o'g'irlik.
_UZBEK = re.compile(r"(?:^|[^a-z])[a-z]*[og]['ʻ‘’][a-z]")
#: How sure lingua must be to overrule words that merely type Hangul in English mode (akan → 마무).
_VERY_SURE = 0.9
#: How sure lingua must be of a language other than English.
_SURE = 0.55
_LINGUA = {
    "ENGLISH": "en",
    "VIETNAMESE": "vi",
    "TAGALOG": "tl",
    "INDONESIAN": "id",
    "RUSSIAN": "ru",
    "MONGOLIAN": "mn",
}


@functools.cache
def _detector() -> Any:
    from lingua import Language, LanguageDetectorBuilder

    languages = [getattr(Language, name) for name in _LINGUA]
    return (
        LanguageDetectorBuilder.from_languages(*languages)
        .with_low_accuracy_mode()
        .with_preloaded_language_models()
        .build()
    )


def _lingua(text: str) -> tuple[str, float] | None:
    found = _detector().compute_language_confidence_values(text)
    if not found:
        return None
    best = found[0]
    return _LINGUA.get(best.language.name, ""), float(best.value)


def _slip(word: str) -> bool:
    """Whether a Latin word types whole Hangul syllables on the 2-set keyboard (at least two)."""
    hangul = as_hangul(word)
    return hangul is not None and len(hangul) >= 2 and all("가" <= c <= "힣" for c in hangul)


def identify(text: str, understood: Container[str] = ()) -> str | None:
    """The language of ``text`` (normalised: NFKC, lower case), or None for Korean or unknown.

    ``understood``: words the query layer already read: English words of the directory, and
    (marked ``~word``) Korean typed in the wrong keyboard mode or romanised."""
    for lang, script in _SCRIPTS:
        if script.search(text):
            return lang
    if _CYRILLIC.search(text):
        found = _lingua(text)
        return found[0] if found and found[0] in ("ru", "mn") else "ru"
    words = _LATIN_WORD.findall(text)
    if not words:
        return None
    if _UZBEK.search(text):
        return "uz"
    listed = [_WORD_LANG[w] for w in words if w in _WORD_LANG and w not in understood]
    if listed:
        return max(set(listed), key=listed.count)
    # Korean typed with the keyboard in English mode (gkqtjd → 합성) is no other language.
    korean = [w for w in words if f"~{w}" in understood or (w not in understood and _slip(w))]
    unread = [w for w in words if w not in understood and w not in korean]
    guessed = [w for w in korean if f"~{w}" not in understood]
    if guessed and len(unread) >= 2 and len(unread) + len(guessed) > len(words) / 2:
        # Words the query layer did not read only type Hangul by chance (saya diancam … akan):
        # lingua decides when it is very sure of a language of its own.
        found = _lingua(" ".join(w for w in words if w not in understood))
        if found and found[0] not in ("", "en") and found[1] >= _VERY_SURE:
            return found[0]
    if len(unread) * 2 <= len(words):
        # Most Latin words were read already: English words of the directory (a place such as
        # Gangnam is the rest), or Korean typed another way; Hangul beside them says which.
        return None if _HANGUL.search(text) or len(korean) * 2 >= len(words) else "en"
    found = _lingua(" ".join(words))
    if found is None:
        return None
    lang, sure = found
    if lang == "en":
        return "en"
    return lang if sure >= _SURE and lang else None


def other_language(text: str) -> bool:
    """Whether ``text`` is written (partly) in a language the directory is not written in."""
    return bool(OTHER_SCRIPT.search(text))
