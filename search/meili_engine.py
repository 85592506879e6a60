"""Query → Results on Meilisearch: the scale-out engine, same protocol as SQLite.

Meilisearch gives no typo tolerance to words under five characters, and most Hangul words have
two to four, so the query is understood first by the same code as the SQLite engine
(:func:`search.understand.plan_query` with the lexicon of the local SQLite index, which always
exists). The plan then becomes one Meilisearch request: one form per term in ``q`` (the word
without its particle, a typo fixed, Hangul behind a romanised spelling …), the cross-language
synonym groups as index synonyms, the region and the filters as a filter expression. The index
itself is built by search/meili_sync.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import msgspec

from search.analyze import index_text, normalize
from search.documents import explained, names_key, phone_numbers, search_text, term_index
from search.engine import Engine, EngineError, LocalReads
from search.facets import FACET_FIELDS, count_facets, ordered_facets
from search.hangul import strip_josa
from search.hours import open_state
from search.language import identify
from search.meili_client import (
    MeilisearchApiError,
    MeilisearchError,
    MeilisearchTimeoutError,
    meilisearch,
    requests,
)
from search.meili_sync import LIVE_INDEX, ORDER_FIELDS
from search.model import Facets, Hit, Query, Resource, Results
from search.nearby import locality
from search.needs import Bands, other_language
from search.scoring import Order
from search.sqlite_engine import SqliteEngine
from search.understand import Plan, Term

__all__ = ("MeiliEngine",)

#: With ``open_now`` the hours are checked here, at query time: scan this many candidates.
OPEN_NOW_SCAN = 1000
#: A number's matches are few (a line and the services that list it): take them all and order
#: them here as the SQLite engine does, its own main number first.
PHONE_SCAN = 1000
#: The SQLite engine orders its candidates by the needs a query expresses (data/needs.yaml) before
#: its words; Meilisearch cannot rank by a per-query list, so this many of its best hits (or the
#: page asked for, if deeper) are fetched and put in that order here.
RERANK_WINDOW = 200


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
    digits = phone_numbers(r)
    if phone in digits:
        score = 100 - 10 * min(digits.index(phone), 1)
    elif any(d.startswith(phone) for d in digits):
        score = 50
    else:
        score = 1  # found anywhere: a part of one of its numbers
    national = "KR" in r.regions
    regional_first = 0 if plan.region and not national else 1
    own = any(phone in d for d in digits)
    named = phone.lstrip("#") in names_key(r)
    return (regional_first, -score, -own, -named, -national)


class MeiliEngine(LocalReads):
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
        self._terms = term_index(local.taxonomy())
        self._analysed_cache: dict[str, dict[str, str]] = {}
        # requests takes a float timeout; the client's annotation says int.
        self._index = meilisearch.Client(url, key, timeout=cast(int, timeout)).index(index_uid)

    # Reading is local: the same catalog, and no network hop for a resource page.
    @property
    def local(self) -> Engine:
        return self._local

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
            params["facets"] = list(FACET_FIELDS.values())
            params.update(page=1, hitsPerPage=PHONE_SCAN)
        elif query.open_now:
            # Open-now depends on the moment: fetch what has hours and check them here.
            where.append("has_hours = 1")
            params.update(page=1, hitsPerPage=OPEN_NOW_SCAN)
            params["attributesToRetrieve"] += list(FACET_FIELDS.values())
        else:
            params["facets"] = list(FACET_FIELDS.values())
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

    def search(self, query: Query) -> Results:
        plan = self._local.plan(query)
        # As the SQLite engine: words typed but none known lists the lines that help with anything.
        unmatched = plan.had_text and not plan.terms and not plan.phone and bool(plan.dropped)
        language = identify(normalize(query.q[:2000]), self._local.read_words(plan))
        foreign = other_language(query.q[:2000]) or language not in (None, "en")
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
        needs = self._local.detect(query.q, plan, query.need, language)
        bands = self._local.bands(plan, needs)
        advised: list[dict[str, Any]] = []
        if not plan.phone and bands.advised:
            advised = self._advised(query, plan, bands.advised, response)
        results = self.results(query, plan, response, bands, advised)
        results.understood = self._local.understood(plan, needs, foreign)
        results.danger = needs.rung
        results.locality = locality([self._hit_row(h) for h in [*response.get("hits", []), *advised]
                                     if "district" in h], bands)  # fmt: skip
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
            "has_phone": int(bool(h["phones"])),
            "district": h.get("district") or "",
            **{f: "|" + "|".join(h.get(f) or []) + "|" for f in ("languages", "topics", "audiences")},
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
            "names": names_key(r),
            "phone_digits": "|" + "|".join(phone_numbers(r)) + "|",
            "has_phone": int(any(p.type != "sms" for p in r.phones)),
            "district": r.district or "",
            "languages": "|" + "|".join(r.languages) + "|",
            "topics": "|" + "|".join(r.topics) + "|",
            "audiences": "|" + "|".join(r.audiences) + "|",
        }

    def _analysed(self, record: str, r: Resource) -> dict[str, str]:
        """A hit's fields as index units, padded for matching; kept, since the same hits recur."""
        found = self._analysed_cache.get(record)
        if found is None:
            found = {
                field: f" {' | '.join(index_text(t) for t in texts)} "
                for field, texts in explained(search_text(r, self._terms)).items()
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

    def _ordered(
        self,
        hits: list[dict[str, Any]],
        plan: Plan,
        bands: Bands | None,
        rows: dict[str, dict[str, Any]],
        records: dict[str, Resource],
    ) -> list[dict[str, Any]]:
        """The hits in the SQLite engine's order: by number for a phone query, else by the needs'
        bands (none: Meilisearch's order)."""
        if plan.phone:
            return sorted(
                hits, key=lambda h: _phone_rank(plan, records[h["id"]])
            )  # stable: ties keep Meilisearch's order
        if bands is not None:
            band = Order(
                plan,
                bands,
                list(rows.values()),
                synonyms=self._local.lexicon.synonyms,
                need_words=self._local.need_words,
                known=self._local.exists,
            ).band
            national_first = bool(plan.terms) and not plan.region

            def order(h: dict[str, Any]) -> tuple[float, ...]:
                # As SQLite: the band, then how many of the words it has, then (its national weight)
                # a nationwide line before a local one; stable, so then Meilisearch's order.
                words = (h.get("_rankingScoreDetails") or {}).get("words") or {}
                national = rows[h["id"]]["national"] if national_first else 0
                return (*band(rows[h["id"]]), -int(words.get("matchingWords", 0)), -national)

            return sorted(hits, key=order)
        return hits

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
        hits = self._ordered(hits, plan, bands, rows, records)
        if query.open_now:
            hits = [h for h in hits if open_state(records[h["id"]].hours).open]
            total, facets = len(hits), count_facets(hits)
        else:
            facets = ordered_facets(response.get("facetDistribution") or {})
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
                    why=self._local.why(rows[h["id"]], bands) if bands is not None else None,
                )
                for h in hits
            ],
            facets=facets,
            region=plan.region,
            relaxed=relaxed or corrected,
            reason=None if total else "no-match",
            engine=self.name,
        )
