"""Catalog → Meilisearch: the index's documents and settings, and the sync that swaps them live.

:func:`sync` builds a fresh index beside the live one and swaps the two only when every task
succeeded, so no search sees a half-synced index and a failed sync changes nothing. The
documents carry the searchable text search/documents.py defines, laid out as Meilisearch
attributes, and the fields the search (search/meili_engine.py) reads back.
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import msgspec

from search.analyze import index_text, normalize
from search.catalog import Catalog
from search.documents import TermIndex, channels_of, explained, search_text, term_index
from search.facets import FACET_FIELDS
from search.kinds import KindTable
from search.meili_client import (
    MeilisearchApiError,
    MeilisearchError,
    MeilisearchTimeoutError,
    TaskInfo,
    meilisearch,
    requests,
)
from search.model import CONFIDENCE_ORDER, Resource
from search.scoring import CONFIDENCE_FACTOR, NATIONAL_WEIGHT

__all__ = (
    "LIVE_INDEX",
    "ORDER_FIELDS",
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
FILTERABLE = (
    "id",
    *FACET_FIELDS.values(),
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
    "district",
    "languages",
    "topics",
    "audiences",
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


def _prior(r: Resource, kinds: KindTable) -> int:
    national = "KR" in r.regions
    weight = kinds.weight(r.kind) * CONFIDENCE_FACTOR[CONFIDENCE_ORDER[r.confidence]]
    weight *= (1.0 if r.phones or r.links else 0.6) * (NATIONAL_WEIGHT if national else 1.0)
    return round(weight * 1000)


def _document(position: int, r: Resource, terms: TermIndex, kinds: KindTable) -> dict[str, Any]:
    text = search_text(r, terms)
    tagged, extras = text.tags, text.body
    digits = [d for _, d in text.numbers]
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
        "grams": " | ".join(index_text(t) for texts in explained(text).values() for t in texts),
        "kind": r.kind,
        "topics": r.topics,
        "audiences": r.audiences,
        "languages": r.languages,
        "district": r.district or "",
        "cost": r.cost,
        "channels": channels_of(r),
        "regions": r.regions,
        "platform": r.platform or "",
        "confidence": r.confidence,
        # Numbers, not booleans: custom ranking rules and sorts need numbers or strings.
        "national": int("KR" in r.regions),
        "always_open": int(bool(r.hours and r.hours.always)),
        "has_hours": int(r.hours is not None),
        "kind_rank": kinds.rank(r.kind),
        "confidence_rank": CONFIDENCE_ORDER[r.confidence],
        "prior": _prior(r, kinds),
        "position": position,
        # The whole record, as a string so Meilisearch neither indexes nor reshapes its fields.
        "record": msgspec.json.encode(r).decode(),
    }
    if r.geo:
        doc["_geo"] = {"lat": r.geo.lat, "lng": r.geo.lng}
    return doc


def documents_from_catalog(catalog: Catalog) -> list[dict[str, Any]]:
    """One flat Meilisearch document per resource, in catalog order."""
    terms = term_index(catalog.taxonomy)
    return [_document(i, r, terms, catalog.kinds) for i, r in enumerate(catalog.resources)]


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
        "displayedAttributes": list(dict.fromkeys(["id", "record", *FACET_FIELDS.values(), *ORDER_FIELDS])),
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
