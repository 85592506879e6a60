"""The one text-analysis path: the index and the query both turn text into terms here.

Korean search fails quietly when documents and queries are cut differently, so nothing else in
Haven splits text. Text is normalised (NFKC, case-folded, control characters removed), cut into
runs of one script, and each run becomes index units:

* Hangul: overlapping syllable bigrams (a lone one-syllable word stays whole), so ``상담`` is
  found inside ``여성폭력상담소`` and ``상담소에서``. Words separated only by spaces are bigrammed
  across the space, so ``디지털 성범죄`` and ``디지털성범죄`` match each other however people space them.
* Latin: whole lower-case words; SQLite's ``porter`` tokenizer stems them on both sides.
* Digits: whole numbers; phone numbers are also indexed without hyphens (``027358994``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Literal

from search.hangul import bigrams, is_hangul

__all__ = ("Run", "normalize", "runs", "index_text", "normalized_units", "phrase_units", "words")

Script = Literal["hangul", "latin", "digit", "jamo"]
Run = tuple[Script, str]

# Control characters, lone surrogates and other unassigned/private code points become spaces.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufff0-\uffff]")
_RUN = re.compile(
    r"(?P<hangul>[가-힣]+)|(?P<jamo>[ㄱ-ㆎ]+)|(?P<latin>[a-z]+(?:'[a-z]+)?)|(?P<digit>[0-9]+)|(?P<space>\s+)"
)


# NFKC turns the consonants and vowels people type on their own (ㄷㄴㄹ, compatibility jamo) into
# conjoining jamo (U+1100…); map those back so initial-consonant queries stay recognisable.
_CONJOINING_TO_COMPAT = str.maketrans(
    {
        **{0x1100 + i: c for i, c in enumerate("ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ")},
        **{0x1161 + i: chr(0x314F + i) for i in range(21)},
    }
)


_CONJOINING = re.compile(r"[\u1100-\u11ff]")


def normalize(text: str) -> str:
    """NFKC, case-folded, with control characters and lone surrogates replaced by spaces."""
    text = unicodedata.normalize("NFKC", _UNSAFE.sub(" ", text)).casefold()
    return text.translate(_CONJOINING_TO_COMPAT) if _CONJOINING.search(text) else text


def runs(text: str) -> Iterator[tuple[Script | Literal["space"], str]]:
    """Maximal runs of one script in normalised text; punctuation separates runs like a space."""
    last = 0
    for m in _RUN.finditer(text):
        if m.start() > last:
            yield "space", text[last : m.start()]
        last = m.end()
        kind = m.lastgroup
        assert kind is not None
        yield kind, m.group()  # type: ignore[misc]
    if last < len(text):
        yield "space", text[last:]


def words(text: str) -> list[Run]:
    """The words of a text, each tagged with its script (no spaces or punctuation)."""
    return [(kind, w) for kind, w in runs(normalize(text)) if kind != "space"]


def phrase_units(word: str) -> list[str]:
    """The index units of one word, in order: what a query phrase for that word must match."""
    if word and is_hangul(word[0]):
        return bigrams(word)
    return [word]


# A Hangul phrase is Hangul words separated only by white space: its bigrams run across the spaces.
_UNITS = re.compile(r"[가-힣]+(?:\s+[가-힣]+)*|[a-z]+|[0-9]+")
_SPACES = re.compile(r"\s+")
_BIGRAMS = re.compile(r"(?=([가-힣]{2}))")


def index_text(text: str) -> str:
    """A text as space-separated index units, for an FTS5 column (porter over ascii: every unit is
    already normalised, lower-case and free of punctuation)."""
    return normalized_units(normalize(text))


def normalized_units(text: str) -> str:
    """:func:`index_text` of a text that :func:`normalize` has already been applied to."""
    out: list[str] = []
    for chunk in _UNITS.findall(text):
        if "가" <= chunk[0] <= "힣":
            # The bigrams of a phrase, by one regex in C (a build analyses every text once):
            # the same units as hangul.bigrams, a lone syllable staying whole.
            joined = _SPACES.sub("", chunk)
            out.extend(_BIGRAMS.findall(joined) or [joined])
        else:
            out.append(chunk)
    return " ".join(out)


#: The most index units (Hangul bigrams, Latin and digit words) of a query that are analysed. The
#: longest query of the relevance sets has 19; past this a query's cost grows with its length
#: (mostly field scoring, search/scoring.py) while adding nothing a person would type.
MAX_QUERY_UNITS = 32


def clip_units(text: str, budget: int = MAX_QUERY_UNITS) -> str:
    """The start of normalised ``text`` that holds at most ``budget`` index units (as
    :func:`normalized_units` counts them); the rest is not analysed."""
    used = 0
    for m in _UNITS.finditer(text):
        chunk = m.group()
        if "가" <= chunk[0] <= "힣":
            units = max(1, len(_SPACES.sub("", chunk)) - 1)
            if used + units > budget:
                keep = budget - used + 1  # syllables that make the remaining bigrams
                if keep < 2:
                    return text[: m.start()]
                for i, ch in enumerate(chunk):
                    keep -= "가" <= ch <= "힣"
                    if keep == 0:
                        return text[: m.start() + i + 1]
        elif used + 1 > budget:
            return text[: m.start()]
        else:
            units = 1
        used += units
    return text


def phone_digits(number: str) -> str:
    """A phone number as the digits people may type without hyphens: ``02-735-8994`` → ``027358994``."""
    return re.sub(r"[^0-9#]", "", number)
