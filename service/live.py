"""The live index: what a request reads from it, swapped whole on reload, read once per request.

:class:`Live` holds the engine and what is derived from it (the filter vocabulary, the guides).
``app.state`` (a :class:`LiveState`) holds one ``Live`` and replaces it in one assignment on
reload (service/reload.py). A request never reads ``app.state`` for it: handlers take ``live: LiveIndex``
as a parameter, given by Litestar's dependency injection (:data:`LIVE`, registered on the app),
and code outside a handler (the page frame, the error pages) calls :func:`live_of`. Both pin the
object to the request the first time it is read, so a page that reads the index several times
reads one index, even when a reload lands in between. The old engine's connection closes when
the last request holding it lets go.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeAlias

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide

from search.engine import Engine
from search.fallback import open_engine
from search.model import Resource
from service.query import Vocabulary
from service.settings import Settings

__all__ = ("LIVE", "Live", "LiveIndex", "LiveState", "live_of")

#: Where a request keeps the :class:`Live` it read (its own scope state, gone with the request).
_PINNED = "haven.live"


@dataclass(frozen=True)
class Live:
    """Everything a request reads from the index, replaced as one object on reload."""

    engine: Engine
    """The search engine (SQLite, or Meilisearch backed by SQLite)."""
    vocab: Vocabulary
    """The values the filters take, read from this engine's index."""
    guides: list[Resource]
    """The guide entries the home page lists."""

    @classmethod
    def from_engine(cls, engine: Engine) -> Live:
        return cls(
            engine=engine,
            vocab=Vocabulary.from_engine(engine),
            guides=engine.resources(kind="guide"),
        )

    @classmethod
    def open(cls, settings: Settings) -> Live:
        """Open the index ``settings`` names. Raises EngineError when it cannot be used."""
        return cls.from_engine(open_engine(settings))


class LiveState(State):
    """``app.state`` with one swappable :class:`Live` (``state.live``) beside fixed values
    (``settings``, ``assets``)."""

    def __init__(self, live: Live, values: dict[str, Any]) -> None:
        super().__init__({**values, "live": live})
        object.__setattr__(self, "_listeners", [])

    @property
    def live(self) -> Live:
        live: Live = self._state["live"]
        return live

    def swap(self, live: Live) -> None:
        """Serve ``live`` from now on (one assignment: each read sees the old or the new whole)."""
        self._state["live"] = live
        for listener in self._listeners:
            listener(live)

    def on_swap(self, listener: Callable[[Live], None]) -> None:
        """Call ``listener`` with each new :class:`Live` (e.g. to update the ETag's data hash)."""
        self._listeners.append(listener)


def live_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Live:
    """The :class:`Live` this request reads: taken from the app the first time, then the same."""
    scope_state = connection.scope["state"]
    live: Live | None = scope_state.get(_PINNED)
    if live is None:
        state = connection.app.state
        live = state.live if isinstance(state, LiveState) else state["live"]
        scope_state[_PINNED] = live
    return live


def _live(request: Request[Any, Any, Any]) -> Live:
    return live_of(request)


#: The app's dependency: a handler that declares ``live: LiveIndex`` gets the request's one read.
LIVE = {"live": Provide(_live, sync_to_thread=False)}
#: How a handler asks for it (Litestar's explicit mark of a dependency, so never a query parameter).
LiveIndex: TypeAlias = NamedDependency[Live]
