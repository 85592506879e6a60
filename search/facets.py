"""Facet counts: how many results of each kind, topic, audience, language, cost, channel and region.

One counting rule for every engine, so a page's filters read the same whichever engine answered:
counts fall, and equal counts go in key order.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from itertools import chain
from typing import Any

from search.model import Facets

__all__ = ("FACET_FIELDS", "FILTERS", "count_facets", "facet_pairs", "ordered_facets")

#: The facet registry. Query facet → the field that holds its values, in the SQLite index's
#: ``flat`` rows and in Meilisearch documents alike: a string (``kind``, ``cost``), a list, or a
#: pipe-delimited list (``|a|b|``). Its keys are the fields of :class:`Facets`, in the order the
#: results page shows its filters (tests/search/test_facets.py keeps the two the same).
FACET_FIELDS = {
    "kind": "kind",
    "topic": "topics",
    "audience": "audiences",
    "cost": "cost",
    "channel": "channels",
    "language": "languages",
    "region": "regions",
}
#: The facets a search is filtered by with a list of values (``kind=a&kind=b``): the list fields of
#: :class:`Query`, the API's and the pages' repeatable parameters, `haven search`'s repeatable
#: options and the results page's filter groups. ``region`` takes one value and is apart.
FILTERS: tuple[str, ...] = tuple(facet for facet in FACET_FIELDS if facet != "region")


def ordered_facets(counts: Mapping[str, Mapping[str, int]]) -> Facets:
    """Facets from counts by field (as :data:`FACET_FIELDS` names them), in the one order."""

    def ordered(values: Mapping[str, int]) -> dict[str, int]:
        return dict(sorted(values.items(), key=lambda kv: (-kv[1], kv[0])))

    return Facets(**{facet: ordered(counts.get(field, {})) for facet, field in FACET_FIELDS.items()})


def _joined(value: str | Sequence[str]) -> str:
    return value if isinstance(value, str) else "|".join(value)


#: Between a facet's field and its value in :func:`facet_pairs`' keys (never in either).
_SEP = "\x1f"


def facet_pairs(row: Mapping[str, Any]) -> tuple[str, ...]:
    """A row's facet values as ``field<US>value`` keys, made once per row when the index opens
    (``Candidate.facets``). Interned strings: Python keeps a string's hash, so counting these is
    a third of the cost of counting ``(field, value)`` pairs, whose hash is made anew each time."""
    return tuple(
        sys.intern(f"{field}{_SEP}{v}")
        for field in FACET_FIELDS.values()
        for v in _joined(row.get(field, "")).split("|")
        if v
    )


def count_facets(rows: Iterable[Mapping[str, Any]]) -> Facets:
    """Facet counts over matching rows (the index's ``flat`` rows, with their keys when made)."""
    rows = list(rows)
    if rows and all("facets" in row for row in rows):
        counted: dict[str, dict[str, int]] = {field: {} for field in FACET_FIELDS.values()}
        for key, n in Counter(chain.from_iterable([row["facets"] for row in rows])).items():
            field, value = key.split(_SEP, 1)
            counted[field][value] = n
        return ordered_facets(counted)
    counts: dict[str, dict[str, int]] = {}
    for field in FACET_FIELDS.values():
        # One join and one split per facet: a large result set is counted in C, not row by row.
        found = Counter("|".join([_joined(row.get(field, "")) for row in rows]).split("|"))
        found.pop("", None)
        counts[field] = dict(found)
    return ordered_facets(counts)
