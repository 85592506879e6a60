"""HEAD answered wherever GET is: the same status and headers, no body; every Allow lists HEAD."""

from __future__ import annotations

from pathlib import Path

import pytest
from litestar.testing import TestClient

from service.settings import Settings


@pytest.fixture(scope="module")
def client_settings(db_path: Path) -> Settings:
    return Settings(db_path=db_path, rate_limit=("minute", 1000))


@pytest.mark.parametrize(
    "url", ["/", "/resources/women-1366", "/api/v1/regions", "/hsds/", "/static/haven.css"]
)
def test_head_is_get_without_the_body(client: TestClient, url: str) -> None:
    get = client.get(url)
    head = client.head(url)
    assert head.status_code == get.status_code == 200
    assert head.content == b""
    assert head.headers["etag"] == get.headers["etag"]
    assert head.headers["content-type"] == get.headers["content-type"]


def test_a_refused_method_lists_head_among_the_allowed(client: TestClient) -> None:
    refused = client.post("/api/v1/regions")
    assert refused.status_code == 405
    allowed = {m.strip() for m in refused.headers["allow"].split(",")}
    assert {"GET", "HEAD"} <= allowed
