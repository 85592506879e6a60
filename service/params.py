"""The web side of a search request: the API's query as a Litestar dependency, one reading of each
parameter, and the errors a search answers with (400 naming the parameter, 503).

What a search may ask for, and the one way from parameters to a :class:`Query`, are
service/query.py's (the pages and `haven search` use it too). Nothing here knows about routes.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar.exceptions import HTTPException
from litestar.params import Parameter
from litestar.status_codes import HTTP_400_BAD_REQUEST, HTTP_503_SERVICE_UNAVAILABLE

from search.engine import Engine
from search.model import MAX_LIMIT, MAX_OFFSET, MAX_Q, Query, Results
from service.live import LiveIndex
from service.query import AUDIENCES, CHANNELS, COSTS, REPEATABLE, QueryError, build_query
from service.safety import log_internal_error

__all__ = (
    "BadParameter",
    "EngineUnavailable",
    "api_query",
    "one_value_each",
    "run_search",
)


class BadParameter(HTTPException):
    """A query parameter that cannot be used; answered as 400 naming it."""

    status_code = HTTP_400_BAD_REQUEST

    def __init__(self, parameter: str, detail: str) -> None:
        super().__init__(detail=detail)
        self.parameter = parameter


class EngineUnavailable(HTTPException):
    """The search engine failed; answered as 503 (and logged without the query)."""

    status_code = HTTP_503_SERVICE_UNAVAILABLE


def one_value_each(request: Any) -> None:
    """Refuse a request that gives any other parameter twice (a Litestar ``before_request`` hook).

    Litestar reads a repeated ``q`` as its last value, ``request.query_params.get`` as its first:
    ``q=&q=words`` would be searched with one reading and shown or keyed with the other. Refusing
    it (400, naming the parameter) leaves one reading everywhere.
    """
    seen: set[str] = set()
    # items() keeps the address's order (multi_items() goes by a set of the names, whose order
    # changes from one process to the next): the first name given again is the one named.
    for key, _ in request.query_params.items():
        if key in seen and key not in REPEATABLE:
            raise BadParameter(key, f"{key} is given more than once")
        seen.add(key)


def _one_of(values: tuple[str, ...]) -> dict[str, Any]:
    """The OpenAPI schema of a repeatable parameter whose every value is one of ``values``: the
    document declares what build_query enforces (an unknown value is a 400)."""
    return _list_of({"type": "string", "enum": list(values)})


def _list_of(item: dict[str, Any]) -> dict[str, Any]:
    # Replaces the whole schema Litestar writes for ``list[str] | None`` (an array or null).
    return {"oneOf": [{"type": "array", "items": item}, {"type": "null"}]}


#: As service/query.py checks a language: an ISO 639 code of two or three letters.
_ITEMS_ISO_639 = _list_of({"type": "string", "pattern": "^[a-z]{2,3}$"})


def api_query(
    live: LiveIndex,
    q: Annotated[
        str,
        Parameter(
            max_length=MAX_Q, description="What to search for, in Korean or English (the search box's limit)."
        ),
    ] = "",
    region: Annotated[
        str | None,
        Parameter(
            pattern=r"^(KR(-[0-9]{2})?)?$", description="ISO 3166-2:KR code, e.g. KR-26; KR = nationwide."
        ),
    ] = None,
    kind: Annotated[
        list[str] | None, Parameter(description="Kinds (see /api/v1/taxonomy); repeatable.")
    ] = None,
    topic: Annotated[
        list[str] | None, Parameter(description="Topics (see /api/v1/taxonomy); repeatable.")
    ] = None,
    audience: Annotated[
        list[str] | None,
        Parameter(description=f"One of {', '.join(AUDIENCES)}; repeatable.", schema_extra=_one_of(AUDIENCES)),
    ] = None,
    language: Annotated[
        list[str] | None,
        Parameter(description="ISO 639 codes, e.g. vi; repeatable.", schema_extra=_ITEMS_ISO_639),
    ] = None,
    cost: Annotated[
        list[str] | None,
        Parameter(description=f"One of {', '.join(COSTS)}; repeatable.", schema_extra=_one_of(COSTS)),
    ] = None,
    channel: Annotated[
        list[str] | None,
        Parameter(description=f"One of {', '.join(CHANNELS)}; repeatable.", schema_extra=_one_of(CHANNELS)),
    ] = None,
    open_now: Annotated[bool, Parameter(description="Only resources open now (Asia/Seoul).")] = False,
    lang: Annotated[Literal["ko", "en"], Parameter(description="Language of the searcher.")] = "ko",
    limit: Annotated[int, Parameter(ge=1, le=MAX_LIMIT)] = 20,
    offset: Annotated[int, Parameter(ge=0, le=MAX_OFFSET)] = 0,
) -> Query:
    """The API's search, strictly (a Litestar dependency: its parameters are the route's).

    The parameters are declared here for the OpenAPI document; the checks are build_query's.
    """
    filters = {"kind": kind, "topic": topic, "audience": audience, "language": language, "cost": cost,
               "channel": channel}  # fmt: skip
    try:
        return build_query(
            live.vocab, strict=True, q=q, region=region or None, filters=filters, open_now=open_now,
            lang=lang, limit=limit, offset=offset,
        )  # fmt: skip
    except QueryError as exc:
        raise BadParameter(exc.parameter, exc.detail) from None


def run_search(engine: Engine, query: Query) -> Results:
    """Search, turning an engine failure into :class:`EngineUnavailable` (logged without input)."""
    try:
        return engine.search(query)
    except Exception as exc:
        log_internal_error(exc, "search")
        raise EngineUnavailable(detail="search is unavailable") from exc
