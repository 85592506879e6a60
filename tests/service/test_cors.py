"""CORS: the JSON routes are open to any origin for reading; pages and assets are not."""

from __future__ import annotations

from pathlib import Path

import pytest
from litestar.testing import TestClient

from service.settings import Settings

ORIGIN = {"Origin": "https://hotline.example"}
PREFLIGHT = {
    **ORIGIN,
    "Access-Control-Request-Method": "GET",
    "Access-Control-Request-Headers": "if-none-match",
}


@pytest.fixture(scope="module")
def client_settings(db_path: Path) -> Settings:
    return Settings(db_path=db_path, rate_limit=("minute", 1000))


@pytest.mark.parametrize(
    "url", ["/api/v1/regions", "/api/v1/search?q=1366", "/hsds/", "/schema/openapi.json"]
)
def test_json_routes_are_readable_from_any_origin(client: TestClient, url: str) -> None:
    response = client.get(url, headers=ORIGIN)
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    exposed = {h.strip().lower() for h in response.headers["access-control-expose-headers"].split(",")}
    assert {"etag", "retry-after", "ratelimit-remaining"} <= exposed


@pytest.mark.parametrize(
    "url", ["/", "/search?q=상담", "/resources/women-1366", "/static/haven.css", "/embed"]
)
def test_pages_and_assets_stay_same_origin(client: TestClient, url: str) -> None:
    response = client.get(url, headers=ORIGIN)
    assert response.status_code == 200
    assert not [h for h in response.headers if h.lower().startswith("access-control-")]
    preflight = client.options(url.split("?")[0], headers=PREFLIGHT)
    assert "access-control-allow-origin" not in preflight.headers


def test_preflight_allows_conditional_gets_and_is_kept_a_day(client: TestClient) -> None:
    preflight = client.options("/api/v1/search", headers=PREFLIGHT)
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "*"
    methods = {m.strip() for m in preflight.headers["access-control-allow-methods"].split(",")}
    assert methods == {"GET", "HEAD", "OPTIONS"}
    assert preflight.headers["access-control-max-age"] == "86400"
    # A preflight carries the same protections as any other answer.
    assert preflight.headers["x-content-type-options"] == "nosniff"


def test_a_write_method_is_refused_in_preflight(client: TestClient) -> None:
    refused = client.options("/api/v1/search", headers={**PREFLIGHT, "Access-Control-Request-Method": "POST"})
    assert refused.status_code == 400
    assert "access-control-allow-origin" not in refused.headers
