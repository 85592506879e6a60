"""Catalog → SQLite index file, written atomically.

The index is a build artefact: every table can be rebuilt from data/ in well under a second. It
is written to a temporary file beside the target and renamed over it only when complete, so a
failed build never leaves a half-written index and a running server never reads one.

Tables: ``resources`` (full record as JSON plus flat columns for filters and the analysed text
columns), ``resources_fts`` (FTS5 over those columns, external content), ``phones``, ``links``,
``resource_regions``, ``lexicon`` (every word the index knows, for typo, initial-consonant and
romanised matching), ``regions``, ``taxonomy``, ``synonyms`` and ``meta``.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import datetime as dt
import json
import os
import re
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import NamedTuple

import msgspec
import sqlite_utils

from search.analyze import index_text, normalize, phone_digits
from search.catalog import SEOUL, Catalog
from search.engine import KIND_PRIORITY
from search.hangul import choseong, jamo, romanisations, strip_josa
from search.model import CONFIDENCE_ORDER, Resource, Taxonomy

__all__ = ("SCHEMA_VERSION", "FTS_COLUMNS", "FTS_WEIGHTS", "BuildError", "build_index", "channels_of")

SCHEMA_VERSION = 2
#: Analysed text columns, in ranking order; FTS_WEIGHTS gives bm25 its column weights.
FTS_COLUMNS = ("fts_name", "fts_aliases", "fts_tags", "fts_summary", "fts_body")
FTS_WEIGHTS = (6.0, 4.0, 4.0, 2.0, 1.0)
TOKENIZER = "porter unicode61 remove_diacritics 2"
#: The narrow per-resource columns the engine filters and ranks on (table ``flat``).
FLAT_COLUMNS = (
    "id", "kind", "cost", "regions", "topics", "audiences", "languages", "channels", "national",
    "confidence_rank", "names", "phone_digits", "always_open", "reachable",
)  # fmt: skip


class BuildError(Exception):
    """The index could not be written."""


def channels_of(r: Resource) -> list[str]:
    """How a person can reach a resource: phone, sms and the link types."""
    out = {"sms" if p.type == "sms" else "phone" for p in r.phones}
    out.update(link.type for link in r.links if link.type != "guide")
    return sorted(out)


def _labels(taxonomy: Taxonomy) -> dict[tuple[str, str], list[str]]:
    out: dict[tuple[str, str], list[str]] = {}
    for group, terms in (
        ("kind", taxonomy.kinds),
        ("topic", taxonomy.topics),
        ("platform", taxonomy.platforms),
    ):
        for t in terms:
            out[(group, t.key)] = [t.label.ko, t.label.en, *t.aliases]
    return out


def _texts(r: Resource, labels: dict[tuple[str, str], list[str]]) -> dict[str, str]:
    """The raw text of each ranked field, before analysis."""
    tags = [*labels.get(("kind", r.kind), []), *(w for t in r.topics for w in labels.get(("topic", t), []))]
    tags += [w for a in r.audiences if a != "everyone" for w in labels.get(("audience", a), [])]
    if r.platform:
        tags += labels.get(("platform", r.platform), [])
    body = [
        *(x.ko + " " + x.en for x in (r.how_to, r.organization, r.address, r.caveat) if x),
        *(p.label.ko + " " + p.label.en for p in r.phones if p.label),
        *(link.label.ko + " " + link.label.en for link in r.links if link.label),
        *(p.number + " " + phone_digits(p.number) for p in r.phones),
    ]
    return {
        "fts_name": f"{r.name.ko} {r.name.en}",
        "fts_aliases": " | ".join(r.aliases),
        "fts_tags": " | ".join(tags),
        "fts_summary": f"{r.summary.ko} {r.summary.en}",
        "fts_body": " | ".join(body),
    }


def _row(position: int, r: Resource, analysed: dict[str, str]) -> dict[str, object]:
    return {
        "rowid": position + 1,
        "id": r.id,
        "kind": r.kind,
        "platform": r.platform,
        "confidence": r.confidence,
        "confidence_rank": CONFIDENCE_ORDER[r.confidence],
        "cost": r.cost,
        "anonymous": r.anonymous,
        "checked": r.checked.isoformat(),
        "national": int("KR" in r.regions),
        # Pipe-delimited lists ("|a|b|") filter with a plain LIKE and count facets without JSON.
        "regions": "|" + "|".join(r.regions) + "|",
        "topics": "|" + "|".join(r.topics) + "|",
        "audiences": "|" + "|".join(r.audiences) + "|",
        "languages": "|" + "|".join(r.languages) + "|",
        "channels": "|" + "|".join(channels_of(r)) + "|",
        "phone_digits": "|" + "|".join(phone_digits(p.number) for p in r.phones) + "|",
        "always_open": int(bool(r.hours and r.hours.always)),
        "reachable": int(bool(r.phones or r.links)),
        "name_ko": r.name.ko,
        "name_en": r.name.en,
        "names": normalize(" | ".join([r.name.ko, r.name.en, *r.aliases])),
        # The analysed text before the record: SQLite walks a row's columns in order, and the
        # engine reads the short ranked fields of hundreds of rows per query.
        **analysed,
        "record": msgspec.json.encode(r).decode(),
    }


_WORDS = re.compile(r"[가-힣]+|[a-z]{2,}")
#: Catalogs at least this large are analysed in several processes.
_PARALLEL_FROM = 20_000


class _Analysis(NamedTuple):
    """The analysed FTS columns of some resources, and what their words add to the lexicon."""

    columns: list[dict[str, str]]
    df: Counter[str]
    named: set[str]


def _analyse(all_texts: list[dict[str, str]]) -> _Analysis:
    """Analyse resources' text once: FTS units per column, and word counts for the lexicon."""
    columns: list[dict[str, str]] = []
    df: Counter[str] = Counter()
    named: set[str] = set()
    for texts in all_texts:
        columns.append({col: index_text(text) for col, text in texts.items()})
        seen: set[str] = set()
        for col, text in texts.items():
            found = set(_WORDS.findall(normalize(text)))
            found |= {strip_josa(w) for w in found if "가" <= w[0] <= "힣"}
            seen |= found
            if col in ("fts_name", "fts_aliases", "fts_tags"):
                named |= found
        df.update(seen)
    return _Analysis(columns, df, named)


def _analyse_all(all_texts: list[dict[str, str]]) -> _Analysis:
    """:func:`_analyse`, spread over the machine's cores for a large catalog (pure Python is the
    slowest part of a build)."""
    workers = min(os.cpu_count() or 1, 8)
    if len(all_texts) < _PARALLEL_FROM or workers < 2:
        return _analyse(all_texts)
    step = -(-len(all_texts) // (workers * 4))
    chunks = [all_texts[i : i + step] for i in range(0, len(all_texts), step)]
    with concurrent.futures.ProcessPoolExecutor(workers) as pool:
        parts = list(pool.map(_analyse, chunks))
    out = _Analysis([], Counter(), set())
    for part in parts:
        out.columns.extend(part.columns)
        out.df.update(part.df)
        out.named.update(part.named)
    return out


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


def _write(db: sqlite_utils.Database, catalog: Catalog, progress: Callable[[int], None]) -> None:
    labels = _labels(catalog.taxonomy)
    all_texts = [_texts(r, labels) for r in catalog.resources]
    analysis = _analyse_all(all_texts)
    # Row ids follow a static quality order (nationwide first, lines that answer at once first,
    # Korean-speaking services, then confidence), so that FTS5, which returns matches in row-id order, hands the engine the most
    # useful candidates first and a broad query can stop early on a large catalog.
    order = sorted(
        range(len(catalog.resources)),
        key=lambda i: (
            "KR" not in catalog.resources[i].regions,
            "ko" not in catalog.resources[i].languages,  # services that can act in Korea, in Korean
            KIND_PRIORITY.get(catalog.resources[i].kind, 99),
            CONFIDENCE_ORDER[catalog.resources[i].confidence],
            i,
        ),
    )
    rows = []
    for n, i in enumerate(order):
        rows.append({**_row(n, catalog.resources[i], analysis.columns[i]), "position": i})
        if n % 1000 == 999:
            progress(1000)
    progress(len(rows) % 1000)
    # sqlite-utils creates the table from the first row; the bulk insert goes straight to the
    # connection, which is several times faster than insert_all on a large catalog.
    table = db.table("resources")
    table.insert_all(rows[:1], pk="rowid")
    columns = list(rows[0])
    db.conn.executemany(
        f"INSERT INTO resources ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
        ([row[c] for c in columns] for row in rows[1:]),
    )
    db.table("resources").create_index(["id"], unique=True)
    # The engine filters, counts and ranks on these narrow rows; reading them from the wide
    # resources table (records and analysed text) would cost ten times more on a large catalog.
    db.execute(f"CREATE TABLE flat (rowid INTEGER PRIMARY KEY, {', '.join(FLAT_COLUMNS)})")
    db.execute(f"INSERT INTO flat SELECT rowid, {', '.join(FLAT_COLUMNS)} FROM resources")
    db.execute("CREATE INDEX flat_national ON flat (national, rowid)")
    db.execute("CREATE INDEX flat_id ON flat (id)")
    db.table("resources").enable_fts(list(FTS_COLUMNS), fts_version="FTS5", tokenize=TOKENIZER)
    db.execute(
        "INSERT INTO resources_fts(resources_fts, rank) VALUES ('rank', ?)",
        [f"bm25({', '.join(str(w) for w in FTS_WEIGHTS)})"],
    )
    db.execute("CREATE VIRTUAL TABLE resources_fts_vocab USING fts5vocab(resources_fts, 'row')")
    db.table("phones").insert_all(
        (
            {
                "resource_id": r.id,
                "position": j,
                "number": p.number,
                "digits": phone_digits(p.number),
                "type": p.type,
            }
            for r in catalog.resources
            for j, p in enumerate(r.phones)
        ),
        columns={"resource_id": str, "position": int, "number": str, "digits": str, "type": str},
    )
    db.table("phones").create_index(["digits"])
    db.table("links").insert_all(
        (
            {"resource_id": r.id, "type": link.type, "url": link.url}
            for r in catalog.resources
            for link in r.links
        ),
        columns={"resource_id": str, "type": str, "url": str},
    )
    db.table("resource_regions").insert_all(
        ({"resource_id": r.id, "region": code} for r in catalog.resources for code in r.regions),
        columns={"resource_id": str, "region": str},
    )
    db.table("resource_regions").create_index(["region", "resource_id"])
    db.table("lexicon").insert_all(
        _lexicon(analysis.df, analysis.named),
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
    db.table("synonyms").insert_all(
        ({"grp": i, "term": normalize(term)} for i, g in enumerate(catalog.synonyms) for term in g.terms),
    )
    meta = {
        "schema_version": SCHEMA_VERSION,
        "data_hash": catalog.data_hash,
        "built_at": dt.datetime.now(SEOUL).isoformat(timespec="seconds"),
        "resources": len(catalog.resources),
        "regions": len(catalog.regions),
        "phones": sum(len(r.phones) for r in catalog.resources),
    }
    db.table("meta").insert_all(({"key": k, "value": json.dumps(v)} for k, v in meta.items()), pk="key")


def build_index(catalog: Catalog, out: Path | str, progress: Callable[[int], None] | None = None) -> Path:
    """Write ``catalog`` to a fresh SQLite file and atomically rename it to ``out``.

    Raises:
        BuildError: the file cannot be written (the old index, if any, is untouched).
    """
    out = Path(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
        os.close(fd)
    except OSError as exc:
        raise BuildError(f"cannot write to {out.parent}: {exc.strerror or exc}") from exc
    tmp = Path(tmp_name)
    try:
        db = sqlite_utils.Database(tmp)
        try:
            db.execute("PRAGMA journal_mode = OFF")
            db.execute("PRAGMA synchronous = OFF")
            with db.conn:
                _write(db, catalog, progress or (lambda n: None))
            db.execute("PRAGMA optimize")
        finally:
            db.close()
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, out)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(exc, OSError | sqlite3.Error):
            raise BuildError(f"cannot write the index {out}: {exc}") from exc
        raise
    return out
