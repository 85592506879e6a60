"""Catalog → Meilisearch, and Query → Results on it: the scale-out engine, same protocol as SQLite.

Meilisearch gives no typo tolerance to words under five characters, and most Hangul words have
two to four, so the query is understood first by the same code as the SQLite engine
(:func:`search.understand.plan_query` with the lexicon of the local SQLite index, which always
exists). The plan then becomes one Meilisearch request: one form per term in ``q`` (the word
without its particle, a typo fixed, Hangul behind a romanised spelling …), the cross-language
synonym groups as index synonyms, the region and the filters as a filter expression.

:func:`sync` builds a fresh index beside the live one and swaps the two only when every task
succeeded, so no search sees a half-synced index and a failed sync changes nothing.
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, cast

import msgspec

from search.analyze import index_text, normalize, phone_digits
from search.catalog import Catalog
from search.engine import KIND_PRIORITY, EngineError
from search.hangul import strip_josa
from search.hours import open_state
from search.index import channels_of
from search.model import (
    CONFIDENCE_ORDER,
    Facets,
    Hit,
    Query,
    Region,
    Resource,
    Results,
    TaxonomyTerm,
    Text,
)
from search.needs import Bands, other_language
from search.places import place_words
from search.scoring import CONFIDENCE_FACTOR, KIND_WEIGHT, NATIONAL_WEIGHT
from search.sqlite_engine import SqliteEngine
from search.understand import Plan, Term

try:  # the optional extra: pip install 'haven[meili]'
    import meilisearch
    import requests
    from meilisearch.errors import MeilisearchApiError, MeilisearchError, MeilisearchTimeoutError
    from meilisearch.models.task import TaskInfo
except ImportError as exc:
    # One line for whoever asked for Meilisearch (HAVEN_MEILI_URL, --meili-url, sync-meili).
    raise EngineError(
        "Meilisearch was asked for, but its Python client is not installed: pip install 'haven[meili]'"
    ) from exc

__all__ = (
    "LIVE_INDEX",
    "MeiliEngine",
    "SyncError",
    "SyncReport",
    "documents_from_catalog",
    "settings_from_catalog",
    "sync",
)

log = logging.getLogger(__name__)

#: The uid searches read. Syncs build ``haven_sync_…`` beside it and swap.
LIVE_INDEX = "haven"
#: localizedAttributes, the ``locales`` search parameter and ``frequency`` matching need 1.10.
MIN_VERSION = (1, 10)
#: Searchable fields in ranking order (the ``attribute`` rule): names, then tags, summary, body —
#: the order of the SQLite engine's column weights. ``grams`` holds the Hangul bigrams the SQLite
#: index uses, so a word inside a compound that Meilisearch's Korean dictionary does not split
#: (범죄 in 디지털성범죄피해자지원센터) can still be found; it comes last so it adds recall, not rank.
SEARCHABLE = (
    "name_ko",
    "name_en",
    "aliases",
    "tags_ko",
    "tags_en",
    "tags",
    "summary_ko",
    "summary_en",
    "body_ko",
    "body_en",
    "phones",
    "grams",
)
#: Query facet → document field.
FACETS = {
    "kind": "kind",
    "topic": "topics",
    "audience": "audiences",
    "language": "languages",
    "cost": "cost",
    "channel": "channels",
    "region": "regions",
}
FILTERABLE = (
    "id",
    *FACETS.values(),
    "national",
    "always_open",
    "has_hours",
    "platform",
    "confidence",
    "_geo",
)
SORTABLE = ("national", "always_open", "kind_rank", "confidence_rank", "prior", "position", "_geo")
#: ``sort`` right after ``words``: a query's sort (regional first, open at any hour) reorders only
#: results that answer as much of the query. ``prior`` is the SQLite engine's kind, confidence and
#: nationwide weights folded into one number, as a tie-break.
RANKING_RULES = ("words", "sort", "typo", "proximity", "attribute", "exactness", "prior:desc", "position:asc")
#: With ``open_now`` the hours are checked here, at query time: scan this many candidates.
OPEN_NOW_SCAN = 1000
#: A number's matches are few (a line and the services that list it): take them all and order
#: them here as the SQLite engine does, its own main number first.
PHONE_SCAN = 1000
#: The SQLite engine orders its candidates by the needs a query expresses (data/needs.yaml) before
#: its words; Meilisearch cannot rank by a per-query list, so this many of its best hits (or the
#: page asked for, if deeper) are fetched and put in that order here.
RERANK_WINDOW = 200
#: What that order reads of each hit of the window; the whole record is fetched for the page only.
ORDER_FIELDS = (
    "id",
    "kind",
    "national",
    "platform",
    "always_open",
    "name_ko",
    "name_en",
    "aliases",
    "phones",
)
#: Deepest result reachable: Query allows offset 10,000 + limit 100.
MAX_TOTAL_HITS = 10_100


class SyncError(Exception):
    """A sync failed; the live index is as it was."""


@dataclass(frozen=True)
class SyncReport:
    index_uid: str
    documents: int
    seconds: float


# -- documents and settings (pure) ------------------------------------------------------------


def _prior(r: Resource) -> int:
    national = "KR" in r.regions
    weight = KIND_WEIGHT.get(r.kind, 1.0) * CONFIDENCE_FACTOR[CONFIDENCE_ORDER[r.confidence]]
    weight *= (1.0 if r.phones or r.links else 0.6) * (NATIONAL_WEIGHT if national else 1.0)
    return round(weight * 1000)


def _tagged(r: Resource, terms: dict[tuple[str, str], TaxonomyTerm]) -> list[TaxonomyTerm]:
    """The taxonomy terms a resource carries: its kind, topics, audiences and platform."""
    keys = [("kind", r.kind), *(("topic", t) for t in r.topics)]
    keys += [("audience", a) for a in r.audiences if a != "everyone"]
    keys += [("platform", r.platform)] if r.platform else []
    return [terms[k] for k in keys if k in terms]


def _extras(r: Resource) -> list[Text]:
    """Texts of the body: how to use it, who runs it, where it is, phone and link labels."""
    texts = [x for x in (r.how_to, r.organization, r.address, r.caveat) if x]
    return texts + [p.label for p in r.phones if p.label] + [link.label for link in r.links if link.label]


def _texts(r: Resource, tagged: list[TaxonomyTerm]) -> dict[str, list[str]]:
    """Every searchable text, grouped as a match is explained to a user (name, topics, summary, details)."""
    return {
        "name": [r.name.ko, r.name.en, *r.aliases],
        "topics": [x for t in tagged for x in (t.label.ko, t.label.en, *t.aliases)],
        "summary": [r.summary.ko, r.summary.en],
        "details": [x for t in _extras(r) for x in (t.ko, t.en)],
    }


def _document(position: int, r: Resource, terms: dict[tuple[str, str], TaxonomyTerm]) -> dict[str, Any]:
    tagged = _tagged(r, terms)
    extras = _extras(r)
    digits = [phone_digits(p.number) for p in r.phones]
    doc: dict[str, Any] = {
        "id": r.id,
        "name_ko": r.name.ko,
        "name_en": r.name.en,
        "aliases": r.aliases,
        "tags_ko": [t.label.ko for t in tagged],
        "tags_en": [t.label.en for t in tagged],
        "tags": [a for t in tagged for a in t.aliases],
        "summary_ko": r.summary.ko,
        "summary_en": r.summary.en,
        "body_ko": [x.ko for x in extras],
        "body_en": [x.en for x in extras],
        # Digits only, as the query layer reads a number (hyphens and spaces dropped), so 1366 is
        # not found inside 1577-1366; SMS codes also without their '#'.
        "phones": sorted({*digits, *(d.lstrip("#") for d in digits)}),
        "grams": " | ".join(index_text(t) for texts in _texts(r, tagged).values() for t in texts),
        "kind": r.kind,
        "topics": r.topics,
        "audiences": r.audiences,
        "languages": r.languages,
        "cost": r.cost,
        "channels": channels_of(r),
        "regions": r.regions,
        "platform": r.platform or "",
        "confidence": r.confidence,
        # Numbers, not booleans: custom ranking rules and sorts need numbers or strings.
        "national": int("KR" in r.regions),
        "always_open": int(bool(r.hours and r.hours.always)),
        "has_hours": int(r.hours is not None),
        "kind_rank": KIND_PRIORITY.get(r.kind, 99),
        "confidence_rank": CONFIDENCE_ORDER[r.confidence],
        "prior": _prior(r),
        "position": position,
        # The whole record, as a string so Meilisearch neither indexes nor reshapes its fields.
        "record": msgspec.json.encode(r).decode(),
    }
    if r.geo:
        doc["_geo"] = {"lat": r.geo.lat, "lng": r.geo.lng}
    return doc


def _terms(taxonomy: dict[str, list[TaxonomyTerm]]) -> dict[tuple[str, str], TaxonomyTerm]:
    return {(group, t.key): t for group, ts in taxonomy.items() for t in ts}


def documents_from_catalog(catalog: Catalog) -> list[dict[str, Any]]:
    """One flat Meilisearch document per resource, in catalog order."""
    tax = catalog.taxonomy
    terms = _terms(
        {"kind": tax.kinds, "topic": tax.topics, "audience": tax.audiences, "platform": tax.platforms}
    )
    return [_document(i, r, terms) for i, r in enumerate(catalog.resources)]


def settings_from_catalog(catalog: Catalog) -> dict[str, Any]:
    """The index settings: what is searched, in which order, in which language, with which synonyms."""
    synonyms: dict[str, list[str]] = {}
    for group in catalog.synonyms:
        terms = list(dict.fromkeys(normalize(t) for t in group.terms))
        for term in terms:
            others = synonyms.setdefault(term, [])
            others += [t for t in terms if t != term and t not in others]
    return {
        "searchableAttributes": list(SEARCHABLE),
        "displayedAttributes": list(dict.fromkeys(["id", "record", *FACETS.values(), *ORDER_FIELDS])),
        "filterableAttributes": list(FILTERABLE),
        "sortableAttributes": list(SORTABLE),
        "rankingRules": list(RANKING_RULES),
        # Meilisearch allows 50 synonyms per term.
        "synonyms": {term: others[:50] for term, others in synonyms.items()},
        # Without this, short English or romanised fields can be taken for another Latin-script
        # language and segmented as such.
        "localizedAttributes": [
            {"attributePatterns": ["*_ko"], "locales": ["kor"]},
            {"attributePatterns": ["*_en"], "locales": ["eng"]},
        ],
        # Typos are fixed at jamo level by the query layer; here they help English words only.
        # Never on phone numbers (02-735-8994 and 02-735-8995 are different lines) nor bigrams.
        "typoTolerance": {
            "enabled": True,
            "minWordSizeForTypos": {"oneTypo": 5, "twoTypos": 9},
            "disableOnAttributes": ["phones", "grams"],
        },
        "faceting": {"maxValuesPerFacet": 100},
        "pagination": {"maxTotalHits": MAX_TOTAL_HITS},
        # Answer within the service's 300 ms budget, with the best results found by then.
        "searchCutoffMs": 150,
    }


# -- sync -------------------------------------------------------------------------------------


def _wait(client: meilisearch.Client, info: TaskInfo, what: str, timeout_s: float) -> None:
    """Wait for a task; wait_for_task returns a failed task without raising, so check it here."""
    try:
        task = client.wait_for_task(info.task_uid, timeout_in_ms=int(timeout_s * 1000), interval_in_ms=100)
    except MeilisearchTimeoutError as exc:
        raise SyncError(f"{what}: task {info.task_uid} did not finish within {timeout_s:.0f} s") from exc
    if task.status != "succeeded":
        error = task.error or {}
        raise SyncError(
            f"{what}: task {task.uid} {task.status}: {error.get('message')} ({error.get('code')})"
        )


def _check_version(client: meilisearch.Client) -> None:
    version = client.get_version().get("pkgVersion", "0.0")
    parts = tuple(int(x) for x in re.findall(r"\d+", version)[:2])
    if parts < MIN_VERSION:
        raise SyncError(f"Meilisearch {version} is too old: Haven needs {'.'.join(map(str, MIN_VERSION))}+")


def _explain(exc: Exception, url: str) -> str:
    """One line for the operator, without the client's stack of wrapped exceptions."""
    if isinstance(exc, MeilisearchApiError):
        return f"Meilisearch at {url} refused: {exc.message} ({exc.code or exc.status_code})"
    if isinstance(exc, MeilisearchTimeoutError):
        return f"Meilisearch at {url} did not answer in time"
    if isinstance(exc, MeilisearchError | requests.RequestException):
        return f"cannot reach Meilisearch at {url}"
    if isinstance(exc, SyncError):
        return str(exc)
    return f"Meilisearch at {url} answered something unexpected ({type(exc).__name__})"


def _batches(docs: list[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    for i in range(0, len(docs), size):
        yield docs[i : i + size]


def sync(
    catalog: Catalog,
    url: str,
    master_key: str | None,
    progress: Callable[[int], None] | None = None,
    *,
    index_uid: str = LIVE_INDEX,
    settings: dict[str, Any] | None = None,
    batch_size: int = 1000,
    task_timeout: float = 600.0,
) -> SyncReport:
    """Push ``catalog`` to Meilisearch: build a fresh index, check every task, then swap it live.

    Args:
        catalog: The validated directory.
        url: The Meilisearch server, e.g. ``http://127.0.0.1:7700``.
        master_key: A key allowed to create, swap and delete indexes (the master key, or an admin key).
        progress: Called with the number of documents each time a batch is indexed.
        index_uid: The live index searches read.
        settings: Index settings (default: :func:`settings_from_catalog`).
        batch_size: Documents per indexing task.
        task_timeout: Seconds to wait for any one task; indexing a national catalog takes a while.

    Raises:
        SyncError: a request or a task failed; the live index is unchanged.
    """
    started = time.monotonic()
    client = meilisearch.Client(url, master_key, timeout=30)
    docs = documents_from_catalog(catalog)
    build = f"{index_uid}_sync_{time.strftime('%Y%m%d%H%M%S')}_{secrets.token_hex(3)}"
    created = False
    try:
        _check_version(client)
        info = client.create_index(build, {"primaryKey": "id"})
        created = True  # from here on, clean up: the index may exist even if waiting fails
        _wait(client, info, "creating the index", task_timeout)
        index = client.index(build)
        # Settings first, so the documents are indexed once, with the final settings.
        body = settings if settings is not None else settings_from_catalog(catalog)
        _wait(client, index.update_settings(body), "updating the settings", task_timeout)
        # Enqueue every batch before waiting: Meilisearch indexes queued batches together.
        queued = [(len(b), index.add_documents(b, primary_key="id")) for b in _batches(docs, batch_size)]
        for n, info in queued:
            _wait(client, info, "adding documents", task_timeout)
            if progress:
                progress(n)
        indexed = index.get_stats().number_of_documents
        if indexed != len(docs):
            raise SyncError(f"{indexed} documents indexed, {len(docs)} sent")
        try:
            client.get_index(index_uid)
        except MeilisearchApiError as exc:
            if exc.code != "index_not_found":
                raise
            # The first sync: swapping needs two indexes, so start from an empty live one.
            _wait(client, client.create_index(index_uid, {"primaryKey": "id"}), "creating the live index",
                  task_timeout)  # fmt: skip
        _wait(client, client.swap_indexes([{"indexes": [index_uid, build]}]), "swapping", task_timeout)
    except (SyncError, MeilisearchError, requests.RequestException, ValueError) as exc:
        # ValueError: an answer the client cannot read (its models are pydantic).
        if created:
            try:
                client.delete_index(build)
            except (MeilisearchError, requests.RequestException, ValueError):
                log.warning("could not delete the unfinished index %s", build)
        raise SyncError(f"{_explain(exc, url)}; the live index is unchanged") from exc
    # The build uid now names the previous data. A failure here leaves a stray index, not a bad one.
    try:
        _wait(client, client.delete_index(build), "deleting the previous index", task_timeout)
    except (SyncError, MeilisearchError, requests.RequestException, ValueError) as exc:
        log.warning("synced, but the previous index %s was not deleted: %s", build, exc)
    return SyncReport(index_uid, len(docs), time.monotonic() - started)


# -- search -----------------------------------------------------------------------------------


def _quote(value: str) -> str:
    """A string literal in Meilisearch's filter syntax (backslash escapes since 1.4)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _form(term: Term) -> str:
    """The one form of a term put in ``q``.

    Meilisearch has no OR within a query: every word sent counts in its ``words`` rule, so sending
    all alternatives would rank a document that repeats one idea above one that answers the
    whole query. The word without its particle comes first (Meilisearch's Korean segmenter would
    otherwise send the particle as a word of its own), then the word as typed, then the best
    guess (a typo fixed, the Hangul behind a romanisation, a word from its initials). Synonyms
    need no sending: the index has the same groups.
    """
    if " " in term.surface:
        return term.surface
    for form in (strip_josa(term.surface), term.surface):
        if form in term.alternatives:
            return form
    return term.alternatives[0]


def _sliced_here(query: Query) -> bool:
    """Whether the page is cut here: Meilisearch pages must start at a multiple of their size."""
    return query.offset % query.limit != 0


def _phone_rank(plan: Plan, r: Resource) -> tuple[int, ...]:
    """The SQLite engine's order for a number: regional first (with a region), the service whose own
    main number it is, then one that lists it, then one that has it inside a number; a service
    named by the number, then a nationwide one, wins a tie."""
    phone = plan.phone or ""
    digits = [phone_digits(p.number) for p in r.phones]
    if phone in digits:
        score = 100 - 10 * min(digits.index(phone), 1)
    elif any(d.startswith(phone) for d in digits):
        score = 50
    else:
        score = 1  # found anywhere: a part of one of its numbers
    national = "KR" in r.regions
    regional_first = 0 if plan.region and not national else 1
    own = any(phone in d for d in digits)
    named = phone.lstrip("#") in normalize(" | ".join([r.name.ko, r.name.en, *r.aliases]))
    return (regional_first, -score, -own, -named, -national)


def _facets(distribution: dict[str, dict[str, int]]) -> Facets:
    def ordered(counts: dict[str, int]) -> dict[str, int]:
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    return Facets(**{facet: ordered(distribution.get(field, {})) for facet, field in FACETS.items()})


def _count_facets(docs: list[dict[str, Any]]) -> Facets:
    counts: dict[str, dict[str, int]] = {field: {} for field in FACETS.values()}
    for doc in docs:
        for field, counter in counts.items():
            values = doc.get(field, [])
            for v in [values] if isinstance(values, str) else values:
                counter[v] = counter.get(v, 0) + 1
    return _facets(counts)


class MeiliEngine:
    """Searches a Meilisearch index with a search-only key; the local SQLite index understands queries.

    Args:
        url: The Meilisearch server.
        key: A search-only API key (never the master key: replicas hold it in their environment).
        local: The SQLite engine over the same catalog: its lexicon plans queries, and it answers
            ``get``, ``resources``, ``regions`` and ``taxonomy`` without a round trip.
        index_uid: The live index.
        timeout: Seconds to wait for Meilisearch on each request.
    """

    name = "meilisearch"

    def __init__(
        self,
        url: str,
        key: str | None,
        local: SqliteEngine,
        *,
        index_uid: str = LIVE_INDEX,
        timeout: float = 0.3,
    ) -> None:
        self.url = url
        self.data_hash = local.data_hash
        self._local = local
        self._terms = _terms(local.taxonomy())
        self._analysed_cache: dict[str, dict[str, str]] = {}
        # requests takes a float timeout; the client's annotation says int.
        self._index = meilisearch.Client(url, key, timeout=cast(int, timeout)).index(index_uid)

    # Reading is local: the same catalog, and no network hop for a resource page.
    def get(self, resource_id: str) -> Resource | None:
        return self._local.get(resource_id)

    def resources(
        self, kind: str | None = None, regions: Sequence[str] = (), offset: int = 0, limit: int | None = None
    ) -> list[Resource]:
        return self._local.resources(kind, regions, offset, limit)

    def count(self) -> int:
        return self._local.count()

    def regions(self) -> list[Region]:
        return self._local.regions()

    def taxonomy(self) -> dict[str, list[TaxonomyTerm]]:
        return self._local.taxonomy()

    # -- building the request --------------------------------------------------------------

    @staticmethod
    def where(query: Query, plan: Plan) -> list[str]:
        """The query's region and filters, as Meilisearch filter expressions (joined with AND)."""
        where: list[str] = []
        if plan.region:
            where.append(f"(national = 1 OR regions = {_quote(plan.region)})")
        for facet, field in FACETS.items():
            values = getattr(query, facet) if facet != "region" else None  # the region is the plan's
            if values:
                where.append(f"{field} IN [{', '.join(_quote(v) for v in values)}]")
        return where

    def request(self, query: Query, plan: Plan) -> tuple[str, dict[str, Any]]:
        """``(q, parameters)`` for one Meilisearch search answering ``query`` as ``plan`` understood it."""
        q = plan.phone or " ".join(dict.fromkeys(_form(t) for t in plan.terms))
        where = self.where(query, plan)
        sort = ["national:asc"] if plan.region else []  # regional services first, as in SQLite
        sort += ["always_open:desc"] if plan.any_hour else []
        if not q:  # a listing: the lines that answer at once first, then the surest, in catalog order
            sort += ["kind_rank:asc", "confidence_rank:asc", "position:asc"]
        params: dict[str, Any] = {
            "attributesToRetrieve": ["id", "record"],
            "showRankingScore": True,
            "showRankingScoreDetails": True,
            # Drop the most common words first when no document has them all, like the SQLite
            # engine counting a very common word for less.
            "matchingStrategy": "frequency",
            "locales": ["kor", "eng"],
        }
        if plan.phone and not query.open_now:
            params["facets"] = list(FACETS.values())
            params.update(page=1, hitsPerPage=PHONE_SCAN)
        elif query.open_now:
            # Open-now depends on the moment: fetch what has hours and check them here.
            where.append("has_hours = 1")
            params.update(page=1, hitsPerPage=OPEN_NOW_SCAN)
            params["attributesToRetrieve"] += list(FACETS.values())
        else:
            params["facets"] = list(FACETS.values())
            # Page mode gives an exact total (offset/limit gives an estimate); the page is cut
            # here, after the needs have ordered the window.
            params.update(page=1, hitsPerPage=max(RERANK_WINDOW, query.offset + query.limit))
            params["attributesToRetrieve"] = list(ORDER_FIELDS)
        if plan.phone:
            params["attributesToSearchOn"] = ["phones"]
        if where:
            params["filter"] = " AND ".join(where)
        if sort:
            params["sort"] = sort
        return q, params

    # -- searching -------------------------------------------------------------------------

    def _search(self, q: str, params: dict[str, Any]) -> dict[str, Any]:
        try:
            return self._index.search(q, params)
        except MeilisearchTimeoutError as exc:
            raise EngineError("Meilisearch did not answer in time") from exc
        except MeilisearchApiError as exc:
            # The code, never the message: a message may quote the query.
            raise EngineError(
                f"Meilisearch answered {exc.status_code} ({exc.code or 'no error code'})"
            ) from exc
        except (MeilisearchError, requests.RequestException, ValueError) as exc:
            raise EngineError(f"cannot reach Meilisearch ({type(exc).__name__})") from exc

    def search(self, query: object) -> Results:
        if not isinstance(query, Query):
            raise TypeError("search() takes a Query")
        plan = self._local.plan(query)
        # As the SQLite engine: words typed but none known lists the lines that help with anything.
        unmatched = plan.had_text and not plan.terms and not plan.phone and bool(plan.dropped)
        foreign = other_language(query.q[:2000])
        if foreign and not plan.had_text:
            plan.had_text = True  # Vietnamese, Chinese …: the lines that speak it are listed
        if not plan.had_text and query.q.strip() and not plan.region:
            return Results(query=query.q, total=0, results=[], facets=Facets(), region=plan.region,
                           reason="nothing-searchable", engine=self.name)  # fmt: skip
        q, params = self.request(query, plan)
        response = self._search(q, params)
        if plan.phone and not response.get("totalHits"):
            # No main number matches: look for the digits anywhere (as the SQLite engine does).
            del params["attributesToSearchOn"]
            response = self._search(q.lstrip("#"), params)
        if not response.get("hits") and plan.had_text and not plan.phone and plan.terms:
            # Nothing matched the words: still never leave a person with an empty page.
            unmatched = True
            plan.terms = []
            q, params = self.request(query, plan)
            response = self._search(q, params)
        needs = self._local.detect(query.q, plan)
        town = place_words(plan.place) if plan.place else ()
        bands = Bands.of(self._local.needs, needs, plan.region, town)
        advised: list[dict[str, Any]] = []
        if not plan.phone and (bands.first or bands.also):
            advised = self._advised(query, plan, [*bands.first, *bands.also], response)
        results = self.results(query, plan, response, bands, advised)
        results.understood = {**plan.understood(), "needs": needs.found, "other_language": foreign}
        if unmatched:
            results.relaxed = "general" if results.results else results.relaxed
            results.reason = "no-match"
        return results

    def _advised(
        self, query: Query, plan: Plan, ids: list[str], response: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """The advised services the search did not return, within the query's filters."""
        have = {h.get("id") for h in response.get("hits", [])}
        missing = [i for i in dict.fromkeys(ids) if i not in have]
        if not missing:
            return []
        where = [*self.where(query, plan), f"id IN [{', '.join(_quote(i) for i in missing)}]"]
        if query.open_now:
            where.append("has_hours = 1")
        found = self._search("", {"filter": " AND ".join(where), "limit": len(missing),
                                  "attributesToRetrieve": ["id", "record", *ORDER_FIELDS]})  # fmt: skip
        return list(found.get("hits", []))

    @staticmethod
    def _hit_row(h: dict[str, Any]) -> dict[str, Any]:
        """:meth:`_row` from a hit's :data:`ORDER_FIELDS`, without its record."""
        return {
            "id": h["id"],
            "kind": h["kind"],
            "national": int(h["national"]),
            "platform": h["platform"],
            "always_open": int(h["always_open"]),
            "names": normalize(" | ".join([h["name_ko"], h["name_en"], *h["aliases"]])),
            "phone_digits": "|" + "|".join(h["phones"]) + "|",
        }

    def _records(self, ids: list[str]) -> dict[str, str]:
        """The records of the page's hits, in one request."""
        if not ids:
            return {}
        found = self._search("", {"filter": f"id IN [{', '.join(_quote(i) for i in ids)}]", "limit": len(ids),
                                  "attributesToRetrieve": ["id", "record"]})  # fmt: skip
        return {h["id"]: h["record"] for h in found["hits"]}

    def _row(self, r: Resource) -> dict[str, Any]:
        """The fields the needs' order and the SQLite engine's "why" line read, from a record."""
        return {
            "id": r.id,
            "kind": r.kind,
            "national": int("KR" in r.regions),
            "platform": r.platform or "",
            "always_open": int(bool(r.hours and r.hours.always)),
            "names": normalize(" | ".join([r.name.ko, r.name.en, *r.aliases])),
            "phone_digits": "|" + "|".join(phone_digits(p.number) for p in r.phones) + "|",
        }

    def _band_key(self, plan: Plan, bands: Bands) -> Callable[[dict[str, Any]], tuple[int, int]]:
        """(band, advice) of a row, as the SQLite engine's order gives them."""
        name_query = normalize(" ".join(t.surface for t in plan.terms))
        numbers = [t.surface for t in plan.terms if t.surface.isdigit()]
        clipped = (
            len(plan.terms) == 1 and not plan.terms[0].fuzzy and not self._local.exists(plan.terms[0].surface)
        )
        typed_names = [
            normalize(t.surface)
            for t in plan.terms
            if len(t.surface) >= 4
            and not t.fuzzy
            and not t.surface.isdigit()
            and normalize(t.surface) not in self._local.lexicon.synonyms
        ]

        def key(row: dict[str, Any]) -> tuple[int, int]:
            names = row["names"]
            padded = f" | {names} | "
            exact = (
                bool(name_query and f" | {name_query} | " in padded)
                or any(f"|{d}|" in row["phone_digits"] for d in numbers)
                or (clipped and any(f" | {a} | " in padded for a in plan.terms[0].alternatives[1:]))
                or (row["kind"] != "platform-report" and any(f" | {s} | " in padded for s in typed_names))
            )
            band, advice = bands.band(
                row["id"], row["kind"], bool(row["national"]), row["platform"], names, exact
            )
            if plan.region and not row["national"] and any(n in names for n in typed_names):
                band, advice = 0, (-2 if any(w in names for w in bands.town) else -1)
            return band, advice

        return key

    def _analysed(self, record: str, r: Resource) -> dict[str, str]:
        """A hit's fields as index units, padded for matching; kept, since the same hits recur."""
        found = self._analysed_cache.get(record)
        if found is None:
            found = {
                field: f" {' | '.join(index_text(t) for t in texts)} "
                for field, texts in _texts(r, _tagged(r, self._terms)).items()
            }
            if len(self._analysed_cache) > 4096:  # bounded; threads may race here harmlessly
                self._analysed_cache.clear()
            self._analysed_cache[record] = found
        return found

    def _matched(self, record: str, r: Resource, plan: Plan) -> list[str]:
        """Which fields of a hit contain a query term, found as the SQLite engine finds them."""
        if plan.phone:
            return ["phones"]
        units = [f" {u}" for t in plan.terms for a in t.alternatives if (u := index_text(a))]
        return [
            field for field, padded in self._analysed(record, r).items() if any(u in padded for u in units)
        ]

    def results(
        self,
        query: Query,
        plan: Plan,
        response: dict[str, Any],
        bands: Bands | None = None,
        advised: Sequence[dict[str, Any]] = (),
    ) -> Results:
        """Map a Meilisearch search response back to :class:`Results`, in the SQLite engine's order.

        ``bands`` orders the hits by the needs of the query (none: Meilisearch's order), and
        ``advised`` are the advised services the search itself did not return.
        """
        try:
            hits: list[dict[str, Any]] = [*response["hits"], *advised]
            total = int(response.get("totalHits", response.get("estimatedTotalHits", len(hits)))) + len(
                advised
            )
            texts = {h["id"]: h["record"] for h in hits if "record" in h}
            records = {i: msgspec.json.decode(t, type=Resource) for i, t in texts.items()}
            rows = {
                h["id"]: self._row(records[h["id"]]) if h["id"] in records else self._hit_row(h) for h in hits
            }
        except (KeyError, TypeError, ValueError, msgspec.DecodeError) as exc:
            raise EngineError(
                f"Meilisearch answered something else than search results ({type(exc).__name__})"
            ) from exc
        if plan.phone:
            hits = sorted(
                hits, key=lambda h: _phone_rank(plan, records[h["id"]])
            )  # stable: ties keep Meilisearch's order
        elif bands is not None:
            band = self._band_key(plan, bands)
            national_first = bool(plan.terms) and not plan.region

            def order(h: dict[str, Any]) -> tuple[int, ...]:
                # As SQLite: the band, then how many of the words it has, then (its national weight)
                # a nationwide line before a local one; stable, so then Meilisearch's order.
                words = (h.get("_rankingScoreDetails") or {}).get("words") or {}
                national = rows[h["id"]]["national"] if national_first else 0
                return (*band(rows[h["id"]]), -int(words.get("matchingWords", 0)), -national)

            hits = sorted(hits, key=order)
        if query.open_now:
            hits = [h for h in hits if open_state(records[h["id"]].hours).open]
            total, facets = len(hits), _count_facets(hits)
        else:
            facets = _facets(response.get("facetDistribution") or {})
        hits = hits[query.offset : query.offset + query.limit]
        missing = [h["id"] for h in hits if h["id"] not in texts]
        try:
            texts.update(self._records(missing))
            records.update({i: msgspec.json.decode(texts[i], type=Resource) for i in missing})
        except (KeyError, TypeError, ValueError, msgspec.DecodeError) as exc:
            raise EngineError(
                f"Meilisearch answered something else than records ({type(exc).__name__})"
            ) from exc
        words = (hits[0].get("_rankingScoreDetails") or {}).get("words") if hits else None
        # Not every word of the query is in the best hit: say so, as the SQLite engine does.
        relaxed = (
            "any" if words and words.get("matchingWords", 0) < words.get("maxMatchingWords", 0) else None
        )
        corrected = ", ".join(f"{a} → {b}" for a, b in plan.corrections) or None
        return Results(
            query=query.q,
            total=total,
            results=[
                Hit(
                    resource=records[h["id"]],
                    score=round(float(h.get("_rankingScore", 0.0)), 4),
                    matched=self._matched(texts[h["id"]], records[h["id"]], plan),
                    open_now=open_state(records[h["id"]].hours),
                    why=self._local._why(rows[h["id"]], bands) if bands is not None else None,
                )
                for h in hits
            ],
            facets=facets,
            region=plan.region,
            relaxed=relaxed or corrected,
            reason=None if total else "no-match",
            engine=self.name,
        )
