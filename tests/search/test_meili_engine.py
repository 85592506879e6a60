"""The Meilisearch engine without a server: documents, settings, requests and results built from the real catalog.

A real server is exercised by tests/search/test_meili_integration.py; sync's failure paths are
checked here against a closed port and a tiny local task-API stub (a failed task must stop the
sync before the swap).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import msgspec
import pytest

from search.catalog import Catalog
from search.engine import EngineError
from search.facets import FACET_FIELDS as FACETS
from search.meili_engine import OPEN_NOW_SCAN, RERANK_WINDOW, MeiliEngine
from search.meili_sync import (
    FILTERABLE,
    RANKING_RULES,
    SEARCHABLE,
    SORTABLE,
    SyncError,
    documents_from_catalog,
    settings_from_catalog,
    sync,
)
from search.model import Geo, Query, Resource
from search.pipeline import Pipeline
from search.sqlite_engine import SqliteEngine
from tests.conftest import run_haven


@pytest.fixture(scope="module")
def docs(catalog: Catalog) -> list[dict[str, Any]]:
    out = documents_from_catalog(catalog)
    assert len(out) == len(catalog.resources) > 400  # the checks over every document check something
    return out


@pytest.fixture(scope="module")
def settings(catalog: Catalog) -> dict[str, Any]:
    return settings_from_catalog(catalog)


@pytest.fixture
def meili(engine: SqliteEngine, refused_port: int) -> MeiliEngine:
    """An engine whose server is never contacted by these tests (its port refuses connections)."""
    return MeiliEngine(f"http://127.0.0.1:{refused_port}", "search-key", engine.index.reads.by_ids)


def by_id(docs: list[dict[str, Any]], rid: str) -> dict[str, Any]:
    return next(d for d in docs if d["id"] == rid)


# -- documents ----------------------------------------------------------------------------------


def test_one_document_per_resource_in_catalog_order(catalog: Catalog, docs: list[dict[str, Any]]) -> None:
    assert [d["id"] for d in docs] == [r.id for r in catalog.resources]
    assert [d["position"] for d in docs] == list(range(len(docs)))


def test_records_decode_to_the_catalog_resources(catalog: Catalog, docs: list[dict[str, Any]]) -> None:
    for doc, resource in zip(docs, catalog.resources, strict=True):
        assert msgspec.json.decode(doc["record"], type=Resource) == resource


def test_documents_are_flat_and_have_every_configured_field(docs: list[dict[str, Any]]) -> None:
    # Custom ranking rules are undefined for documents missing their field: every document has all.
    wanted = (set(SEARCHABLE) | set(FILTERABLE) | set(SORTABLE)) - {"_geo"}
    for doc in docs:
        assert wanted <= doc.keys(), wanted - doc.keys()
        for key, value in doc.items():
            if key == "_geo":
                continue
            ok = isinstance(value, str | int) or (
                isinstance(value, list) and all(isinstance(v, str) for v in value)
            )
            assert ok, (doc["id"], key, value)


def test_flags_and_ranks(catalog: Catalog, docs: list[dict[str, Any]]) -> None:
    for doc, r in zip(docs, catalog.resources, strict=True):
        assert doc["national"] == int("KR" in r.regions)
        assert doc["always_open"] == int(bool(r.hours and r.hours.always))
        assert doc["has_hours"] == int(r.hours is not None)
        assert doc["prior"] > 0
    hotline, police = by_id(docs, "women-1366"), next(d for d in docs if d["kind"] == "police")
    assert hotline["kind_rank"] < police["kind_rank"]


def test_geo_only_where_a_resource_has_coordinates(catalog: Catalog) -> None:
    placed = msgspec.structs.replace(catalog.resources[0], geo=Geo(37.57, 126.98))
    copy = Catalog(resources=[placed, *catalog.resources[1:]], regions=catalog.regions,
                   taxonomy=catalog.taxonomy, synonyms=catalog.synonyms, data_hash=catalog.data_hash)  # fmt: skip
    docs = documents_from_catalog(copy)
    assert docs[0]["_geo"] == {"lat": 37.57, "lng": 126.98}
    assert all(("_geo" in d) == (r.geo is not None) for d, r in zip(docs, copy.resources, strict=True))


def test_phones_are_digits_as_people_type_them(docs: list[dict[str, Any]]) -> None:
    assert by_id(docs, "women-1366")["phones"] == ["1366"]
    assert "027358994" in by_id(docs, "d4u-central")["phones"]
    # 1366 must not be found inside 1577-1366 (another line).
    assert not any("-" in p for d in docs for p in d["phones"])


def test_grams_reach_words_inside_compounds(docs: list[dict[str, Any]]) -> None:
    central = by_id(docs, "d4u-central")
    assert "디지털성범죄피해자지원센터" in central["name_ko"].replace(" ", "")
    assert {"범죄", "피해", "센터"} <= set(central["grams"].split())


# -- settings -----------------------------------------------------------------------------------


def test_settings_are_json(settings: dict[str, Any]) -> None:
    assert json.loads(json.dumps(settings, ensure_ascii=False)) == settings


def test_searchable_attributes_in_ranking_order(settings: dict[str, Any], docs: list[dict[str, Any]]) -> None:
    searchable = settings["searchableAttributes"]
    assert searchable[:3] == ["name_ko", "name_en", "aliases"]
    assert searchable.index("tags_ko") < searchable.index("summary_ko") < searchable.index("body_ko")
    assert searchable[-1] == "grams"  # recall, never rank
    assert "record" not in searchable


def test_every_api_filter_is_filterable(settings: dict[str, Any]) -> None:
    filterable = set(settings["filterableAttributes"])
    # Every list filter of Query (kind, topic, …) has a document field, and so has the region.
    not_filters = {"q", "region", "open_now", "need", "lang", "limit", "offset"}  # need ranks, not filters
    query_filters = {f.name for f in msgspec.structs.fields(Query)} - not_filters
    assert query_filters <= FACETS.keys()
    assert {FACETS[f] for f in query_filters} | {"regions", "national"} <= filterable
    assert {"has_hours", "_geo"} <= filterable


def test_ranking_rules_use_sortable_numbers(settings: dict[str, Any], docs: list[dict[str, Any]]) -> None:
    assert settings["rankingRules"] == list(RANKING_RULES)
    assert settings["rankingRules"][:2] == ["words", "sort"]
    for rule in settings["rankingRules"]:
        if ":" in rule:
            field = rule.split(":")[0]
            assert field in settings["sortableAttributes"]
            assert all(isinstance(d[field], int) for d in docs)


def test_synonyms_are_mutual_and_within_limits(settings: dict[str, Any]) -> None:
    synonyms = settings["synonyms"]
    assert "딥페이크" in synonyms["deepfake"] and "deepfake" in synonyms["딥페이크"]
    assert "상담" in synonyms["counselling"]
    for term, others in synonyms.items():
        assert term == term.casefold() and term not in others
        assert 0 < len(others) <= 50
        for other in others:
            assert term in synonyms[other], (term, other)


def test_localized_attributes_cover_every_language_field(
    settings: dict[str, Any], docs: list[dict[str, Any]]
) -> None:
    rules = {r["locales"][0]: r["attributePatterns"] for r in settings["localizedAttributes"]}
    assert rules == {"kor": ["*_ko"], "eng": ["*_en"]}
    korean = [f for f in docs[0] if f.endswith("_ko")]
    assert set(korean) == {"name_ko", "tags_ko", "summary_ko", "body_ko"}


def test_typo_tolerance_spares_numbers_and_bigrams(settings: dict[str, Any]) -> None:
    typo = settings["typoTolerance"]
    assert typo["enabled"] and set(typo["disableOnAttributes"]) == {"phones", "grams"}
    assert settings["pagination"]["maxTotalHits"] >= 10_000 + 100  # Query's deepest page


# -- requests -----------------------------------------------------------------------------------


def request(meili: MeiliEngine, engine: SqliteEngine, **kw: Any) -> tuple[str, dict[str, Any]]:
    query = msgspec.convert(kw, Query)
    return meili.request(query, engine.understand(query).plan)


def test_region_words_become_a_filter_with_regional_services_first(
    meili: MeiliEngine, engine: SqliteEngine
) -> None:
    q, params = request(meili, engine, q="부산 상담")
    assert q == "상담"
    assert params["filter"] == '(national = 1 OR regions = "KR-26")'
    assert params["sort"] == ["national:asc"]


@pytest.mark.parametrize("q", ["부산", "02-735-8994", "8994", "qzxqzxqzx", ""])
def test_numbers_and_listings_never_ask_meilisearch(meili: MeiliEngine, engine: SqliteEngine, q: str) -> None:
    # A region alone, a number, words nobody knows: read from the local index, whichever source
    # finds words. The source here has no server: asking it would fail the search.
    searched = Pipeline(engine.index, meili).search(Query(q=q, region="KR-26" if not q else None))
    assert searched.engine == "sqlite" and searched.results


@pytest.mark.parametrize(
    ("typed", "sent"),
    [
        ("상담소에서", "상담소"),  # particle dropped before Meilisearch's segmenter sees it
        ("ㄷㄴㄹ", "다누리"),  # initial consonants
        ("haebaragi", "해바라기"),  # romanised Hangul
        ("텔래그램", "텔레그램"),  # one key off
        ("telegarm", "telegram"),
        ("경찰에 신고하고 싶어요", "경찰 신고"),  # particles, endings and filler words
        ("report deepfake on telegram", "report deepfake telegram"),
    ],
)
def test_the_query_layer_stays_in_front(
    meili: MeiliEngine, engine: SqliteEngine, typed: str, sent: str
) -> None:
    assert request(meili, engine, q=typed)[0] == sent


def test_filters_are_quoted(meili: MeiliEngine, engine: SqliteEngine) -> None:
    _, params = request(meili, engine, q="상담", kind=["hotline", "police"], audience=['x" OR kind = "y'])
    assert 'kind IN ["hotline", "police"]' in params["filter"]
    assert 'audiences IN ["x\\" OR kind = \\"y"]' in params["filter"]


def test_requests_use_only_configured_attributes(meili: MeiliEngine, engine: SqliteEngine) -> None:
    _, params = request(meili, engine, q="24시간 상담", region="KR-11", kind=["hotline"], topic=["deepfake"],
                        audience=["minors"], language=["en"], cost=["free"], channel=["phone"])  # fmt: skip
    used = set(re.findall(r"([a-z_]+) (?:=|IN)", params["filter"]))
    assert used and used <= set(FILTERABLE)
    assert {s.split(":")[0] for s in params["sort"]} <= set(SORTABLE)
    assert params["sort"] == ["national:asc", "always_open:desc"]
    assert set(params["facets"]) == set(FACETS.values())
    assert params["attributesToRetrieve"] == ["id"]  # the rows are the local index's


def test_a_window_of_candidates_is_asked_for(meili: MeiliEngine, engine: SqliteEngine) -> None:
    _, params = request(meili, engine, q="상담", offset=20, limit=10)
    assert (params["page"], params["hitsPerPage"]) == (1, RERANK_WINDOW)
    _, params = request(meili, engine, q="상담", offset=500, limit=10)
    assert (params["page"], params["hitsPerPage"]) == (1, 510)


def test_open_now_scans_what_has_hours(meili: MeiliEngine, engine: SqliteEngine) -> None:
    _, params = request(meili, engine, q="상담", open_now=True)
    assert params["filter"].endswith("has_hours = 1")
    assert params["hitsPerPage"] == OPEN_NOW_SCAN
    assert "facets" not in params


# -- what it answers ----------------------------------------------------------------------------


def test_hits_become_the_local_index_rows_in_meilisearch_order(
    meili: MeiliEngine, engine: SqliteEngine
) -> None:
    response = {
        "hits": [{"id": "d4u-central"}, {"id": "no-such-entry"}, {"id": "women-1366"}],
        "totalHits": 7,
        "facetDistribution": {"kind": {"hotline": 2, "police": 5}, "regions": {"KR": 7}},
    }
    found = meili.found(response)
    assert [r["id"] for r in found.rows] == ["d4u-central", "women-1366"]  # an id it lacks is left out
    assert found.rows[0]["text"] and found.rows[0]["national"] == 1  # the index's own row
    assert found.total == 7 and found.exact and found.engine == "meilisearch"
    assert found.facets is not None
    assert list(found.facets.kind) == ["police", "hotline"] and found.facets.region == {"KR": 7}


def test_an_answer_that_is_not_search_results_is_an_engine_error(meili: MeiliEngine) -> None:
    with pytest.raises(EngineError):
        meili.found({"message": "not results"})
    with pytest.raises(EngineError):
        meili.found({"hits": [{"record": "no id"}]})


# -- sync failure paths -------------------------------------------------------------------------


class TaskStub(BaseHTTPRequestHandler):
    """Just enough of Meilisearch's task API for sync to fail at the settings step."""

    seen: list[tuple[str, str]] = []
    version = "1.12.0"

    def _send(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _task(self, uid: int, kind: str) -> None:
        self._send(202, {"taskUid": uid, "indexUid": "x", "status": "enqueued", "type": kind,
                         "enqueuedAt": "2026-01-01T00:00:00.000000Z"})  # fmt: skip

    def _record(self) -> None:
        self.seen.append((self.command, self.path))
        self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def do_GET(self) -> None:
        self._record()
        if self.path == "/version":
            self._send(200, {"pkgVersion": self.version})
            return
        uid = int(self.path.rsplit("/", 1)[1])
        failed = uid == 2  # the settings task
        self._send(200, {
            "uid": uid, "indexUid": "x", "status": "failed" if failed else "succeeded", "type": "x",
            "error": {"message": "Invalid ranking rule", "code": "invalid_settings_ranking_rules"} if failed else None,
            "enqueuedAt": "2026-01-01T00:00:00.000000Z",
        })  # fmt: skip

    def do_POST(self) -> None:
        self._record()
        self._task(1, "indexCreation")

    def do_PATCH(self) -> None:
        self._record()
        self._task(2, "settingsUpdate")

    def do_DELETE(self) -> None:
        self._record()
        self._task(3, "indexDeletion")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def task_stub() -> Iterator[str]:
    TaskStub.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), TaskStub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_failed_task_stops_the_sync_before_the_swap(catalog: Catalog, task_stub: str) -> None:
    with pytest.raises(SyncError, match="invalid_settings_ranking_rules.*live index is unchanged"):
        sync(catalog, task_stub, "master", task_timeout=5)
    assert not any(path.startswith("/swap-indexes") for _, path in TaskStub.seen)
    assert not any(method == "POST" and "/documents" in path for method, path in TaskStub.seen)
    # The half-built index is deleted; the live one is never touched.
    deleted = [path for method, path in TaskStub.seen if method == "DELETE"]
    assert len(deleted) == 1 and deleted[0].startswith("/indexes/haven_sync_")


def test_a_server_too_old_for_localized_attributes_is_refused(catalog: Catalog, task_stub: str) -> None:
    TaskStub.version = "1.9.0"
    try:
        with pytest.raises(SyncError, match="too old"):
            sync(catalog, task_stub, "master")
    finally:
        TaskStub.version = "1.12.0"
    assert TaskStub.seen == [("GET", "/version")]


def test_sync_to_an_unreachable_server_fails_cleanly(catalog: Catalog, refused_port: int) -> None:
    with pytest.raises(SyncError, match="cannot reach Meilisearch.*live index is unchanged"):
        sync(catalog, f"http://127.0.0.1:{refused_port}", "master")


def test_cli_sync_reports_one_line_and_exits_1(refused_port: int) -> None:
    result = run_haven("sync-meili", "--url", f"http://127.0.0.1:{refused_port}", "--master-key", "k")
    assert result.returncode == 1
    assert result.stderr.startswith("haven: cannot reach Meilisearch") and "Traceback" not in result.stderr


# -- the optional client ------------------------------------------------------------------------


@pytest.fixture
def without_client(tmp_path: Any) -> dict[str, str]:
    """An environment where ``import meilisearch`` fails, as without the ``meili`` extra."""
    shadow = tmp_path / "meilisearch"
    shadow.mkdir()
    (shadow / "__init__.py").write_text("raise ImportError('No module named meilisearch')\n")
    return {"PYTHONPATH": str(tmp_path)}


@pytest.mark.parametrize(
    "args",
    [
        ("sync-meili", "--url", "http://127.0.0.1:9"),
        ("search", "--meili-url", "http://127.0.0.1:9", "상담"),
    ],
)
def test_asking_for_meilisearch_without_its_client_says_so_in_one_line(
    without_client: dict[str, str], db_path: Any, args: tuple[str, ...]
) -> None:
    extra = ("--db", str(db_path)) if args[0] == "search" else ()
    done = run_haven(*args[:1], *extra, *args[1:], env=without_client)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "haven: Meilisearch was asked for, but its Python client is not installed: pip install 'haven[meilisearch]'"
    ]


def test_sqlite_alone_needs_no_client(without_client: dict[str, str], db_path: Any) -> None:
    done = run_haven("search", "--db", str(db_path), "상담", env=without_client)
    assert done.returncode == 0, done.stderr


def test_other_readings_are_asked_for_in_the_same_request(meili: MeiliEngine, engine: SqliteEngine) -> None:
    # ㅈㅅ reads as 접수 first: 자살 is sent as a query of its own, merged by federated search.
    q, params = request(meili, engine, q="ㅈㅅ 상담", region="KR-26")
    plan = engine.understand(Query(q="ㅈㅅ 상담", region="KR-26")).plan
    extra = meili.alternatives(plan, q)
    assert "자살" in extra and not set(extra) & set(q.split())
    queries, federation = meili.federated(q, params, extra)
    assert [x["q"] for x in queries] == [q, *extra]
    assert all(x["filter"] == params["filter"] and x["attributesToRetrieve"] == ["id"] for x in queries)
    assert federation == {"page": 1, "hitsPerPage": params["hitsPerPage"]}
