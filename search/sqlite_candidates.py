"""The candidates of one query on the SQLite index: FTS5 matches, phone numbers, or a listing.

Each term becomes an FTS5 group of alternatives: ``("상담" OR "counsel"*) AND (...)``. Resources
with every term are read first, then those with any term. On a large index a query reads a
bounded number of candidates per scope (a region's own services, then nationwide ones), taken in
the index's static quality order, and estimates the total: the cost of a search follows the cap,
not the number of matches. Filters are FTS5 tokens, so they narrow the matching itself. Each
candidate gets its field-weighted score and the share of the query it covers (search/scoring.py).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from typing import Any, cast

from search.analyze import index_text
from search.engine import Candidate, Found
from search.facets import facet_pairs
from search.index_schema import FILTER_COLUMN, FLAT_COLUMNS, FTS_WEIGHTS, filter_token
from search.model import Query
from search.scoring import best_fields, idf, name_forms, scored_term, unit_tables
from search.understand import Plan, Term

__all__ = ("Candidates", "phrase")

#: Candidates ranked per query (per scope: a region's own services, nationwide ones); facet
#: counts are over these when a query matches more. Python's work per candidate is most of a
#: search's time on a large catalog (BENCHMARKS.md has the trade-off measured).
_CANDIDATES = 64
#: An index this small has every match ranked, with exact totals and facets.
_RANK_ALL_UP_TO = 300
_FLAT = "r.rowid, " + ", ".join(f"r.{c}" for c in FLAT_COLUMNS) + ", r.hours"
#: Candidates read from a scope that can only rank past the cap (for its total and facets).
_SAMPLE = 10
_LIST_FILTERS = {"topic": "topics", "audience": "audiences", "language": "languages", "channel": "channels"}


def phrase(alt: str, prefix: bool = False) -> str | None:
    """An FTS5 phrase for ``alt`` (``"상담"``, ``"counsel"*``), None when it has no index units."""
    return _quoted(index_text(alt), prefix)


def _quoted(units: str, prefix: bool) -> str | None:
    if not units:
        return None
    # A prefix of one or two letters ("women's" ends in "s") would match thousands of words.
    return f'"{units}"*' if prefix and len(units.rsplit(" ", 1)[-1]) >= 3 else f'"{units}"'


def _derived(r: sqlite3.Row, *, held: bool) -> Candidate:
    """A ``flat`` row with its names in the shapes the ordering compares; ``held`` (made once, for
    a row kept in memory) also its unit table and facet pairs, which a row read for one query
    does without (its text is scanned, its facets counted from the columns)."""
    row = dict(r)
    spaced, padded, compact = name_forms(row["names"])
    row.update(spaced=spaced, padded=padded, compact=compact)
    if held:
        units, fields = unit_tables(row["text"])
        row.update(units=units, fields=fields, facets=facet_pairs(row))
    return cast(Candidate, row)


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
    last: int = found[-1]["rowid"]
    return max(len(found), round(len(found) * reach / max(last - first, 1)))


class Candidates:
    """Reads candidates through ``read`` (the engine's locked cursor) from an index of ``size``
    resources, of which the first ``national`` row ids are nationwide.

    ``flat``: every ``flat`` row by row id, when the index is small enough to hold them (the
    directory today: under a megabyte). FTS5 then returns row ids only and the rows are copied
    from memory: reading each candidate's text through SQLite was a fifth of a search. Held
    whole from the start, so no query reads faster because another read the same rows before.
    """

    def __init__(
        self,
        read: Callable[[str, Sequence[Any]], list[sqlite3.Row]],
        size: int,
        national: int,
        flat: dict[int, Candidate] | None = None,
    ) -> None:
        self._read = read
        self._size = size
        self._national = national
        self._flat = flat
        #: The row id of each resource id, for the rows another source names.
        self._rowid_of = {row["id"]: rowid for rowid, row in flat.items()} if flat is not None else {}

    @staticmethod
    def read_all(read: Callable[[str, Sequence[Any]], list[sqlite3.Row]]) -> dict[int, Candidate]:
        """Every ``flat`` row with its text, the table of its units and its facet values, by row id
        (for ``flat``)."""
        return {r["rowid"]: _derived(r, held=True) for r in read(f"SELECT {_FLAT}, r.text FROM flat r", ())}

    def _row(self, r: sqlite3.Row, **extra: Any) -> Candidate:
        """A candidate from a row SQL read: the one held in memory when there is one (the same
        shapes whichever way it was found), with ``extra`` (a query's own values) on top."""
        held = self._flat.get(r["rowid"]) if self._flat is not None else None
        return cast(Candidate, {**(held if held is not None else _derived(r, held=False)), **extra})

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
            alts = [
                p
                for a, units in zip(term.alternatives, term.units(), strict=True)
                if (p := _quoted(units, term.prefix and a == term.surface))
            ]
            groups.append("(" + " OR ".join(alts) + ")" if alts else None)
        return groups

    def rows(self, plan: Plan, query: Query) -> Found:
        """The candidates of ``plan``'s terms with their flat columns, and how many resources match.

        Candidates come in row-id order, which the index lays out by static quality, and stop at
        the cap (``_cap``): a broad query on a large catalog ranks its best candidates instead of
        every match. An index of up to ``_RANK_ALL_UP_TO`` resources has nothing cut. They are
        scored by :meth:`score`, as every source's are.
        """
        cap = _cap(query, self._size)
        groups = self._groups(plan.terms)
        live = [g for g in groups if g]
        if not live:
            return Found([], 0, True)
        filters = self._fts_filters(query)
        size, national = self._size, self._national
        # (filters, first row id, row ids it can reach): a region's own services and nationwide
        # ones are asked for apart, or the nationwide ones (the first row ids) would fill the cap.
        scopes = [(filters, 0, size)]
        if plan.region:
            local = filter_token("region", plan.region)  # its own services, then nationwide ones
            scopes = [
                (filters + [f'{FILTER_COLUMN} : "{local}"'], national, size - national),
                (filters + [f'{FILTER_COLUMN} : "{filter_token("region", "KR")}"'], 0, national),
            ]
        rows: list[Candidate] = []
        seen: set[int] = set()

        flat = self._flat

        def fetch(parts: list[str], limit: int, every: bool) -> list[sqlite3.Row]:
            if flat is not None:
                sql = f"SELECT rowid FROM resources_fts WHERE resources_fts MATCH ? LIMIT {limit}"
            else:
                sql = f"""SELECT {_FLAT}, r.text FROM resources_fts JOIN flat r ON r.rowid = resources_fts.rowid
                          WHERE resources_fts MATCH ? LIMIT {limit}"""
            found = self._read(sql, [" AND ".join(parts)])
            for r in found:
                rowid = r["rowid"]
                if rowid not in seen:
                    seen.add(rowid)
                    rows.append(self._row(r, every=every))
            return found

        total, capped = 0, False
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
            total += _scaled(found, limit, first, reach)
            capped = capped or len(found) >= limit
        return Found(rows, total, not capped)

    def by_ids(self, ids: Sequence[str]) -> list[Candidate]:
        """The flat rows of resources another source found, in its order (unknown ids left out)."""
        if self._flat is not None:
            flat, rowid_of = self._flat, self._rowid_of
            return [
                cast(Candidate, {**flat[rowid], "every": False})
                for i in dict.fromkeys(ids)
                if (rowid := rowid_of.get(i)) is not None
            ]
        found: dict[str, Candidate] = {}
        for n in range(0, len(ids), 500):
            chunk = list(ids[n : n + 500])
            for r in self._read(
                f"""SELECT {_FLAT}, r.text FROM flat r
                    WHERE r.rowid IN (SELECT rowid FROM resources WHERE id IN ({",".join("?" * len(chunk))}))""",
                chunk,
            ):
                found[r["id"]] = self._row(r, every=False)
        return [found[i] for i in dict.fromkeys(ids) if i in found]

    def phone(self, plan: Plan, query: Query) -> Found:
        """The services with the typed number: its own main number first, then one it lists, then
        (when none has it whole) those with it at the start of one of a number's endings. Scored
        here (``score``: 100 for its own main number …), as a number is found in no text."""
        cap = _cap(query, self._size)
        where, args = self._filters(query, plan.region)
        digits = plan.phone
        found = self._read(
            f"""SELECT {_FLAT}, MAX(CASE WHEN p.digits = ? THEN 100.0 - 10 * MIN(p.position, 1) ELSE 50.0 END) AS score
                FROM phones p JOIN flat r ON r.rowid = p.rid
                WHERE p.digits >= ? AND p.digits < ? AND {where} GROUP BY r.rowid LIMIT {cap}""",
            [digits, digits, f"{digits}:", *args],  # a range on the index: ":" sorts after "9"
        )
        if not found:  # part of a number (8994, 735-8994): the start of one of its endings
            plan.terms = []
            found = self._read(
                f"""SELECT {_FLAT}, 1.0 AS score FROM phone_tails t JOIN flat r ON r.rowid = t.rid
                    WHERE t.tail >= ? AND t.tail < ? AND {where} GROUP BY r.rowid LIMIT {cap}""",
                [digits, f"{digits}:", *args],
            )
        rows = [self._row(r, score=r["score"], coverage=1.0) for r in found]
        return Found(rows, len(rows), True)

    def listing(self, query: Query, region: str | None) -> Found:
        """No words: a region's own services first, then nationwide ones, in static quality order.

        Past the candidate cap the total is estimated from how far into the index the candidates
        reach, as for a broad text query: an exact count would read every row of the region.
        """
        where, args = self._filters(query, None)
        cap = _cap(query, self._size)
        parts: list[sqlite3.Row] = []
        total, exact = 0, True
        if region:
            found = self._read(
                f"""SELECT {_FLAT} FROM resource_regions g JOIN flat r ON r.rowid = g.rid
                    WHERE g.region = ? AND r.national = 0 AND {where} ORDER BY g.rid LIMIT {cap}""",
                [region, *args],
            )
            parts += found
            total += len(found)
            if len(found) >= cap:
                ((read, every),) = self._read(
                    "SELECT count(*) FILTER (WHERE rid <= ?), count(*) FROM resource_regions WHERE region = ?",
                    [found[-1]["rowid"], region],
                )
                total, exact = max(total, round(total * every / max(read, 1))), False
            where = f"r.national = 1 AND {where}"
        found = self._read(f"SELECT {_FLAT} FROM flat r WHERE {where} ORDER BY r.rowid LIMIT {cap}", args)
        parts += found
        # Nationwide services hold the first row ids (the static order), so after a region's own
        # services the scope is row ids 1 … the number of nationwide ones.
        total += _scaled(found, cap, 0, self._national if region else self._size)
        exact = exact and len(found) < cap
        rows = [self._row(r, score=0.0, coverage=0.0) for r in parts]
        return Found(rows, total, exact)

    def score(self, rows: list[Candidate], plan: Plan, total: int) -> float:
        """Field-weighted score and query coverage for each candidate, from its analysed text; returns
        the coverage of a resource that answers every term.

        Rank first by how much of the query a resource answers (like Meilisearch's "words" rule):
        a sentence rarely has every word in one entry, and a fixed typo or a very common word
        counts for less than a word typed as meant. A term's document frequency is read off the
        candidates (exact whenever every match is a candidate), ``total`` of them matching.

        The ranked fields are read from ``flat.text``; the body is long and ranks lowest, so FTS5
        itself says which candidates have a term only there.
        """
        terms = [
            scored_term([u for u in t.units() if u], t.prefix, 0.5 if t.fuzzy else 1.0) for t in plan.terms
        ]
        fields = [best_fields(r["text"], terms, r.get("units")) for r in rows]
        for r, best in zip(rows, fields, strict=True):
            if r.get("every"):  # it has every term: those not in a ranked field are in the body
                best[:] = [b or FTS_WEIGHTS[-1] for b in best]
        if not all(r.get("every") for r in rows):
            groups = self._groups(plan.terms)
            for i, group in enumerate(groups):
                missing = [r["rowid"] for r, best in zip(rows, fields, strict=True) if not best[i]]
                if group is None or not missing:
                    continue
                # A row-id range FTS5 can use (a list of row ids it cannot): the matches between
                # the first and the last candidate lacking the term.
                inside = {
                    row[0]
                    for row in self._read(
                        "SELECT rowid FROM resources_fts WHERE resources_fts MATCH ? AND rowid BETWEEN ? AND ?",
                        [group, min(missing), max(missing)],
                    )
                }
                for r, best in zip(rows, fields, strict=True):
                    if not best[i] and r["rowid"] in inside:
                        best[i] = FTS_WEIGHTS[-1]
        found = [sum(b[i] > 0 for b in fields) for i in range(len(terms))]
        share = total / max(len(rows), 1)
        size = self._size
        idfs = [idf(size, round(n * share)) for n in found]
        weights = [
            t.weight * (0.5 if n * share > size / 2 else 1.0) for t, n in zip(terms, found, strict=True)
        ]
        for r, best in zip(rows, fields, strict=True):
            r["best"] = best
            r["score"] = sum(i * b for i, b in zip(idfs, best, strict=True))
            r["coverage"] = sum(w for w, b in zip(weights, best, strict=True) if b)
        return sum(weights)

    def advised(self, query: Query, region: str | None, ids: list[str], have: set[str]) -> list[Candidate]:
        """The flat rows of advised services a search did not find, within the query's filters."""
        missing = [i for i in dict.fromkeys(ids) if i not in have]
        if not missing:
            return []
        where, args = self._filters(query, region)
        found = self._read(
            f"""SELECT {_FLAT}, r.text FROM flat r
                WHERE r.rowid IN (SELECT rowid FROM resources WHERE id IN ({",".join("?" * len(missing))}))
                AND {where}""",
            [*missing, *args],
        )
        return [self._row(r, every=False) for r in found]

    def local(
        self,
        query: Query,
        region: str,
        kinds: Sequence[str],
        topics: Sequence[str],
        have: set[str],
        districts: Sequence[str] = (),
        limit: int = _CANDIDATES,
    ) -> list[Candidate]:
        """A region's callable services of ``kinds`` or ``topics`` that the search did not find: a
        person who names her place is asking for somewhere near her, whatever words its text uses.
        ``districts``: only those in these 시·군·구 (nearest first) or serving the whole region."""
        if not kinds and not topics:
            return []
        where, args = self._filters(query, region)
        if districts:
            where += f" AND (r.district = '' OR r.district IN ({','.join('?' * len(districts))}))"
            args += list(districts)
        serves = " OR ".join(
            ["r.kind IN (" + ",".join("?" * len(kinds)) + ")"] + ["r.topics LIKE ?"] * len(topics)
        )
        found = self._read(
            f"""SELECT {_FLAT}, r.text FROM resource_regions g JOIN flat r ON r.rowid = g.rid
                WHERE g.region = ? AND r.national = 0 AND r.has_phone = 1
                AND ({serves}) AND {where} ORDER BY g.rid LIMIT {limit}""",
            [region, *kinds, *(f"%|{t}|%" for t in topics), *args],
        )
        return [self._row(r, every=False) for r in found if r["id"] not in have]
