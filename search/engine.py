"""The Engine protocol every search back end answers.

An engine takes a :class:`~search.model.Query` and returns :class:`~search.model.Results`; the
web service and the CLI never know which engine answered beyond the ``engine`` field.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from search.model import Query, Region, Resource, Results, TaxonomyTerm

__all__ = ("Engine", "EngineError", "LocalReads")


class EngineError(Exception):
    """The engine cannot answer (a missing or unreadable index, an unreachable server)."""


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

    def close(self) -> None:
        """Let go of the index (a file handle, a connection pool)."""
        ...


class LocalReads:
    """Reads answered by the local index beside an engine that searches elsewhere.

    Meilisearch and the fallback engine search their own way but read resources, regions and
    the taxonomy from the same catalog's SQLite index: no network hop for a resource page.
    """

    @property
    def local(self) -> Engine:
        """The SQLite engine over the same catalog."""
        raise NotImplementedError

    @property
    def meta(self) -> dict[str, Any]:
        return self.local.meta

    def get(self, resource_id: str) -> Resource | None:
        return self.local.get(resource_id)

    def resources(
        self, kind: str | None = None, regions: Sequence[str] = (), offset: int = 0, limit: int | None = None
    ) -> list[Resource]:
        return self.local.resources(kind, regions, offset, limit)

    def count(self) -> int:
        return self.local.count()

    def regions(self) -> list[Region]:
        return self.local.regions()

    def taxonomy(self) -> dict[str, list[TaxonomyTerm]]:
        return self.local.taxonomy()
