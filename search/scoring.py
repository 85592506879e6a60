"""Field-weighted term scoring for the candidates an FTS5 query found.

FTS5's bm25() gives a term found in more than half of the documents an IDF of almost zero. In a
directory where nearly every entry says 상담 (counselling), that makes field weights meaningless
for the words people type most. Here each term scores its IDF in Lucene's smoothed form (never
negative) times the weight of the best field it appears in: name > aliases, tags > summary > body.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from search.index import FTS_WEIGHTS

__all__ = ("idf", "field_score")


def idf(total: int, df: int) -> float:
    """Smoothed inverse document frequency, as in Lucene's BM25."""
    return math.log(1 + (total - df + 0.5) / (df + 0.5))


def field_score(columns: Sequence[str], terms: Sequence[tuple[Sequence[str], bool, float]]) -> float:
    """Score one document.

    Args:
        columns: the analysed text of each FTS column, in FTS_COLUMNS order.
        terms: for each query term, its alternatives as analysed unit strings, whether it is a
            prefix, and its IDF.
    """
    padded = [f" {c} " for c in columns]
    total = 0.0
    for units, prefix, weight in terms:
        best = 0.0
        for col, text in zip(padded, FTS_WEIGHTS, strict=True):
            if best >= text:
                continue
            for u in units:
                if (f" {u}" if prefix else f" {u} ") in col:
                    best = text
                    break
        # Matched by stemming or in a way plain text cannot show: count it as body text.
        total += weight * (best or FTS_WEIGHTS[-1])
    return total
