"""The HSDS 3.1 objects the feed at ``/hsds/`` serves, made once per index and language, and the
filters of the HSDS OpenAPI document.

Everything is compiled when the app starts and again when a reload swaps in a new index
(:func:`warm`), never on a first request: the first visitor and the hundredth take the same path.

Every query parameter the HSDS 3.1 OpenAPI document lists for an endpoint either works or is
refused with 400 naming it; a parameter it does not list (besides Haven's ``lang``) is refused too.
Refused because Haven has no data for them: ``modified_after`` (records carry the day they were
checked, ``assured_date``, not a modification time), ``postcode`` and ``proximity`` (locations
carry no postcode, and most services are national lines or online).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from search.engine import Engine
from search.hsds import Feed
from search.hsds_api import compile_service
from search.model import Query
from service.i18n import language_name

__all__ = ("PARAMETERS", "HsdsError", "HsdsViews", "views", "warm")

Row = dict[str, Any]

#: The query parameters of each list endpoint in the HSDS 3.1 OpenAPI document, and Haven's ``lang``.
_COMMON = frozenset({"page", "per_page", "format", "lang"})
PARAMETERS: dict[str, frozenset[str]] = {
    "services": _COMMON | {"search", "taxonomy_term_id", "taxonomy_id", "organization_id", "modified_after",
                           "minimal", "full"},
    "organizations": _COMMON | {"search", "full_service", "full", "taxonomy_term_id", "taxonomy_id"},
    "taxonomies": _COMMON | {"search"},
    "taxonomy_terms": _COMMON | {"search", "taxonomy_id", "top_only", "parent_id"},
    "service_at_locations": _COMMON | {"search", "taxonomy_term_id", "taxonomy_id", "organization_id",
                                       "modified_after", "full", "postcode", "proximity"},
    "one_organization": frozenset({"full_service", "lang"}),
    "one": frozenset({"lang"}),
}  # fmt: skip
_NO_DATA = {
    "modified_after": "Haven's records carry the day they were checked (assured_date), not a modification time",
    "postcode": "Haven's locations carry no postcode",
    "proximity": "Haven's locations carry no coordinates to measure from",
}
#: Results a ``search`` keeps: the best matches, as the directory's own search ranks them.
MAX_SEARCHED = 100
_NESTED = ("organization", "service_at_locations", "phones", "schedules", "service_areas", "languages",
           "additional_urls", "cost_options", "attributes")  # fmt: skip


class HsdsError(Exception):
    """A parameter the feed cannot honour: answered with 400 naming it."""

    def __init__(self, parameter: str, detail: str) -> None:
        super().__init__(detail)
        self.parameter = parameter
        self.detail = detail


@dataclass
class HsdsViews:
    """Every HSDS object of one index in one language."""

    engine: Engine
    feed: Feed
    services: list[Row]
    organizations: list[Row] = field(default_factory=list)
    service_at_locations: list[Row] = field(default_factory=list)
    taxonomies: list[Row] = field(default_factory=list)
    taxonomy_terms: list[Row] = field(default_factory=list)
    terms_of: dict[str, set[str]] = field(default_factory=dict)  # service id -> its term ids
    term_taxonomy: dict[str, str] = field(default_factory=dict)  # term id -> its taxonomy id
    haven_id: dict[str, str] = field(default_factory=dict)  # service id -> resource id

    @classmethod
    def build(cls, engine: Engine, lang: str) -> HsdsViews:
        feed = Feed.from_engine(engine, "en" if lang == "en" else "ko", language_name=language_name)
        v = cls(engine, feed, [compile_service(feed, r) for r in feed.resources])
        v.taxonomies = feed.taxonomy_rows["taxonomy"]
        v.taxonomy_terms = feed.taxonomy_rows["taxonomy_term"]
        v.term_taxonomy = {t["id"]: t["taxonomy_id"] for t in v.taxonomy_terms}
        orgs: dict[str, Row] = {}
        for s in v.services:
            v.haven_id[s["id"]] = s["haven_id"]
            v.terms_of[s["id"]] = {a["taxonomy_term_id"] for a in s["attributes"]}
            orgs.setdefault(s["organization"]["id"], s["organization"])
            flat = minimal(s)
            v.service_at_locations += [{**sal, "service": flat} for sal in s["service_at_locations"]]
        v.organizations = list(orgs.values())
        return v

    # -- filters ---------------------------------------------------------------------------

    def searched(self, text: str) -> list[str]:
        """Resource ids the directory's own search finds for ``text``, best first."""
        if len(text) > 200:
            raise HsdsError("search", "search is longer than 200 characters")
        results = self.engine.search(Query(q=text, lang=self.feed.lang, limit=MAX_SEARCHED))
        if results.reason or results.relaxed == "general":
            return []  # nothing matched: the general lines a person would be shown are no match
        return [r.resource.id for r in results.results]

    def filter_services(
        self, items: list[Row], params: Mapping[str, str], sid: Callable[[Row], str]
    ) -> list[Row]:
        """``items`` (services, or rows naming one by ``sid``) narrowed by the HSDS filters."""
        for name, why in _NO_DATA.items():
            if name in params:
                raise HsdsError(name, f"{name} is not supported: {why}")
        if "organization_id" in params:
            org = params["organization_id"]
            owner = {s["id"]: s["organization_id"] for s in self.services}
            items = [x for x in items if owner.get(sid(x)) == org]
        if "taxonomy_term_id" in params:
            term = params["taxonomy_term_id"]
            items = [x for x in items if term in self.terms_of.get(sid(x), ())]
        if "taxonomy_id" in params:
            tax = params["taxonomy_id"]
            items = [
                x
                for x in items
                if any(self.term_taxonomy.get(t) == tax for t in self.terms_of.get(sid(x), ()))
            ]
        if "search" in params:
            rank = {rid: i for i, rid in enumerate(self.searched(params["search"]))}
            items = [x for x in items if self.haven_id.get(sid(x)) in rank]
            items.sort(key=lambda x: rank[self.haven_id[sid(x)]])
        return items


def minimal(service: Row) -> Row:
    """A compiled service without the objects nested in it."""
    return {k: v for k, v in service.items() if k not in _NESTED}


def text_match(row: Row, text: str) -> bool:
    """Whether ``text`` is in a row's name, alternate name, code or description (any case)."""
    needle = text.casefold()
    return any(
        needle in str(row.get(k) or "").casefold() for k in ("name", "alternate_name", "code", "description")
    )


def flag(params: Mapping[str, str], name: str, default: bool = False) -> bool:
    """A boolean parameter: ``true`` or ``false`` (else 400)."""
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() not in ("true", "false"):
        raise HsdsError(name, f"{name} must be true or false")
    return raw.lower() == "true"


def check_parameters(params: Mapping[str, str], endpoint: str) -> None:
    """Refuse a parameter the HSDS document does not list for ``endpoint``, and a format but JSON."""
    allowed = PARAMETERS[endpoint]
    for name in params:
        if name not in allowed:
            raise HsdsError(
                name, f"unknown parameter {name!r}; this endpoint takes {', '.join(sorted(allowed))}"
            )
    if params.get("format", "json") not in ("json", ""):
        raise HsdsError(
            "format", "format must be json (the tabular data package is `haven export --format hsds`)"
        )


_cache: dict[tuple[int, str], HsdsViews] = {}
_lock = threading.Lock()


def warm(engine: Engine) -> None:
    """Compile both languages of ``engine``'s index now, and forget any other index's."""
    built = {(id(engine), lang): HsdsViews.build(engine, lang) for lang in ("ko", "en")}
    with _lock:
        _cache.clear()
        _cache.update(built)


def views(engine: Engine, lang: str) -> HsdsViews:
    """The compiled objects of ``engine``'s index (built by :func:`warm` at start and reload)."""
    key = (id(engine), "en" if lang == "en" else "ko")
    with _lock:
        hit = _cache.get(key)
    if hit is None:  # an engine swapped in without warm() (a test swaps one in directly)
        warm(engine)
        with _lock:
            hit = _cache[key]
    return hit
