"""Read-only Open Referral HSDS 3.1 at ``/hsds/``: the same services ``haven export`` writes.

``GET /hsds/`` says which HSDS version this is; ``GET /hsds/services`` pages through compiled
services in the HSDS envelope (``page``, ``per_page``; ``lang=ko|en`` picks the language of the
HSDS fields); ``GET /hsds/services/{id}`` is one service by its HSDS UUID (a Haven id works too).
Everything comes from :mod:`search.hsds`, so the feed and the export can never disagree.

Like the JSON API: CORS open for GET (service/cors.py), ETags and 304s (service/conditional.py),
five minutes of public caching, and errors in the one JSON shape (service/json_errors.py).
"""

from __future__ import annotations

import threading
from typing import Any

from litestar import MediaType, Request, Response, Router, get
from litestar.params import FromPath

from search.engine import Engine
from search.hsds import Feed
from search.hsds_api import api_root, compile_service, page
from service.i18n import language_name
from service.json_errors import json_error

__all__ = ("MAX_PER_PAGE", "PER_PAGE", "compiled_services", "make_hsds_router")

PER_PAGE = 50
MAX_PER_PAGE = 200
_PUBLIC = {"Cache-Control": "max-age=300, public"}
# One compiled feed per (index, language): compiling 171 services takes ~30 ms, and the index is
# read-only until a reload swaps in a new engine (with a new data hash).
_cache: dict[tuple[int, str, str], tuple[Feed, list[dict[str, Any]]]] = {}
_lock = threading.Lock()


def compiled_services(engine: Engine, lang: str) -> tuple[Feed, list[dict[str, Any]]]:
    """The feed and every compiled service of ``engine``'s index in ``lang`` (cached)."""
    key = (id(engine), engine.data_hash, lang)
    with _lock:
        hit = _cache.get(key)
    if hit is not None:
        return hit
    feed = Feed.from_engine(engine, "en" if lang == "en" else "ko", language_name=language_name)
    value = (feed, [compile_service(feed, r) for r in feed.resources])
    with _lock:
        _cache.clear()  # the old index is gone after a reload: keep only the current one
        _cache[key] = value
    return value


def _lang(request: Request) -> str:
    return "en" if request.query_params.get("lang") == "en" else "ko"


def _int_param(request: Request, name: str, default: int, low: int, high: int) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        return None
    return value if low <= value <= high else None


@get("/", sync_to_thread=False)
def hsds_root() -> Response[dict[str, Any]]:
    """Which HSDS version this feed speaks, and our documented extra properties."""
    return Response(api_root(), headers=_PUBLIC, media_type=MediaType.JSON)


@get("/services", sync_to_thread=False)
def hsds_services(request: Request) -> Response[dict[str, Any]]:
    """Compiled services, ``per_page`` at a time (default 50), in catalog order."""
    number = _int_param(request, "page", 1, 1, 100_000)
    if number is None:
        return json_error(400, "bad-parameter", "page must be a whole number from 1", "page")
    per_page = _int_param(request, "per_page", PER_PAGE, 1, MAX_PER_PAGE)
    if per_page is None:
        return json_error(
            400, "bad-parameter", f"per_page must be a whole number from 1 to {MAX_PER_PAGE}", "per_page"
        )
    _, services = compiled_services(request.app.state.engine, _lang(request))
    return Response(page(services, number, per_page), headers=_PUBLIC, media_type=MediaType.JSON)


@get("/services/{service_id:str}", sync_to_thread=False)
def hsds_service(request: Request, service_id: FromPath[str]) -> Response[dict[str, Any]]:
    """One compiled service by its HSDS id (a UUID) or its Haven id."""
    feed, _ = compiled_services(request.app.state.engine, _lang(request))
    resource = feed.get(service_id) if len(service_id) <= 64 else None
    if resource is None:
        return json_error(404, "not-found", "no service with this id; see /hsds/services")
    return Response(compile_service(feed, resource), headers=_PUBLIC, media_type=MediaType.JSON)


def make_hsds_router() -> Router:
    """The /hsds router (under the app-wide rate limit, like the API)."""
    return Router(
        path="/hsds", route_handlers=[hsds_root, hsds_services, hsds_service], include_in_schema=False
    )
