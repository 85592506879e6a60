"""The HSDS 3.1 feed of a real `haven serve`, held to the HSDS API's own OpenAPI document.

Every query parameter that document lists for a GET endpoint is sent: it either changes the
answer as it says or is refused with 400 naming it, never ignored. The organizations,
service_at_locations, taxonomies and taxonomy_terms endpoints answer from the data, and their
objects validate against the HSDS 3.1 schemas (tests/data/hsds, nothing fetched).
"""

from __future__ import annotations

import http.client
import json
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from tests.hardening.conftest import Server, tried

SCHEMAS = Path(__file__).resolve().parents[1] / "data" / "hsds"
LISTS = ("services", "organizations", "service_at_locations", "taxonomies", "taxonomy_terms")
OBJECT = {"services": "service", "organizations": "organization", "service_at_locations": "service_at_location",
          "taxonomies": "taxonomy", "taxonomy_terms": "taxonomy_term"}  # fmt: skip


def _get(server: Server, path: str, **params: str) -> tuple[int, Any]:
    query = urllib.parse.urlencode(params)
    conn = http.client.HTTPConnection(server.host, server.port, timeout=30)
    try:
        conn.request("GET", f"/hsds/{path}" + (f"?{query}" if query else ""))
        response = conn.getresponse()
        return response.status, json.loads(response.read())
    finally:
        conn.close()


def _all(server: Server, path: str, **params: str) -> list[dict[str, Any]]:
    """Every item of a list endpoint, page by page (bounded by the first page's count)."""
    out: list[dict[str, Any]] = []
    number, pages = 1, 1
    while number <= pages:
        status, body = _get(server, path, per_page="200", page=str(number), **params)
        assert status == 200, (path, params, body)
        out += body["contents"]
        pages = body["total_pages"]
        number += 1
    return out


@pytest.fixture(scope="module")
def documented() -> dict[str, set[str]]:
    """The query parameters the HSDS 3.1 OpenAPI document lists for each GET list endpoint."""
    spec = json.loads((SCHEMAS / "openapi.json").read_text(encoding="utf-8"))
    shared = spec.get("components", {}).get("parameters", {})
    out: dict[str, set[str]] = {}
    for path, ops in spec["paths"].items():
        name = path.strip("/")
        if name not in LISTS or "get" not in ops:
            continue
        params = [*ops.get("parameters", []), *ops["get"].get("parameters", [])]
        resolved = [shared[p["$ref"].rsplit("/", 1)[-1]] if "$ref" in p else p for p in params]
        out[name] = {p["name"] for p in resolved if p.get("in") == "query"}
    assert set(out) == set(LISTS)
    return out


@pytest.fixture(scope="module")
def validators() -> dict[str, Draft202012Validator]:
    schemas = {
        p.stem: json.loads(p.read_text(encoding="utf-8"))
        for p in SCHEMAS.glob("*.json")
        if p.stem != "openapi"
    }
    registry: Registry = Registry().with_resources(
        (f"{name}.json", DRAFT202012.create_resource(s)) for name, s in schemas.items()
    )
    return {name: Draft202012Validator(s, registry=registry) for name, s in schemas.items()}


def test_every_endpoint_answers_from_the_data_and_validates(
    shared_server: Server, validators: dict[str, Draft202012Validator]
) -> None:
    for path in LISTS:
        items = _all(shared_server, path)
        assert items, path
        validator = validators[OBJECT[path]]
        for item in items:
            problems = [f"{e.json_path}: {e.message[:120]}" for e in validator.iter_errors(item)]
            assert problems == [], (path, item["id"], problems[:3])
        status, one = _get(shared_server, f"{path}/{items[0]['id']}")
        assert status == 200 and one["id"] == items[0]["id"], path
        assert _get(shared_server, f"{path}/no-such-id")[0] == 404
        tried("HSDS endpoints", len(items))


def _plausible(server: Server, name: str) -> str:
    """A value a client would send for a documented parameter."""
    if name in ("taxonomy_term_id",):
        return str(_all(server, "taxonomy_terms")[0]["id"])
    if name in ("taxonomy_id",):
        return str(_all(server, "taxonomies")[-1]["id"])  # the first (kinds) covers every service
    if name in ("organization_id", "parent_id"):
        return str(_all(server, "organizations")[0]["id"])
    return {"search": "상담", "page": "1", "per_page": "5", "format": "json", "modified_after": "2026-01-01T00:00:00Z",
            "minimal": "true", "full": "true", "full_service": "true", "top_only": "true", "postcode": "04524",
            "proximity": "37.56,126.97"}[name]  # fmt: skip


def test_every_documented_parameter_works_or_is_refused_by_name(
    shared_server: Server, documented: dict[str, set[str]]
) -> None:
    for path, names in documented.items():
        everything = _get(shared_server, path, per_page="200")[1]["total_items"]
        for name in sorted(names):
            status, body = _get(shared_server, path, **{name: _plausible(shared_server, name)})
            tried("HSDS documented parameters")
            assert status in (200, 400), (path, name, status)
            if status == 400:
                assert body["parameter"] == name, (path, name, body)
            elif name in ("search", "taxonomy_term_id", "taxonomy_id", "organization_id", "parent_id"):
                # A filter that is honoured narrows the list (each value above matches less than all).
                assert body["total_items"] < everything, (path, name, body["total_items"], everything)
        status, body = _get(shared_server, path, colour="blue")
        assert status == 400 and body["parameter"] == "colour", (path, body)


def test_the_service_filters_keep_exactly_what_they_name(shared_server: Server) -> None:
    services = _all(shared_server, "services")
    term = _all(shared_server, "taxonomy_terms")[0]
    kept = _all(shared_server, "services", taxonomy_term_id=term["id"])
    expected = [
        s["id"] for s in services if any(a["taxonomy_term_id"] == term["id"] for a in s["attributes"])
    ]
    assert [s["id"] for s in kept] == expected and 0 < len(expected) < len(services)
    org = services[-1]["organization_id"]
    assert [s["id"] for s in _all(shared_server, "services", organization_id=org)] == [
        s["id"] for s in services if s["organization_id"] == org
    ]
    by_tax = _all(shared_server, "services", taxonomy_id=term["taxonomy_id"])
    assert {s["id"] for s in kept} <= {s["id"] for s in by_tax}
    searched = _all(shared_server, "services", search="1366")
    assert searched and len(searched) < len(services)
    assert _all(shared_server, "services", search="zzqqxxnothing") == []
    minimal = _all(shared_server, "services", minimal="true")
    assert len(minimal) == len(services) and all("phones" not in s for s in minimal)
    for name, value in [("minimal", "perhaps"), ("page", "0"), ("per_page", "201"), ("format", "csv"),
                        ("modified_after", "2026-01-01T00:00:00Z")]:  # fmt: skip
        status, body = _get(shared_server, "services", **{name: value})
        assert status == 400 and body["parameter"] == name, (name, body)
