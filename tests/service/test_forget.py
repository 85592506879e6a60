"""No memoising cache of the process keeps a request's words after its answer (service/forget.py).

The app is called as a server calls it (ASGI, no test client in between, whose own URL parsing
would fill caches of this process too). Every ``functools.lru_cache`` in the process is then read
through the garbage collector's references, whichever library made it.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus, urlencode

import pytest
from litestar import Litestar

from service.app import HavenApp, create_app
from service.settings import Settings

FORM = b"application/x-www-form-urlencoded"


def cached_holding(needles: list[str]) -> list[str]:
    """The names of the ``lru_cache`` functions whose cache holds one of ``needles`` (as text or
    UTF-8) anywhere in its keys or values, down to a few levels of containers and objects."""
    wanted: list[str | bytes] = [*needles, *(n.encode() for n in needles)]
    found: set[str] = set()

    def holds(obj: Any, depth: int) -> bool:
        if isinstance(obj, (str, bytes)):
            return any(type(n) is type(obj) and n in obj for n in wanted)
        if depth > 5 or callable(obj) or isinstance(obj, type):
            return False
        if isinstance(obj, dict):
            return any(holds(k, depth + 1) or holds(v, depth + 1) for k, v in obj.items())
        return any(holds(r, depth + 1) for r in gc.get_referents(obj))

    for wrapper in gc.get_objects():
        if isinstance(wrapper, functools._lru_cache_wrapper):
            cache = [r for r in gc.get_referents(wrapper) if isinstance(r, dict)]
            if any(holds(c, 0) for c in cache):
                found.add(getattr(wrapper, "__qualname__", repr(wrapper)))
    return sorted(found)


def needles(word: str) -> list[str]:
    return [word, quote(word), quote_plus(word)]


Requests = list[tuple[str, str, bytes, bytes, bytes]]  # method, path, query, body, content type


def answer(
    call_app: Callable[[Any, Any, Any], Awaitable[None]], app: Litestar, requests: Requests
) -> list[int]:
    """The statuses of ``requests`` sent to ``call_app`` as a server sends them, in the app's lifespan."""

    async def call(method: str, path: str, query: bytes, body: bytes, ctype: bytes) -> int:
        headers = [(b"host", b"127.0.0.1:8000")] + ([(b"content-type", ctype)] if ctype else [])
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
                 "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": query,
                 "root_path": "", "headers": headers, "client": ("127.0.0.1", 50000),
                 "server": ("127.0.0.1", 8000)}  # fmt: skip
        messages = [{"type": "http.request", "body": body, "more_body": False}]
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            if messages:
                return messages.pop()
            await asyncio.Event().wait()  # the client stays: no disconnect
            return {}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        await call_app(scope, receive, send)
        return int(sent[0]["status"])

    async def run() -> list[int]:
        async with app.lifespan():
            return [await call(*r) for r in requests]

    return asyncio.run(run())


@pytest.fixture(scope="module")
def app(db_path: Path) -> HavenApp:
    made = create_app(Settings(db_path=db_path, rate_limit=None))
    assert isinstance(made, HavenApp)
    return made


def searches(word: str) -> Requests:
    """A search for ``word`` by each way in: the API, the form (POST), the page and the embed."""
    query = urlencode({"q": word}).encode()
    return [
        ("GET", "/api/v1/search", query, b"", b""),
        ("POST", "/search", b"", query, FORM),
        ("GET", "/search", query, b"", b""),
        ("GET", "/embed", query, b"", b""),
    ]


def test_no_cache_keeps_the_words_of_a_search_after_its_answer(app: HavenApp) -> None:
    word = "사진유출" + uuid.uuid4().hex[:12]  # found nowhere else in the process
    assert answer(app, app, searches(word)) == [200] * 4
    assert cached_holding(needles(word)) == []


def test_without_forgetting_litestar_keeps_them(app: HavenApp) -> None:
    """The check above can fail: without Haven's wrapper, Litestar's own caches hold the words."""
    word = "사진유출" + uuid.uuid4().hex[:12]
    alone = functools.partial(Litestar.__call__, app)
    assert answer(alone, app, searches(word)) == [200] * 4
    kept = cached_holding(needles(word))
    assert "parse_query_string" in kept and "parse_url_encoded_form_data" in kept, kept


def test_the_entry_someone_opened_leaves_no_route_in_a_cache(app: HavenApp) -> None:
    from litestar._asgi.routing_trie.traversal import parse_path_params

    assert answer(app, app, [("GET", "/resources/women-1366", b"lang=ko", b"", b"")]) == [200]
    assert app.asgi_router.handle_routing.cache_info().currsize == 0
    assert parse_path_params.cache_info().currsize == 0
