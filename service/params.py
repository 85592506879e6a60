"""What a search request may ask for: the filter vocabulary, a :class:`Query` built from request
parameters, and the errors a search answers with.

The API and the pages build their query here, the API strictly (an unknown value is a 400 naming
the parameter) and the pages leniently (a mangled link still shows help). Nothing here knows
about routes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, get_args, get_type_hints

import msgspec
from litestar.exceptions import HTTPException
from litestar.status_codes import HTTP_400_BAD_REQUEST, HTTP_503_SERVICE_UNAVAILABLE

from search.engine import Engine
from search.model import Audience, Cost, Query, Results
from service.safety import log_internal_error

__all__ = (
    "AUDIENCES",
    "CHANNELS",
    "COSTS",
    "MAX_Q",
    "REPEATABLE",
    "ApiError",
    "BadParameter",
    "EngineUnavailable",
    "Vocabulary",
    "build_query",
    "one_value_each",
    "run_search",
)

CHANNELS: tuple[str, ...] = get_args(get_args(get_type_hints(Query)["channel"])[0])
AUDIENCES: tuple[str, ...] = get_args(Audience)
COSTS: tuple[str, ...] = get_args(Cost)
#: The longest ``q`` searched: the search box's own ``maxlength`` (service/templates). The API
#: refuses a longer one; a page searches its first MAX_Q characters. A query's cost grows with its
#: length, so this bounds what one request can cost.
MAX_Q = 200
#: Parameters that may be given more than once (``kind=a&kind=b``, ``ids=a&ids=b``).
REPEATABLE = frozenset({"kind", "topic", "audience", "cost", "channel", "language", "ids"})
_LANGUAGE = re.compile(r"[a-z]{2,3}")  # as Resource.languages: ISO 639 codes


class ApiError(msgspec.Struct, kw_only=True, omit_defaults=True):
    """The body of every API error."""

    error: str
    detail: str
    parameter: str | None = None


class BadParameter(HTTPException):
    """A query parameter that cannot be used; answered as 400 naming it."""

    status_code = HTTP_400_BAD_REQUEST

    def __init__(self, parameter: str, detail: str) -> None:
        super().__init__(detail=detail)
        self.parameter = parameter


class EngineUnavailable(HTTPException):
    """The search engine failed; answered as 503 (and logged without the query)."""

    status_code = HTTP_503_SERVICE_UNAVAILABLE


@dataclass(frozen=True)
class Vocabulary:
    """The values a filter may take, read once from the index."""

    regions: frozenset[str]
    kinds: frozenset[str]
    topics: frozenset[str]

    @classmethod
    def from_engine(cls, engine: Engine) -> Vocabulary:
        taxonomy = engine.taxonomy()
        return cls(
            regions=frozenset(r.code for r in engine.regions()),
            kinds=frozenset(t.key for t in taxonomy.get("kind", [])),
            topics=frozenset(t.key for t in taxonomy.get("topic", [])),
        )


def one_value_each(request: Any) -> None:
    """Refuse a request that gives any other parameter twice (a Litestar ``before_request`` hook).

    Litestar reads a repeated ``q`` as its last value, ``request.query_params.get`` as its first:
    ``q=&q=words`` would be searched with one reading and shown or keyed with the other. Refusing
    it (400, naming the parameter) leaves one reading everywhere.
    """
    seen: set[str] = set()
    for key, _ in request.query_params.multi_items():
        if key in seen and key not in REPEATABLE:
            raise BadParameter(key, f"{key} is given more than once")
        seen.add(key)


def _values(raw: list[str] | None) -> list[str]:
    """Repeated parameters and comma-separated lists both work: ``kind=a&kind=b`` = ``kind=a,b``."""
    out: list[str] = []
    for item in raw or []:
        for value in item.split(","):
            value = value.strip()
            if value and value not in out:
                out.append(value)
    return out


def build_query(
    vocab: Vocabulary,
    *,
    strict: bool,
    q: str = "",
    region: str | None = None,
    kind: list[str] | None = None,
    topic: list[str] | None = None,
    audience: list[str] | None = None,
    language: list[str] | None = None,
    cost: list[str] | None = None,
    channel: list[str] | None = None,
    open_now: bool = False,
    lang: str = "ko",
    limit: int = 20,
    offset: int = 0,
) -> Query:
    """A :class:`Query` from request parameters.

    With ``strict`` (the API) an unknown value raises :class:`BadParameter` naming the
    parameter; without it (the pages, where a mangled link must still help) it is dropped.
    """

    def bad(parameter: str, detail: str) -> None:
        if strict:
            raise BadParameter(parameter, detail)

    q = q.replace("\x00", " ")
    if len(q) > MAX_Q:
        bad("q", f"q is longer than {MAX_Q} characters")
        q = q[:MAX_Q]
    if region is not None and region not in vocab.regions:
        bad("region", f"unknown region {region!r}; see /api/v1/regions")
        region = None
    lists: dict[str, list[str]] = {}
    allowed: dict[str, Any] = {
        "kind": vocab.kinds,
        "topic": vocab.topics,
        "audience": AUDIENCES,
        "cost": COSTS,
        "channel": CHANNELS,
    }
    for name, raw in (("kind", kind), ("topic", topic), ("audience", audience), ("cost", cost),
                      ("channel", channel), ("language", language)):  # fmt: skip
        values = _values(raw)
        if name == "language":
            ok = [v for v in values if _LANGUAGE.fullmatch(v)]
        else:
            ok = [v for v in values if v in allowed[name]]
        if len(ok) != len(values):
            wrong = next(v for v in values if v not in ok)
            where = "an ISO 639 code such as vi" if name == "language" else "listed at /api/v1/taxonomy"
            bad(name, f"unknown {name} {wrong!r}: use {where}")
        lists[name] = ok[:20]
    if lang not in ("ko", "en"):
        bad("lang", "lang must be ko or en")
        lang = "ko"
    return Query(
        q=q,
        region=region,
        open_now=open_now,
        lang=lang,  # type: ignore[arg-type]
        limit=limit,
        offset=offset,
        kind=lists["kind"],
        topic=lists["topic"],
        audience=lists["audience"],
        cost=lists["cost"],
        channel=lists["channel"],  # type: ignore[arg-type]
        language=lists["language"],
    )


def run_search(engine: Engine, query: Query) -> Results:
    """Search, turning an engine failure into :class:`EngineUnavailable` (logged without input)."""
    try:
        return engine.search(query)
    except Exception as exc:
        log_internal_error(exc, "search")
        raise EngineUnavailable(detail="search is unavailable") from exc
