"""The embedded SQLite index: what the service reads, and the default source of candidates.

:class:`SqliteIndex` opens one index file (search/index.py builds it) and answers everything a
search reads locally, whichever source finds the candidates: the lexicon and the needs that
understand a query, the candidate rows (search/sqlite_candidates.py), the records. Its FTS5 is
also a candidate source. :class:`SqliteEngine` is the search over it alone (search/pipeline.py).
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import msgspec

from search.analyze import index_text, normalize
from search.engine import EngineError, Found
from search.index_schema import SCHEMA_VERSION
from search.kinds import KindTable
from search.lexicon import load_lexicon
from search.model import Hours, Query, Region, Resource, Results, TaxonomyTerm, Text
from search.nearby import Centre, centres
from search.needs import NeedRules
from search.pipeline import Pipeline
from search.snapshot import SnapshotError, open_snapshot
from search.sqlite_candidates import Candidates, phrase
from search.understand import Plan

__all__ = ("SqliteEngine", "SqliteIndex")

#: A directory of at most this many records is decoded whole when the engine opens (a few MB).
_DECODED_AT_OPEN = 2048


class SqliteIndex:
    """One read-only index file.

    Args:
        path: The index file.
        private: Read a private copy of the file (:mod:`search.snapshot`), so that the file
            rewritten in place cannot change what this engine reads: for a server. A command that
            answers once and exits reads the file itself.

    Raises:
        EngineError: no file, not an index, an index of another version, or one that cannot be read.
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
            #: Each kind's place in the tie order, weight, and whether a person answers.
            self.kinds = KindTable.from_builtins(meta["kinds"])
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
        #: Each platform's key and names, normalised, for the needs (search/needs.py).
        self.platform_terms = self._taxonomy.get("platform", [])
        self.platforms = {
            t.key: [normalize(a) for a in [t.key, t.label.ko, t.label.en, *t.aliases]]
            for t in self.platform_terms
        }
        self._lock = threading.Lock()
        self._decoder = msgspec.json.Decoder(Resource)
        self._hours = msgspec.json.Decoder(Hours)
        #: The centre of a 시·군·구, for ordering services by distance (None: by district names).
        self.centre: Centre | None = centres(meta["centres"]) if meta.get("centres") else None
        try:
            self._decoded = self._decode_all()
            #: The Hangul units the index holds, when it is small (search/analyze.py: units are
            #: bigrams), so that :meth:`exists` answers most forms without a query.
            self._hangul_units = self._read_hangul_units() if self._decoded is not None else None
        except (sqlite3.DatabaseError, msgspec.DecodeError, msgspec.ValidationError) as exc:
            self._conn.close()
            raise EngineError(f"{path} is not a readable Haven index ({exc})") from None
        #: Where the index's rows are read for a query: words, numbers, listings, advised lines.
        flat = Candidates.read_all(self._query) if self._decoded is not None else None
        self.reads = Candidates(self._query, self._count(), self._national, flat)

    def check(self, search: Callable[[Query], Results]) -> int:
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
                found = search(Query(q=first[0].name.ko, limit=1))
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
        return self.records([resource_id]).get(resource_id)

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
        units = index_text(form.rstrip("*"))
        known = self._hangul_units
        if known is not None and units and not any(u.isascii() for u in units.split()):
            # Hangul units only (a phrase of them is never a prefix query: see ``phrase``): one
            # the index lacks, and the form matches nothing; one unit it has, and it matches.
            parts = units.split()
            if not all(u in known for u in parts):
                return False
            if len(parts) == 1:
                return True
        return self._exists_in_fts(form)

    def _exists_in_fts(self, form: str) -> bool:
        """:meth:`exists`, asked of FTS5 itself (a phrase of units, a Latin word and its stem)."""
        expr = phrase(form.rstrip("*"), form.endswith("*"))
        return bool(expr) and bool(
            self._query("SELECT 1 FROM resources_fts WHERE resources_fts MATCH ? LIMIT 1", (expr,))
        )

    def _read_hangul_units(self) -> frozenset[str]:
        # fts5vocab reads the terms of FTS5's own index (a contentless table has them too); the
        # table is made in the connection's temp schema, so a read-only file stays untouched.
        self._conn.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.fts_terms USING fts5vocab(main, resources_fts, row)"
        )
        return frozenset(
            t for (t,) in self._conn.execute("SELECT term FROM temp.fts_terms") if not t.isascii()
        )

    # -- a candidate source ----------------------------------------------------------------

    def candidates(self, plan: Plan, query: Query) -> Found:
        """The resources whose text has ``plan``'s terms (FTS5), within the query's filters."""
        return self.reads.rows(plan, query)

    def hours(self, text: str) -> Hours:
        """A row's hours (JSON) decoded."""
        return self._hours.decode(text)

    def _count(self) -> int:
        if not hasattr(self, "_total"):
            self._total = int(self.meta.get("resources", 0)) or 1
        return self._total

    def _decode_all(self) -> dict[str, Resource] | None:
        """Every record decoded, when the directory is small enough (decoding is a large share of a
        search); else None. All or nothing: a record someone opened is not faster to open again."""
        if int(self._conn.execute("SELECT count(*) FROM resources").fetchone()[0]) > _DECODED_AT_OPEN:
            return None
        return {
            row[0]: self._decoder.decode(row[1])
            for row in self._conn.execute("SELECT id, CAST(record AS BLOB) FROM resources")
        }

    def records(self, ids: list[str]) -> dict[str, Resource]:
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


class SqliteEngine(Pipeline):
    """The default search: the index file alone, its FTS5 the candidate source.

    Raises:
        EngineError: as :class:`SqliteIndex`, or an index that does not answer a search for an
            entry it holds (:meth:`Pipeline.check`).
    """

    def __init__(self, path: Path | str, *, private: bool = False) -> None:
        index = SqliteIndex(path, private=private)
        super().__init__(index)
        try:
            self.check()
        except EngineError as exc:
            index.close()
            raise EngineError(f"{path} is not a usable Haven index: {exc}") from None
