"""Sync and the whole relevance set against a REAL Meilisearch server.

Set ``HAVEN_TEST_MEILI_URL`` (and ``HAVEN_TEST_MEILI_MASTER_KEY`` when the server has one) to run
it; otherwise every test here is skipped. CI has no Meilisearch server. Never point these tests
at a fake: they exist to check what only a real server can tell (its Korean segmenter, ranking
rules, synonyms, filters and task queue). They sync into a throwaway index ``haven_test_…`` with
a search-only key scoped to it, and delete both afterwards.
"""

from __future__ import annotations

import dataclasses
import os
import secrets
from collections.abc import Iterator

import meilisearch
import msgspec
import pytest
from meilisearch.errors import MeilisearchApiError

from search import meili_sync
from search.catalog import Catalog
from search.fallback import FallbackEngine
from search.meili_engine import MeiliEngine
from search.meili_sync import RANKING_RULES, SyncError, sync
from search.model import Geo, Query
from search.pipeline import Pipeline
from search.sqlite_engine import SqliteEngine
from tests.relevance.harness import check_relevance

URL = os.environ.get("HAVEN_TEST_MEILI_URL")
MASTER_KEY = os.environ.get("HAVEN_TEST_MEILI_MASTER_KEY") or None

if not URL:
    pytest.skip(
        "HAVEN_TEST_MEILI_URL is not set: no real Meilisearch server to test against (CI has none; "
        "start one, then set HAVEN_TEST_MEILI_URL and HAVEN_TEST_MEILI_MASTER_KEY)",
        allow_module_level=True,
    )
pytestmark = pytest.mark.meili


@pytest.fixture(scope="module")
def admin() -> meilisearch.Client:
    assert URL
    return meilisearch.Client(URL, MASTER_KEY, timeout=30)


@pytest.fixture(scope="module")
def live(catalog: Catalog, admin: meilisearch.Client) -> Iterator[str]:
    """A throwaway live index, synced from the real catalog."""
    assert URL
    uid = f"haven_test_{secrets.token_hex(4)}"
    sync(catalog, URL, MASTER_KEY, index_uid=uid)
    yield uid
    for index in admin.get_indexes({"limit": 1000})["results"]:
        if index.uid == uid or index.uid.startswith(f"{uid}_sync_"):
            admin.wait_for_task(admin.delete_index(index.uid).task_uid, timeout_in_ms=60_000)


@pytest.fixture(scope="module")
def search_key(admin: meilisearch.Client, live: str) -> Iterator[str | None]:
    """A key that can only search the test index (None on a server run without a master key)."""
    if not MASTER_KEY:
        yield None
        return
    key = admin.create_key(
        {"description": "haven tests", "actions": ["search"], "indexes": [live], "expiresAt": None}
    )
    yield key.key
    admin.delete_key(key.key)


@pytest.fixture(scope="module")
def source(engine: SqliteEngine, live: str, search_key: str | None) -> MeiliEngine:
    assert URL
    # A generous timeout: these tests check answers, test_fallback.py checks timeouts.
    return MeiliEngine(URL, search_key, engine.index.reads.by_ids, index_uid=live, timeout=5.0)


@pytest.fixture(scope="module")
def meili(engine: SqliteEngine, source: MeiliEngine) -> Pipeline:
    """The search with Meilisearch as its only source of candidates (no fallback)."""
    return Pipeline(engine.index, source)


def ids(engine: Pipeline, **kw: object) -> list[str]:
    return [h.resource.id for h in engine.search(msgspec.convert(kw, Query)).results]


# -- sync ---------------------------------------------------------------------------------------


def test_sync_indexes_the_whole_catalog_with_its_settings(
    catalog: Catalog, admin: meilisearch.Client, live: str
) -> None:
    index = admin.index(live)
    assert index.get_stats().number_of_documents == len(catalog.resources)
    settings = index.get_settings()
    assert settings["rankingRules"] == list(RANKING_RULES)
    assert settings["synonyms"]["deepfake"]
    assert {tuple(r["locales"]) for r in settings["localizedAttributes"]} == {("kor",), ("eng",)}


def test_sync_again_swaps_and_leaves_no_stray_index(
    catalog: Catalog, admin: meilisearch.Client, live: str
) -> None:
    assert URL
    report = sync(catalog, URL, MASTER_KEY, index_uid=live)
    assert report.documents == len(catalog.resources)
    assert admin.index(live).get_stats().number_of_documents == len(catalog.resources)
    uids = [i.uid for i in admin.get_indexes({"limit": 1000})["results"]]
    assert not [u for u in uids if u.startswith(f"{live}_sync_")]


def test_a_failed_sync_leaves_the_live_index_as_it_was(
    catalog: Catalog, admin: meilisearch.Client, live: str, meili: Pipeline
) -> None:
    assert URL
    before = ids(meili, q="딥페이크")
    with pytest.raises(SyncError, match="live index is unchanged"):
        sync(catalog, URL, MASTER_KEY, index_uid=live, settings={"rankingRules": ["words", "no_such_rule"]})
    assert admin.index(live).get_stats().number_of_documents == len(catalog.resources)
    assert ids(meili, q="딥페이크") == before
    uids = [i.uid for i in admin.get_indexes({"limit": 1000})["results"]]
    assert not [u for u in uids if u.startswith(f"{live}_sync_")]


def test_the_search_key_cannot_write(live: str, search_key: str | None) -> None:
    if search_key is None:
        pytest.skip("the server has no master key, so no keys")
    assert URL
    with pytest.raises(MeilisearchApiError):
        meilisearch.Client(URL, search_key, timeout=10).index(live).add_documents([{"id": "x"}])


# -- search -------------------------------------------------------------------------------------


def test_relevance_recall_at_3(meili: Pipeline) -> None:
    check_relevance(meili, "meilisearch")


def test_answers_say_meilisearch(meili: Pipeline, source: MeiliEngine, engine: SqliteEngine) -> None:
    assert meili.search(Query(q="상담")).engine == "meilisearch"
    behind = Pipeline(engine.index, FallbackEngine(source, engine.index))
    assert behind.search(Query(q="상담")).engine == "meilisearch"


@pytest.mark.parametrize(
    "params",
    [
        {"region": "KR-26"},
        {"region": "KR-11", "kind": ["counselling-centre"]},
        {"topic": ["deepfake"], "channel": ["phone"]},
        {"cost": ["free"], "audience": ["minors"]},
    ],
)
def test_words_with_filters_keep_to_them_and_count_every_match(
    meili: Pipeline, params: dict[str, object]
) -> None:
    query = msgspec.convert({"q": "상담 신고", "limit": 100, **params}, Query)
    found = meili.search(query)
    assert found.engine == "meilisearch" and found.results
    region = params.get("region")
    for hit in found.results:
        r = hit.resource
        assert not region or "KR" in r.regions or region in r.regions
        for facet in ("kind", "cost"):
            if facet in params:
                assert getattr(r, facet) in params[facet]  # type: ignore[operator]
    # Meilisearch counts every match of the words, not only the candidates it returned.
    assert sum(found.facets.kind.values()) >= found.total - len(found.results) or found.total


def test_open_now_keeps_the_lines_open_now(meili: Pipeline) -> None:
    found = meili.search(Query(q="상담", open_now=True, limit=100))
    assert found.results and all(h.open_now.open for h in found.results)


def test_phone_numbers_find_their_line(meili: Pipeline) -> None:
    assert ids(meili, q="1366")[0] == "women-1366"
    assert ids(meili, q="02-735-8994")[0] == "d4u-central"


def test_pages_that_do_not_start_on_a_page_boundary(meili: Pipeline) -> None:
    everything = ids(meili, q="상담", limit=30)
    assert ids(meili, q="상담", offset=5, limit=10) == everything[5:15]
    assert ids(meili, q="상담", offset=10, limit=10) == everything[10:20]


def test_every_page_in_turn_is_the_whole_first_window(meili: Pipeline) -> None:
    whole = ids(meili, q="상담 신고", limit=42)
    pages: list[str] = []
    for offset in range(0, 42, 7):
        pages += ids(meili, q="상담 신고", limit=7, offset=offset)
    assert len(whole) == 42 and pages == whole
    assert meili.search(Query(q="상담", limit=10, offset=10_000)).results == []


def test_a_query_with_filters_keeps_to_them(meili: Pipeline) -> None:
    results = meili.search(Query(q="상담", region="KR-26", channel=["phone"], limit=100))
    assert results.total
    for hit in results.results:
        r = hit.resource
        assert "KR" in r.regions or "KR-26" in r.regions
        assert r.phones
    # Facets are counted over the filtered matches, not over the whole catalog.
    assert sum(results.facets.kind.values()) == results.total


def test_a_document_the_server_refuses_fails_the_sync_and_says_which_task(
    catalog: Catalog,
    admin: meilisearch.Client,
    live: str,
    meili: Pipeline,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert URL
    before = ids(meili, q="상담")
    real = meili_sync.documents_from_catalog

    def with_a_bad_point(c: Catalog) -> list[dict[str, object]]:
        docs = real(c)
        docs[-1]["_geo"] = {"lat": "north", "lng": 127.0}  # not a number: the server rejects the batch
        return docs

    monkeypatch.setattr(meili_sync, "documents_from_catalog", with_a_bad_point)
    with pytest.raises(
        SyncError, match=r"adding documents: task \d+ failed: .*\(invalid_document_geo_field\)"
    ):
        sync(catalog, URL, MASTER_KEY, index_uid=live)
    assert ids(meili, q="상담") == before
    uids = [i.uid for i in admin.get_indexes({"limit": 1000})["results"]]
    assert not [u for u in uids if u.startswith(f"{live}_sync_")]


def test_geo_points_are_indexed_as_points(catalog: Catalog, admin: meilisearch.Client) -> None:
    """No resource has a point yet; the field is ready for them, so check it with a few."""
    assert URL
    seoul, busan = Geo(lat=37.5665, lng=126.978), Geo(lat=35.1796, lng=129.0756)
    placed = [
        msgspec.structs.replace(r, geo=seoul if i % 2 else busan)
        for i, r in enumerate(catalog.resources[:10])
    ]
    small = dataclasses.replace(catalog, resources=placed)
    uid = f"haven_test_geo_{secrets.token_hex(4)}"
    try:
        sync(small, URL, MASTER_KEY, index_uid=uid)
        near = admin.index(uid).search("", {"filter": "_geoRadius(37.57, 126.98, 20000)", "limit": 100})
        assert {h["id"] for h in near["hits"]} == {r.id for i, r in enumerate(placed) if i % 2}
        nearest = admin.index(uid).search("", {"sort": ["_geoPoint(35.18, 129.07):asc"], "limit": 1})
        assert nearest["hits"][0]["id"] in {r.id for i, r in enumerate(placed) if not i % 2}
    finally:
        admin.wait_for_task(admin.delete_index(uid).task_uid, timeout_in_ms=60_000)


def test_korean_and_english_fields_are_segmented_in_their_language(
    live: str, admin: meilisearch.Client
) -> None:
    index = admin.index(live)
    # Korean text in a _ko field, English words in an _en field, found in each other's script only
    # through synonyms: the locales the settings give are the ones the server applies.
    ko = index.search("딥페이크", {"attributesToSearchOn": ["name_ko", "summary_ko"], "locales": ["kor"]})
    en = index.search("deepfake", {"attributesToSearchOn": ["name_en", "summary_en"], "locales": ["eng"]})
    assert ko["hits"] and en["hits"]


@pytest.mark.parametrize("q", ["qzxqzxqzx", "지금 너무 무서워요 도와주세요"])
def test_unknown_words_list_the_same_lines_as_sqlite(meili: Pipeline, engine: SqliteEngine, q: str) -> None:
    ours, theirs = meili.search(Query(q=q)), engine.search(Query(q=q))
    assert (ours.reason, ours.relaxed) == (theirs.reason, theirs.relaxed) == ("no-match", "general")
    assert [h.resource.id for h in ours.results[:3]] == [h.resource.id for h in theirs.results[:3]]


@pytest.mark.parametrize("q", ["해운대구 성폭력 상담", "수원 딥페이크 상담", "전주 성범죄 신고"])
def test_a_named_place_gets_the_same_first_answer_as_sqlite(
    meili: Pipeline, engine: SqliteEngine, q: str
) -> None:
    # The services near her are read from the local index whichever source finds the words, and
    # every candidate is ordered by the same code: the first answer cannot differ by source.
    ours, theirs = meili.search(Query(q=q)), engine.search(Query(q=q))
    assert ours.engine == "meilisearch" and ours.results
    assert ours.results[0].resource.id == theirs.results[0].resource.id
    # What the page says of her district (a service there, or "none; the nearest is …") is the
    # same. How many of the candidates are there is not: Meilisearch's "frequency" strategy keeps
    # the matches of the rarest word (딥페이크), the FTS5 source those of any word (상담 too).
    assert ours.locality is not None and theirs.locality is not None
    assert (ours.locality.district, bool(ours.locality.in_district), ours.locality.nearest_id) == (
        theirs.locality.district,
        bool(theirs.locality.in_district),
        theirs.locality.nearest_id,
    )


def test_a_word_read_two_ways_finds_both_readings(meili: Pipeline) -> None:
    # ㅈㅅ is 접수 first and 자살 second: the suicide line is a candidate through Meilisearch too.
    found = [h.resource.id for h in meili.search(Query(q="ㅈㅅ 상담", limit=20)).results]
    assert "suicide-prevention-109" in found
