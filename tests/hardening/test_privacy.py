"""Privacy and methods: after a run that searched for a canary, the canary, the client address
and the user agent are in no log line and no file the service wrote; no Set-Cookie, ever; the
API and pages accept only GET, HEAD and OPTIONS, on every route class.
"""

from __future__ import annotations

import http.client
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

from tests.hardening.conftest import Server, tried

CANARY = "카나리아검색어zx81q"
AGENT = "Mozilla/5.0 (canary-agent-7c1e)"
FORWARDED = "198.51.100.23"
ROUTES = ["/", "/search?q=1366", "/resources/women-1366", "/embed?region=KR-26", "/for-schools", "/safety",
          "/schema", "/schema/openapi.json", "/static/haven.css", "/healthz", "/api/v1", "/api/v1/search?q=1",
          "/api/v1/resources", "/api/v1/resources/women-1366", "/api/v1/regions", "/api/v1/taxonomy",
          "/nowhere", "/api/v1/nowhere"]  # fmt: skip


def _request(server: Server, method: str, path: str, headers: dict[str, str] | None = None,
             source: str = "127.0.0.1") -> tuple[int, dict[str, str], bytes]:  # fmt: skip
    conn = http.client.HTTPConnection(server.host, server.port, timeout=15, source_address=(source, 0))
    try:
        conn.request(method, path, headers={"User-Agent": AGENT, **(headers or {})})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


@pytest.mark.timeout(90)
def test_no_trace_of_the_visitor_anywhere(serve: Any, db_path: Path) -> None:
    server = serve("--db", str(db_path))
    q = urllib.parse.quote(CANARY)
    paths = [f"/search?q={q}", f"/api/v1/search?q={q}", f"/search?q={q}&partial=1", f"/resources/{q}",
             f"/api/v1/resources/{q}", f"/api/v1/search?limit={q}", f"/api/v1/search?region={q}", f"/{q}",
             f"/embed?region={q}", f"/search?q={q}&lang=en", f"/static/{q}"]  # fmt: skip
    # Each asked three times: a repeated answer is kept in memory, and must reach no file either.
    for method in ("GET", "GET", "GET", "HEAD", "OPTIONS", "POST", "DELETE"):
        for path in paths:
            status, headers, _ = _request(
                server, method, path, {"X-Forwarded-For": FORWARDED}, source="127.0.0.3"
            )
            assert status < 500, (method, path)
            assert "set-cookie" not in headers
            tried("privacy: canary requests")
    # Junk the HTTP layer itself rejects, which uvicorn may log.
    conn = http.client.HTTPConnection(server.host, server.port, timeout=5, source_address=("127.0.0.3", 0))
    conn.putrequest("GET", f"/search?q={q}" + "a" * 200_000, skip_accept_encoding=True)
    conn.putheader("User-Agent", AGENT)
    try:
        conn.endheaders()
        conn.getresponse().read()
    except OSError:
        pass
    conn.close()
    server.stop()
    secrets = [CANARY, q, "canary-agent", FORWARDED, "127.0.0.3"]
    logs = server.logs()
    for secret in secrets:
        assert secret not in logs, f"{secret!r} in the server's output:\n{logs}"
    for path in server.workdir.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for secret in secrets:
                assert secret.encode() not in data, f"{secret!r} in {path}"
    assert (
        not (db_path.parent / "haven.db-wal").exists() and not (db_path.parent / "haven.db-journal").exists()
    )


@pytest.mark.parametrize("path", ROUTES)
def test_only_the_methods_a_route_serves_on_every_route_class(shared_server: Server, path: str) -> None:
    status, get_headers, body = _request(shared_server, "GET", path)
    assert "set-cookie" not in get_headers
    expected = 404 if "nowhere" in path else 200
    assert status == expected
    status, headers, head_body = _request(shared_server, "HEAD", path)
    assert status == expected and head_body == b""
    assert headers.get("content-type") == get_headers.get("content-type")
    assert headers["content-security-policy"] == get_headers["content-security-policy"]
    assert "set-cookie" not in headers
    if expected == 200:
        # The search page also takes the search box's POST (the words in the body, not the URL).
        allowed = {"GET", "HEAD", "OPTIONS"} | ({"POST"} if path.startswith("/search") else set())
        status, headers, _ = _request(shared_server, "OPTIONS", path)
        # OPTIONS lists GET, HEAD and OPTIONS everywhere (the search page's POST is named by its 405s).
        assert status == 204 and {"GET", "HEAD", "OPTIONS"} <= set(
            headers["allow"].replace(" ", "").split(",")
        )
        for method in {"POST", "PUT", "DELETE", "PATCH", "TRACE"} - allowed:
            status, headers, _ = _request(shared_server, method, path)
            assert status == 405, (method, path)
            assert set(headers["allow"].replace(" ", "").split(",")) == allowed, headers
            assert "set-cookie" not in headers and "content-security-policy" in headers
    if path.startswith(("/api/", "/schema/openapi")):
        status, headers, _ = _request(shared_server, "OPTIONS", path, {"Origin": "https://school.example",
                                      "Access-Control-Request-Method": "GET"})  # fmt: skip
        assert headers["access-control-allow-origin"] == "*"
        assert headers["access-control-allow-methods"] == "GET, HEAD, OPTIONS"
    tried("methods: route classes x methods", 9)


@pytest.mark.parametrize("path", [f"/search?q={urllib.parse.quote(CANARY)}", f"/api/v1/search?q={urllib.parse.quote(CANARY)}",
                                  f"/search?q={urllib.parse.quote(CANARY)}&partial=1"])  # fmt: skip
def test_answers_to_typed_words_are_stored_nowhere_and_titled_neutrally(
    shared_server: Server, path: str
) -> None:
    for _ in range(3):  # asked again and again: still never kept, by the browser or by a shared cache
        status, headers, body = _request(shared_server, "GET", path)
        assert status == 200
        assert headers["cache-control"] == "no-store"
    title = body.decode().partition("<title>")[2].partition("</title>")[0]
    assert CANARY not in title


def test_answers_without_typed_words_may_be_cached(shared_server: Server) -> None:
    for path in ("/embed?region=KR-26", "/for-schools", "/api/v1/regions"):
        cache = _request(shared_server, "GET", path)[1]["cache-control"]
        assert "no-store" not in cache and "max-age" in cache, (path, cache)
