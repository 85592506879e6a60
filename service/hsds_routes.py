"""Read-only Open Referral HSDS 3.1 at ``/hsds/``: the same services ``haven export`` writes.

``GET /hsds/`` says which HSDS version this is; ``/hsds/services``, ``/hsds/organizations``,
``/hsds/service_at_locations``, ``/hsds/taxonomies`` and ``/hsds/taxonomy_terms`` page through
those objects in the HSDS envelope (``page``, ``per_page``; ``lang=ko|en`` picks the language of
the HSDS fields), each with the filters the HSDS 3.1 OpenAPI document lists for it
(service/hsds_views.py: each works or is refused with 400, never ignored); ``/hsds/<kind>/{id}``
is one object by its HSDS UUID (a Haven id works too for services). Everything comes from
:mod:`search.hsds`, so the feed and the export can never disagree.

Like the JSON API: CORS open for GET (service/cors.py), ETags and 304s (service/conditional.py),
five minutes of public caching, and errors in the one JSON shape (service/json_errors.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from litestar import MediaType, Request, Response, Router, get
from litestar.params import FromPath

from search.hsds_api import api_root, page
from service.hsds_views import HsdsError, HsdsViews, check_parameters, flag, minimal, text_match, views
from service.json_errors import json_error
from service.live import live_of

__all__ = ("MAX_PER_PAGE", "PER_PAGE", "make_hsds_router")

PER_PAGE = 50
MAX_PER_PAGE = 200
_PUBLIC = {"Cache-Control": "max-age=300, public"}


def _params(request: Request) -> dict[str, str]:
    return dict(request.query_params.items())  # one value each: service/params.py refuses repeats


def _int_param(params: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        bound = f"from {low}" if high >= 100_000 else f"from {low} to {high}"
        raise HsdsError(name, f"{name} must be a whole number {bound}")
    return value


def _answer(
    request: Request, endpoint: str, listing: Callable[[HsdsViews, dict[str, str]], list[Any]]
) -> Response[Any]:
    """A list endpoint: parameters checked, the listing filtered, one page of it."""
    params = _params(request)
    try:
        check_parameters(params, endpoint)
        number = _int_param(params, "page", 1, 1, 100_000)
        per_page = _int_param(params, "per_page", PER_PAGE, 1, MAX_PER_PAGE)
        items = listing(views(live_of(request).engine, params.get("lang", "ko")), params)
    except HsdsError as exc:
        return json_error(400, "bad-parameter", exc.detail, exc.parameter)
    return Response(page(items, number, per_page), headers=_PUBLIC, media_type=MediaType.JSON)


def _one(request: Request, endpoint: str, find: Callable[[HsdsViews, dict[str, str]], Any]) -> Response[Any]:
    params = _params(request)
    try:
        check_parameters(params, endpoint)
        found = find(views(live_of(request).engine, params.get("lang", "ko")), params)
    except HsdsError as exc:
        return json_error(400, "bad-parameter", exc.detail, exc.parameter)
    if found is None:
        return json_error(404, "not-found", "nothing with this id; see the list endpoint")
    return Response(found, headers=_PUBLIC, media_type=MediaType.JSON)


# -- listings -----------------------------------------------------------------------------------


def _services(v: HsdsViews, params: dict[str, str]) -> list[Any]:
    out = v.filter_services(list(v.services), params, lambda s: s["id"])
    slim = flag(params, "minimal") or not flag(params, "full", default=True)
    return [minimal(s) for s in out] if slim else out


def _service_at_locations(v: HsdsViews, params: dict[str, str]) -> list[Any]:
    out = v.filter_services(list(v.service_at_locations), params, lambda x: x["service_id"])
    if not flag(params, "full", default=True):
        return [{k: x for k, x in sal.items() if k not in ("service", "location")} for sal in out]
    return out


def _organizations(v: HsdsViews, params: dict[str, str]) -> list[Any]:
    services = v.filter_services(list(v.services), {k: params[k] for k in ("taxonomy_term_id", "taxonomy_id") if k in params},
                                 lambda s: s["id"])  # fmt: skip
    owners = {s["organization_id"] for s in services}
    orgs = [o for o in v.organizations if o["id"] in owners]
    if "search" in params:
        orgs = [o for o in orgs if text_match(o, params["search"])]
    full = flag(params, "full")
    if flag(params, "full_service") or full:
        return [_with_services(v, o) for o in orgs]
    return orgs


def _with_services(v: HsdsViews, org: dict[str, Any]) -> dict[str, Any]:
    return {**org, "services": [minimal(s) for s in v.services if s["organization_id"] == org["id"]]}


def _taxonomies(v: HsdsViews, params: dict[str, str]) -> list[Any]:
    return [t for t in v.taxonomies if "search" not in params or text_match(t, params["search"])]


def _taxonomy_terms(v: HsdsViews, params: dict[str, str]) -> list[Any]:
    terms = list(v.taxonomy_terms)
    if "taxonomy_id" in params:
        terms = [t for t in terms if t["taxonomy_id"] == params["taxonomy_id"]]
    if "parent_id" in params:
        terms = [t for t in terms if t.get("parent_id") == params["parent_id"]]
    if flag(params, "top_only"):
        terms = [t for t in terms if not t.get("parent_id")]  # Haven's terms have no parents
    if "search" in params:
        terms = [t for t in terms if text_match(t, params["search"])]
    return terms


# -- routes -------------------------------------------------------------------------------------


@get("/", sync_to_thread=False)
def hsds_root() -> Response[dict[str, Any]]:
    """Which HSDS version this feed speaks, and our documented extra properties."""
    return Response(api_root(), headers=_PUBLIC, media_type=MediaType.JSON)


@get("/services", sync_to_thread=False)
def hsds_services(request: Request) -> Response[dict[str, Any]]:
    """Compiled services, ``per_page`` at a time (default 50), in catalog order (best first with ``search``)."""
    return _answer(request, "services", _services)


@get("/services/{service_id:str}", sync_to_thread=False)
def hsds_service(request: Request, service_id: FromPath[str]) -> Response[Any]:
    """One compiled service by its HSDS id (a UUID) or its Haven id."""

    def find(v: HsdsViews, _: dict[str, str]) -> Any:
        return next((s for s in v.services if service_id in (s["id"], s["haven_id"])), None)

    return _one(request, "one", find)


@get("/organizations", sync_to_thread=False)
def hsds_organizations(request: Request) -> Response[dict[str, Any]]:
    return _answer(request, "organizations", _organizations)


@get("/organizations/{org_id:str}", sync_to_thread=False)
def hsds_organization(request: Request, org_id: FromPath[str]) -> Response[Any]:
    def find(v: HsdsViews, params: dict[str, str]) -> Any:
        org = next((o for o in v.organizations if o["id"] == org_id), None)
        return (
            org if org is None or not flag(params, "full_service", default=True) else _with_services(v, org)
        )

    return _one(request, "one_organization", find)


@get("/service_at_locations", sync_to_thread=False)
def hsds_service_at_locations(request: Request) -> Response[dict[str, Any]]:
    return _answer(request, "service_at_locations", _service_at_locations)


@get("/service_at_locations/{sal_id:str}", sync_to_thread=False)
def hsds_service_at_location(request: Request, sal_id: FromPath[str]) -> Response[Any]:
    return _one(
        request, "one", lambda v, _: next((x for x in v.service_at_locations if x["id"] == sal_id), None)
    )


@get("/taxonomies", sync_to_thread=False)
def hsds_taxonomies(request: Request) -> Response[dict[str, Any]]:
    return _answer(request, "taxonomies", _taxonomies)


@get("/taxonomies/{taxonomy_id:str}", sync_to_thread=False)
def hsds_taxonomy(request: Request, taxonomy_id: FromPath[str]) -> Response[Any]:
    return _one(request, "one", lambda v, _: next((t for t in v.taxonomies if t["id"] == taxonomy_id), None))


@get("/taxonomy_terms", sync_to_thread=False)
def hsds_taxonomy_terms(request: Request) -> Response[dict[str, Any]]:
    return _answer(request, "taxonomy_terms", _taxonomy_terms)


@get("/taxonomy_terms/{term_id:str}", sync_to_thread=False)
def hsds_taxonomy_term(request: Request, term_id: FromPath[str]) -> Response[Any]:
    return _one(request, "one", lambda v, _: next((t for t in v.taxonomy_terms if t["id"] == term_id), None))


def make_hsds_router() -> Router:
    """The /hsds router (under the app-wide rate limit, like the API)."""
    return Router(
        path="/hsds",
        route_handlers=[
            hsds_root, hsds_services, hsds_service, hsds_organizations, hsds_organization,
            hsds_service_at_locations, hsds_service_at_location, hsds_taxonomies, hsds_taxonomy,
            hsds_taxonomy_terms, hsds_taxonomy_term,
        ],
        include_in_schema=False,
    )  # fmt: skip
