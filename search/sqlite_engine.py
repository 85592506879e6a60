"""Query → Results on the embedded SQLite index (the default engine: nothing else to run).

The query is understood once (search/understand.py), then each term becomes an FTS5 group of
alternatives: ``("상담" OR "counsel"*) AND (...)``. Every alternative goes through the same
analysis as the documents (search/analyze.py), so index and query never diverge. Resources with
every term are read first, then those with any term; when none has every term the results say so.

On a large index a search ranks a bounded number of candidates per scope (a region's own
services, then nationwide ones), taken in the index's static quality order, and estimates the
total: the cost of a search follows the cap, not the number of matches. Filters are FTS5 tokens,
so they narrow the matching itself.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import msgspec

from search.analyze import index_text, normalize
from search.analyze import words as runs_words
from search.engine import EngineError
from search.facets import count_facets
from search.hangul import strip_josa
from search.hours import SEOUL, open_state
from search.index_schema import (
    COLUMN_BREAK,
    FILTER_COLUMN,
    FLAT_COLUMNS,
    FTS_WEIGHTS,
    SCHEMA_VERSION,
    filter_token,
)
from search.lexicon import load_lexicon
from search.model import KIND_PRIORITY, Hit, Hours, Query, Region, Resource, Results, TaxonomyTerm, Text
from search.morph import content_words
from search.needs import Bands, NeedRules, Needs, detect, other_language
from search.places import place_words
from search.scoring import (
    CONFIDENCE_FACTOR,
    KIND_WEIGHT,
    NATIONAL_WEIGHT,
    ScoredTerm,
    best_fields,
    idf,
    scored_term,
)
from search.understand import MAX_TERMS, Plan, Term, plan_query

__all__ = ("SqliteEngine",)

#: How the FTS columns are named to a user when explaining a match.
_MATCHED_FIELDS = ("name", "name", "topics", "summary", "details")
#: Candidates ranked per query (per scope: a region's own services, nationwide ones); facet
#: counts are over these when a query matches more. Python's work per candidate is most of a
#: search's time on a large catalog (BENCHMARKS.md has the trade-off measured).
_CANDIDATES = 64
#: An index this small has every match ranked, with exact totals and facets.
_RANK_ALL_UP_TO = 300
_FLAT = "r.rowid, " + ", ".join(f"r.{c}" for c in FLAT_COLUMNS) + ", r.hours"
#: Candidates read from a scope that can only rank past the cap (for its total and facets).
_SAMPLE = 10
#: Decoded records kept (a few MB); the cache starts afresh when full.
_RECORD_CACHE = 2048
_LIST_FILTERS = {"topic": "topics", "audience": "audiences", "language": "languages", "channel": "channels"}


def _phrase(alt: str, prefix: bool = False) -> str | None:
    units = index_text(alt)
    if not units:
        return None
    # A prefix of one or two letters ("women's" ends in "s") would match thousands of words.
    return f'"{units}"*' if prefix and len(units.rsplit(" ", 1)[-1]) >= 3 else f'"{units}"'


def _cap(query: Query, size: int) -> int:
    """How many candidates to rank: deep pages need more than the first ones. The cap grows in
    whole steps, so the pages within one step come from the same ranking and never repeat."""
    if size <= _RANK_ALL_UP_TO:
        return max(size, 1)
    return -(-(query.offset + query.limit) // _CANDIDATES) * _CANDIDATES


def _scaled(found: list[sqlite3.Row], limit: int, first: int, reach: int) -> int:
    """How many rows match, from the first ``limit`` matches FTS5 or a row-id scan returned.

    Matches come in row-id order, so the rows read are every match up to the last row id: scale up
    by the share of the scope's row ids (``first`` + 1 … ``first`` + ``reach``) read. Counting
    every match of a broad query exactly would cost more than the whole search.
    """
    if len(found) < limit:
        return len(found)
    return max(len(found), round(len(found) * reach / max(found[-1]["rowid"] - first, 1)))


class SqliteEngine:
    """Searches one read-only index file."""

    name = "sqlite"
    url: str | None = None  # a local file: nothing to name in the log

    def __init__(self, path: Path | str) -> None:
        path = Path(path)
        if not path.is_file():
            raise EngineError(f"no index at {path}: run `haven build` first")
        try:
            self._conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
            self._conn.row_factory = sqlite3.Row
            meta = {k: json.loads(v) for k, v in self._conn.execute("SELECT key, value FROM meta")}
            if meta.get("schema_version") != SCHEMA_VERSION:
                raise EngineError(f"{path} was built by another version of Haven: run `haven build`")
            self.meta = meta
            self.data_hash: str = meta["data_hash"]
            self._national = int(meta.get("national", 0))  # they hold row ids 1 … this
            self.lexicon = load_lexicon(self._conn)
            self.needs = msgspec.convert(meta.get("needs") or {}, NeedRules).normalized()
            self._need_words = {w for n in self.needs.needs.values() for w in n.words} | set(
                self.needs.victim
            )
            self._regions = [
                Region(code=r["code"], name=Text(r["name_ko"], r["name_en"]), area_code=r["area_code"],
                       aliases=json.loads(r["aliases"]))
                for r in self._conn.execute("SELECT * FROM regions ORDER BY code")
            ]  # fmt: skip
            self._taxonomy: dict[str, list[TaxonomyTerm]] = {}
            for t in self._conn.execute("SELECT * FROM taxonomy ORDER BY rowid"):
                self._taxonomy.setdefault(t["grp"], []).append(
                    TaxonomyTerm(
                        key=t["key"],
                        label=Text(t["label_ko"], t["label_en"]),
                        aliases=json.loads(t["aliases"]),
                    )
                )
        except sqlite3.DatabaseError as exc:
            raise EngineError(f"{path} is not a readable Haven index ({exc})") from exc
        self._platforms = {
            t.key: [normalize(a) for a in [t.key, t.label.ko, t.label.en, *t.aliases]]
            for t in self._taxonomy.get("platform", [])
        }
        self._lock = threading.Lock()
        self._exists_cache: dict[str, bool] = {}  # forms found in the index only
        self._decoder = msgspec.json.Decoder(Resource)
        self._record_cache: dict[str, Resource] = {}
        self._hours = msgspec.json.Decoder(Hours)

    # -- reading ---------------------------------------------------------------------------

    def _query(self, sql: str, args: list[Any] | tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        # One connection shared by the server's threads: sqlite3 objects are not re-entrant.
        with self._lock:
            return self._conn.execute(sql, args).fetchall()

    def get(self, resource_id: str) -> Resource | None:
        return self._records([resource_id]).get(resource_id)

    def resources(
        self, kind: str | None = None, regions: Sequence[str] = (), offset: int = 0, limit: int | None = None
    ) -> list[Resource]:
        where, args = ["1"], list[Any]()
        if kind:
            where.append("kind = ?")
            args.append(kind)
        if regions:
            where.append(
                f"rowid IN (SELECT rid FROM resource_regions WHERE region IN ({','.join('?' * len(regions))}))"
            )
            args += regions
        sql = f"SELECT CAST(record AS BLOB) FROM resources WHERE {' AND '.join(where)} ORDER BY position"
        if limit is not None or offset:
            # Through the index on position: a page far into a large directory skips index entries,
            # not records.
            sql += " LIMIT ? OFFSET ?"
            args += [-1 if limit is None else limit, offset]
        return [self._decoder.decode(r[0]) for r in self._query(sql, args)]

    def count(self) -> int:
        return self._count()

    def regions(self) -> list[Region]:
        return list(self._regions)

    def taxonomy(self) -> dict[str, list[TaxonomyTerm]]:
        return dict(self._taxonomy)

    def close(self) -> None:
        self._conn.close()

    # -- understanding ---------------------------------------------------------------------

    def exists(self, form: str) -> bool:
        """Whether any document matches ``form`` (``form*`` as a prefix).

        Only forms the index contains are remembered: a word someone typed that matches nothing
        (a name, say) leaves no trace once the request is over.
        """
        if form in self._exists_cache:
            return True
        prefix = form.endswith("*")
        expr = _phrase(form.rstrip("*"), prefix)
        ok = bool(expr) and bool(
            self._query("SELECT 1 FROM resources_fts WHERE resources_fts MATCH ? LIMIT 1", (expr,))
        )
        if ok:
            if len(self._exists_cache) > 50_000:
                self._exists_cache.clear()
            self._exists_cache[form] = True
        return ok

    def plan(self, query: Query) -> Plan:
        return plan_query(
            query.q, self.lexicon, self.exists, region=query.region if query.region != "KR" else None
        )

    # -- searching -------------------------------------------------------------------------

    def _fts_filters(self, query: Query) -> list[str]:
        """The filters (but the region) as FTS5 groups over the filter tokens of the index."""
        out = []
        for facet in ("kind", "cost", "topic", "audience", "language", "channel"):
            values = list(getattr(query, facet))
            if values:
                if facet == "audience":
                    values.append("everyone")  # a service for everyone serves each audience too
                tokens = " OR ".join(f'"{filter_token(facet, v)}"' for v in values)
                out.append(f"{FILTER_COLUMN} : ({tokens})")
        return out

    def _filters(self, query: Query, region: str | None) -> tuple[str, list[Any]]:
        where, args = [], []
        if region:
            where.append("(r.national = 1 OR r.regions LIKE ?)")
            args.append(f"%|{region}|%")
        for values, col in ((query.kind, "kind"), (query.cost, "cost")):
            if values:
                where.append(f"r.{col} IN ({','.join('?' * len(values))})")
                args += values
        for facet, col in _LIST_FILTERS.items():
            values = list(getattr(query, facet))
            if values:
                if facet == "audience":
                    values.append("everyone")  # a service for everyone serves each audience too
                where.append("(" + " OR ".join(f"r.{col} LIKE ?" for _ in values) + ")")
                args += [f"%|{v}|%" for v in values]
        return (" AND ".join(where) or "1"), args

    def _groups(self, terms: list[Term]) -> list[str | None]:
        """Each term as an FTS5 group of its alternatives (None when none can be matched)."""
        groups: list[str | None] = []
        for term in terms:
            alts = [p for a in term.alternatives if (p := _phrase(a, term.prefix and a == term.surface))]
            groups.append("(" + " OR ".join(alts) + ")" if alts else None)
        return groups

    def _rows(self, plan: Plan, query: Query) -> tuple[list[dict[str, Any]], int, bool, str | None]:
        """Candidates with their flat columns, the number of matches (and whether it is exact), and a
        relaxation note.

        Candidates come in row-id order, which the index lays out by static quality, and stop at
        the cap (``_cap``): a broad query on a large catalog ranks its best candidates instead of
        every match. An index of up to ``_RANK_ALL_UP_TO`` resources (the directory today) has
        nothing cut.
        """
        cap = _cap(query, self._count())
        if plan.phone:
            where, args = self._filters(query, plan.region)
            digits = plan.phone
            found = self._query(
                f"""SELECT {_FLAT}, MAX(CASE WHEN p.digits = ? THEN 100.0 - 10 * MIN(p.position, 1) ELSE 50.0 END) AS score
                    FROM phones p JOIN flat r ON r.rowid = p.rid
                    WHERE p.digits >= ? AND p.digits < ? AND {where} GROUP BY r.rowid LIMIT {cap}""",
                [digits, digits, f"{digits}:", *args],  # a range on the index: ":" sorts after "9"
            )
            if not found:  # part of a number (8994, 735-8994): the start of one of its endings
                plan.terms = []
                found = self._query(
                    f"""SELECT {_FLAT}, 1.0 AS score FROM phone_tails t JOIN flat r ON r.rowid = t.rid
                        WHERE t.tail >= ? AND t.tail < ? AND {where} GROUP BY r.rowid LIMIT {cap}""",
                    [digits, f"{digits}:", *args],
                )
            return [{**dict(r), "coverage": 1.0} for r in found], len(found), True, None
        if not plan.terms:
            return self._listing(query, plan.region)
        groups = self._groups(plan.terms)
        live = [g for g in groups if g]
        filters = self._fts_filters(query)
        size, national = self._count(), self._national
        # (filters, first row id, row ids it can reach): a region's own services and nationwide
        # ones are asked for apart, or the nationwide ones (the first row ids) would fill the cap.
        scopes = [(filters, 0, size)]
        if plan.region:
            local = filter_token("region", plan.region)  # its own services, then nationwide ones
            scopes = [
                (filters + [f'{FILTER_COLUMN} : "{local}"'], national, size - national),
                (filters + [f'{FILTER_COLUMN} : "{filter_token("region", "KR")}"'], 0, national),
            ]
        rows: list[dict[str, Any]] = []
        seen: set[int] = set()

        def fetch(parts: list[str], limit: int, every: bool) -> list[sqlite3.Row]:
            found = self._query(
                f"""SELECT {_FLAT}, r.text, 0.0 AS score FROM resources_fts JOIN flat r ON r.rowid = resources_fts.rowid
                    WHERE resources_fts MATCH ? LIMIT {limit}""",
                [" AND ".join(parts)],
            )
            for r in found:
                if r["rowid"] not in seen:
                    seen.add(r["rowid"])
                    row = dict(r)
                    row["every"] = every
                    rows.append(row)
            return found

        total, capped, bounds = 0, False, []
        for scope, first, reach in scopes:
            # Once a region's own services fill the cap, nationwide ones rank past it: a sample is
            # enough for the total and the facets.
            limit = max(cap - len(rows), _SAMPLE)
            # Resources with every word first, wherever the static order puts them: a resource
            # with only some of the words ranks below them all.
            every = fetch([*live, *scope], limit, every=True) if len(live) > 1 else []
            if len(every) >= limit:
                total += _scaled(every, limit, first, reach)
                capped = True
                continue
            found = fetch(["(" + " OR ".join(live) + ")", *scope], limit, every=len(live) == 1)
            bounds.append((scope, found[-1]["rowid"] if found else 0))
            total += _scaled(found, limit, first, reach)
            capped = capped or len(found) >= limit
        terms = [
            scored_term(
                [u for a in t.alternatives if (u := index_text(a))], t.prefix, 0.5 if t.fuzzy else 1.0
            )
            for t in plan.terms
        ]
        full = self._score(rows, terms, groups, bounds, total, size)
        best = max((r["coverage"] for r in rows), default=0.0)
        return rows, total, not capped, ("any" if rows and best < full else None)

    def _listing(self, query: Query, region: str | None) -> tuple[list[dict[str, Any]], int, bool, None]:
        """No words: a region's own services first, then nationwide ones, in static quality order.

        Past the candidate cap the total is estimated from how far into the index the candidates
        reach, as for a broad text query: an exact count would read every row of the region.
        """
        where, args = self._filters(query, None)
        cap = _cap(query, self._count())
        parts: list[sqlite3.Row] = []
        total, exact = 0, True
        if region:
            found = self._query(
                f"""SELECT {_FLAT}, 0.0 AS score FROM resource_regions g JOIN flat r ON r.rowid = g.rid
                    WHERE g.region = ? AND r.national = 0 AND {where} ORDER BY g.rid LIMIT {cap}""",
                [region, *args],
            )
            parts += found
            total += len(found)
            if len(found) >= cap:
                ((read, every),) = self._query(
                    "SELECT count(*) FILTER (WHERE rid <= ?), count(*) FROM resource_regions WHERE region = ?",
                    [found[-1]["rowid"], region],
                )
                total, exact = max(total, round(total * every / max(read, 1))), False
            where = f"r.national = 1 AND {where}"
        found = self._query(
            f"SELECT {_FLAT}, 0.0 AS score FROM flat r WHERE {where} ORDER BY r.rowid LIMIT {cap}",
            args,
        )
        parts += found
        # Nationwide services hold the first row ids (the static order), so after a region's own
        # services the scope is row ids 1 … the number of nationwide ones.
        total += _scaled(found, cap, 0, self._national if region else self._count())
        exact = exact and len(found) < cap
        return [{**dict(r), "coverage": 0.0} for r in parts], total, exact, None

    def _score(
        self,
        rows: list[dict[str, Any]],
        terms: list[ScoredTerm],
        groups: list[str | None],
        bounds: list[tuple[list[str], int]],
        total: int,
        size: int,
    ) -> float:
        """Field-weighted score and query coverage for each candidate, from its analysed text; returns
        the coverage of a resource that answers every term.

        Rank first by how much of the query a resource answers (like Meilisearch's "words" rule):
        a sentence rarely has every word in one entry, and a fixed typo or a very common word
        counts for less than a word typed as meant. A term's document frequency is read off the
        candidates (exact whenever every match is a candidate).

        The ranked fields are read from ``flat.text``; the body is long and ranks lowest, so FTS5
        itself says which candidates have a term only there.
        """
        fields = [best_fields(r["text"], terms) for r in rows]
        for r, best in zip(rows, fields, strict=True):
            if r["every"]:  # it has every term: those not in a ranked field are in the body
                best[:] = [b or FTS_WEIGHTS[-1] for b in best]
        if not all(r["every"] for r in rows):
            # In each scope, every match up to the last candidate's row id is a candidate: the
            # term's matches up to there are the candidates that contain it.
            for i, group in enumerate(groups):
                if group is None or all(best[i] for best in fields):
                    continue
                inside = {
                    row[0]
                    for scope, last in bounds
                    for row in self._query(
                        "SELECT rowid FROM resources_fts WHERE resources_fts MATCH ? AND rowid <= ?",
                        [" AND ".join([group, *scope]), last],
                    )
                }
                for r, best in zip(rows, fields, strict=True):
                    if not best[i] and r["rowid"] in inside:
                        best[i] = FTS_WEIGHTS[-1]
        found = [sum(b[i] > 0 for b in fields) for i in range(len(terms))]
        share = total / max(len(rows), 1)
        idfs = [idf(size, round(n * share)) for n in found]
        weights = [
            t.weight * (0.5 if n * share > size / 2 else 1.0) for t, n in zip(terms, found, strict=True)
        ]
        for r, best in zip(rows, fields, strict=True):
            r["best"] = best
            r["score"] = sum(i * b for i, b in zip(idfs, best, strict=True))
            r["coverage"] = sum(w for w, b in zip(weights, best, strict=True) if b)
        return sum(weights)

    def _count(self) -> int:
        if not hasattr(self, "_total"):
            self._total = int(self.meta.get("resources", 0)) or 1
        return self._total

    def search(self, query: object) -> Results:
        if not isinstance(query, Query):
            raise TypeError("search() takes a Query")
        plan = self.plan(query)
        # Words were typed but none is known, even loosely ("무서워요", "help me please"): say so, and
        # list the lines that help with anything rather than leave a frightened person with nothing.
        unmatched = plan.had_text and not plan.terms and not plan.phone and bool(plan.dropped)
        foreign = other_language(query.q[:2000])
        if foreign and not plan.had_text:
            # Vietnamese, Chinese, Russian …: the lines that speak it are listed (see needs).
            plan.had_text = True
        if not plan.had_text and query.q.strip() and not plan.region:
            return Results(query=query.q, total=0, results=[], facets=count_facets([]), region=plan.region,
                           reason="nothing-searchable", engine=self.name)  # fmt: skip
        rows, total, exact, relaxed = self._rows(plan, query)
        if not rows and plan.had_text and not plan.phone:
            # Nothing matched the words: still never leave a person with an empty page.
            unmatched = True
            plan.terms = []
            rows, total, exact, relaxed = self._listing(query, plan.region)
        name_query = normalize(" ".join(t.surface for t in plan.terms))
        numbers = [t.surface for t in plan.terms if t.surface.isdigit()]

        heads = [
            re.compile("|".join(" " + re.escape(normalize(a)) for a in t.alternatives)) for t in plan.terms
        ]
        town = place_words(plan.place) if plan.place else ()
        # One word the directory does not use, known through a synonym only (범피센터, 법구공).
        clipped = len(plan.terms) == 1 and not plan.terms[0].fuzzy and not self.exists(plan.terms[0].surface)
        generic_terms = [any(a in self._need_words for a in [t.surface, *t.alternatives]) for t in plan.terms]
        typed = [
            normalize(t.surface)
            for t, generic in zip(plan.terms, generic_terms, strict=True)
            # The words of a need (중학생, revenge porn) ask for help, not for one service.
            if len(t.surface) >= 3 and not t.fuzzy and not t.surface.isdigit() and not generic
        ]
        # A service's own name (한사성, 방송통신심의위원회): a topic word that is also in a synonym
        # group counts only when a single result has it as a whole name (해바라기센터, not 디지털성범죄).
        typed_names = [
            n
            for n in typed
            if n not in self.lexicon.synonyms or sum(f" | {n} | " in f" | {r['names']} | " for r in rows) == 1
        ]

        needs = self.detect(query.q, plan)
        bands = Bands.of(self.needs, needs, plan.region, town)
        if not plan.phone and (bands.first or bands.also):
            # The lines that serve the need answer first even when their text has none of the words
            # typed (112 for "someone threatens to post my pics").
            added = self._advised(query, plan.region, [*bands.first, *bands.also], {r["id"] for r in rows})
            rows += added
            total += len(added)

        best_national = max((r["coverage"] for r in rows if r["national"]), default=0.0)
        # The typed words, less those of a need, run together: "wee클래스", "한사성".
        core = "".join(t.surface for t, g in zip(plan.terms, generic_terms, strict=True) if not g)
        core_named = (
            {r["id"] for r in rows if core in {n.replace(" ", "") for n in r["names"].split(" | ")}}
            if len(core) >= 3 and len(plan.terms) > 1
            else set()
        )

        def key(row: dict[str, Any]) -> tuple[float, ...]:
            regional_first = 0 if (plan.region and not row["national"]) else 1
            if plan.phone:
                # Its own main number first, then one it lists; a service named by the number wins a tie.
                named = plan.phone.lstrip("#") in row["names"]
                own = plan.phone in row["phone_digits"]  # part of one of its own numbers: 8994
                return (regional_first, -row["score"], -own, -named, -row["national"], row["rowid"])
            names = row["names"]
            # The exact name of a service, or a number typed that is its own phone: first.
            padded = f" | {names} | "
            exact = (
                bool(name_query and f" | {name_query} | " in padded)
                or any(f"|{d}|" in row["phone_digits"] for d in numbers)
                # A clipped name (범피센터) whose synonym is the service's full name.
                or (clipped and any(f" | {a} | " in padded for a in plan.terms[0].alternatives[1:]))
                # A service named among other words (방송통신심의위원회 신고); a platform is named
                # through the needs instead, so that a victim still meets a human line first.
                or (row["kind"] != "platform-report" and any(f" | {s} | " in padded for s in typed_names))
                or row["id"] in core_named
            )
            band, advice = bands.band(
                row["id"],
                row["kind"],
                bool(row["national"]),
                row["platform"],
                names,
                exact,
                answers_more=not row["national"] and row["coverage"] > best_national,
            )
            if plan.region and not row["national"] and any(n in names for n in typed_names):
                # A service named with a place (의정부 스마일센터): that place's own branch first.
                band, advice = 0, (-2 if any(w in names for w in town) else -1)
            if not plan.terms:
                always = -row["always_open"] if plan.any_hour else 0
                # row ids follow the static quality order
                return (band, advice, regional_first, always, row["rowid"])
            score = (
                row["score"] * CONFIDENCE_FACTOR[row["confidence_rank"]] * KIND_WEIGHT.get(row["kind"], 1.0)
            )
            if row["national"] and not plan.region:
                score *= NATIONAL_WEIGHT
            if not row["reachable"]:
                score *= 0.6  # no number or link to offer: a person can do little with it
            if plan.any_hour and row["always_open"]:
                score *= 1.6
            spaced = " " + names.replace(" | ", " ")
            for head, generic in zip(heads, generic_terms, strict=True):
                # A name word that starts with the term is a closer match than the term found inside a
                # longer compound (범죄피해자 → 범죄피해자지원센터 before 디지털성범죄피해자지원센터).
                # Not for the words of a need (상담, 신고): every line's name has them.
                if not generic and head.search(spaced):
                    score *= 1.5
            return (
                band,
                advice,
                -row["coverage"],
                regional_first,
                -score,
                KIND_PRIORITY.get(row["kind"], 99),
                row["rowid"],
            )

        rows.sort(key=key)
        if query.open_now:
            # Many services share their hours: each distinct timetable is evaluated once.
            now = dt.datetime.now(SEOUL)
            opened: dict[str | None, bool] = {}
            for hours in {r["hours"] for r in rows}:
                opened[hours] = bool(hours) and open_state(self._hours.decode(hours), now).open
            rows = [r for r in rows if opened[r["hours"]]]
        page = rows[query.offset : query.offset + query.limit]
        records = self._records([r["id"] for r in page])
        units = [u for t in plan.terms for a in t.alternatives if (u := index_text(a))]
        # Any unit at the start of a word: one pattern for every hit.
        unit_pattern = (
            re.compile("|".join(" " + re.escape(u) for u in dict.fromkeys(units))) if units else None
        )
        hits = [
            Hit(
                resource=records[r["id"]],
                score=round(float(r["score"]), 4),
                matched=self._matched(r, plan, unit_pattern),
                open_now=open_state(records[r["id"]].hours),
                why=self._why(r, bands),
            )
            for r in page
        ]
        corrected = ", ".join(f"{a} → {b}" for a, b in plan.corrections) or None
        return Results(
            query=query.q,
            total=total if not query.open_now else len(rows),
            total_exact=exact or query.open_now,
            results=hits,
            facets=count_facets(rows),
            region=plan.region,
            relaxed="general" if unmatched and rows else (relaxed or corrected),
            reason="no-match" if unmatched or not rows else None,
            engine=self.name,
            understood={**plan.understood(), "needs": needs.found, "other_language": foreign},
        )

    def _advised(
        self, query: Query, region: str | None, ids: list[str], have: set[str]
    ) -> list[dict[str, Any]]:
        """The flat rows of advised services a search did not find, within the query's filters."""
        missing = [i for i in dict.fromkeys(ids) if i not in have]
        if not missing:
            return []
        where, args = self._filters(query, region)
        found = self._query(
            f"""SELECT {_FLAT}, r.text, 0.0 AS score FROM flat r
                WHERE r.rowid IN (SELECT rowid FROM resources WHERE id IN ({",".join("?" * len(missing))}))
                AND {where}""",
            [*missing, *args],
        )
        return [{**dict(r), "every": False, "coverage": 0.0, "best": []} for r in found]

    def detect(self, q: str, plan: Plan) -> Needs:
        """The needs the query expresses (data/needs.yaml), from its text and analysed terms."""
        text = normalize(q)[:2000]
        words = [w for _, w in runs_words(text)]
        forms = [f for t in plan.terms for f in [t.surface, *t.alternatives]]
        forms += words + [strip_josa(w) for w in words]
        # The parts of compounds and sentences the index knows whole (삭제요청 → 삭제, 요청).
        forms += [
            f
            for w in words[:MAX_TERMS]
            if "가" <= w[0] <= "힣"
            for m in content_words(w)
            for f in (m.surface, m.lemma)
        ]
        return detect(self.needs, text, forms, self._platforms)

    def _why(self, row: dict[str, Any], bands: Bands) -> Text | None:
        """A few words on why a result is here: its region, 24시간, the need it serves."""
        ko: list[str] = []
        en: list[str] = []
        if not row["national"] and bands.region:
            region = next((g for g in self._regions if g.code == bands.region), None)
            if region:
                ko.append(
                    region.name.ko.removesuffix("특별자치도").removesuffix("광역시").removesuffix("특별시")
                )
                en.append(region.name.en.removesuffix(" Province"))
        if row["always_open"]:
            ko.append("24시간")
            en.append("24 hours")
        platform = row["platform"]
        if platform and platform in bands.needs.platforms:
            label = next((t.label for t in self._taxonomy.get("platform", []) if t.key == platform), None)
            if label:
                ko.append(f"{label.ko} 공식 신고")
                en.append(f"{label.en}'s own reporting route")
        else:
            reason = bands.reason_for(row["id"], row["kind"], platform)
            if reason:
                ko.append(reason.ko)
                en.append(reason.en)
        return Text(" · ".join(ko), " · ".join(en)) if ko else None

    def _records(self, ids: list[str]) -> dict[str, Resource]:
        """Decoded records by id. The index never changes under an engine, so records shown recently
        (the national lines top most pages) are kept decoded; decoding is a large share of a search."""
        out = {i: r for i in ids if (r := self._record_cache.get(i)) is not None}
        missing = [i for i in ids if i not in out]
        for n in range(0, len(missing), 500):
            chunk = missing[n : n + 500]
            for row in self._query(
                # As bytes: msgspec decodes UTF-8 bytes faster than a str.
                f"SELECT id, CAST(record AS BLOB) FROM resources WHERE id IN ({','.join('?' * len(chunk))})",
                chunk,
            ):
                out[row[0]] = self._decoder.decode(row[1])
        if len(self._record_cache) > _RECORD_CACHE:
            self._record_cache.clear()
        self._record_cache.update((i, out[i]) for i in missing if i in out)
        return out

    def _matched(self, row: dict[str, Any], plan: Plan, units: re.Pattern[str] | None) -> list[str]:
        """Which fields of a hit contain a query term (for highlighting and explaining a match)."""
        if plan.phone:
            return ["phones"]
        text = row.get("text")
        if not text or not units:
            return []
        out = []
        for field, column in zip(_MATCHED_FIELDS, text.split(COLUMN_BREAK), strict=False):
            if field not in out and units.search(column):
                out.append(field)
        if FTS_WEIGHTS[-1] in row.get("best", ()):  # a term found only in the body
            out.append("details")
        return out
