"""What a search back end answers: candidates for a plan (a source), and what the service reads.

A search runs once, in search/pipeline.py: it understands the query, asks a
:class:`CandidateSource` (the SQLite index's FTS5, or Meilisearch) for the resources matching its
words, and orders them. The service and the CLI hold an :class:`Engine` (a pipeline over the local
index and one source) and never know which source answered beyond the ``engine`` field.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, TypedDict

from search.model import Facets, Query, Region, Resource, Results, TaxonomyTerm

if TYPE_CHECKING:
    from search.kinds import KindTable
    from search.understand import Plan

__all__ = ("Candidate", "CandidateSource", "Engine", "EngineError", "Found")


class EngineError(Exception):
    """The engine cannot answer (a missing or unreadable index, an unreachable server)."""


class Candidate(TypedDict, total=False):
    """One candidate: a row of the index's ``flat`` table (search/index_schema.py), then what
    scoring adds. Every source's candidates are these rows, read from the local index."""

    rowid: int
    id: str
    kind: str
    cost: str
    #: ``|a|b|``-joined lists, as stored.
    regions: str
    topics: str
    audiences: str
    languages: str
    channels: str
    national: int
    confidence_rank: int
    #: The service's names, normalised and `` | ``-joined.
    names: str
    phone_digits: str
    always_open: int
    reachable: int
    platform: str
    has_phone: int
    district: str
    #: The record's hours as JSON (None: no hours known).
    hours: str | None
    #: The analysed ranked columns, joined by COLUMN_BREAK.
    text: str
    #: Each unit of ``text`` (and start of a Latin one) and the first field it is in, and the
    #: fields it is in, a bit each (search/scoring.py ``unit_tables``).
    units: dict[str, int]
    fields: dict[str, int]
    #: Its facet values, each as one ``field<US>value`` key (search/facets.py ``facet_pairs``).
    facets: tuple[str, ...]
    #: ``names`` as the ordering compares them (search/scoring.py ``name_forms``): its words
    #: each after a space, each name between `` | `` and each name without spaces between ``|``.
    spaced: str
    padded: str
    compact: str
    #: Read by a query that has every term (its terms not in a ranked field are in the body).
    every: bool
    #: Per query term, the weight of the best field holding it (0: none).
    best: list[float]
    #: The field-weighted score and the share of the query the candidate answers.
    score: float
    coverage: float


class Found(NamedTuple):
    """What a candidate source read for a query."""

    rows: list[Candidate]
    #: How many resources match (estimated past the candidate cap unless ``exact``).
    total: int
    exact: bool
    #: The source's own facet counts over every match (None: counted over ``rows``).
    facets: Facets | None = None
    #: Which source answered (empty: the one asked).
    engine: str = ""


class CandidateSource(Protocol):
    """Reads the resources whose text matches a plan's terms: the SQLite index's FTS5, Meilisearch."""

    @property
    def name(self) -> str: ...

    @property
    def url(self) -> str | None: ...

    def candidates(self, plan: Plan, query: Query) -> Found:
        """The candidates for ``plan``'s terms within ``query``'s filters and region.

        Raises:
            EngineError: the source cannot answer.
        """
        ...

    def close(self) -> None: ...


class Engine(Protocol):
    """What the service needs from a search back end."""

    @property
    def name(self) -> str:
        """Which engine answers: ``sqlite``, ``meilisearch``, ``meilisearch+sqlite``."""
        ...

    @property
    def data_hash(self) -> str:
        """The hash of the data/ files the index was built from."""
        ...

    @property
    def meta(self) -> dict[str, Any]:
        """What the index says of itself (schema version, data hash, when it was built, counts)."""
        ...

    @property
    def url(self) -> str | None:
        """Where the engine answers from, for the log: a server's URL, or None for a local file."""
        ...

    def search(self, query: Query) -> Results:
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

    @property
    def kinds(self) -> KindTable:
        """Each kind's place in the tie order, weight, and whether a person answers (data/kinds.yaml)."""
        ...

    def close(self) -> None:
        """Let go of the index (a file handle, a connection pool)."""
        ...
