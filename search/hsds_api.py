"""Compiled HSDS services and the API envelope that serves them (``/hsds/``, ``haven export``).

A compiled service nests the same rows search/hsds.py maps for the tabular package, so the two
shapes of the feed can never disagree.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from search.hsds import HSDS_VERSION, Feed, Row, resource_rows
from search.model import Resource

__all__ = ("api_root", "compile_service", "compile_services", "page")


# -- compiled services ------------------------------------------------------------------------


def _clean(row: Row) -> Row:
    return {k: v for k, v in row.items() if v is not None}


def compile_service(feed: Feed, r: Resource) -> Row:
    """One compiled HSDS service: the service with everything about it nested inside."""
    rows = resource_rows(feed, r)
    terms = {t["id"]: t for t in feed.taxonomy_rows["taxonomy_term"]}
    location = _clean(rows["location"][0])
    return {
        **_clean(rows["service"][0]),
        "organization": _clean(rows["organization"][0]),
        "service_at_locations": [
            {**_clean(sal), "location": location} for sal in rows["service_at_location"]
        ],
        "phones": [_clean(x) for x in rows["phone"]],
        "schedules": [_clean(x) for x in rows["schedule"]],
        "service_areas": [_clean(x) for x in rows["service_area"]],
        "languages": [_clean(x) for x in rows["language"]],
        "additional_urls": [_clean(x) for x in rows["url"]],
        "cost_options": [_clean(x) for x in rows["cost_option"]],
        "attributes": [
            {
                **_clean(a),
                **({"taxonomy_term": terms[a["taxonomy_term_id"]]} if a["taxonomy_term_id"] in terms else {}),
            }
            for a in rows["attribute"]
        ],
    }


def compile_services(feed: Feed, progress: Callable[[int], None] | None = None) -> list[Row]:
    """Every resource as a compiled HSDS service, in catalog order."""
    out = []
    for r in feed.resources:
        out.append(compile_service(feed, r))
        if progress:
            progress(1)
    return out


# -- the API envelope (for /hsds/ and /hsds/services) ----------------------------------------


def api_root(openapi_url: str | None = None, description: str | None = None) -> Row:
    """The body of ``GET /``: which HSDS version this feed speaks."""
    return _clean(
        {
            "version": HSDS_VERSION,
            "openapi_url": openapi_url,
            "description": description
            or "Haven: help for victims of deepfake and digital sex crimes in South "
            "Korea, as Open Referral HSDS 3.1. Extra properties: translations, haven_id, confidence, "
            "sources (services), translations (organizations), timezone_name (schedules).",
        }
    )


def page(items: Sequence[Any], page_number: int = 1, per_page: int = 50) -> Row:
    """An HSDS list page: ``total_items … empty`` and the page's ``contents``."""
    per_page = max(1, per_page)
    total_pages = max(1, math.ceil(len(items) / per_page))
    start = (max(1, page_number) - 1) * per_page
    contents = list(items[start : start + per_page])
    return {
        "total_items": len(items),
        "total_pages": total_pages,
        "page_number": page_number,
        "size": len(contents),
        "first_page": page_number <= 1,
        "last_page": page_number >= total_pages,
        "empty": not contents,
        "contents": contents,
    }
