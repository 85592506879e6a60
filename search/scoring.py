"""Field-weighted term scoring for the candidates an FTS5 query found.

FTS5's bm25() gives a term found in more than half of the documents an IDF of almost zero. In a
directory where nearly every entry says 상담 (counselling), that makes field weights meaningless
for the words people type most. Here each term scores its IDF in Lucene's smoothed form (never
negative) times the weight of the best field it appears in: name > aliases, tags > summary > body.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import NamedTuple

from search.index_schema import COLUMN_BREAK, FTS_WEIGHTS

__all__ = (
    "CONFIDENCE_FACTOR",
    "KIND_WEIGHT",
    "NATIONAL_WEIGHT",
    "ScoredTerm",
    "best_fields",
    "idf",
    "scored_term",
)

#: Multipliers by confidence rank (official, secondary, dated, unconfirmed).
CONFIDENCE_FACTOR = (1.0, 0.95, 0.9, 0.75)
#: A gentle prior: lines that act at once (a 24/7 line, takedown help) over guides and forms when
#: the text matches both about equally. Never enough to lift a weak match over a strong one.
KIND_WEIGHT = {
    "hotline": 1.5,
    "takedown-support": 1.6,
    "police": 1.3,
    "regulator": 1.1,
    "crisis-centre": 1.1,
    "school": 0.9,
    "guide": 0.9,
}
#: With no region known, a nationwide service can help the person; a regional one may not.
NATIONAL_WEIGHT = 2.0


def idf(total: int, df: int) -> float:
    """Smoothed inverse document frequency, as in Lucene's BM25."""
    return math.log(1 + (total - df + 0.5) / (df + 0.5))


class ScoredTerm(NamedTuple):
    """A query term ready for scoring."""

    needles: re.Pattern[str]
    """What to look for in a column's padded text (`` 상담 ``, `` counsel``): any alternative."""
    weight: float
    """How much matching it counts towards covering the query (typos count less)."""


def _stem(unit: str) -> str:
    # FTS5's porter stemmer matched "counselling" to "counseling"; plain text cannot see that, so a
    # long Latin unit is compared by its first letters, roughly where English suffixes begin.
    return unit[: max(4, len(unit) - 4)] if unit.isascii() and unit.isalpha() and len(unit) >= 6 else unit


def scored_term(units: Sequence[str], prefix: bool, weight: float) -> ScoredTerm:
    """A term whose alternatives are analysed ``units``; ``prefix`` for search as you type."""
    needles = []
    for u in units:
        stem = _stem(u)
        needles.append(f" {stem}" if prefix or stem != u else f" {u} ")
    # One compiled alternation per term: the search runs in C, once per column.
    return ScoredTerm(re.compile("|".join(re.escape(n) for n in dict.fromkeys(needles)) or "(?!)"), weight)


def best_fields(text: str, terms: Sequence[ScoredTerm]) -> list[float]:
    """For each term, the weight of the best field of one document that contains it (0 if none).

    Args:
        text: the document's analysed FTS columns in FTS_COLUMNS order, joined by COLUMN_BREAK
            and padded with spaces (``flat.text``). Columns come in falling weight order, so the
            first match of a term is in its best field.
        terms: the query's terms.
    """
    out = []
    for term in terms:
        m = term.needles.search(text)
        out.append(FTS_WEIGHTS[text.count(COLUMN_BREAK, 0, m.start())] if m else 0.0)
    return out
