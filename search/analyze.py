"""The one text-analysis path: the index and the query both turn text into terms here.

Korean search fails quietly when documents and queries are cut differently, so nothing else in
Haven splits text. Text is normalised (NFKC, case-folded, control characters removed), cut into
runs of one script, and each run becomes index units:

* Hangul: overlapping syllable bigrams (one-syllable words stay whole), so ``상담`` is found
  inside ``여성폭력상담소`` and ``상담소에서``. Two words separated only by a space also get the
  bigram that spans the space, so ``디지털 성범죄`` and ``디지털성범죄`` match each other.
* Latin: whole lower-case words; SQLite's ``porter`` tokenizer stems them on both sides.
* Digits: whole numbers; phone numbers are also indexed without hyphens (``027358994``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Literal

from search.hangul import bigrams, is_hangul

__all__ = ("Run", "normalize", "runs", "index_text", "phrase_units", "words")

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


def normalize(text: str) -> str:
    """NFKC, case-folded, with control characters and lone surrogates replaced by spaces."""
    text = _UNSAFE.sub(" ", text)
    return unicodedata.normalize("NFKC", text).casefold().translate(_CONJOINING_TO_COMPAT)


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


def index_text(text: str) -> str:
    """A text as space-separated index units, for an FTS5 column (unicode61 + porter)."""
    out: list[str] = []
    prev_hangul: str | None = None  # the previous Hangul word, while only a space separates us
    for kind, chunk in runs(normalize(text)):
        if kind == "hangul":
            if prev_hangul is not None:
                out.append(prev_hangul[-1] + chunk[0])
            out.extend(bigrams(chunk))
            prev_hangul = chunk
            continue
        if kind == "space":
            if not chunk.isspace():
                prev_hangul = None
            continue
        prev_hangul = None
        if kind == "jamo":
            continue
        out.append(chunk)
    return " ".join(out)


def phone_digits(number: str) -> str:
    """A phone number as the digits people may type without hyphens: ``02-735-8994`` → ``027358994``."""
    return re.sub(r"[^0-9#]", "", number)
