"""The JSON API over HTTP: Litestar's TestClient for the details, and one real `haven serve`."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar.testing import TestClient

from search.hours import open_state
from search.model import MAX_Q, Query
from search.sqlite_engine import SqliteEngine
from service.app import create_app
from service.settings import Settings
from tests.conftest import serve

ENDPOINTS = ["/api/v1/", "/api/v1/search?q=1366", "/api/v1/resources", "/api/v1/regions", "/api/v1/taxonomy"]


def _comparable(results: dict) -> dict:
    """Results without what depends on the moment of the request (open now)."""
    for hit in results["results"]:
        hit.pop("open_now")
    return results


# -- search ---------------------------------------------------------------------------------------


def test_search_answers_with_results_facets_and_total(client: TestClient, engine: SqliteEngine) -> None:
    first = engine.resources()[0]
    body = client.get("/api/v1/search", params={"q": first.name.ko}).json()
    assert {"query", "total", "results", "facets", "region", "relaxed", "reason"} <= body.keys()
    assert body["total"] >= 1
    assert first.id in [h["resource"]["id"] for h in body["results"]]
    assert set(body["facets"]) >= {"kind", "topic", "audience", "cost", "channel", "region"}
    hit = body["results"][0]
    assert {"resource", "score", "matched", "open_now"} <= hit.keys()


@pytest.mark.parametrize("q", ["부산 상담", "deepfake", "1366", "", "ㅅㄷ", "변호사 무료"])
def test_search_passes_the_engine_answer_through(client: TestClient, engine: SqliteEngine, q: str) -> None:
    """The API adds nothing and drops nothing: region understood from text, relaxed, reason."""
    expected = msgspec.to_builtins(engine.search(Query(q=q)))
    got = client.get("/api/v1/search", params={"q": q}).json()
    assert _comparable(got) == _comparable(expected)


def test_filters_narrow_the_results(client: TestClient, engine: SqliteEngine) -> None:
    region = next(r.code for r in engine.regions() if r.code != "KR")
    body = client.get("/api/v1/search", params={"region": region, "limit": 100}).json()
    assert body["total"] >= 1
    for hit in body["results"]:
        assert "KR" in hit["resource"]["regions"] or region in hit["resource"]["regions"]

    kind = engine.resources()[0].kind
    body = client.get("/api/v1/search", params={"kind": kind, "limit": 100}).json()
    assert body["total"] >= 1
    assert {h["resource"]["kind"] for h in body["results"]} == {kind}

    topic = engine.resources()[0].topics[0]
    body = client.get("/api/v1/search", params=[("topic", topic), ("cost", "free,unknown")]).json()
    assert body["results"]
    for hit in body["results"]:
        assert topic in hit["resource"]["topics"]
        assert hit["resource"]["cost"] in ("free", "unknown")


def test_open_now_lists_only_what_is_open(client: TestClient) -> None:
    body = client.get("/api/v1/search", params={"open_now": "true", "limit": 100}).json()
    assert body["results"], "the 24-hour lines are always open: an empty list is a broken filter"
    assert all(h["open_now"]["open"] for h in body["results"])


def test_limit_and_offset_page_through_the_same_list(client: TestClient) -> None:
    everything = client.get("/api/v1/search", params={"limit": 100}).json()
    ids = [h["resource"]["id"] for h in everything["results"]]
    page = client.get("/api/v1/search", params={"limit": 3, "offset": 2}).json()
    assert [h["resource"]["id"] for h in page["results"]] == ids[2:5]
    assert page["total"] == everything["total"]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=ten", "limit"),
        ("offset=-1", "offset"),
        ("offset=10001", "offset"),
        ("region=Busan", "region"),
        ("region=KR-99", "region"),
        ("kind=nonsense", "kind"),
        ("topic=hotline,nonsense", "topic"),
        ("audience=kids", "audience"),
        ("cost=cheap", "cost"),
        ("channel=fax", "channel"),
        ("language=Korean", "language"),
        ("open_now=perhaps", "open_now"),
        ("lang=fr", "lang"),
        ("q=" + "가" * 1001, "q"),
        ("q=" + "가" * (MAX_Q + 1), "q"),  # the search box's own maxlength, enforced
        ("q=&q=1366", "q"),  # one reading of each parameter
    ],
)
def test_bad_parameters_are_400_naming_the_parameter(client: TestClient, query: str, parameter: str) -> None:
    response = client.get(f"/api/v1/search?{query}")
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["error"] == "bad-parameter"
    assert body["parameter"] == parameter
    assert body["detail"]


def test_empty_optional_parameters_are_absent_not_errors(client: TestClient) -> None:
    assert client.get("/api/v1/search?q=&region=&kind=").status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/search", "/api/v1/resources"])
def test_the_openapi_document_says_which_parameters_may_be_empty(client: TestClient, path: str) -> None:
    parameters = client.get("/schema/openapi.json").json()["paths"][path]["get"]["parameters"]
    assert parameters
    for parameter in parameters:
        status = client.get(f"{path}?{parameter['name']}=").status_code
        assert status == (200 if parameter["allowEmptyValue"] else 400), (parameter["name"], status)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=st.text(max_size=80), region=st.sampled_from(["", "KR", "KR-26", "KR-11"]))
def test_no_search_text_produces_a_server_error(client: TestClient, q: str, region: str) -> None:
    response = client.get("/api/v1/search", params={"q": q, "region": region})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    "q",
    ['"', "*", "(", ")", "NEAR(", "a AND", "OR OR", "^", ":", "-", "\x00", "\\", "ㄱ", "😀", "\u202e",
     '")*', "name:x", "%", "_", "#", "#0117", "+82", "02-", "ㅂㅅ", "a" * MAX_Q, "부산" * (MAX_Q // 2)],
)  # fmt: skip
def test_fts_syntax_and_odd_text_are_just_text(client: TestClient, q: str) -> None:
    assert client.get("/api/v1/search", params={"q": q}).status_code == 200
    assert client.get("/search", params={"q": q}).status_code == 200


# -- resources, regions, taxonomy -----------------------------------------------------------------


def test_resources_lists_every_resource(client: TestClient, engine: SqliteEngine) -> None:
    body = client.get("/api/v1/resources").json()
    assert body["total"] == len(body["resources"]) == len(engine.resources())
    assert body["data_hash"] == engine.data_hash
    assert (body["offset"], body["limit"]) == (0, 1000)


def test_resources_page_through_the_directory(client: TestClient, engine: SqliteEngine) -> None:
    every = [r.id for r in engine.resources()]
    seen: list[str] = []
    offset = 0
    while True:
        body = client.get("/api/v1/resources", params={"limit": 40, "offset": offset}).json()
        assert body["total"] == len(every) and body["limit"] == 40
        seen += [r["id"] for r in body["resources"]]
        offset += 40
        if offset >= body["total"]:
            break
    assert seen == every
    for bad in ({"limit": 0}, {"limit": 1001}, {"offset": -1}, {"offset": 10**20}, {"limit": "all"}):
        response = client.get("/api/v1/resources", params=bad)
        assert response.status_code == 400 and response.json()["parameter"] == next(iter(bad)), bad


def test_one_resource_with_open_now(client: TestClient, engine: SqliteEngine) -> None:
    resource = engine.resources()[0]
    body = client.get(f"/api/v1/resources/{resource.id}").json()
    assert body["resource"] == msgspec.to_builtins(resource)
    assert body["open_now"] == msgspec.to_builtins(open_state(resource.hours))


@pytest.mark.parametrize("rid", ["no-such-thing", "UPPER", "x" * 300, "%00", "..%2F..%2Fetc"])
def test_unknown_resource_is_a_json_404(client: TestClient, rid: str) -> None:
    response = client.get(f"/api/v1/resources/{rid}")
    assert response.status_code == 404
    assert response.json()["error"] == "not-found"


def test_unknown_api_path_is_a_json_404(client: TestClient) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"] == "not-found"


def test_regions_and_taxonomy(client: TestClient, engine: SqliteEngine) -> None:
    regions = client.get("/api/v1/regions").json()["regions"]
    assert [r["code"] for r in regions] == [r.code for r in engine.regions()]
    assert len(regions) == 18 and all(r["name"]["ko"] and r["name"]["en"] for r in regions)  # 17 and KR
    taxonomy = client.get("/api/v1/taxonomy").json()
    assert {t["key"] for t in taxonomy["kinds"]} >= {r.kind for r in engine.resources()}
    assert {t["key"] for t in taxonomy["topics"]} >= {t for r in engine.resources() for t in r.topics}
    assert (
        "minors" in taxonomy["audiences"] and "free" in taxonomy["costs"] and "phone" in taxonomy["channels"]
    )


def test_index_names_the_data(client: TestClient, engine: SqliteEngine) -> None:
    body = client.get("/api/v1").json()
    assert body["data_hash"] == engine.data_hash
    assert body["resources"] == len(engine.resources())


def test_only_get_is_allowed(client: TestClient) -> None:
    response = client.post("/api/v1/search")
    assert response.status_code == 405
    assert response.json()["error"] == "method-not-allowed"


# -- OpenAPI --------------------------------------------------------------------------------------


def test_openapi_describes_the_api_and_only_the_api(client: TestClient) -> None:
    spec = client.get("/schema/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    paths = set(spec["paths"])
    assert {"/api/v1/search", "/api/v1/resources", "/api/v1/resources/{resource_id}", "/api/v1/regions",
            "/api/v1/taxonomy"} <= paths  # fmt: skip
    assert all(p.startswith("/api/") for p in paths)
    params = {p["name"] for p in spec["paths"]["/api/v1/search"]["get"]["parameters"]}
    assert params >= {"q", "region", "kind", "topic", "audience", "language", "cost", "channel", "open_now",
                      "lang", "limit", "offset"}  # fmt: skip


# -- HTTP semantics -------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ENDPOINTS)
def test_every_get_has_an_etag_and_answers_304(client: TestClient, url: str, engine: SqliteEngine) -> None:
    first = client.get(url)
    etag = first.headers["etag"]
    assert engine.data_hash in etag
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert client.get(url, headers={"If-None-Match": '"something-else"'}).status_code == 200


def test_cache_control_suits_each_route(client: TestClient) -> None:
    assert client.get("/api/v1/search?q=1366").headers["cache-control"] == "no-store"  # typed words
    assert client.get("/api/v1/search?region=KR-26").headers["cache-control"] == "max-age=60, public"
    assert client.get("/api/v1/regions").headers["cache-control"] == "max-age=300, public"
    assert client.get("/api/v1/search?limit=0").headers["cache-control"] == "no-store"


def test_cors_is_open_for_get(client: TestClient) -> None:
    response = client.get("/api/v1/regions", headers={"Origin": "https://hotline.example"})
    assert response.headers["access-control-allow-origin"] == "*"
    assert "ETag" in response.headers["access-control-expose-headers"]
    preflight = client.options(
        "/api/v1/search",
        headers={"Origin": "https://hotline.example", "Access-Control-Request-Method": "GET",
                 "Access-Control-Request-Headers": "if-none-match"},
    )  # fmt: skip
    assert preflight.status_code in (200, 204)
    assert "GET" in preflight.headers["access-control-allow-methods"]
    assert "if-none-match" in preflight.headers["access-control-allow-headers"].lower()


def test_rate_limit_answers_429_with_retry_after(db_path: Path) -> None:
    with TestClient(create_app(Settings(db_path=db_path, rate_limit=("minute", 3)))) as c:
        assert [c.get("/api/v1/regions").status_code for _ in range(3)] == [200, 200, 200]
        limited = c.get("/api/v1/search?q=1366", headers={"Origin": "https://hotline.example"})
        assert limited.status_code == 429
        assert int(limited.headers["retry-after"]) >= 1
        assert limited.json()["error"] == "rate-limited"
        assert limited.headers["access-control-allow-origin"] == "*"
        # Other pages are never rate limited, and the refused search page still gives the numbers.
        assert c.get("/").status_code == 200
        assert c.get("/resources/women-1366").status_code == 200
        page = c.get("/search?q=1366")
        assert page.status_code == 429 and "tel:1366" in page.text and "tel:112" in page.text


def test_rate_limit_zero_turns_it_off(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HAVEN_RATE_LIMIT", "0")
    with TestClient(create_app(Settings(db_path=db_path))) as c:
        assert {c.get("/api/v1/regions").status_code for _ in range(150)} == {200}


# -- the real server ------------------------------------------------------------------------------


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


@pytest.mark.timeout(60)
def test_real_server_over_http_logs_no_visitor(db_path: Path) -> None:
    marker = "비밀검색어zq"
    agent = "Mozilla/5.0 (secret-agent-9f3)"
    with serve(db_path) as (base, process):
        q = urllib.request.quote(marker)
        status, headers, body = _get(f"{base}/api/v1/search?q={q}", {"User-Agent": agent})
        assert status == 200
        assert json.loads(body)["query"] == marker
        assert headers["referrer-policy"] == "no-referrer"
        assert "set-cookie" not in headers
        status, headers, _ = _get(f"{base}/api/v1/search?q={q}", {"If-None-Match": headers["etag"]})
        assert status == 304
        for path in (f"/search?q={q}", f"/resources/{q}", f"/api/v1/resources/{q}", f"/api/v1/search?limit={q}",
                     f"/nowhere/{q}", "/"):  # fmt: skip
            status, headers, body = _get(base + path, {"User-Agent": agent, "X-Forwarded-For": "203.0.113.7"})
            assert status < 500
            assert "content-security-policy" in headers
        process.terminate()
        out, err = process.communicate(timeout=10)
    logs = out + err  # less the first line, the server's own address, which serve() read
    for secret in (marker, q, "secret-agent", "203.0.113.7", "127.0.0.1:"):
        assert secret not in logs, f"{secret!r} appeared in the server's output:\n{logs}"


def test_the_openapi_document_declares_the_values_the_api_enforces(client: TestClient) -> None:
    from service.query import AUDIENCES, CHANNELS, COSTS

    spec = client.get("/schema/openapi.json").json()
    params = {p["name"]: p["schema"] for p in spec["paths"]["/api/v1/search"]["get"]["parameters"]}
    for name, values in (("audience", AUDIENCES), ("cost", COSTS), ("channel", CHANNELS)):
        array = next(s for s in params[name]["oneOf"] if s.get("type") == "array")
        assert array["items"]["enum"] == list(values), name
        for value in values:  # every declared value is accepted …
            assert client.get("/api/v1/search", params={name: value}).status_code == 200, (name, value)
        # … and a value outside the declared ones is refused, as declared.
        assert client.get("/api/v1/search", params={name: "nonsense"}).status_code == 400, name
    array = next(s for s in params["language"]["oneOf"] if s.get("type") == "array")
    assert array["items"]["pattern"] == "^[a-z]{2,3}$"
    assert client.get("/api/v1/search", params={"language": "vi"}).status_code == 200
    assert client.get("/api/v1/search", params={"language": "Vietnamese"}).status_code == 400
