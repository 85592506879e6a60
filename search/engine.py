"""The Engine protocol every search back end answers, and the shared pieces of a result.

An engine takes a :class:`~search.model.Query` and returns :class:`~search.model.Results`; the
web service and the CLI never know which engine answered beyond the ``engine`` field.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from search.model import Facets, Region, Resource, Results, TaxonomyTerm

__all__ = ("Engine", "EngineError", "KIND_PRIORITY", "count_facets")

#: When results tie (or a region is listed with no text), the lines that answer at once come first.
KIND_PRIORITY = {
    k: i
    for i, k in enumerate(
        [
            "hotline",
            "takedown-support",
            "police",
            "crisis-centre",
            "counselling-centre",
            "legal-aid",
            "victim-support",
            "school",
            "regulator",
            "removal-tool",
            "platform-report",
            "guide",
        ]
    )
}


class EngineError(Exception):
    """The engine cannot answer (a missing or unreadable index, an unreachable server)."""


class Engine(Protocol):
    """What the service needs from a search back end."""

    name: str
    data_hash: str

    def search(self, query: object) -> Results:
        """Answer a :class:`~search.model.Query`."""
        ...

    def get(self, resource_id: str) -> Resource | None:
        """One resource by id."""
        ...

    def resources(
        self, kind: str | None = None, regions: Sequence[str] = (), offset: int = 0, limit: int | None = None
    ) -> list[Resource]:
        """Every resource, in catalog order; only those of ``kind``, or serving one of ``regions``,
        when given, and ``limit`` of them from ``offset`` (read through the index: a large
        directory is not decoded whole)."""
        ...

    def count(self) -> int:
        """How many resources the index holds."""
        ...

    def regions(self) -> list[Region]: ...

    def taxonomy(self) -> dict[str, list[TaxonomyTerm]]: ...


def count_facets(rows: Iterable[Any]) -> Facets:
    """Facet counts over matching rows whose list fields are pipe-delimited (``|a|b|``)."""
    rows = list(rows)
    out: dict[str, dict[str, int]] = {}
    for facet, col in (("kind", "kind"), ("cost", "cost"), ("topic", "topics"), ("audience", "audiences"),
                       ("language", "languages"), ("channel", "channels"), ("region", "regions")):  # fmt: skip
        # One join and one split per facet: a large result set is counted in C, not row by row.
        counts = Counter("|".join([row[col] for row in rows]).split("|"))
        counts.pop("", None)
        out[facet] = dict(counts.most_common())
    return Facets(**out)
