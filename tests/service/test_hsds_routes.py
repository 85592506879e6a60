"""The read-only HSDS 3.1 feed at /hsds/, validated against the HSDS JSON Schemas."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from litestar.testing import TestClient
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from search.hsds import NAMESPACE, Feed, service_id
from search.hsds_api import compile_service
from search.sqlite_engine import SqliteEngine
from service.hsds_routes import MAX_PER_PAGE, PER_PAGE
from service.i18n import language_name

SCHEMAS = Path(__file__).resolve().parents[1] / "data" / "hsds"
ENVELOPE = {
    "total_items": int,
    "total_pages": int,
    "page_number": int,
    "size": int,
    "first_page": bool,
    "last_page": bool,
    "empty": bool,
    "contents": list,
}


@pytest.fixture(scope="module")
def service_validator() -> Draft202012Validator:
    # As in tests/search/test_hsds.py: register each schema under its bare file name so every
    # $ref resolves from tests/data/hsds and nothing is fetched.
    schemas = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in SCHEMAS.glob("*.json")}
    registry: Registry = Registry().with_resources(
        (f"{name}.json", DRAFT202012.create_resource(s)) for name, s in schemas.items()
    )
    return Draft202012Validator(
        schemas["service"], registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def errors(validator: Draft202012Validator, instance: Any) -> list[str]:
    return [f"{e.json_path}: {e.message[:200]}" for e in validator.iter_errors(instance)]


def test_root_names_the_hsds_version(client: TestClient) -> None:
    for url in ("/hsds/", "/hsds"):
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/json")
        assert response.json()["version"] == "3.1"


def test_services_page_through_every_service_once(
    client: TestClient, engine: SqliteEngine, service_validator: Draft202012Validator
) -> None:
    resources = engine.resources()
    seen: list[str] = []
    number = 1
    while True:
        body = client.get("/hsds/services", params={"page": number, "per_page": 60}).json()
        assert {k: type(v) for k, v in body.items()} == ENVELOPE
        assert body["total_items"] == len(resources)
        assert body["total_pages"] == -(-len(resources) // 60)
        assert body["page_number"] == number
        assert body["size"] == len(body["contents"])
        assert body["first_page"] is (number == 1)
        problems = {s["haven_id"]: errors(service_validator, s) for s in body["contents"]}
        assert {k: v for k, v in problems.items() if v} == {}
        seen += [s["id"] for s in body["contents"]]
        if body["last_page"]:
            break
        number += 1
    assert seen == [service_id(r.id) for r in resources]
    past = client.get("/hsds/services", params={"page": number + 1, "per_page": 60}).json()
    assert past["empty"] is True and past["contents"] == [] and past["last_page"] is True


def test_services_default_page_size(client: TestClient) -> None:
    body = client.get("/hsds/services").json()
    assert body["page_number"] == 1 and body["size"] == PER_PAGE


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("page=0", "page"),
        ("page=x", "page"),
        ("per_page=0", "per_page"),
        (f"per_page={MAX_PER_PAGE + 1}", "per_page"),
    ],
)
def test_bad_paging_is_a_json_400(client: TestClient, query: str, parameter: str) -> None:
    response = client.get(f"/hsds/services?{query}")
    assert response.status_code == 400
    assert response.json()["parameter"] == parameter
    assert response.headers["cache-control"] == "no-store"


def test_one_service_by_uuid(
    client: TestClient, engine: SqliteEngine, service_validator: Draft202012Validator
) -> None:
    sid = service_id("women-1366")
    assert uuid.UUID(sid).version == 5 and sid == str(uuid.uuid5(NAMESPACE, "service/women-1366"))
    response = client.get(f"/hsds/services/{sid}")
    assert response.status_code == 200
    body = response.json()
    assert errors(service_validator, body) == []
    feed = Feed.from_engine(engine, language_name=language_name)
    resource = engine.get("women-1366")
    assert resource is not None
    assert body == json.loads(json.dumps(compile_service(feed, resource)))
    assert client.get("/hsds/services/women-1366").json()["id"] == sid  # a Haven id works too


def test_language_of_the_fields(client: TestClient, engine: SqliteEngine) -> None:
    resource = engine.get("d4u-central")
    assert resource is not None
    sid = service_id(resource.id)
    assert client.get(f"/hsds/services/{sid}").json()["name"] == resource.name.ko
    english = client.get(f"/hsds/services/{sid}?lang=en").json()
    assert english["name"] == resource.name.en
    assert english["translations"]["ko"]["name"] == resource.name.ko


# A well-formed id of no entry, the same in every run (parallel test workers must collect alike).
@pytest.mark.parametrize("sid", ["nope", str(uuid.uuid5(NAMESPACE, "service/no-such-entry")), "x" * 300])
def test_unknown_service_is_a_json_404(client: TestClient, sid: str) -> None:
    response = client.get(f"/hsds/services/{sid}")
    assert response.status_code == 404
    assert response.json()["error"] == "not-found"
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    "url", ["/hsds/", "/hsds/services?per_page=5", f"/hsds/services/{service_id('women-1366')}"]
)
def test_headers_like_the_api(client: TestClient, url: str) -> None:
    response = client.get(url, headers={"Origin": "https://hotline.example"})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert "ETag" in response.headers["access-control-expose-headers"]
    assert response.headers["cache-control"] == "max-age=300, public"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "set-cookie" not in response.headers
    etag = response.headers["etag"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""


def test_cors_preflight(client: TestClient) -> None:
    preflight = client.options(
        "/hsds/services",
        headers={"Origin": "https://hotline.example", "Access-Control-Request-Method": "GET",
                 "Access-Control-Request-Headers": "if-none-match"},
    )  # fmt: skip
    assert preflight.status_code in (200, 204)
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "GET" in preflight.headers["access-control-allow-methods"]
    assert "if-none-match" in preflight.headers["access-control-allow-headers"].lower()
