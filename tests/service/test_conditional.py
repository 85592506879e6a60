"""ETags and 304s: every successful GET carries a tag of the data and the body; a match gets 304."""

from __future__ import annotations

from pathlib import Path

import pytest
from litestar.testing import TestClient

from search.sqlite_engine import SqliteEngine
from service.settings import Settings
from tests.service.test_safety import ROUTES


@pytest.fixture(scope="module")
def routes(engine: SqliteEngine) -> dict[str, str]:
    rid = engine.resources()[0].id
    return {**ROUTES, "resource": f"/resources/{rid}", "api resource": f"/api/v1/resources/{rid}"}  # type: ignore[dict-item]


@pytest.fixture(scope="module")
def client_settings(db_path: Path) -> Settings:
    return Settings(db_path=db_path, rate_limit=("minute", 1000))


@pytest.mark.parametrize(
    "name", [n for n in ROUTES if n not in ("404 page", "unknown path", "api 400", "api 404")]
)
def test_etag_and_304_on_every_get(
    client: TestClient, routes: dict[str, str], engine: SqliteEngine, name: str
) -> None:
    first = client.get(routes[name])
    assert first.status_code == 200
    etag = first.headers["etag"]
    assert etag.startswith(f'"{engine.data_hash}-')
    second = client.get(routes[name], headers={"If-None-Match": f'"other", {etag}'})
    assert second.status_code == 304
    assert second.content == b""
    assert second.headers["etag"] == etag
    assert "content-security-policy" in second.headers
    assert client.get(routes[name], headers={"If-None-Match": "*"}).status_code == 304


def test_errors_carry_no_etag(client: TestClient, routes: dict[str, str]) -> None:
    for name in ("404 page", "api 400", "api 404"):
        assert "etag" not in client.get(routes[name]).headers


def test_etag_changes_with_the_body(client: TestClient) -> None:
    assert client.get("/?lang=ko").headers["etag"] != client.get("/?lang=en").headers["etag"]


def test_a_tag_that_does_not_match_gets_the_body(client: TestClient) -> None:
    first = client.get("/api/v1/regions")
    again = client.get("/api/v1/regions", headers={"If-None-Match": '"not-this-one"'})
    assert again.status_code == 200 and again.content == first.content


def test_a_weak_tag_matches_its_strong_form(client: TestClient) -> None:
    etag = client.get("/api/v1/regions").headers["etag"]
    assert client.get("/api/v1/regions", headers={"If-None-Match": "W/" + etag}).status_code == 304
