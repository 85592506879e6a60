"""What a search may ask for: the filter vocabulary, and the one way from request parameters to a
:class:`Query`, for every way in (the API, the pages and `haven search`).

The facet names are search/facets.py's :data:`FILTERS`, the limits search/model.py's (``MAX_Q``
…). Strict (the API, the command) an unknown value or one out of range raises :class:`QueryError`
naming the parameter; lenient (the pages, where a mangled link must still help) it is dropped or
brought within range. No web framework here: `haven search` imports this without the web stack.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import get_args, get_type_hints

from search.engine import Engine
from search.facets import FILTERS
from search.model import MAX_LIMIT, MAX_OFFSET, MAX_Q, MAX_VALUES, Audience, Cost, Query

__all__ = (
    "AUDIENCES",
    "CHANNELS",
    "COSTS",
    "REPEATABLE",
    "QueryError",
    "Vocabulary",
    "build_query",
)

CHANNELS: tuple[str, ...] = get_args(get_args(get_type_hints(Query)["channel"])[0])
AUDIENCES: tuple[str, ...] = get_args(Audience)
COSTS: tuple[str, ...] = get_args(Cost)
#: Parameters that may be given more than once (``kind=a&kind=b``, ``ids=a&ids=b``).
REPEATABLE = frozenset({*FILTERS, "ids"})
_LANGUAGE = re.compile(r"[a-z]{2,3}")  # as Resource.languages: ISO 639 codes


class QueryError(ValueError):
    """A parameter that cannot be used: which one, and why (the API answers it as a 400)."""

    def __init__(self, parameter: str, detail: str) -> None:
        super().__init__(f"{parameter}: {detail}")
        self.parameter = parameter
        self.detail = detail


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

    def allowed(self, facet: str) -> Collection[str] | None:
        """The values ``facet`` may take (None: any ISO 639 code, for ``language``)."""
        fixed: dict[str, Collection[str] | None] = {
            "kind": self.kinds,
            "topic": self.topics,
            "audience": AUDIENCES,
            "cost": COSTS,
            "channel": CHANNELS,
            "language": None,
        }
        return fixed[facet]


def _values(raw: Iterable[str] | None) -> list[str]:
    """Repeated parameters and comma-separated lists both work: ``kind=a&kind=b`` = ``kind=a,b``.

    An empty value (``kind=``, what a form sends for "any") is no filter. A value of spaces or
    control characters alone (``kind=%1F``) is kept as it came, so it is refused as unknown.
    """
    out: list[str] = []
    for item in raw or []:
        for value in item.split(","):
            value = value.strip() or value
            if value and value not in out:
                out.append(value)
    return out


def build_query(
    vocab: Vocabulary,
    *,
    strict: bool,
    q: str = "",
    region: str | None = None,
    filters: Mapping[str, Iterable[str] | None] | None = None,
    open_now: bool = False,
    lang: str = "ko",
    limit: int = 20,
    offset: int = 0,
) -> Query:
    """A :class:`Query` from request parameters; ``filters`` maps names of :data:`FILTERS` to values.

    With ``strict`` (the API, the command) a value that cannot be used raises :class:`QueryError`
    naming the parameter; without it (the pages) it is dropped, or cut or clamped to the limit.
    """

    def bad(parameter: str, detail: str) -> None:
        if strict:
            raise QueryError(parameter, detail)

    filters = filters or {}
    unknown = sorted(set(filters) - set(FILTERS))
    if unknown:
        raise QueryError(unknown[0], f"{unknown[0]} is not a filter; filters are {', '.join(FILTERS)}")
    q = q.replace("\x00", " ")
    if len(q) > MAX_Q:
        bad("q", f"q is longer than {MAX_Q} characters")
        q = q[:MAX_Q]
    if region is not None and region not in vocab.regions:
        bad("region", f"unknown region {region!r}; see /api/v1/regions")
        region = None
    lists: dict[str, list[str]] = {}
    for name in FILTERS:
        values = _values(filters.get(name))
        allowed = vocab.allowed(name)
        ok = [v for v in values if (_LANGUAGE.fullmatch(v) if allowed is None else v in allowed)]
        if len(ok) != len(values):
            wrong = next(v for v in values if v not in ok)
            where = "an ISO 639 code such as vi" if allowed is None else "listed at /api/v1/taxonomy"
            bad(name, f"unknown {name} {wrong!r}: use {where}")
        lists[name] = ok[:MAX_VALUES]
    if lang not in ("ko", "en"):
        bad("lang", "lang must be ko or en")
        lang = "ko"
    if not 1 <= limit <= MAX_LIMIT:
        bad("limit", f"limit must be from 1 to {MAX_LIMIT}")
        limit = max(1, min(limit, MAX_LIMIT))
    if not 0 <= offset <= MAX_OFFSET:
        bad("offset", f"offset must be from 0 to {MAX_OFFSET}")
        offset = max(0, min(offset, MAX_OFFSET))
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
