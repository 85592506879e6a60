"""Nothing a visitor sent outlives its request: the memoising caches that keep parts of requests are
emptied as each request ends.

Litestar memoises its parsing with ``functools.lru_cache``: query strings and form bodies (the
words of a search), the dictionaries made from them, cookies, path parameters and routes (the
entry someone opened), up to 1,024 of each; Python's ``urllib.parse.urlsplit`` keeps the last 128
addresses it split. Each would hold what someone searched for or opened after the answer went out,
and would answer a request seen before a little faster. :class:`service.app.HavenApp` calls
:func:`forget` as every HTTP request ends; emptying them costs microseconds, and parsing again
costs far less than the search it goes with.

The caches are looked up by name, so a Litestar release that moves one does not stop the site from
starting; ``tests/service/test_forget.py`` then finds whatever cache still holds a request's words.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ("forget",)

#: (module, attribute path) of each memoised function that is given parts of requests.
_NAMES = (
    ("litestar._parsers", "parse_query_string"),
    ("litestar._parsers", "parse_url_encoded_form_data"),
    ("litestar._parsers", "parse_cookie_string"),
    ("litestar._kwargs.extractors", "create_query_default_dict"),
    ("litestar._asgi.routing_trie.traversal", "parse_path_params"),
    ("litestar.datastructures.url", "URL._new"),
    ("litestar.datastructures.url", "URL.from_components"),
    ("urllib.parse", "urlsplit"),
)


def _caches() -> tuple[Any, ...]:
    found = []
    for module, path in _NAMES:
        try:
            obj: Any = importlib.import_module(module)
            for name in path.split("."):
                obj = getattr(obj, name)
        except (ImportError, AttributeError):
            continue
        if callable(getattr(obj, "cache_clear", None)):
            found.append(obj)
    return tuple(found)


_CACHES = _caches()


def forget(app: Any) -> None:
    """Empty every cache that may hold a part of a request, the app's route cache among them."""
    for cache in _CACHES:
        cache.cache_clear()
    routing = getattr(getattr(app, "asgi_router", None), "handle_routing", None)
    if callable(getattr(routing, "cache_clear", None)):
        routing.cache_clear()  # type: ignore[union-attr]
