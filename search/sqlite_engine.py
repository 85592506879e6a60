"""Query → Results on the embedded SQLite index (the default engine: nothing else to run).

The query is understood once (search/understand.py); its candidates are read from the index
(search/sqlite_candidates.py), put in the one order both engines share (search/scoring.py) and
explained (search/why.py). Every term goes through the same analysis as the documents
(search/analyze.py), so index and query never diverge. When no resource has every term, or none
has any, the results say so.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import re
import sqlite3
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import msgspec

from search.analyze import clip_units, index_text, normalize
from search.analyze import words as runs_words
from search.engine import EngineError
from search.facets import count_facets
from search.hangul import strip_josa
from search.hours import SEOUL, open_state
from search.index_schema import (
    COLUMN_BREAK,
    FTS_WEIGHTS,
    SCHEMA_VERSION,
)
from search.language import identify
from search.lexicon import load_lexicon
from search.model import Hit, Hours, Query, Region, Resource, Results, TaxonomyTerm, Text
from search.morph import content_words
from search.nearby import Centre, Nearby, centres, locality
from search.needs import Bands, NeedRules, Needs, detect, other_language
from search.places import place_words
from search.scoring import Order
from search.snapshot import SnapshotError, open_snapshot
from search.sqlite_candidates import Candidates, phrase
from search.understand import MAX_TERMS, Plan, plan_query
from search.why import why

__all__ = ("SqliteEngine",)

#: How the FTS columns are named to a user when explaining a match.
_MATCHED_FIELDS = ("name", "name", "topics", "summary", "details")
#: A directory of at most this many records is decoded whole when the engine opens (a few MB).
_DECODED_AT_OPEN = 2048


class SqliteEngine:
    """Searches one read-only index file.

    Args:
        path: The index file.
        private: Read a private copy of the file (:mod:`search.snapshot`), so that the file
            rewritten in place cannot change what this engine reads: for a server. A command that
            answers once and exits reads the file itself.

    Raises:
        EngineError: no file, not an index, an index of another version, or one that does not
            answer a search for an entry it holds (:meth:`check`).
    """

    name = "sqlite"
    #: The SHA-256 of the index file's bytes as read (empty when not ``private``).
    file_hash: str = ""
    url: str | None = None  # a local file: nothing to name in the log

    def __init__(self, path: Path | str, *, private: bool = False) -> None:
        path = Path(path)
        if not path.is_file():
            raise EngineError(f"no index at {path}: run `haven build` first")
        try:
            if private:
                self._conn, self.file_hash = open_snapshot(path)
            else:
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
        except SnapshotError as exc:
            raise EngineError(str(exc)) from None
        except (sqlite3.DatabaseError, KeyError, ValueError, msgspec.ValidationError) as exc:
            with contextlib.suppress(AttributeError):
                self._conn.close()
            raise EngineError(f"{path} is not a readable Haven index ({exc})") from None
        self._platforms = {
            t.key: [normalize(a) for a in [t.key, t.label.ko, t.label.en, *t.aliases]]
            for t in self._taxonomy.get("platform", [])
        }
        self._lock = threading.Lock()
        self._decoder = msgspec.json.Decoder(Resource)
        self._hours = msgspec.json.Decoder(Hours)
        #: The centre of a 시·군·구, for ordering services by distance (None: by district names).
        self.centre: Centre | None = centres(meta["centres"]) if meta.get("centres") else None
        try:
            self._decoded = self._decode_all()
            self.check()
        except (sqlite3.DatabaseError, msgspec.DecodeError, msgspec.ValidationError) as exc:
            self._conn.close()
            raise EngineError(f"{path} is not a readable Haven index ({exc})") from None
        except EngineError as exc:
            self._conn.close()
            raise EngineError(f"{path} is not a usable Haven index: {exc}") from None

    def check(self) -> int:
        """Prove that the index answers: every entry is there, and a real search for the first
        one's name finds it. Returns how many entries the index holds.

        Raises:
            EngineError: it does not (a damaged file), saying what failed in a few words.
        """
        try:
            count = int(self._query("SELECT count(*) FROM resources")[0][0])
            expected = int(self.meta.get("resources", count))
            if count != expected:
                raise EngineError(f"it holds {count} of its {expected} entries")
            first = self.resources(limit=1)
            if first:
                # Every word matched in the text, not a loosened answer nor the lines for anything.
                found = self.search(Query(q=first[0].name.ko, limit=1))
                if not found.results or found.relaxed is not None or not found.results[0].matched:
                    raise EngineError("a search for an entry it holds finds nothing")
        except EngineError:
            raise
        except Exception as exc:  # a damaged page shows as any of sqlite3's, msgspec's, json's errors
            raise EngineError(
                f"a search fails ({type(exc).__name__}: {' '.join(str(exc).split())})"
            ) from None
        return count

    # -- reading ---------------------------------------------------------------------------

    def _query(self, sql: str, args: Sequence[Any] = ()) -> list[sqlite3.Row]:
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

    @property
    def need_words(self) -> set[str]:
        """The words of every need (상담, 신고 …), and those that say the person is a victim."""
        return self._need_words

    # -- understanding ---------------------------------------------------------------------

    def exists(self, form: str) -> bool:
        """Whether any document matches ``form`` (``form*`` as a prefix).

        Asked of the index every time: nothing is remembered, so no word answers faster because
        someone else typed it before.
        """
        prefix = form.endswith("*")
        expr = phrase(form.rstrip("*"), prefix)
        return bool(expr) and bool(
            self._query("SELECT 1 FROM resources_fts WHERE resources_fts MATCH ? LIMIT 1", (expr,))
        )

    def plan(self, query: Query) -> Plan:
        return plan_query(
            query.q, self.lexicon, self.exists, region=query.region if query.region != "KR" else None
        )

    # -- searching -------------------------------------------------------------------------

    def _count(self) -> int:
        if not hasattr(self, "_total"):
            self._total = int(self.meta.get("resources", 0)) or 1
        return self._total

    @functools.cached_property
    def _candidates(self) -> Candidates:
        return Candidates(self._query, self._count(), self._national)

    def search(self, query: Query) -> Results:
        plan = self.plan(query)
        # Words were typed but none is known, even loosely ("무서워요", "help me please"): say so, and
        # list the lines that help with anything rather than leave a frightened person with nothing.
        unmatched = plan.had_text and not plan.terms and not plan.phone and bool(plan.dropped)
        language = identify(normalize(query.q[:2000]), self.read_words(plan))
        foreign = other_language(query.q[:2000]) or language not in (None, "en")
        if foreign and not plan.had_text:
            # Vietnamese, Chinese, Russian …: the lines that speak it are listed (see needs).
            plan.had_text = True
        if not plan.had_text and query.q.strip() and not plan.region:
            return Results(query=query.q, total=0, results=[], facets=count_facets([]), region=plan.region,
                           reason="nothing-searchable", engine=self.name)  # fmt: skip
        rows, total, exact, relaxed = self._candidates.rows(plan, query)
        if not rows and plan.had_text and not plan.phone:
            # Nothing matched the words: still never leave a person with an empty page.
            unmatched = True
            plan.terms = []
            rows, total, exact, relaxed = self._candidates.listing(query, plan.region)
        needs = self.detect(query.q, plan, query.need, language)
        bands = self.bands(plan, needs)
        order = Order(
            plan, bands, rows, synonyms=self.lexicon.synonyms, need_words=self.need_words, known=self.exists
        )
        if not plan.phone and (bands.advised or plan.region):
            # The lines that serve the need answer first even when their text has none of the words
            # typed (112 for "someone threatens to post my pics"), and so do the services of the
            # kind she needs in the place she named.
            have = {r["id"] for r in rows}
            added = self._candidates.advised(query, plan.region, bands.advised, have)
            if plan.region:
                have |= {r["id"] for r in added}
                near = bands.nearby.around() if bands.nearby else []
                added += self._candidates.local(
                    query, plan.region, sorted(bands.kinds), sorted(bands.topics), have, near
                )
            order.add(added)
            rows += added
            total += len(added)
        rows.sort(key=order.key)
        if query.open_now:
            rows = self._open_now(rows)
        hits = self._hits(rows[query.offset : query.offset + query.limit], plan, bands)
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
            understood=self.understood(plan, needs, foreign),
            danger=needs.rung,
            locality=locality(rows, bands),
        )

    def bands(self, plan: Plan, needs: Needs) -> Bands:
        """Where each result of this query belongs (search/needs.py), for either engine."""
        town = place_words(plan.place) if plan.place else ()
        nearby = Nearby(plan.place, self.centre) if plan.place else None
        return Bands.of(self.needs, needs, plan.region, town, nearby)

    @staticmethod
    def read_words(plan: Plan) -> set[str]:
        """The Latin words the plan read (search/language.py): English ones as typed, and those that
        were Korean typed another way (keyboard mode, romanisation) marked ``~``."""
        out = {f"~{typed}" for typed, fixed in plan.corrections if not fixed.isascii()}
        for t in plan.terms:
            if t.surface.isascii():
                korean = all(not a.isascii() for a in t.alternatives)
                out.add(f"~{t.surface}" if korean else t.surface)
                out.update(t.surface.split())
        return out

    @staticmethod
    def understood(plan: Plan, needs: Needs, foreign: bool) -> dict[str, object]:
        """What the query was understood as (``Results.understood``), for either engine."""
        return {**plan.understood(), "needs": needs.found, "other_language": foreign,
                "language": needs.language, "danger": needs.rung}  # fmt: skip

    def _open_now(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The rows open at this moment. Many services share their hours: each distinct timetable
        is evaluated once."""
        now = dt.datetime.now(SEOUL)
        opened: dict[str | None, bool] = {}
        for hours in {r["hours"] for r in rows}:
            opened[hours] = bool(hours) and open_state(self._hours.decode(hours), now).open
        return [r for r in rows if opened[r["hours"]]]

    def _hits(self, page: list[dict[str, Any]], plan: Plan, bands: Bands) -> list[Hit]:
        """The page's rows as hits: the record, which fields matched, open now, and why."""
        records = self._records([r["id"] for r in page])
        units = [u for t in plan.terms for a in t.alternatives if (u := index_text(a))]
        # Any unit at the start of a word: one pattern for every hit.
        unit_pattern = (
            re.compile("|".join(" " + re.escape(u) for u in dict.fromkeys(units))) if units else None
        )
        return [
            Hit(
                resource=records[r["id"]],
                score=round(float(r["score"]), 4),
                matched=self._matched(r, plan, unit_pattern),
                open_now=open_state(records[r["id"]].hours),
                why=self.why(r, bands),
            )
            for r in page
        ]

    def detect(self, q: str, plan: Plan, need: str | None = None, language: str | None = None) -> Needs:
        """The needs the query expresses (data/needs.yaml), from its text and analysed terms,
        ``need`` when a button chose one and the ``language`` it is written in (search/language.py)."""
        text = clip_units(normalize(q)[:2000])
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
        return detect(self.needs, text, forms, self._platforms, asked=need, language=language)

    def why(self, row: Mapping[str, Any], bands: Bands) -> Text | None:
        """A few words on why a result is here (search/why.py), for any engine's row."""
        return why(row, bands, self._regions, self._taxonomy.get("platform", []))

    def _decode_all(self) -> dict[str, Resource] | None:
        """Every record decoded, when the directory is small enough (decoding is a large share of a
        search); else None. All or nothing: a record someone opened is not faster to open again."""
        if int(self._conn.execute("SELECT count(*) FROM resources").fetchone()[0]) > _DECODED_AT_OPEN:
            return None
        return {
            row[0]: self._decoder.decode(row[1])
            for row in self._conn.execute("SELECT id, CAST(record AS BLOB) FROM resources")
        }

    def _records(self, ids: list[str]) -> dict[str, Resource]:
        """Decoded records by id: from those decoded at open, or from the index every time."""
        if self._decoded is not None:
            return {i: r for i in ids if (r := self._decoded.get(i)) is not None}
        out: dict[str, Resource] = {}
        for n in range(0, len(ids), 500):
            chunk = ids[n : n + 500]
            for row in self._query(
                # As bytes: msgspec decodes UTF-8 bytes faster than a str.
                f"SELECT id, CAST(record AS BLOB) FROM resources WHERE id IN ({','.join('?' * len(chunk))})",
                chunk,
            ):
                out[row[0]] = self._decoder.decode(row[1])
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
