"""service/json_errors.py: one JSON error shape for the API, the HSDS feed and the connection guard
(whose 414 and 431 tests/hardening/test_connections.py reads over a socket)."""

from __future__ import annotations

import json

from litestar.testing import TestClient

from service.json_errors import ApiError, error_body


def test_every_json_error_has_the_one_shape(client: TestClient) -> None:
    bad = client.get("/api/v1/search", params={"kind": "spaceship"})
    feed = client.get("/hsds/services", params={"per_page": "lots"})
    missing = client.get("/api/v1/nothing-here")
    refused = json.loads(error_body("uri-too-long", "the address is longer than 8 KiB"))
    assert (bad.status_code, feed.status_code, missing.status_code) == (400, 400, 404)
    bodies = [bad.json(), feed.json(), missing.json(), refused]
    for body in bodies:
        assert set(ApiError.__struct_fields__) >= set(body) >= {"error", "detail"}, body
    assert bad.json()["parameter"] == "kind" and feed.json()["parameter"] == "per_page"
    assert "parameter" not in missing.json() and "parameter" not in refused  # absent, never null
