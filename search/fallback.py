"""Meilisearch first, the embedded SQLite index whenever it cannot answer: nothing a user sees fails.

The fallback swaps the source of a query's candidates, not the search: the pipeline
(search/pipeline.py) understands, orders and presents the same way whichever answered. A circuit breaker in its simplest form. When Meilisearch is unreachable, slow (the client's
timeout, 300 ms by default) or answers with an error, the request is answered from SQLite, and
Meilisearch is left alone for a while — 1 s, then 2 s, 4 s … up to a minute, with jitter so that
many replicas do not probe it in step. After that pause one request tries it again while the
others keep to SQLite; the first answer ends the outage. One warning is logged per outage, never
one per request, and never the query.
"""

from __future__ import annotations

import logging
import os
import random
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from search.engine import CandidateSource, Engine, EngineError, Found
from search.model import Query
from search.pipeline import Pipeline
from search.sqlite_engine import SqliteEngine
from search.understand import Plan

__all__ = ("EngineSettings", "FallbackEngine", "open_engine")

log = logging.getLogger(__name__)


class EngineSettings(Protocol):
    """What :func:`open_engine` reads (service.settings.Settings has it; search/ never imports service/)."""

    db_path: Path
    meili_url: str | None
    meili_key: str | None
    meili_timeout: float


def _where(engine: CandidateSource) -> str:
    """The engine and its host, never credentials or paths: this goes to the log."""
    if not engine.url:
        return engine.name
    parts = urlsplit(engine.url)
    return (
        f"{engine.name} at {parts.hostname}:{parts.port}"
        if parts.port
        else f"{engine.name} at {parts.hostname}"
    )


def _reason(exc: Exception) -> str:
    # EngineError messages are written not to quote the query; anything else is named by class only.
    return str(exc) if isinstance(exc, EngineError) else type(exc).__name__


class FallbackEngine:
    """Candidates from ``primary`` while it can answer and from ``fallback`` while it cannot.

    Args:
        primary: The source to prefer (Meilisearch).
        fallback: The source that always answers (the SQLite index beside the service).
        backoff: Seconds to leave the primary alone after it first fails.
        max_backoff: The longest pause between two tries during an outage.
        jitter: Up to this fraction is taken off each pause, so replicas spread their tries.
        clock: Monotonic seconds (tests pass their own).
    """

    def __init__(
        self,
        primary: CandidateSource,
        fallback: CandidateSource,
        *,
        backoff: float = 1.0,
        max_backoff: float = 60.0,
        jitter: float = 0.2,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.primary = primary
        self.fallback = fallback
        self.name = f"{primary.name}+{fallback.name}"
        self._backoff = backoff
        self._max_backoff = max_backoff
        self._jitter = jitter
        self._clock = clock
        self._lock = threading.Lock()
        self._down_since: float | None = None
        self._delay = backoff
        self._retry_at = 0.0

    @property
    def in_outage(self) -> bool:
        """Whether the primary is currently being avoided."""
        return self._down_since is not None

    def _may_try(self) -> bool:
        with self._lock:
            if self._down_since is None:
                return True
            now = self._clock()
            if now < self._retry_at:
                return False
            # This request probes; until it is answered the others keep to the fallback.
            self._retry_at = now + self._delay
            return True

    def _failed(self, exc: Exception) -> None:
        with self._lock:
            now = self._clock()
            if self._down_since is None:
                self._down_since = now
                self._delay = self._backoff
                log.warning(
                    "%s is not answering (%s): searching the local index, retrying with backoff",
                    _where(self.primary),
                    _reason(exc),
                )
            else:
                self._delay = min(self._delay * 2, self._max_backoff)
            self._retry_at = now + self._delay * (1 - random.uniform(0, self._jitter))

    def _answered(self) -> None:
        if self._down_since is None:  # the usual case, without taking the lock
            return
        with self._lock:
            if self._down_since is not None:
                log.info(
                    "%s answers again after %.0f s", _where(self.primary), self._clock() - self._down_since
                )
                self._down_since = None
                self._delay = self._backoff

    def candidates(self, plan: Plan, query: Query) -> Found:
        if self._may_try():
            try:
                found = self.primary.candidates(plan, query)
            except Exception as exc:  # whatever went wrong there, the user gets an answer from here
                self._failed(exc)
            else:
                self._answered()
                return found._replace(engine=found.engine or self.primary.name)
        found = self.fallback.candidates(plan, query)
        return found._replace(engine=found.engine or self.fallback.name)

    @property
    def url(self) -> str | None:
        return self.primary.url

    def close(self) -> None:
        self.primary.close()
        # The fallback is the local index: the pipeline closes it.


def open_engine(settings: EngineSettings, *, private: bool = True) -> Engine:
    """The engine a service or a CLI search uses: SQLite alone, or Meilisearch backed by SQLite.

    ``private`` (for a server) reads a private copy of the index file (:class:`SqliteEngine`).

    Raises:
        EngineError: no usable SQLite index (it is needed either way), or the key given for
            searching is the master key.
    """
    local = SqliteEngine(settings.db_path, private=private)  # checked: it answers a search
    if not settings.meili_url:
        return local
    master = os.environ.get("HAVEN_MEILI_MASTER_KEY")
    if master and settings.meili_key == master:
        # Every replica holds its key in its environment; a leaked master key can rewrite the index.
        raise EngineError("HAVEN_MEILI_KEY is the master key: give the service a search-only key")
    # Imported only when asked for: the Meilisearch client is a third of a plain server's start.
    from search.meili_engine import MeiliEngine

    index = local.index
    meili = MeiliEngine(
        settings.meili_url, settings.meili_key, index.reads.by_ids, timeout=settings.meili_timeout
    )
    return Pipeline(index, FallbackEngine(meili, index))
