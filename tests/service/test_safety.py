"""Headers, caching, cookies and logs on every kind of response: the site must leave no trail."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from litestar.testing import TestClient

from search.sqlite_engine import SqliteEngine
from service.app import create_app
from service.settings import Settings, parse_rate_limit
from tests.service.conftest import serve_engine

#: One URL per kind of response the app can send.
ROUTES = {
    "home": "/",
    "results": "/search?q=상담",
    "results fragment": "/search?q=상담&partial=1",
    "resource": None,  # filled from the data
    "safety": "/safety",
    "for schools": "/for-schools?region=KR-26",
    "embed": "/embed?region=KR-26&lang=ko",
    "404 page": "/resources/no-such-place",
    "unknown path": "/wp-login.php",
    "api index": "/api/v1",
    "api search": "/api/v1/search?q=1366",
    "api resource": None,
    "api 400": "/api/v1/search?limit=0",
    "api 404": "/api/v1/resources/no-such-place",
    "static css": "/static/haven.css",
    "static js": "/static/haven.js",
    "openapi json": "/schema/openapi.json",
    "api docs": "/schema",
    "robots": "/robots.txt",
    "health": "/healthz",
}


@pytest.fixture(scope="module")
def routes(engine: SqliteEngine) -> dict[str, str]:
    rid = engine.resources()[0].id
    return {**ROUTES, "resource": f"/resources/{rid}", "api resource": f"/api/v1/resources/{rid}"}  # type: ignore[dict-item]


@pytest.fixture(scope="module")
def client_settings(db_path: Path) -> Settings:
    return Settings(db_path=db_path, rate_limit=("minute", 1000))


@pytest.mark.parametrize("name", list(ROUTES))
def test_security_headers_on_every_response(client: TestClient, routes: dict[str, str], name: str) -> None:
    response = client.get(routes[name])
    h = response.headers
    csp = h["content-security-policy"]
    assert "default-src 'self'" in csp or "default-src 'none'" in csp
    assert (
        "unsafe-inline" not in csp
        and "unsafe-eval" not in csp
        and "*" not in csp.replace("frame-ancestors *", "")
    )
    if name == "embed":
        assert "frame-ancestors *" in csp
        assert "x-frame-options" not in h
    else:
        assert "frame-ancestors 'none'" in csp
        assert h["x-frame-options"] == "DENY"
    assert h["referrer-policy"] == "no-referrer"
    assert h["x-content-type-options"] == "nosniff"
    assert "camera=()" in h["permissions-policy"] and "geolocation=()" in h["permissions-policy"]
    assert "set-cookie" not in h
    assert "strict-transport-security" not in h  # plain http here
    assert "cache-control" in h
    assert "server" not in h or "uvicorn" not in h["server"].lower()


def test_hsts_only_over_https(db_path: Path) -> None:
    with TestClient(create_app(Settings(db_path=db_path)), base_url="https://haven.test") as c:
        for url in ("/", "/api/v1/regions", "/no-such-page"):
            assert c.get(url).headers["strict-transport-security"].startswith("max-age=")


def test_the_embed_is_the_only_frameable_page(client: TestClient, routes: dict[str, str]) -> None:
    frameable = [
        n
        for n, url in routes.items()
        if "frame-ancestors *" in client.get(url).headers["content-security-policy"]
    ]
    assert frameable == ["embed"]


def test_no_cookie_is_ever_set(client: TestClient, routes: dict[str, str]) -> None:
    for url in routes.values():
        client.get(url)
    client.post("/api/v1/search")
    client.options("/api/v1/search")
    assert not client.cookies


@pytest.mark.parametrize(
    ("name", "cache"),
    [
        ("home", "no-store"),
        ("results", "no-store"),
        ("resource", "no-store"),
        ("404 page", "no-store"),
        ("embed", "max-age=600, public"),
        ("for schools", "max-age=600, public"),
        ("api search", "no-store"),  # it holds typed words (a filter-only search may be kept)
        ("api resource", "max-age=300, public"),
        ("api 400", "no-store"),
        ("static css", "max-age=604800, public"),
        ("openapi json", "max-age=3600, public"),
    ],
)
def test_cache_control_per_route(client: TestClient, routes: dict[str, str], name: str, cache: str) -> None:
    assert client.get(routes[name]).headers["cache-control"] == cache


def test_logs_hold_no_query_address_or_user_agent(
    db_path: Path, engine: SqliteEngine, caplog: pytest.LogCaptureFixture
) -> None:
    marker = "비밀검색어qq"
    agent = "Haven-Test-Agent/7.7"

    class Broken:
        data_hash = engine.data_hash

        def __getattr__(self, name: str) -> object:
            return getattr(engine, name)

        def search(self, query: object) -> object:
            raise RuntimeError(f"failed on {marker}")

    app = create_app(Settings(db_path=db_path, rate_limit=("minute", 4)))
    caplog.set_level(logging.DEBUG)
    headers = {"User-Agent": agent, "X-Forwarded-For": "198.51.100.23"}
    with TestClient(app, raise_server_exceptions=False) as c:
        for url in (
            f"/search?q={marker}",
            f"/resources/{marker}",
            f"/api/v1/search?limit={marker}",
            f"/{marker}",
        ):
            c.get(url, headers=headers)
        serve_engine(app, Broken())
        for url in (f"/search?q={marker}", f"/api/v1/search?q={marker}", f"/api/v1/search?q={marker}"):
            assert c.get(url, headers=headers).status_code in (429, 503)
    server_records = [r for r in caplog.records if not r.name.startswith("httpx")]
    logged = "\n".join(r.getMessage() + str(r.exc_info or "") for r in server_records)
    assert "internal error in search: RuntimeError" in logged
    for secret in (marker, agent, "198.51.100.23", "testclient"):
        assert secret not in logged


@pytest.mark.parametrize(
    ("value", "parsed"),
    [
        ("120/minute", ("minute", 120)),
        ("0", None),
        (" 5 / second ", ("second", 5)),
        ("1000/day", ("day", 1000)),
    ],
)
def test_rate_limit_setting(value: str, parsed: tuple[str, int] | None) -> None:
    assert parse_rate_limit(value) == parsed


@pytest.mark.parametrize("value", ["", "fast", "-1/minute", "0/minute", "10/week"])
def test_bad_rate_limit_setting_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="HAVEN_RATE_LIMIT"):
        parse_rate_limit(value)


def test_answers_to_typed_words_are_never_stored_and_the_title_is_neutral(client: TestClient) -> None:
    for url in ("/api/v1/search?q=비밀검색어", "/search?q=비밀검색어", "/search?q=비밀검색어&partial=1"):
        r = client.get(url)
        assert r.headers["cache-control"] == "no-store", url
    page = client.get("/search?q=비밀검색어").text
    title = page.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "비밀검색어" not in title
    assert client.get("/api/v1/search?region=KR-26").headers["cache-control"] != "no-store"
