"""Hangul arithmetic for search: bigrams, particles, initial consonants, jamo and romanisation.

Korean is agglutinative and written without spaces inside compounds, so whole-word matching
fails (``상담`` would miss ``상담소에서``). These helpers turn Hangul words into the units the
index and the query both use; see search/analyze.py for how they are combined.
"""

from __future__ import annotations

import contextlib
import functools
import re

import hangul_jamo
from ko_pron import romanise

__all__ = (
    "bigrams",
    "choseong",
    "is_choseong_query",
    "is_hangul",
    "jamo",
    "romanisations",
    "strip_josa",
)

_FIRST, _LAST = 0xAC00, 0xD7A3
_CHOSEONG = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_COMPAT_CONSONANTS = frozenset("ㄱㄲㄳㄴㄵㄶㄷㄸㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅃㅄㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ")

#: Particles (josa) and the commonest copula endings, longest first so ``에서는`` wins over ``는``.
JOSA = tuple(
    sorted(
        [
            "에서부터",
            "에게서",
            "한테서",
            "으로부터",
            "로부터",
            "에서는",
            "에서도",
            "으로는",
            "으로도",
            "이라도",
            "이라고",
            "이랑",
            "에서",
            "에게",
            "한테",
            "께서",
            "으로",
            "부터",
            "까지",
            "처럼",
            "보다",
            "하고",
            "이나",
            "이며",
            "에는",
            "에도",
            "로는",
            "로도",
            "라도",
            "라고",
            "랑",
            "은",
            "는",
            "이",
            "가",
            "을",
            "를",
            "의",
            "에",
            "로",
            "와",
            "과",
            "도",
            "만",
            "나",
            "요",
            "이요",
            "이에요",
            "예요",
            "입니다",
        ],
        key=len,
        reverse=True,
    )
)


def is_hangul(ch: str) -> bool:
    """True for a precomposed Hangul syllable (가–힣)."""
    return _FIRST <= ord(ch) <= _LAST


def bigrams(word: str) -> list[str]:
    """Overlapping two-syllable units; a one-syllable word is its own unit.

    >>> bigrams("상담소")
    ['상담', '담소']
    """
    if len(word) < 2:
        return [word] if word else []
    return [word[i : i + 2] for i in range(len(word) - 1)]


#: The particles by length, longest first: a word's ending is looked up, not compared with each.
_JOSA_BY_LENGTH = sorted(
    ((n, frozenset(j for j in JOSA if len(j) == n)) for n in {len(j) for j in JOSA}), reverse=True
)


def strip_josa(word: str) -> str:
    """Remove one trailing particle when at least two syllables remain (``상담소에서`` → ``상담소``).
    The longest particle wins, as ``JOSA`` is ordered."""
    for n, endings in _JOSA_BY_LENGTH:
        if len(word) - n >= 2 and word[-n:] in endings:
            return word[:-n]
    return word


def choseong(word: str) -> str:
    """The initial consonant of every syllable: ``해바라기`` → ``ㅎㅂㄹㄱ``. Other characters are dropped."""
    return "".join(_CHOSEONG[(ord(ch) - _FIRST) // 588] for ch in word if is_hangul(ch))


def is_choseong_query(term: str) -> bool:
    """A term typed only in consonants, as people do for short-hand (``ㅎㅂㄹㄱ``)."""
    return len(term) >= 2 and all(ch in _COMPAT_CONSONANTS for ch in term)


def jamo(word: str) -> str:
    """Letters of the alphabet, so a one-key typo is one edit: ``상담`` → ``ㅅㅏㅇㄷㅏㅁ``."""
    return str(hangul_jamo.decompose(word))


# Revised Romanisation letters with no sound-change rules: what people type letter by letter.
_RR_INITIAL = [
    "g",
    "kk",
    "n",
    "d",
    "tt",
    "r",
    "m",
    "b",
    "pp",
    "s",
    "ss",
    "",
    "j",
    "jj",
    "ch",
    "k",
    "t",
    "p",
    "h",
]
_RR_MEDIAL = [
    "a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo",
    "u", "wo", "we", "wi", "yu", "eu", "ui", "i",
]  # fmt: skip
_RR_FINAL = [
    "", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l",
    "m", "p", "p", "t", "t", "ng", "t", "t", "k", "t", "p", "t",
]  # fmt: skip


def _letter_by_letter(word: str) -> str:
    out: list[str] = []
    for ch in word:
        if not is_hangul(ch):
            continue
        code = ord(ch) - _FIRST
        initial = _RR_INITIAL[code // 588]
        out.append(initial + _RR_MEDIAL[(code % 588) // 28])
        out.append(_RR_FINAL[code % 28])
    return "".join(out)


_NON_LETTERS = re.compile(r"[^a-z]")


@functools.lru_cache(maxsize=65536)
def romanisations(word: str) -> tuple[str, ...]:
    """Ways people write a Hangul word in Latin letters: ``해바라기`` → ``('haebaragi',)``.

    Revised Romanisation with its sound-change rules (``신라`` → ``silla``) and the
    letter-by-letter form (``sinla``) people also type, without hyphens or spaces.
    """
    forms = {_letter_by_letter(word)}
    # ko-pron raises on unusual input; the letter-by-letter form is enough then.
    with contextlib.suppress(Exception):
        forms.add(_NON_LETTERS.sub("", romanise(word, "rr").lower()))
    return tuple(sorted(f for f in forms if f))
