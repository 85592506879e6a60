"""Korean morphology for queries: the content words and lemmas of what a person typed.

Uses mecab-ko with mecab-ko-dic (``python-mecab-ko``, ``python-mecab-ko-dic``), the dictionary
family Lucene's Nori and Meilisearch's charabia analyse Korean with. It loads in about 50 ms and
answers in about 0.2 ms a query (BENCHMARKS.md has the comparison with Kiwi, whose model took 4 s
to load: `haven search` would pay that on every call).

``신고하고싶어요`` → 신고 (하다, 싶다 are grammar, not what is asked for); ``뿌렸어요`` → 뿌리;
``지워주세요`` → 지워 and mecab's lemma 짓 (mecab-ko-dic reads 지워 as 짓다; the surface form is
kept beside it so the synonyms of data/synonyms.yaml can name 지워 as a form of 삭제).
"""

from __future__ import annotations

import threading
from typing import NamedTuple

import mecab

__all__ = ("Morpheme", "content_words")

#: Word classes that carry what a person asks for: nouns, verbs and adjectives, roots, foreign
#: words and numbers. Particles, endings, auxiliaries and suffixes like 하다/되다/당하다 do not.
_CONTENT = ("NNG", "NNP", "VV", "VA", "XR", "SL", "SN", "MAG")
_DROP_NOUNS = frozenset("것 수 곳 거 법 때 등 중 줄 데 분 번".split())
_LOCK = threading.Lock()
_TAGGER: mecab.MeCab | None = None


class Morpheme(NamedTuple):
    surface: str  # as it appears in the text (지워, 뿌렸)
    lemma: str  # the dictionary form's stem (짓, 뿌리); the surface when there is none
    tag: str  # the first part-of-speech tag (VV)


def _tagger() -> mecab.MeCab:
    global _TAGGER
    if _TAGGER is None:
        _TAGGER = mecab.MeCab()
    return _TAGGER


def content_words(text: str) -> list[Morpheme]:
    """The content morphemes of Hangul ``text``, in order. Never raises on any string."""
    with _LOCK:  # one tagger for the process; MeCab objects are not safe across threads
        try:
            parsed = _tagger().parse(text)
        except Exception:  # noqa: BLE001 - an analyser failure must never fail a search
            return []
    out: list[Morpheme] = []
    for m in parsed:
        tag = m.pos.split("+")[0]
        if tag not in _CONTENT:
            continue
        if tag == "MAG" or (tag == "NNG" and m.surface in _DROP_NOUNS):
            continue
        lemma = m.surface
        expression = m.feature.expression
        if expression and "+" in m.pos:
            lemma = expression.split("+")[0].split("/")[0]
        out.append(Morpheme(m.surface, lemma, tag))
    return out
