"""/api/v1: JSON for hotlines, schools and other services.

Every answer is a msgspec Struct from ``search.model`` (or a thin wrapper here), so the OpenAPI
document at /schema/openapi.json describes exactly what is sent. A parameter that cannot be
understood is a 400 naming it (service/params.py); nothing a client sends can produce a 500.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, Router, get
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException
from litestar.openapi import ResponseSpec
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.params import Parameter, PathParameter

from search.facets import FILTERS
from search.hours import open_state
from search.model import OpenState, Query, Region, Resource, Results, TaxonomyTerm
from service.json_errors import ApiError
from service.live import LiveIndex
from service.params import api_query, run_search
from service.query import AUDIENCES, CHANNELS, COSTS

__all__ = ("EMPTY_MEANS_ABSENT", "MAX_LISTED", "OpenApiJson", "make_api_router")

#: Resources in one /api/v1/resources answer: a large directory is read a page at a time, never
#: decoded whole for one request (100,000 resources took 8.9 s).
MAX_LISTED = 1000


class ResourceList(msgspec.Struct, kw_only=True):
    #: Resources in the whole directory; ask again with ``offset`` + ``limit`` while it is larger.
    total: int
    offset: int
    limit: int
    data_hash: str
    resources: list[Resource]


class ResourceDetail(msgspec.Struct, kw_only=True):
    resource: Resource
    open_now: OpenState


class RegionList(msgspec.Struct, kw_only=True):
    regions: list[Region]


class TaxonomyOut(msgspec.Struct, kw_only=True):
    kinds: list[TaxonomyTerm]
    topics: list[TaxonomyTerm]
    platforms: list[TaxonomyTerm]
    audiences: list[str]
    costs: list[str]
    channels: list[str]


class ApiIndex(msgspec.Struct, kw_only=True):
    name: str
    version: str
    data_hash: str
    resources: int
    endpoints: dict[str, str]
    schema: str


# -- routes -------------------------------------------------------------------------------------

#: The error answers, documented with the body they really have (not Litestar's default shape).
ERRORS = {
    400: ResponseSpec(
        data_container=ApiError, description="A parameter cannot be used; `parameter` names it."
    ),
    404: ResponseSpec(data_container=ApiError, description="No such resource or endpoint."),
    429: ResponseSpec(data_container=ApiError, description="Over the rate limit; see Retry-After."),
}


@get(
    "/search",
    sync_to_thread=False,
    responses=ERRORS,
    cache_control=CacheControlHeader(public=True, max_age=60),
    # Its parameters are the dependency's (service/params.py), checked by service/query.py.
    dependencies={"search_query": Provide(api_query, sync_to_thread=False)},
)
def search(search_query: NamedDependency[Query], live: LiveIndex) -> Results:
    """Search the directory. Empty ``q`` with filters lists what matches them.

    ``understood`` says what the text was understood as (place, region, other regions the place
    name may mean, corrections, terms, needs); each result's ``why`` says why it is there.
    ``region`` in the answer is set when a region was understood from the text; ``relaxed`` says
    when the words were corrected or loosened; ``reason`` says why nothing was searched.
    """
    return run_search(live.engine, search_query)


@get("/resources", sync_to_thread=False, responses=ERRORS)
def list_resources(
    live: LiveIndex,
    limit: Annotated[int, Parameter(ge=1, le=MAX_LISTED, description="Resources per answer.")] = MAX_LISTED,
    offset: Annotated[
        int, Parameter(ge=0, le=100_000_000, description="How many to skip, in catalog order.")
    ] = 0,
) -> ResourceList:
    """The resources of the directory in catalog order, ``limit`` at a time (the whole of today's
    directory in one answer). ``total`` says how many there are."""
    engine = live.engine
    return ResourceList(
        total=engine.count(),
        offset=offset,
        limit=limit,
        data_hash=engine.data_hash,
        resources=engine.resources(offset=offset, limit=limit),
    )


@get("/resources/{resource_id:str}", sync_to_thread=False, responses=ERRORS)
def get_resource(
    live: LiveIndex,
    resource_id: Annotated[str, PathParameter(description="A resource id, e.g. d4u-central.")],
) -> ResourceDetail:
    """One resource, with whether it is open now."""
    resource = live.engine.get(resource_id) if len(resource_id) <= 64 else None
    if resource is None:
        raise NotFoundException(detail="no resource with this id; see /api/v1/resources")
    return ResourceDetail(resource=resource, open_now=open_state(resource.hours))


@get("/regions", sync_to_thread=False, responses=ERRORS)
def list_regions(live: LiveIndex) -> RegionList:
    """Korea's 17 first-level divisions (and KR for nationwide) with Korean and English names."""
    return RegionList(regions=live.engine.regions())


@get("/taxonomy", sync_to_thread=False, responses=ERRORS)
def taxonomy(live: LiveIndex) -> TaxonomyOut:
    """The values the search filters take: kinds, topics, platforms, audiences, costs, channels."""
    terms = live.engine.taxonomy()
    return TaxonomyOut(
        kinds=terms.get("kind", []),
        topics=terms.get("topic", []),
        platforms=terms.get("platform", []),
        audiences=list(AUDIENCES),
        costs=list(COSTS),
        channels=list(CHANNELS),
    )


@get("/", sync_to_thread=False, responses=ERRORS)
def index(live: LiveIndex) -> ApiIndex:
    """What this API offers and which data it serves."""
    engine = live.engine
    return ApiIndex(
        name="Haven",
        version="1",
        data_hash=engine.data_hash,
        resources=engine.count(),
        endpoints={
            "search": "/api/v1/search",
            "resources": "/api/v1/resources",
            "resource": "/api/v1/resources/{id}",
            "regions": "/api/v1/regions",
            "taxonomy": "/api/v1/taxonomy",
        },
        schema="/schema/openapi.json",
    )


#: Search parameters that may be sent empty (a blank form field): empty means not given.
EMPTY_MEANS_ABSENT = frozenset({"q", "region", *FILTERS})


class OpenApiJson(JsonRenderPlugin):
    """/schema/openapi.json, saying that ``EMPTY_MEANS_ABSENT`` may be empty, as the search accepts.

    Litestar writes ``allowEmptyValue: false`` on every query parameter; a client (or schemathesis)
    reading that would take ``?region=&kind=`` for an invalid request. The document is built on the
    first request for it, not at start.
    """

    def render(self, request: Request, openapi_schema: dict[str, Any]) -> bytes:
        operation = openapi_schema.get("paths", {}).get("/api/v1/search", {}).get("get", {})
        for parameter in operation.get("parameters", []):
            if parameter.get("in") == "query" and parameter.get("name") in EMPTY_MEANS_ABSENT:
                parameter["allowEmptyValue"] = True
        return super().render(request, openapi_schema)


def make_api_router() -> Router:
    """The /api/v1 router (the rate limit is the app's: service/rate_limit.py)."""
    return Router(
        path="/api/v1",
        route_handlers=[index, search, list_resources, get_resource, list_regions, taxonomy],
        cache_control=CacheControlHeader(public=True, max_age=300),
        tags=["directory"],
    )
