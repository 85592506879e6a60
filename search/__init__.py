"""Haven's search library: data/ → a validated catalog → an index → an engine that answers queries.

The names a caller needs, each from its home module::

    from search import Query, SqliteEngine, build_index, load_catalog

    catalog = load_catalog("data")
    build_index(catalog, "var/haven.db")
    results = SqliteEngine("var/haven.db").search(Query(q="부산 상담"))

Imported on first use: ``import search`` loads nothing else, so a command that only validates
data does not pay for the engines (nor anyone for the optional Meilisearch client, which is not
named here: ``search.meili_engine`` and ``search.meili_sync`` are imported only when asked for).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__all__ = (
    "SEOUL",
    "BuildError",
    "Catalog",
    "CatalogError",
    "Engine",
    "EngineError",
    "Facets",
    "FallbackEngine",
    "Hit",
    "Query",
    "Region",
    "Resource",
    "Results",
    "SqliteEngine",
    "TaxonomyTerm",
    "Text",
    "build_index",
    "load_catalog",
    "open_engine",
    "open_state",
)

#: Where each public name lives.
_HOMES = {
    "SEOUL": "search.hours",
    "BuildError": "search.index",
    "Catalog": "search.catalog",
    "CatalogError": "search.catalog",
    "Engine": "search.engine",
    "EngineError": "search.engine",
    "Facets": "search.model",
    "FallbackEngine": "search.fallback",
    "Hit": "search.model",
    "Query": "search.model",
    "Region": "search.model",
    "Resource": "search.model",
    "Results": "search.model",
    "SqliteEngine": "search.sqlite_engine",
    "TaxonomyTerm": "search.model",
    "Text": "search.model",
    "build_index": "search.index",
    "load_catalog": "search.catalog",
    "open_engine": "search.fallback",
    "open_state": "search.hours",
}

if TYPE_CHECKING:
    from search.catalog import Catalog, CatalogError, load_catalog
    from search.engine import Engine, EngineError
    from search.fallback import FallbackEngine, open_engine
    from search.hours import SEOUL, open_state
    from search.index import BuildError, build_index
    from search.model import Facets, Hit, Query, Region, Resource, Results, TaxonomyTerm, Text
    from search.sqlite_engine import SqliteEngine


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'search' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # looked up once
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
