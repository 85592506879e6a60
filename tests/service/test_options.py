"""OPTIONS names every method a path answers, over a real socket to `haven serve`.

Litestar 2 made the OPTIONS answer of a path from its first handler only, so ``/search`` (GET for
the buttons and filters, POST for the search box) said ``Allow: GET, HEAD, OPTIONS``.
"""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import serve


@pytest.fixture(scope="module")
def server(db_path: Path) -> Iterator[tuple[str, int]]:
    with serve(db_path) as (base, _):
        split = urlsplit(base)
        yield str(split.hostname), int(split.port or 80)


def _request(
    server: tuple[str, int], method: str, path: str, body: str | None = None
) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection(*server, timeout=10)
    headers = {"Content-Type": "application/x-www-form-urlencoded"} if body is not None else {}
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


def _allow(response: http.client.HTTPResponse) -> set[str]:
    return {m.strip() for m in (response.getheader("Allow") or "").split(",") if m.strip()}


def test_options_on_the_search_page_names_post(server: tuple[str, int]) -> None:
    answer = _request(server, "OPTIONS", "/search")
    assert answer.status == 204
    assert _allow(answer) == {"GET", "HEAD", "OPTIONS", "POST"}
    # Each method it names is answered, and one it does not name is refused with the same list.
    assert _request(server, "POST", "/search", body="q=1366").status == 200
    assert _request(server, "GET", "/search").status == 200
    refused = _request(server, "DELETE", "/search")
    assert refused.status == 405


@pytest.mark.parametrize("path", ["/", "/resources/women-1366", "/safety", "/embed", "/api/v1/search"])
def test_options_on_pages_that_only_read_names_no_post(server: tuple[str, int], path: str) -> None:
    answer = _request(server, "OPTIONS", path)
    assert answer.status == 204
    assert _allow(answer) == {"GET", "HEAD", "OPTIONS"}
    assert _request(server, "POST", path, body="q=1").status == 405


def test_one_handler_keeps_each_method_s_caching(server: tuple[str, int]) -> None:
    """A results page answering the form may be kept for Back (private); one answering a link is not."""
    posted = _request(server, "POST", "/search", body="q=1366")
    assert posted.getheader("Cache-Control") == "max-age=0, private"
    assert _request(server, "GET", "/search?need=minor").getheader("Cache-Control") == "no-store"
