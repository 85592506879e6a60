"""Hostile input: Hypothesis against query analysis, the engine, and the API over real HTTP.

Any Unicode, FTS5 syntax, SQL fragments, 10 KB strings, control characters, invalid
percent-encoding and repeated parameters: never a 5xx, and a bad parameter is a 400 in JSON
naming it. The HTTP cases go through a real `haven serve` with raw request targets, so nothing
on the client side cleans them up first.
"""

from __future__ import annotations

import http.client
import json
import urllib.parse
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.analyze import index_text, normalize, words
from search.model import Query
from search.sqlite_engine import SqliteEngine
from service.query import REPEATABLE
from tests.hardening.conftest import EXAMPLES, Server, failed, tried

pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")  # long reprs

PARAMS = ["q", "region", "kind", "topic", "audience", "language", "cost", "channel", "open_now", "lang", "limit",
          "offset"]  # fmt: skip
FRAGMENTS = [
    '"', "*", "(", ")", "NEAR(a b)", "a AND b", "OR", "NOT", "^", ":", "-", "{a b}", "name:x", "resources_fts:",
    "'; DROP TABLE resources; --", "' OR 1=1 --", '" OR ""="', "UNION SELECT * FROM meta", "%", "_", "\\",
    "<script>alert(1)</script>", "ㄱㄴ", "부산 상담", "deepfake", "1366", "\u202e", "\ufeff", "😀", "\x00", "\r\n",
]  # fmt: skip
RAW = [
    "%",
    "%%",
    "%zz",
    "%E4%",
    "%FF%FE",
    "%C0%AF",
    "%00",
    "%0A",
    "%ED%A0%80",
    "+",
    "&&",
    "=",
    "==",
    "%2",
    "%u1234",
]

texts = st.one_of(
    st.text(max_size=200),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
    st.text(alphabet=st.characters(categories=["Cc", "Cf", "Zs", "Co", "Mn"]), max_size=40),
    st.lists(st.sampled_from(FRAGMENTS), max_size=8).map(" ".join),
    st.sampled_from(["a" * 10_240, "부산" * 1_707, "ㅂ" * 3_414, "<b>" * 3_414, "'" * 10_240]),
)


# -- analysis and the engine, in process ---------------------------------------------------------


@settings(max_examples=EXAMPLES * 2, deadline=None)
@given(text=texts)
def test_analysis_never_raises_and_is_stable(text: str) -> None:
    tried("hypothesis: analysis")
    once = normalize(text)
    assert normalize(once) == once
    assert isinstance(index_text(text), str)
    words(text)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=texts, lang=st.sampled_from(["ko", "en"]), region=st.sampled_from([None, "KR", "KR-26"]))
def test_the_engine_answers_any_text(engine: SqliteEngine, text: str, lang: str, region: str | None) -> None:
    tried("hypothesis: engine search")
    query = Query(q=text[:1000], lang=lang, region=region)  # type: ignore[arg-type]
    results = engine.search(query)
    # An answer a page can show: at most a page of distinct, real resources, a total that counts
    # them, facets over them, and a reason whenever nothing is shown.
    ids = [h.resource.id for h in results.results]
    assert len(ids) == len(set(ids)) <= query.limit
    assert results.total >= len(ids)
    assert all(engine.get(i) == h.resource for i, h in zip(ids, results.results, strict=True))
    assert sum(results.facets.kind.values()) >= len(ids)
    assert results.results or results.reason in ("no-match", "nothing-searchable")
    assert results.query == query.q


# -- the API over HTTP ----------------------------------------------------------------------------


def _quote(text: str) -> str:
    return urllib.parse.quote(text.encode("utf-8", "surrogatepass"), safe="")


values = st.one_of(texts.map(_quote), st.sampled_from(RAW), st.lists(st.sampled_from(RAW + ["a", "1"]), max_size=4).map("".join),
                   st.integers(-10**20, 10**20).map(str), st.sampled_from(["true", "false", "1", "0", "yes", ""]))  # fmt: skip
pairs = st.lists(st.tuples(st.sampled_from([*PARAMS, "x", "q[]", "%71"]), values), max_size=8)


#: The longest URL the HTTP parser (httptools) takes: its offsets are 16-bit. A longer one gets a
#: plain 400 from the server before the app sees it (test_a_url_past_the_parser_limit_is_a_400).
MAX_TARGET = 65_535


def _request(server: Server, target: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    target = target[:MAX_TARGET]
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.putrequest(method, target, skip_accept_encoding=True)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def _names(target: str) -> list[str]:
    """The parameter names the server reads in ``target``, as Litestar reads them (``parse_qsl`` of
    the query as Latin-1): a value with a raw ``&`` (``%&&%00%``) adds a parameter of its own."""
    query = target[:MAX_TARGET].partition("?")[2]
    return [k for k, _ in urllib.parse.parse_qsl(query.encode().decode("latin-1"), keep_blank_values=True)]


def _check(status: int, headers: dict[str, str], body: bytes, names: list[str], kind: str) -> None:
    """An answer that is not a 5xx; a 400 names a parameter among ``names`` (as the server read them)."""
    tried(kind)
    if status >= 500:
        failed(kind)
    assert status < 500, body[:300]
    if status == 400 and headers.get("content-type", "").startswith("application/json"):
        answer = json.loads(body)
        assert answer["error"] == "bad-parameter"
        assert answer.get("parameter") in names, (answer, names)
    elif status == 400:  # a page refuses only a parameter that takes one value, given twice
        assert any(names.count(n) > 1 and n not in REPEATABLE for n in names), (body[:200], names)
        page = body.decode()  # with a page that says so, and the crisis numbers
        assert "tel:112" in page and ("주소가 올바르지 않아요" in page or "This address is not right" in page)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pairs=pairs)
def test_api_search_over_http_never_fails(shared_server: Server, pairs: list[tuple[str, str]]) -> None:
    target = "/api/v1/search?" + "&".join(f"{k}={v}" for k, v in pairs)
    status, headers, body = _request(shared_server, target)
    _check(status, headers, body, _names(target), "hypothesis: GET /api/v1/search")
    assert headers["content-type"].startswith("application/json")


@settings(max_examples=max(EXAMPLES // 3, 30), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pairs=pairs, path=st.sampled_from(["/search", "/embed", "/for-schools", "/", "/api/v1/resources/"]),
       tail=values)  # fmt: skip
def test_pages_and_paths_over_http_never_fail(shared_server: Server, pairs: list[tuple[str, str]], path: str,
                                              tail: str) -> None:  # fmt: skip
    if path.endswith("/resources/"):
        path += tail.replace("%2F", "") or "x"
    target = path + "?" + "&".join(f"{k}={v}" for k, v in pairs)
    status, headers, body = _request(shared_server, target)
    _check(status, headers, body, _names(target), "hypothesis: pages and resource ids")


def test_a_raw_ampersand_in_a_value_makes_a_parameter_of_its_own(shared_server: Server) -> None:
    # Found by hypothesis: the client meant q twice (q=a&&%%00%&%%00% and q=b), but the raw "&"s
    # make "%\x00%" a parameter of its own, given again before the second q: the 400 names it.
    target = "/api/v1/search?q=a&&%%00%&%%00%&q=b"
    assert _names(target) == ["q", "%\x00%", "%\x00%", "q"]
    answer = json.dumps({"error": "bad-parameter", "parameter": "%\x00%"}).encode()
    _check(400, {"content-type": "application/json"}, answer, _names(target), "fixed: a raw & in a value")
    status, headers, body = _request(shared_server, target)
    _check(status, headers, body, _names(target), "fixed: a raw & in a value")
    assert status == 400 and json.loads(body)["parameter"] == "%\x00%"


@pytest.mark.parametrize("raw", RAW)
def test_invalid_percent_encoding_in_each_parameter(shared_server: Server, raw: str) -> None:
    for name in PARAMS:
        status, headers, body = _request(shared_server, f"/api/v1/search?{name}={raw}&{name}={raw}1")
        _check(status, headers, body, [name], "fixed: invalid percent-encoding")


def test_a_url_past_the_limit_is_a_414_in_json(shared_server: Server) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", shared_server.port, timeout=30)
    try:
        conn.putrequest("GET", "/api/v1/search?q=" + "a" * MAX_TARGET, skip_accept_encoding=True)
        conn.endheaders()
        response = conn.getresponse()
        assert response.status == 414
        assert response.getheader("content-type") == "application/json"
        assert json.loads(response.read())["error"] == "uri-too-long"
    finally:
        conn.close()
    tried("fixed: a URL past the limit", 1)


def test_long_and_repeated_parameters(shared_server: Server) -> None:
    huge = _quote("부산" * 400)  # 7.2 KB: just inside the 8 KiB a request target may have
    for target, parameter in [
        ("/api/v1/search?q=" + "a" * 1001, "q"),  # past the 1,000 characters q may have
        ("/api/v1/search?" + "&".join(f"kind={i}" for i in range(500)), "kind"),
        ("/api/v1/search?" + "&".join("topic=takedown" for _ in range(500)), None),
        ("/api/v1/search?limit=1&limit=2&limit=x", "limit"),
        ("/api/v1/search?q=a&q=b&q=" + huge, None),
    ]:
        status, headers, body = _request(shared_server, target)
        _check(status, headers, body, [parameter] if parameter else PARAMS, "fixed: long and repeated")
        if parameter:
            assert status == 400, (target[:80], body[:200])
    status, _, _ = _request(shared_server, f"/search?q={huge}")
    assert status == 200


def test_a_bad_parameter_is_named(shared_server: Server) -> None:
    for target, parameter in [("limit=0", "limit"), ("limit=x", "limit"), ("offset=-1", "offset"),
                              ("region=XX", "region"), ("kind=nope", "kind"), ("lang=fr", "lang"),
                              ("open_now=maybe", "open_now"), ("language=%3Cb%3E", "language")]:  # fmt: skip
        status, headers, body = _request(shared_server, "/api/v1/search?" + target)
        assert status == 400, target
        answer: dict[str, Any] = json.loads(body)
        assert answer["error"] == "bad-parameter" and answer["parameter"] == parameter, (target, answer)
        assert headers["content-type"].startswith("application/json")
        tried("fixed: named bad parameters")
