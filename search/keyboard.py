"""Korean typed with the keyboard in the wrong mode, on the standard 2-set layout (두벌식).

``tkdeka`` is what 상담 gives with the keyboard left in English mode; ``ㅗ디ㅔ`` is "help" typed
in Korean mode. A Latin word is taken for such a slip only when the directory does not know it
and it composes into whole Hangul syllables (a real English word gives loose letters: hello →
ㅗ디ㅣㅐ).

Written here rather than taken from ``hangul-keyboard``: its 0.3.1 joins a final consonant pair
that the next vowel splits (gkrtod gives 하ㄳㅐㅇ, not 학생; rudckftj 경차ㄽㅓ, not 경찰서).
"""

from __future__ import annotations

import re

from search.hangul import jamo

__all__ = ("as_hangul", "as_latin")

_KEYS = dict(
    zip(
        "rRsefEaqQtTdwWczxvgkoiOjpuPhynbml",
        "ㄱㄲㄴㄷㄹㄸㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎㅏㅐㅑㅒㅓㅔㅕㅖㅗㅛㅜㅠㅡㅣ",
        strict=True,
    )
)
_INITIALS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_VOWELS = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
_FINALS = ["", *"ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ"]
# The compound letters the layout types as two keys (ㅘ = h + k, ㄳ = r + t).
_PAIRS = {
    "ㅗㅏ": "ㅘ", "ㅗㅐ": "ㅙ", "ㅗㅣ": "ㅚ", "ㅜㅓ": "ㅝ", "ㅜㅔ": "ㅞ", "ㅜㅣ": "ㅟ", "ㅡㅣ": "ㅢ",
    "ㄱㅅ": "ㄳ", "ㄴㅈ": "ㄵ", "ㄴㅎ": "ㄶ", "ㄹㄱ": "ㄺ", "ㄹㅁ": "ㄻ", "ㄹㅂ": "ㄼ", "ㄹㅅ": "ㄽ",
    "ㄹㅌ": "ㄾ", "ㄹㅍ": "ㄿ", "ㄹㅎ": "ㅀ", "ㅂㅅ": "ㅄ",
}  # fmt: skip
_SPLIT = {v: k for k, v in _PAIRS.items()}
_KEY_OF = {j: k for k, j in _KEYS.items()}
_LATIN = re.compile(r"[A-Za-z]{2,40}")


def _compose(letters: list[str]) -> str | None:
    """Whole syllables from a run of letters, as a Korean keyboard composes them, or None."""
    out, i, n = [], 0, len(letters)

    def vowel(k: int) -> bool:
        return k < n and letters[k] in _VOWELS

    while i < n:
        if letters[i] not in _INITIALS or not vowel(i + 1):
            return None
        cho, i = _INITIALS.index(letters[i]), i + 1
        v, i = letters[i], i + 1
        if vowel(i) and v + letters[i] in _PAIRS:
            v, i = _PAIRS[v + letters[i]], i + 1
        final = ""
        if i < n and letters[i] in _FINALS and not vowel(i + 1):
            pair = letters[i] + letters[i + 1] if i + 1 < n else ""
            if pair in _PAIRS and not vowel(i + 2):
                final, i = _PAIRS[pair], i + 2
            else:
                final, i = letters[i], i + 1
        out.append(chr(0xAC00 + (cho * 21 + _VOWELS.index(v)) * 28 + _FINALS.index(final)))
    return "".join(out)


def as_hangul(word: str) -> str | None:
    """The Hangul a Latin ``word`` types on the 2-set layout, when it is whole syllables only.

    Case matters (``T`` is ㅆ), so pass the word as typed; a capital with no doubled letter
    counts as lower case. At least two syllables: one is too easily an accident (``go`` → 해).
    """
    if not _LATIN.fullmatch(word):
        return None
    letters = [_KEYS.get(ch) or _KEYS[ch.lower()] for ch in word]
    out = _compose(letters)
    return out if out and len(out) >= 2 else None


def as_latin(word: str) -> str | None:
    """The Latin letters a Hangul ``word`` types on the 2-set layout (``ㅗ디ㅔ`` → ``help``)."""
    keys = []
    for letter in jamo(word):
        for part in _SPLIT.get(letter, letter):
            key = _KEY_OF.get(part)
            if key is None:
                return None
            keys.append(key)
    return "".join(keys).lower() or None
