"""The Meilisearch client, an optional extra: one clear line for whoever asks for it without it.

Imported by the Meilisearch modules only, so that a server on the SQLite index alone neither
needs the client nor pays for loading it (a third of a plain server's start).
"""

from __future__ import annotations

from search.engine import EngineError

try:  # the optional extra: pip install 'haven[meilisearch]'
    import meilisearch
    import requests
    from meilisearch.errors import MeilisearchApiError, MeilisearchError, MeilisearchTimeoutError
    from meilisearch.models.task import TaskInfo
except ImportError as exc:
    # One line for whoever asked for Meilisearch (HAVEN_MEILI_URL, --meili-url, sync-meili).
    raise EngineError(
        "Meilisearch was asked for, but its Python client is not installed: pip install 'haven[meilisearch]'"
    ) from exc

__all__ = (
    "MeilisearchApiError",
    "MeilisearchError",
    "MeilisearchTimeoutError",
    "TaskInfo",
    "meilisearch",
    "requests",
)
