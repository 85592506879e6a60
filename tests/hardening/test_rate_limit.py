"""The rate limit over real sockets: whom it counts, what it covers, and whose word it takes."""

from __future__ import annotations

import http.client
from pathlib import Path
from typing import Any

from tests.hardening.conftest import Server, tried


def _get(server: Server, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        body = response.read().decode("utf-8", "replace")
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        conn.close()


def test_a_forwarded_for_header_is_not_believed_unless_its_proxy_is_named(serve: Any, db_path: Path) -> None:
    server: Server = serve("--db", str(db_path), env={"HAVEN_RATE_LIMIT": "5/minute"})
    statuses = [
        _get(server, "/api/v1/search?q=1366", {"X-Forwarded-For": f"203.0.113.{i}"})[0] for i in range(12)
    ]
    tried("spoofed X-Forwarded-For", 12)
    assert statuses[:5] == [200] * 5
    assert statuses[5:] == [429] * 7, statuses  # one client, whatever it claims to be


def test_a_named_proxy_passes_on_each_clients_address(serve: Any, db_path: Path) -> None:
    server: Server = serve(
        "--db", str(db_path), env={"HAVEN_RATE_LIMIT": "3/minute", "HAVEN_TRUSTED_PROXIES": "127.0.0.1"}
    )
    # Different people behind the proxy each have their own budget ...
    assert [
        _get(server, "/api/v1/search?q=1366", {"X-Forwarded-For": f"203.0.113.{i}"})[0] for i in range(6)
    ] == [200] * 6
    # ... and one person cannot go past theirs.
    same = [_get(server, "/api/v1/search?q=1366", {"X-Forwarded-For": "198.51.100.7"})[0] for _ in range(5)]
    assert same == [200, 200, 200, 429, 429]


def test_the_search_page_and_its_fragments_are_limited_but_pages_are_not(serve: Any, db_path: Path) -> None:
    server: Server = serve("--db", str(db_path), env={"HAVEN_RATE_LIMIT": "4/minute"})
    for _ in range(10):
        assert _get(server, "/")[0] == 200
        assert _get(server, "/safety")[0] == 200
        assert _get(server, "/static/haven.css")[0] == 200
    seen = [_get(server, f"/search?q=%EC%83%81%EB%8B%B4{i}&partial={i % 2}")[0] for i in range(4)]
    assert seen == [200] * 4
    status, headers, body = _get(server, "/search?q=1366")
    assert status == 429
    assert int(headers["retry-after"]) >= 1
    assert "tel:1366" in body and "tel:112" in body  # the crisis numbers, even when refused
    assert _get(server, "/api/v1/search?q=1366")[0] == 429  # one budget for pages and API alike
