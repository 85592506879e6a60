"""One search, whichever source answers: understand → candidates → order → present.

1. **Understand** the query once (search/understand.py for its words and places, search/language.py
   for its language, search/needs.py for its needs and danger) into an :class:`Understanding`.
2. Ask a **candidate source** for the resources whose text matches its words: the index's own
   FTS5 (search/sqlite_engine.py) or Meilisearch (search/meili_engine.py), or both behind a
   circuit breaker (search/fallback.py). A number, a listing, and the lines the needs advise are
   read from the local index whichever source is used: it is on every replica.
3. **Order** every candidate with one rule (search/scoring.py, which applies the needs' bands):
   the candidates are the local index's rows whoever found them, so the order is the same code
   and the same figures for either source.
4. **Present** the page: hits with their records, the fields that matched, open now and why;
   facets; the place's locality line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from search.analyze import clip_units, normalize
from search.analyze import words as runs_words
from search.engine import Candidate, CandidateSource, Found
from search.facets import count_facets
from search.hangul import strip_josa
from search.hours import SEOUL, open_state
from search.index_schema import COLUMN_BREAK, FTS_WEIGHTS
from search.kinds import KindTable
from search.language import identify
from search.model import Hit, OpenState, Query, Region, Resource, Results, TaxonomyTerm
from search.nearby import Nearby, locality
from search.needs import Bands, Needs, detect, other_language
from search.places import place_words
from search.scoring import Order, unit_key
from search.understand import MAX_TERMS, Plan, plan_query
from search.why import why

if TYPE_CHECKING:
    from search.sqlite_engine import SqliteIndex

__all__ = ("Pipeline", "Understanding")

#: How the ranked FTS columns are named to a user when explaining a match.
_MATCHED_FIELDS = ("name", "name", "topics", "summary", "details")
#: The longest text read for the language and the needs (the query itself is limited before).
_READ = 2000


@dataclass
class Understanding:
    """A query as understood, before any source is asked."""

    plan: Plan
    needs: Needs
    bands: Bands
    #: Written in a language other than Korean and English (or a script the data is not in).
    foreign: bool
    #: Words were typed but none is known ("무서워요", "help me please").
    unmatched: bool
    #: The query's one word is in the index as typed (a clipped name such as 범피센터 is not).
    one_known: bool

    def summary(self) -> dict[str, object]:
        """What the query was understood as (``Results.understood``)."""
        needs = self.needs
        return {**self.plan.understood(), "needs": needs.found, "other_language": self.foreign,
                "language": needs.language, "danger": needs.rung}  # fmt: skip


def _read_words(plan: Plan) -> set[str]:
    """The Latin words the plan read (search/language.py): English ones as typed, and those that
    were Korean typed another way (keyboard mode, romanisation) marked ``~``."""
    out = {f"~{typed}" for typed, fixed in plan.corrections if not fixed.isascii()}
    for t in plan.terms:
        if t.surface.isascii():
            korean = all(not a.isascii() for a in t.alternatives)
            out.add(f"~{t.surface}" if korean else t.surface)
            out.update(t.surface.split())
    return out


class Pipeline:
    """Searches with one candidate source, and reads everything else from the local index.

    Args:
        index: The local SQLite index (search/sqlite_engine.py): the lexicon and the needs that
            understand a query, the rows every candidate is scored on, the records.
        source: Where the candidates of a query's words come from (default: the index's FTS5).
    """

    def __init__(self, index: SqliteIndex, source: CandidateSource | None = None) -> None:
        self.index = index
        self.source: CandidateSource = source if source is not None else index

    # -- what the service reads ---------------------------------------------------------------

    @property
    def name(self) -> str:
        return self.source.name

    @property
    def url(self) -> str | None:
        return self.source.url

    @property
    def data_hash(self) -> str:
        return self.index.data_hash

    @property
    def meta(self) -> dict[str, Any]:
        return self.index.meta

    @property
    def file_hash(self) -> str:
        return self.index.file_hash

    @property
    def in_outage(self) -> bool:
        """Whether the source is avoided for now (Meilisearch down: the index's FTS5 answers)."""
        return bool(getattr(self.source, "in_outage", False))

    @property
    def kinds(self) -> KindTable:
        """The kinds table the index was built with (data/kinds.yaml): the region page's order."""
        return self.index.kinds

    def get(self, resource_id: str) -> Resource | None:
        return self.index.get(resource_id)

    def resources(
        self, kind: str | None = None, regions: Sequence[str] = (), offset: int = 0, limit: int | None = None
    ) -> list[Resource]:
        return self.index.resources(kind, regions, offset, limit)

    def count(self) -> int:
        return self.index.count()

    def regions(self) -> list[Region]:
        return self.index.regions()

    def taxonomy(self) -> dict[str, list[TaxonomyTerm]]:
        return self.index.taxonomy()

    def close(self) -> None:
        if self.source is not self.index:
            self.source.close()
        self.index.close()

    def check(self) -> int:
        """Prove that the index answers: every entry is there, and a real search for the first
        one's name finds it (on the index's own FTS5). Returns how many entries it holds.

        Raises:
            EngineError: it does not (a damaged file), saying what failed in a few words.
        """
        return self.index.check(Pipeline(self.index).search)

    # -- 1. understand -----------------------------------------------------------------------

    def understand(self, query: Query) -> Understanding:
        """``query`` understood: its plan (words, place, number), needs, danger and language."""
        index = self.index
        plan = plan_query(
            query.q, index.lexicon, index.exists, region=query.region if query.region != "KR" else None
        )
        unmatched = plan.had_text and not plan.terms and not plan.phone and bool(plan.dropped)
        text = normalize(query.q[:_READ])
        language = identify(text, _read_words(plan))
        foreign = other_language(query.q[:_READ]) or language not in (None, "en")
        if foreign and not plan.had_text:
            plan.had_text = True  # Vietnamese, Chinese, Russian …: the lines that speak it are listed
        needs = self._needs(text, plan, query.need, language)
        nearby = Nearby(plan.place, index.centre) if plan.place else None
        town = place_words(plan.place) if plan.place else ()
        bands = Bands.of(index.needs, needs, plan.region, town, nearby, table=index.kinds)
        one = plan.terms[0].surface if len(plan.terms) == 1 and not plan.terms[0].fuzzy else ""
        return Understanding(plan, needs, bands, foreign, unmatched, one_known=not one or index.exists(one))

    def _needs(self, text: str, plan: Plan, need: str | None, language: str | None) -> Needs:
        """The needs the query expresses (data/needs.yaml), from its text and analysed terms,
        ``need`` when a button chose one and the ``language`` it is written in."""
        text = clip_units(text)
        words = [w for _, w in runs_words(text)]
        forms = [f for t in plan.terms for f in [t.surface, *t.alternatives]]
        forms += words + [strip_josa(w) for w in words]
        # The parts of compounds and sentences the index knows whole (삭제요청 → 삭제, 요청).
        forms += [
            f
            for w in words[:MAX_TERMS]
            if "가" <= w[0] <= "힣"
            for m in plan.morphemes(w)
            for f in (m.surface, m.lemma)
        ]
        return detect(self.index.needs, text, forms, self.index.platforms, asked=need, language=language)

    # -- the search --------------------------------------------------------------------------

    def search(self, query: Query) -> Results:
        """Answer ``query``: understand, read candidates, order, present."""
        if not isinstance(query, Query):
            raise TypeError("search() takes a Query")  # a caller's bug, not an outage
        u = self.understand(query)
        plan = u.plan
        if not plan.had_text and query.q.strip() and not plan.region:
            return Results(query=query.q, total=0, results=[], facets=count_facets([]), region=plan.region,
                           reason="nothing-searchable", engine=self.name)  # fmt: skip
        found, engine, full = self._candidates(query, u)
        rows, total = found.rows, found.total
        relaxed = "any" if plan.terms and rows and max(r["coverage"] for r in rows) < full else None
        if not rows and plan.had_text and not plan.phone:
            # Nothing matched the words: still never leave a person with an empty page.
            u.unmatched = True
            plan.terms = []
            found = self.index.reads.listing(query, plan.region)
            rows, total, engine = found.rows, found.total, self.index.name
        order = Order(plan, u.bands, rows, synonyms=self.index.lexicon.synonyms,
                      need_words=self.index.need_words, one_known=u.one_known)  # fmt: skip
        added = self._advised(query, u, rows)
        order.add(added)
        rows = [*rows, *added]
        total += len(added)
        rows.sort(key=order.key)
        if query.open_now:
            rows = self._open_now(rows)
        corrected = ", ".join(f"{a} → {b}" for a, b in plan.corrections) or None
        return Results(
            query=query.q,
            total=total if not query.open_now else len(rows),
            total_exact=found.exact or query.open_now,
            results=self._hits(rows[query.offset : query.offset + query.limit], u),
            facets=found.facets if found.facets is not None and not query.open_now else count_facets(rows),
            region=plan.region,
            relaxed="general" if u.unmatched and rows else (relaxed or corrected),
            reason="no-match" if u.unmatched or not rows else None,
            engine=engine,
            understood=u.summary(),
            danger=u.needs.rung,
            locality=locality(rows, u.bands),
        )

    # -- 2. candidates -----------------------------------------------------------------------

    def _candidates(self, query: Query, u: Understanding) -> tuple[Found, str, float]:
        """The candidates, who found them, and the coverage of one that answers every term.

        A number and a listing are read from the local index; words go to the source, and every
        source's rows are scored here, on the index's text, by one rule."""
        plan, reads = u.plan, self.index.reads
        if plan.phone:
            return reads.phone(plan, query), self.index.name, 0.0
        if not plan.terms:
            return reads.listing(query, plan.region), self.index.name, 0.0
        found = self.source.candidates(plan, query)
        engine = found.engine or self.source.name
        full = reads.score(found.rows, plan, found.total)
        return found, engine, full

    def _advised(self, query: Query, u: Understanding, rows: list[Candidate]) -> list[Candidate]:
        """The lines that serve the need, and the services of the kind she needs in the place she
        named, that the words did not find: they answer first even when their text has none of
        the words typed (112 for "someone threatens to post my pics")."""
        plan, bands, reads = u.plan, u.bands, self.index.reads
        if plan.phone or not (bands.advised or plan.region):
            return []
        have = {r["id"] for r in rows}
        added = reads.advised(query, plan.region, bands.advised, have)
        if plan.region:
            have |= {r["id"] for r in added}
            near = bands.nearby.around() if bands.nearby else []
            added += reads.local(query, plan.region, sorted(bands.kinds), sorted(bands.topics), have, near)
        for r in added:  # found for the need, not for the words: no share of the query
            r["score"], r["coverage"], r["best"] = 0.0, 0.0, []
        return added

    def _open_now(self, rows: list[Candidate]) -> list[Candidate]:
        """The rows open at this moment. Many services share their hours: each distinct timetable
        is evaluated once."""
        now = dt.datetime.now(SEOUL)
        opened: dict[str | None, bool] = {}
        for hours in {r["hours"] for r in rows}:
            opened[hours] = bool(hours) and open_state(self.index.hours(hours or ""), now).open
        return [r for r in rows if opened[r["hours"]]]

    # -- 4. present --------------------------------------------------------------------------

    def _hits(self, page: list[Candidate], u: Understanding) -> list[Hit]:
        """The page's rows as hits: the record, which fields matched, open now, and why."""
        records = self.index.records([r["id"] for r in page])
        starts = self.match_keys(u.plan)
        index = self.index
        regions = index.regions()
        # One moment for the whole page, and each timetable (many services share one) once.
        now = dt.datetime.now(SEOUL)
        states: dict[str | None, OpenState] = {}
        for r in page:
            if r["hours"] not in states:
                states[r["hours"]] = open_state(records[r["id"]].hours, now)
        return [
            Hit(
                resource=records[r["id"]],
                score=round(float(r["score"]), 4),
                matched=self._matched(r, u.plan, starts),
                open_now=states[r["hours"]],
                why=why(r, u.bands, regions, index.platform_terms),
            )
            for r in page
        ]

    @staticmethod
    def match_keys(plan: Plan) -> tuple[tuple[str, str | None], ...]:
        """What :meth:`_matched` looks for: any unit of the terms at the start of a word (`` 상``),
        each with the key a row's table of fields answers it by (None: only its text can)."""
        alternatives = dict.fromkeys(unit for t in plan.terms for unit in t.units() if unit)
        return tuple((" " + a, unit_key(a, True)) for a in alternatives)

    @staticmethod
    def _matched(row: Candidate, plan: Plan, starts: tuple[tuple[str, str | None], ...]) -> list[str]:
        """Which fields of a hit contain a query term (for highlighting and explaining a match):
        each of ``starts`` (:meth:`match_keys`) looked up in the row's table of fields, or read
        in its text when the table cannot say or the row has none (read for this query only)."""
        if plan.phone:
            return ["phones"]
        text = row.get("text")
        if not text or not starts:
            return []
        fields = row.get("fields")
        mask = 0
        scan = []
        for start, key in starts:
            if fields is not None and key is not None:
                mask |= fields.get(key, 0)
            else:
                scan.append(start)
        out = []
        for i, (field, column) in enumerate(zip(_MATCHED_FIELDS, text.split(COLUMN_BREAK), strict=False)):
            if field not in out and (mask >> i & 1 or any(u in column for u in scan)):
                out.append(field)
        if FTS_WEIGHTS[-1] in row.get("best", ()):  # a term found only in the body
            out.append("details")
        return out
