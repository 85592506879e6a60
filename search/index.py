"""Catalog → SQLite index file, written atomically.

The index is a build artefact: every table can be rebuilt from data/ in well under a second. It
is written to a temporary file beside the target and renamed over it only when complete, so a
failed build never leaves a half-written index and a running server never reads one.

Tables: ``resources`` (the full record as JSON), ``flat`` (narrow columns for filters, ranking
and facets, and the analysed text), ``resources_fts`` (contentless FTS5 over the analysed text),
``resource_regions``, ``phones`` and ``phone_tails`` (every ending of every number, for partial
numbers), ``links``, ``lexicon`` (every word the index knows, for typo, initial-consonant and
romanised matching), ``regions``, ``taxonomy``, ``synonyms`` and ``meta``.

Rows are analysed and written in batches, by worker processes for a large catalog, so a build's
memory is the catalog's plus a few batches, whatever the catalog's size.
"""

from __future__ import annotations

import collections
import concurrent.futures
import datetime as dt
import functools
import json
import multiprocessing
import os
import re
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import msgspec

from search.analyze import normalize, normalized_units
from search.atomic import replacing
from search.catalog import Catalog
from search.documents import (
    SearchText,
    TermIndex,
    channels_of,
    names_key,
    phone_numbers,
    search_text,
    term_index,
)
from search.hangul import choseong, jamo, romanisations, strip_josa
from search.hours import SEOUL
from search.index_schema import (
    COLUMN_BREAK,
    FILTER_COLUMN,
    FLAT_COLUMNS,
    FTS_COLUMNS,
    INDEXES,
    SCHEMA_VERSION,
    TABLES,
    filter_token,
)
from search.kinds import KindTable
from search.model import CONFIDENCE_ORDER, Resource

if TYPE_CHECKING:
    import sqlite_utils

__all__ = ("BuildError", "build_index")


def filter_tokens(r: Resource) -> str:
    """Every filter token of a resource."""
    pairs = [("kind", r.kind), ("cost", r.cost), *(("region", c) for c in r.regions),
             *(("topic", t) for t in r.topics), *(("audience", a) for a in r.audiences),
             *(("language", x) for x in r.languages), *(("channel", c) for c in channels_of(r))]  # fmt: skip
    return " ".join(filter_token(f, v) for f, v in pairs)


class BuildError(Exception):
    """The index could not be written."""


def _columns(text: SearchText) -> dict[str, list[str]]:
    """The raw text of each FTS column, before analysis, in parts that are analysed apart (as if
    joined by " | ": nothing is bigrammed across two parts)."""
    return {
        "fts_name": [f"{text.name.ko} {text.name.en}"],
        "fts_aliases": text.aliases,
        "fts_tags": [" | ".join(text.tag_words())],
        "fts_summary": [f"{text.summary.ko} {text.summary.en}"],
        "fts_body": [*(x.ko + " " + x.en for x in text.body), *(n + " " + d for n, d in text.numbers)],
    }


#: Resources analysed per batch; a build holds only a few batches' rows in memory at once.
_BATCH = 2000
#: Catalogs at least this large are analysed in worker processes while the main one writes.
_PARALLEL_FROM = 20_000
_WORDS = re.compile(r"[가-힣]+|[a-z]{2,}")


def _pipes(values: Iterable[str]) -> str:
    # Pipe-delimited lists ("|a|b|") filter with a plain LIKE and count facets without JSON.
    return "|" + "|".join(values) + "|"


@functools.lru_cache(maxsize=32_768)
def _analysed(text: str) -> tuple[str, frozenset[str]]:
    """A field's index units, and the words it adds to the lexicon (with particles stripped).

    Cached: labels, organisations and how-to text repeat across many entries of a directory.
    """
    norm = normalize(text)
    found = set(_WORDS.findall(norm))
    found |= {strip_josa(w) for w in found if "가" <= w[0] <= "힣"}
    return normalized_units(norm), frozenset(found)


class _Batch(NamedTuple):
    """The table rows of some resources, and what their words add to the lexicon."""

    resources: list[tuple[object, ...]]
    flat: list[tuple[object, ...]]
    fts: list[tuple[object, ...]]
    regions: list[tuple[str, int]]
    phones: list[tuple[object, ...]]
    tails: list[tuple[str, int]]
    links: list[tuple[object, ...]]
    df: Counter[str]
    named: set[str]


def _batch(first_rowid: int, items: list[tuple[int, Resource]], terms: TermIndex) -> _Batch:
    """Analyse ``items`` (catalog position, resource), which get row ids from ``first_rowid`` on."""
    out = _Batch([], [], [], [], [], [], [], Counter(), set())
    for rowid, (position, r) in enumerate(items, start=first_rowid):
        seen: set[str] = set()
        columns = []
        for col, parts in _columns(search_text(r, terms)).items():
            analysed = [_analysed(part) for part in parts]
            columns.append(" ".join(units for units, _ in analysed if units))
            found = frozenset().union(*(words for _, words in analysed))
            seen |= found
            if col in ("fts_name", "fts_aliases", "fts_tags"):
                out.named.update(found)
        out.df.update(seen)
        digits = phone_numbers(r)
        out.resources.append(
            (rowid, r.id, position, r.kind, r.name.ko, r.name.en, msgspec.json.encode(r).decode())
        )
        out.flat.append((
            rowid, r.id, r.kind, r.cost, _pipes(r.regions), _pipes(r.topics), _pipes(r.audiences),
            _pipes(r.languages), _pipes(channels_of(r)), int("KR" in r.regions), CONFIDENCE_ORDER[r.confidence],
            names_key(r), _pipes(digits),
            int(bool(r.hours and r.hours.always)), int(bool(r.phones or r.links)), r.platform or "",
            int(any(p.type != "sms" for p in r.phones)), r.district or "",
            msgspec.json.encode(r.hours).decode() if r.hours else None,
            # Padded so that a word at either end still has a space around it.
            f" {f' {COLUMN_BREAK} '.join(columns[:-1])} ",
        ))  # fmt: skip
        out.fts.append((rowid, *columns, filter_tokens(r)))
        out.regions.extend((code, rowid) for code in dict.fromkeys(r.regions))
        for j, (p, d) in enumerate(zip(r.phones, digits, strict=True)):
            out.phones.append((rowid, j, p.number, d, p.type))
            # Every ending of three digits or more: a part of a number (8994, 735-8994) is the start
            # of one of them, so it is found through the index instead of by reading every row.
            out.tails.extend((d[k:], rowid) for k in range(1, len(d) - 2))
        out.links.extend((rowid, link.type, link.url) for link in r.links)
    out.tails[:] = list(dict.fromkeys(out.tails))
    return out


def _batch_packed(first_rowid: int, packed: bytes, terms: TermIndex) -> _Batch:
    # A worker process receives its resources encoded: a forked worker that read the parent's
    # objects would copy the pages they live on and hold a second catalog in memory.
    positions, resources = msgspec.msgpack.decode(packed, type=tuple[list[int], list[Resource]])
    return _batch(first_rowid, list(zip(positions, resources, strict=True)), terms)


def _static_order(resources: list[Resource], kinds: KindTable) -> list[int]:
    """Row ids follow a static quality order (nationwide first, then services that act in Korea in
    Korean, lines that answer at once, confidence), so that FTS5, which returns matches in row-id
    order, hands the engine the most useful candidates first and a broad query can stop early."""
    return sorted(
        range(len(resources)),
        key=lambda i: (
            "KR" not in resources[i].regions,
            "ko" not in resources[i].languages,
            kinds.rank(resources[i].kind),
            CONFIDENCE_ORDER[resources[i].confidence],
            i,
        ),
    )


def _batches(catalog: Catalog, terms: TermIndex) -> Iterator[_Batch]:
    """The catalog's rows in static order, one batch at a time; large catalogs are analysed by
    worker processes (pure Python analysis is the slowest part of a build) while the caller writes."""
    order = _static_order(catalog.resources, catalog.kinds)
    spans = [(start, order[start : start + _BATCH]) for start in range(0, len(order), _BATCH)]
    workers = min(os.cpu_count() or 1, 8)
    if len(order) < _PARALLEL_FROM or workers < 2:
        for start, idx in spans:
            yield _batch(start + 1, [(i, catalog.resources[i]) for i in idx], terms)
        return
    encoder = msgspec.msgpack.Encoder()
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(workers, mp_context=context) as pool:
        pending: collections.deque[concurrent.futures.Future[_Batch]] = collections.deque()
        for start, idx in spans:
            packed = encoder.encode((idx, [catalog.resources[i] for i in idx]))
            pending.append(pool.submit(_batch_packed, start + 1, packed, terms))
            # A bounded window: finished batches wait in memory only until they are written.
            if len(pending) > 4 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _lexicon(df: Counter[str], named: set[str]) -> Iterable[dict[str, object]]:
    """Every word the index knows, with the forms used to find it from a mistyped query."""
    for w, n in df.items():
        hangul = "가" <= w[0] <= "힣"
        yield {
            "word": w,
            "script": "hangul" if hangul else "latin",
            "df": n,
            "named": int(w in named),
            "jamo": jamo(w) if hangul else None,
            "cho": choseong(w) if hangul else None,
            "rom": " ".join(romanisations(w)) if hangul and w in named else None,
        }


_PLACE_COLUMNS = {"alias": str, "region": str, "name": str, "district": str, "preferred": int}


def _place_rows(catalog: Catalog, df: Counter[str]) -> Iterator[dict[str, object]]:
    """The gazetteer's rows, less the town names that are also words of the directory (a 읍·면·동
    called like an everyday word) and the two-syllable town names several regions share: a
    person typing 중동 or 서면 rarely means one of a dozen towns. The towns of data/places.yaml
    (일산, 동탄) stay whatever the entries say: they are there because people name them."""
    regions: dict[str, set[str]] = {}
    for p in catalog.places:
        regions.setdefault(p.alias, set()).add(p.region)
    for p in catalog.places:
        if (
            p.district
            and not p.curated
            and (p.alias in df or (len(p.alias) <= 2 and len(regions[p.alias]) > 1))
        ):
            continue  # (service words have no region and no district: they are kept)
        yield {"alias": p.alias, "region": p.region, "name": p.name, "district": p.district,
               "preferred": int(p.preferred)}  # fmt: skip


def _write(db: sqlite_utils.Database, catalog: Catalog, progress: Callable[[int], None]) -> None:
    terms = term_index(catalog.taxonomy)
    conn = db.conn
    conn.executescript(TABLES)
    # No merging while rows arrive, and large in-memory segments: one 'optimize' at the end merges
    # a few segments once, which costs less than merging as the index grows (BENCHMARKS.md).
    conn.execute("INSERT INTO resources_fts (resources_fts, rank) VALUES ('automerge', 0)")
    conn.execute("INSERT INTO resources_fts (resources_fts, rank) VALUES ('hashsize', ?)", [64 << 20])
    conn.execute("PRAGMA cache_size = -100000")  # KiB: the B-trees being written stay in memory
    df: Counter[str] = Counter()
    named: set[str] = set()
    inserts = {
        table: f"INSERT INTO {table} VALUES ({', '.join('?' * width)})"
        for table, width in (("resources", 7), ("flat", len(FLAT_COLUMNS) + 3), ("resource_regions", 2),
                             ("phones", 5), ("phone_tails", 2), ("links", 3))
    }  # fmt: skip
    columns = ", ".join([*FTS_COLUMNS, FILTER_COLUMN])
    fts_insert = (
        f"INSERT INTO resources_fts (rowid, {columns}) VALUES ({', '.join('?' * (len(FTS_COLUMNS) + 2))})"
    )
    for batch in _batches(catalog, terms):
        for table, rows in (("resources", batch.resources), ("flat", batch.flat), ("resource_regions", batch.regions),
                            ("phones", batch.phones), ("phone_tails", batch.tails), ("links", batch.links)):  # fmt: skip
            conn.executemany(inserts[table], rows)
        conn.executemany(fts_insert, batch.fts)
        df.update(batch.df)
        named |= batch.named
        progress(len(batch.resources))
    conn.executescript(INDEXES)
    # One segment per term: fewer doclists to merge on every query (measured in BENCHMARKS.md).
    conn.execute("INSERT INTO resources_fts (resources_fts) VALUES ('optimize')")
    db.table("lexicon").insert_all(
        _lexicon(df, named),
        columns={"word": str, "script": str, "df": int, "named": int, "jamo": str, "cho": str, "rom": str},
        batch_size=5000,
    )
    db.table("regions").insert_all(
        (
            {
                "code": g.code,
                "name_ko": g.name.ko,
                "name_en": g.name.en,
                "area_code": g.area_code,
                "aliases": g.aliases,
            }
            for g in catalog.regions
        ),
        pk="code",
    )
    db.table("taxonomy").insert_all(
        (
            {"grp": grp, "key": t.key, "label_ko": t.label.ko, "label_en": t.label.en, "aliases": t.aliases}
            for grp, terms in (
                ("kind", catalog.taxonomy.kinds),
                ("topic", catalog.taxonomy.topics),
                ("platform", catalog.taxonomy.platforms),
                ("audience", catalog.taxonomy.audiences),
            )
            for t in terms
        ),
    )
    db.table("places").insert_all(_place_rows(catalog, df), columns=_PLACE_COLUMNS, batch_size=5000)
    db.table("synonyms").insert_all(
        ({"grp": i, "term": normalize(term)} for i, g in enumerate(catalog.synonyms) for term in g.terms),
    )
    meta = {
        "schema_version": SCHEMA_VERSION,
        "data_hash": catalog.data_hash,
        "built_at": dt.datetime.now(SEOUL).isoformat(timespec="seconds"),
        "resources": len(catalog.resources),
        "national": sum("KR" in r.regions for r in catalog.resources),
        "regions": len(catalog.regions),
        "phones": sum(len(r.phones) for r in catalog.resources),
        "needs": msgspec.to_builtins(catalog.needs),
        "kinds": catalog.kinds.to_builtins(),
        "centres": catalog.centres,
    }
    db.table("meta").insert_all(({"key": k, "value": json.dumps(v)} for k, v in meta.items()), pk="key")


def build_index(catalog: Catalog, out: Path | str, progress: Callable[[int], None] | None = None) -> Path:
    """Write ``catalog`` to a fresh SQLite file and atomically rename it to ``out``.

    Raises:
        BuildError: the file cannot be written (the old index, if any, is untouched).
    """
    out = Path(out)
    # Imported here: the server imports this module for reloads, and sqlite-utils only for them.
    import sqlite_utils

    try:
        with replacing([out], mode=None, fsync=True) as (tmp,):
            try:
                db = sqlite_utils.Database(tmp)
                try:
                    # Larger pages: fewer B-tree pages to write and walk for rows of a few KB
                    # (measured in BENCHMARKS.md).
                    db.execute("PRAGMA page_size = 16384")
                    db.execute("PRAGMA journal_mode = OFF")
                    db.execute("PRAGMA synchronous = OFF")
                    with db.conn:
                        _write(db, catalog, progress or (lambda n: None))
                    db.execute("PRAGMA optimize")
                finally:
                    db.close()
            except (OSError, sqlite3.Error) as exc:
                raise BuildError(f"cannot write the index {out}: {exc}") from exc
    except OSError as exc:  # the folder, the temporary file or the rename
        raise BuildError(f"cannot write to {out.parent}: {exc.strerror or exc}") from exc
    return out
