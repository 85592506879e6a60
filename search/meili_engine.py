"""Meilisearch as a candidate source: the scale-out search of a query's words.

Meilisearch gives no typo tolerance to words under five characters, and most Hangul words have
two to four, so the query is understood first, in search/pipeline.py, by the same code whichever
source answers. The plan then becomes one Meilisearch request: one form per term in ``q`` (the
word without its particle, a typo fixed, Hangul behind a romanised spelling …), the cross-language
synonym groups as index synonyms, the region and the filters as a filter expression. Meilisearch
returns the ids of its best matches and counts them; their rows are read from the local index
and ordered there, as every source's are. The index itself is built by search/meili_sync.py.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, cast

from search.engine import Candidate, EngineError, Found
from search.facets import FACET_FIELDS, ordered_facets
from search.hangul import strip_josa
from search.meili_client import (
    MeilisearchApiError,
    MeilisearchError,
    MeilisearchTimeoutError,
    meilisearch,
    requests,
)
from search.meili_sync import LIVE_INDEX
from search.model import Query
from search.understand import Plan, Term

__all__ = ("MeiliEngine",)

#: With ``open_now`` the hours are checked by the pipeline, at query time: scan this many.
OPEN_NOW_SCAN = 1000
#: The pipeline orders candidates by the needs a query expresses (data/needs.yaml) and by how
#: much of the query each answers; Meilisearch cannot rank by a per-query list, so this many of
#: its best hits (or the page asked for, if deeper) are the candidates.
RERANK_WINDOW = 200
#: Meilisearch has no OR within a query: the other readings of the query's words (자살 behind ㅈㅅ,
#: whose first reading is 접수; the word behind a typo) are asked for in the same request as
#: queries of their own, merged by Meilisearch's federated search (1.10+). At most this many.
MAX_ALTERNATIVES = 12


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


class MeiliEngine:
    """Finds the candidates of a query's words on a Meilisearch index, with a search-only key.

    Args:
        url: The Meilisearch server.
        key: A search-only API key (never the master key: replicas hold it in their environment).
        rows: Reads the local index's rows of the ids Meilisearch found, in its order
            (:meth:`search.sqlite_candidates.Candidates.by_ids`).
        index_uid: The live index.
        timeout: Seconds to wait for Meilisearch on each request.
    """

    name = "meilisearch"

    def __init__(
        self,
        url: str,
        key: str | None,
        rows: Callable[[Sequence[str]], list[Candidate]],
        *,
        index_uid: str = LIVE_INDEX,
        timeout: float = 0.3,
    ) -> None:
        self.url = url
        self._rows = rows
        # requests takes a float timeout; the client's annotation says int.
        self._client = meilisearch.Client(url, key, timeout=cast(int, timeout))
        self._uid = index_uid
        self._index = self._client.index(index_uid)

    def close(self) -> None:
        """Nothing to let go of: the client opens a connection per request."""

    # -- building the request --------------------------------------------------------------

    @staticmethod
    def where(query: Query, plan: Plan) -> list[str]:
        """The query's region and filters, as Meilisearch filter expressions (joined with AND)."""
        where: list[str] = []
        if plan.region:
            where.append(f"(national = 1 OR regions = {_quote(plan.region)})")
        for facet, field in FACET_FIELDS.items():
            values = getattr(query, facet) if facet != "region" else None  # the region is the plan's
            if values:
                where.append(f"{field} IN [{', '.join(_quote(v) for v in values)}]")
        return where

    def request(self, query: Query, plan: Plan) -> tuple[str, dict[str, Any]]:
        """``(q, parameters)`` for one Meilisearch search of ``plan``'s words within ``query``'s filters."""
        q = " ".join(dict.fromkeys(_form(t) for t in plan.terms))
        where = self.where(query, plan)
        params: dict[str, Any] = {
            "attributesToRetrieve": ["id"],
            # Drop the most common words first when no document has them all, like the SQLite
            # index counting a very common word for less.
            "matchingStrategy": "frequency",
            "locales": ["kor", "eng"],
        }
        # The window holds the region's own services first, as the SQLite index reads them, and
        # for "24시간" the lines that answer at any hour.
        sort = ["national:asc"] if plan.region else []
        sort += ["always_open:desc"] if plan.any_hour else []
        if sort:
            params["sort"] = sort
        if query.open_now:
            # Open-now depends on the moment: fetch what has hours; the pipeline checks them.
            where.append("has_hours = 1")
            params.update(page=1, hitsPerPage=OPEN_NOW_SCAN)
        else:
            params["facets"] = list(FACET_FIELDS.values())
            # Page mode gives an exact total (offset/limit gives an estimate).
            params.update(page=1, hitsPerPage=max(RERANK_WINDOW, query.offset + query.limit))
        if where:
            params["filter"] = " AND ".join(where)
        return q, params

    @staticmethod
    def alternatives(plan: Plan, q: str) -> list[str]:
        """The readings of the query's words that ``q`` (one form per term) does not send."""
        sent = set(q.split())
        out: list[str] = []
        for t in plan.terms:
            out += [a for a in t.alternatives if a not in sent and a not in out and " " not in a]
        return out[:MAX_ALTERNATIVES]

    def federated(
        self, q: str, params: dict[str, Any], extra: list[str]
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """The queries and federation of one request asking for ``q`` and each of ``extra``: the
        union of their matches, merged by Meilisearch's ranking score. Facets are counted over the
        candidates (a federated count would count a document once per query it matches)."""
        common: dict[str, Any] = {k: params[k] for k in ("filter", "locales") if k in params}
        common |= {"indexUid": self._uid, "attributesToRetrieve": ["id"]}
        first: dict[str, Any] = {**common, "q": q, "matchingStrategy": params["matchingStrategy"]}
        others: list[dict[str, Any]] = [{**common, "q": a, "matchingStrategy": "all"} for a in extra]
        return [first, *others], {"page": 1, "hitsPerPage": params["hitsPerPage"]}

    # -- searching -------------------------------------------------------------------------

    def _search(self, q: str, params: dict[str, Any], extra: list[str] | None = None) -> dict[str, Any]:
        try:
            if extra:
                queries, federation = self.federated(q, params, extra)
                return cast(dict[str, Any], self._client.multi_search(queries, federation=federation))
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

    def candidates(self, plan: Plan, query: Query) -> Found:
        """The ids of Meilisearch's best matches, as the local index's rows, and its counts."""
        q, params = self.request(query, plan)
        return self.found(self._search(q, params, self.alternatives(plan, q)))

    def found(self, response: dict[str, Any]) -> Found:
        """A search response as candidates: the local index's rows of its hits, in its order."""
        try:
            ids = [str(h["id"]) for h in response["hits"]]
            total = int(response.get("totalHits", response.get("estimatedTotalHits", len(ids))))
            distribution = response.get("facetDistribution")
            facets = ordered_facets(distribution) if isinstance(distribution, dict) else None
        except (KeyError, TypeError, ValueError) as exc:
            raise EngineError(
                f"Meilisearch answered something else than search results ({type(exc).__name__})"
            ) from exc
        rows = self._rows(ids)
        return Found(rows, max(total, len(rows)), "totalHits" in response, facets, engine=self.name)
